package dev.tern.query.groups;

import dev.tern.events.values.GroupIssuer;
import java.util.List;

/** A group with its members; for the built-in All group, {@code peers} is every peer of the account. */
public record GroupView(String id, String accountId, String name, GroupIssuer issued, boolean all,
                        List<PeerRef> peers) {

    public record PeerRef(String id, String name) {
    }
}
