package dev.tern.api.grpc;

import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.NameServer;
import dev.tern.projector.PeerDns;
import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.NameServerGroup;
import dev.tern.protocol.management.SimpleRecord;

/**
 * A peer's DNSConfig as NetBird's management server sends it: nothing but {@code ServiceEnable=false} for a peer
 * whose DNS is not managed; otherwise the peer zone first, then the account's custom zones (match-only:
 * NonAuthoritative, so names without a record fall through to the upstream, as NetBird sends them) and the
 * nameserver groups that apply to the peer.
 */
final class PeerDnsMessages {
    /** NetBird's nbdns.UDPNameServerType. */
    static final int NAMESERVER_TYPE_UDP = 1;

    private PeerDnsMessages() {
    }

    static DNSConfig dnsConfig(CustomZone peerZone, PeerDns dns) {
        if (!dns.managed()) {
            return DNSConfig.newBuilder().setServiceEnable(false).build();
        }
        DNSConfig.Builder config = DNSConfig.newBuilder().setServiceEnable(true).addCustomZones(peerZone);
        for (PeerDns.Zone zone : dns.zones()) {
            CustomZone.Builder custom = CustomZone.newBuilder()
                    .setDomain(NetworkMapMessages.fullyQualified(zone.domain()))
                    .setSearchDomainDisabled(zone.searchDomainDisabled())
                    .setNonAuthoritative(true);
            for (PeerDns.Record record : zone.records()) {
                custom.addRecords(SimpleRecord.newBuilder()
                        .setName(NetworkMapMessages.fullyQualified(record.name()))
                        .setType(record.type())
                        .setClass_(NetworkMapMessages.RECORD_CLASS_IN)
                        .setTTL(record.ttl())
                        .setRData(record.type() == DnsRecordType.CNAME.rrType()
                                ? NetworkMapMessages.fullyQualified(record.data()) : record.data()));
            }
            config.addCustomZones(custom);
        }
        for (PeerDns.NameServerGroup group : dns.nameServerGroups()) {
            NameServerGroup.Builder out = NameServerGroup.newBuilder()
                    .setPrimary(group.primary())
                    .addAllDomains(group.domains())
                    .setSearchDomainsEnabled(group.searchDomainsEnabled());
            for (NameServer server : group.nameServers()) {
                out.addNameServers(dev.tern.protocol.management.NameServer.newBuilder()
                        .setIP(server.ip())
                        .setNSType(NAMESERVER_TYPE_UDP)
                        .setPort(server.port()));
            }
            config.addNameServerGroups(out);
        }
        return config.build();
    }
}
