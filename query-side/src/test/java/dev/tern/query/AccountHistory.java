package dev.tern.query;

import dev.tern.events.AccountCreated;
import dev.tern.events.AllGroup;
import dev.tern.events.GroupCreated;
import dev.tern.events.PeerRegistered;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.UserCreated;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import dev.tern.events.values.WireGuardKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * Appends one account's events to the real event store the way the account aggregate would: one aggregate
 * stream per account, sequence numbers without holes, the actor in the metadata.
 */
public final class AccountHistory {
    public static final Actor ADMIN = new Actor(Actor.Type.USER, "admin-user", "Ada Admin", "ada@example.com");
    private static final SecureRandom RANDOM = new SecureRandom();

    public final String accountId = Ids.newId();
    public final String allGroupId = Ids.newId();
    private final EventStore store;
    private long nextSequence;
    private int nextIp = 1;

    private AccountHistory(EventStore store) {
        this.store = store;
    }

    /** A new account with its All group, as the aggregate creates it. */
    public static AccountHistory create(EventStore store) {
        AccountHistory history = new AccountHistory(store);
        history.append(new AccountCreated(history.accountId, new Cidr("100.71.0.0", 16), "tern.internal",
                Instant.parse("2026-01-01T00:00:00Z")), Actor.SYSTEM);
        history.append(new GroupCreated(history.accountId, history.allGroupId, AllGroup.NAME, GroupIssuer.API), Actor.SYSTEM);
        return history;
    }

    public void append(Object payload) {
        append(payload, ADMIN);
    }

    public void append(Object payload, Actor actor) {
        store.publish(new GenericDomainEventMessage<>("Account", accountId, nextSequence++, payload,
                actor.toMetadata()));
    }

    public void appendAt(Object payload, Actor actor, Instant timestamp) {
        store.publish(new GenericDomainEventMessage<>("Account", accountId, nextSequence++, payload,
                actor.toMetadata(), UUID.randomUUID().toString(), timestamp));
    }

    public String createUser(String name, UserRole role) {
        String userId = Ids.newId();
        append(new UserCreated(accountId, userId, name.toLowerCase() + "@example.com", name, role, false, List.of(),
                Instant.parse("2026-01-02T00:00:00Z")));
        return userId;
    }

    public String createGroup(String name) {
        String groupId = Ids.newId();
        append(new GroupCreated(accountId, groupId, name, GroupIssuer.API));
        return groupId;
    }

    /** A reusable setup key (prefix ABCD; no expiry, usage limit or auto-groups); returns its id. */
    public String createSetupKey(String name, Instant createdAt) {
        String keyId = Ids.newId();
        append(new SetupKeyCreated(accountId, keyId, name, SetupKeyType.REUSABLE, "a".repeat(40) + Ids.newId(),
                "ABCD", null, 0, List.of(), false, false, createdAt));
        return keyId;
    }

    /** Registers a peer (with a setup key when {@code setupKeyId} is set) and returns its id. */
    public String registerPeer(String name, String setupKeyId) {
        String peerId = Ids.newId();
        append(new PeerRegistered(accountId, peerId, randomKey(), new MeshIp("100.71.0." + nextIp++),
                name.toLowerCase(), name, PeerSystemMeta.ofHostname(name), setupKeyId, null, false, true,
                Instant.parse("2026-01-03T00:00:00Z")), new Actor(Actor.Type.PEER, peerId, name, ""));
        return peerId;
    }

    /** Takes the next sequence number for an event the test writes into the store itself (e.g. an old shape). */
    public long reserveSequence() {
        return nextSequence++;
    }

    public static WireGuardKey randomKey() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return WireGuardKey.of(raw);
    }
}
