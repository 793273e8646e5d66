package dev.tern.agent.dns;

import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.NameServer;
import dev.tern.protocol.management.NameServerGroup;
import dev.tern.protocol.management.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A map's DNS configuration in the resolver's terms: the zones it answers itself and the nameserver groups it
 * forwards to. Built from the protobuf {@link DNSConfig}; an entry that cannot be read (a record of a type we do
 * not serve, a nameserver that is no IP address) is skipped with a warning, so one bad entry never takes the
 * others down.
 */
public record DnsSettings(boolean enabled, List<Zone> zones, List<NameServerGroup> groups) {
    private static final Logger LOG = LoggerFactory.getLogger(DnsSettings.class);
    /** NetBird's NSType for plain DNS over UDP (falling back to TCP on truncation), the only one it defines. */
    static final long NS_TYPE_UDP = 1;
    static final int DNS_PORT = 53;

    /**
     * A zone this peer answers. {@code authoritative}: a name in it without records is NXDOMAIN; a
     * non-authoritative zone lets unknown names fall through to forwarding. {@code searchDomain}: the host may
     * complete short names with it.
     */
    public record Zone(Name domain, Map<Name, List<Record>> records, boolean authoritative, boolean searchDomain) {
        /** Whether {@code name} has records itself or below it (an empty non-terminal exists too). */
        boolean exists(Name name) {
            if (records.containsKey(name)) {
                return true;
            }
            return records.keySet().stream().anyMatch(owner -> owner.subdomain(name));
        }
    }

    /**
     * Nameservers that answer for {@code domains} (match domains), or for everything no zone and no match domain
     * takes when {@code primary}. {@code searchDomains}: the match domains are search domains too.
     */
    public record NameServerGroup(List<InetSocketAddress> nameservers, boolean primary, List<Name> domains,
                                  boolean searchDomains) {
    }

    public static final DnsSettings DISABLED = new DnsSettings(false, List.of(), List.of());

    public static DnsSettings from(DNSConfig config) {
        if (config == null || !config.getServiceEnable()) {
            return DISABLED;
        }
        List<Zone> zones = new ArrayList<>();
        for (CustomZone zone : config.getCustomZonesList()) {
            zone(zone).ifPresent(zones::add);
        }
        List<NameServerGroup> groups = new ArrayList<>();
        for (dev.tern.protocol.management.NameServerGroup group : config.getNameServerGroupsList()) {
            group(group).ifPresent(groups::add);
        }
        return new DnsSettings(true, List.copyOf(zones), List.copyOf(groups));
    }

    private static java.util.Optional<Zone> zone(CustomZone zone) {
        Name domain;
        try {
            domain = absolute(zone.getDomain());
        } catch (TextParseException e) {
            LOG.warn("skipping a DNS zone whose domain is not a domain name: {}", e.getMessage());
            return java.util.Optional.empty();
        }
        Map<Name, List<Record>> records = new LinkedHashMap<>();
        for (SimpleRecord simple : zone.getRecordsList()) {
            try {
                Record record = record(simple);
                if (!record.getName().subdomain(domain)) {
                    throw new IllegalArgumentException(record.getName() + " is outside the zone " + domain);
                }
                records.computeIfAbsent(record.getName(), n -> new ArrayList<>()).add(record);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("zone {}: skipping record {}: {}", domain, simple.getName(), e.getMessage());
            }
        }
        records.replaceAll((name, list) -> List.copyOf(list));
        return java.util.Optional.of(new Zone(domain, Map.copyOf(records), !zone.getNonAuthoritative(),
                !zone.getSearchDomainDisabled()));
    }

    /** A, AAAA and CNAME, class IN: what NetBird's custom zones carry. */
    static Record record(SimpleRecord simple) throws IOException {
        int type = (int) simple.getType();
        if (type != Type.A && type != Type.AAAA && type != Type.CNAME) {
            throw new IllegalArgumentException("type " + Type.string(type) + " is not served");
        }
        if (!simple.getClass_().isEmpty() && DClass.value(simple.getClass_()) != DClass.IN) {
            throw new IllegalArgumentException("class " + simple.getClass_() + " is not served");
        }
        if (simple.getTTL() < 0 || simple.getTTL() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TTL " + simple.getTTL() + " is out of range");
        }
        return Record.fromString(absolute(simple.getName()), type, DClass.IN, simple.getTTL(), simple.getRData(),
                Name.root);
    }

    private static java.util.Optional<NameServerGroup> group(dev.tern.protocol.management.NameServerGroup group) {
        List<InetSocketAddress> nameservers = new ArrayList<>();
        for (NameServer server : group.getNameServersList()) {
            if (server.getNSType() != NS_TYPE_UDP && server.getNSType() != 0) {
                LOG.warn("skipping nameserver {}: type {} is not plain DNS", server.getIP(), server.getNSType());
                continue;
            }
            if (!isIpLiteral(server.getIP()) || server.getPort() < 0 || server.getPort() > 65535) {
                LOG.warn("skipping nameserver {}:{}: not an IP address and port", server.getIP(), server.getPort());
                continue;
            }
            try {
                nameservers.add(new InetSocketAddress(InetAddress.getByName(server.getIP()),
                        server.getPort() == 0 ? DNS_PORT : (int) server.getPort()));
            } catch (java.net.UnknownHostException e) {
                LOG.warn("skipping nameserver {}: {}", server.getIP(), e.getMessage());
            }
        }
        List<Name> domains = new ArrayList<>();
        for (String domain : group.getDomainsList()) {
            try {
                domains.add(absolute(domain));
            } catch (TextParseException e) {
                LOG.warn("skipping match domain {}: {}", domain, e.getMessage());
            }
        }
        if (nameservers.isEmpty() || (!group.getPrimary() && domains.isEmpty())) {
            LOG.warn("skipping a nameserver group without usable nameservers or match domains");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new NameServerGroup(List.copyOf(nameservers), group.getPrimary(),
                List.copyOf(domains), group.getSearchDomainsEnabled()));
    }

    static Name absolute(String name) throws TextParseException {
        return Name.fromString(name.endsWith(".") ? name : name + ".").canonicalize();
    }

    /** Only literals: resolving a host name here would ask DNS, maybe the resolver that is being configured. */
    static boolean isIpLiteral(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        return text.indexOf(':') >= 0 ? text.matches("[0-9A-Fa-f:.]+") : text.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                && java.util.Arrays.stream(text.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
    }

    /** Every zone's domain, for the status and the host's routing domains. */
    public List<String> zoneNames() {
        return zones.stream().map(zone -> zone.domain().toString()).toList();
    }

    /** Domains the host may complete short names with: zones that allow it, and groups' match domains that do. */
    public List<Name> searchDomains() {
        List<Name> out = new ArrayList<>();
        zones.stream().filter(Zone::searchDomain).map(Zone::domain).forEach(out::add);
        groups.stream().filter(NameServerGroup::searchDomains).flatMap(g -> g.domains().stream()).forEach(out::add);
        return out.stream().distinct().toList();
    }

    /** Domains whose names the host must send to us: every zone and every match domain. */
    public List<Name> routedDomains() {
        List<Name> out = new ArrayList<>();
        zones.forEach(zone -> out.add(zone.domain()));
        groups.forEach(group -> out.addAll(group.domains()));
        return out.stream().distinct().toList();
    }

    /** A primary group takes every name no zone or match domain claims: then the host sends us everything. */
    public boolean hasPrimary() {
        return groups.stream().anyMatch(NameServerGroup::primary);
    }
}
