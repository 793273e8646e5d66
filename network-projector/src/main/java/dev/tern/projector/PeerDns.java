package dev.tern.projector;

import dev.tern.events.values.NameServer;
import java.util.List;

/**
 * The account-managed part of a peer's DNS configuration, beside the peer zone its map derives from its peer lists
 * ({@link PeerNetworkMap#dnsRecords()}): the custom zones and nameserver groups whose distribution groups hold the
 * peer, in NetBird's shapes. A peer in one of the DNS settings' disabled management groups gets {@link #UNMANAGED}:
 * no DNS service at all, as NetBird sends it. Immutable; peers with the same configuration share one instance.
 */
public record PeerDns(boolean managed, List<Zone> zones, List<NameServerGroup> nameServerGroups) {
    /** Managed, with nothing beyond the peer zone: every peer's configuration while the account has no DNS set up. */
    public static final PeerDns DEFAULT = new PeerDns(true, List.of(), List.of());
    /** DNS management disabled for the peer. */
    public static final PeerDns UNMANAGED = new PeerDns(false, List.of(), List.of());

    public PeerDns {
        zones = List.copyOf(zones);
        nameServerGroups = List.copyOf(nameServerGroups);
    }

    /** A custom zone (domain without trailing dot) and its records, sorted by name, type and content. */
    public record Zone(String domain, boolean searchDomainDisabled, List<Record> records) {
        public Zone {
            records = List.copyOf(records);
        }
    }

    /** One record: owner name (no trailing dot), DNS RR type number, TTL, and its data as text. */
    public record Record(String name, int type, int ttl, String data) {
    }

    /** Upstream servers for {@code domains} (or for everything when primary). */
    public record NameServerGroup(List<NameServer> nameServers, boolean primary, List<String> domains,
                                  boolean searchDomainsEnabled) {
        public NameServerGroup {
            nameServers = List.copyOf(nameServers);
            domains = List.copyOf(domains);
        }
    }
}
