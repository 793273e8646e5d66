package dev.tern.events.values;

/**
 * One record of a custom zone, as NetBird's DNSRecordRequest: its name (within the zone's domain, which the account
 * checks), its type and content (an IPv4 address for A, IPv6 for AAAA, a domain name for CNAME) and a TTL.
 * {@link #validated} checks new input; the constructor takes stored values as they are.
 */
public record DnsRecordDefinition(String name, DnsRecordType type, String content, int ttl) {

    /** This record with canonical name and content; refuses content of the wrong kind for the type. */
    public DnsRecordDefinition validated() {
        String checkedName = DnsNames.domain(name, "record name");
        if (type == null) {
            throw new InvalidValueException("record type must be A, AAAA or CNAME");
        }
        String text = content == null ? "" : content.trim();
        String checkedContent = switch (type) {
            case A -> {
                if (!IpLiterals.isIpv4(text)) {
                    throw new InvalidValueException("an A record's content must be an IPv4 address");
                }
                yield text;
            }
            case AAAA -> {
                if (!IpLiterals.isIpv6(text)) {
                    throw new InvalidValueException("an AAAA record's content must be an IPv6 address");
                }
                yield IpLiterals.require(text, "AAAA record content");
            }
            case CNAME -> {
                if (IpLiterals.isIpv4(text) || IpLiterals.isIpv6(text)) {
                    throw new InvalidValueException("a CNAME record's content must be a domain name, not an address");
                }
                yield DnsNames.domain(text, "CNAME record content");
            }
        };
        if (ttl < 0) {
            throw new InvalidValueException("record ttl must not be negative");
        }
        return new DnsRecordDefinition(checkedName, type, checkedContent, ttl);
    }
}
