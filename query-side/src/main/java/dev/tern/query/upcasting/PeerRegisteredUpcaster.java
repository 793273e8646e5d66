package dev.tern.query.upcasting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.events.PeerRegistered;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * PeerRegistered revision 1 (stored with revision null, without extra DNS labels) to revision 2: an empty
 * {@code extraDnsLabels}. The labels of such a registration arrive, as they always did, in the
 * PeerExtraDnsLabelsSet stored right after it. Axon runs it on every read of the store (aggregate loads, the
 * processors, point-in-time reads, replays), so no fold ever sees the old shape.
 */
@Component
@Order(0)
public class PeerRegisteredUpcaster extends SingleEventUpcaster {
    static final SimpleSerializedType REVISION_1 = new SimpleSerializedType(PeerRegistered.class.getName(), null);
    static final SimpleSerializedType REVISION_2 = new SimpleSerializedType(PeerRegistered.class.getName(),
            PeerRegistered.REVISION);

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return representation.getType().equals(REVISION_1);
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(REVISION_2, JsonNode.class, payload -> {
            ((ObjectNode) payload).putArray("extraDnsLabels");
            return payload;
        });
    }
}
