package dev.tern.projector;

import dev.tern.events.AccountCreated;
import dev.tern.events.AllGroup;
import dev.tern.events.GroupCreated;
import dev.tern.events.PeerRegistered;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.WireGuardKey;
import java.time.Instant;
import java.util.List;

/** Builders for the events the tests feed: deterministic keys and IPs derived from a peer number. */
final class Fixture {
    static final String ACCOUNT = "acc1";
    static final String ALL = "group-all";
    static final String DOMAIN = "tern.internal";
    static final Cidr NETWORK = Cidr.parse("100.64.0.0/16");

    private Fixture() {
    }

    static AccountCreated accountCreated() {
        return new AccountCreated(ACCOUNT, NETWORK, DOMAIN, Instant.EPOCH);
    }

    static GroupCreated allGroup() {
        return new GroupCreated(ACCOUNT, ALL, AllGroup.NAME, GroupIssuer.API);
    }

    static GroupCreated group(String id) {
        return new GroupCreated(ACCOUNT, id, "name-" + id, GroupIssuer.API);
    }

    static WireGuardKey key(int n) {
        byte[] raw = new byte[32];
        raw[0] = (byte) (n >>> 24);
        raw[1] = (byte) (n >>> 16);
        raw[2] = (byte) (n >>> 8);
        raw[3] = (byte) n;
        raw[31] = 7;
        return WireGuardKey.of(raw);
    }

    static MeshIp ip(int n) {
        return MeshIp.of(NETWORK.networkBits() + n + 1);
    }

    static PeerRegistered peer(String id, int n) {
        return new PeerRegistered(ACCOUNT, id, key(n), ip(n), "label-" + id, "name-" + id,
                PeerSystemMeta.ofHostname("host-" + id), "setup-key", null, false, false, Instant.EPOCH);
    }

    static PolicyRule rule(String id, RuleAction action, boolean bidirectional, Protocol protocol,
                           List<PortRange> ports, List<String> sources, List<String> destinations) {
        return new PolicyRule(id, "rule-" + id, "", true, action, bidirectional, protocol, ports, List.of(),
                sources, destinations);
    }

    static PolicyRule accept(String id, boolean bidirectional, List<String> sources, List<String> destinations) {
        return rule(id, RuleAction.ACCEPT, bidirectional, Protocol.ALL, List.of(), sources, destinations);
    }

    static PolicyDefinition policy(String name, PolicyRule... rules) {
        return new PolicyDefinition(name, "", true, List.of(rules), List.of());
    }
}
