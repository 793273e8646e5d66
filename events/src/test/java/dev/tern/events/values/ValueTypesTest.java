package dev.tern.events.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The value types reject what can never be valid, so nothing invalid reaches a command or an event. */
class ValueTypesTest {

    @Test
    void wireGuardKeysAre32BytesOfStandardBase64() {
        byte[] raw = new byte[32];
        raw[0] = 7;
        WireGuardKey key = WireGuardKey.of(raw);
        assertThat(key.base64()).hasSize(44);
        assertThat(key.bytes()).isEqualTo(raw);
        assertThat(new WireGuardKey(" " + key.base64() + " ")).isEqualTo(key);

        assertThatThrownBy(() -> new WireGuardKey(null)).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new WireGuardKey("not base64!")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("base64");
        assertThatThrownBy(() -> new WireGuardKey(Base64.getEncoder().encodeToString(new byte[31])))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new WireGuardKey(Base64.getEncoder().encodeToString(new byte[33])))
                .isInstanceOf(InvalidValueException.class);
    }

    @Test
    void cidrsParseNormaliseAndRejectHostBits() {
        Cidr cidr = Cidr.parse("100.64.0.0/10");
        assertThat(cidr.network()).isEqualTo("100.64.0.0");
        assertThat(cidr.prefixLength()).isEqualTo(10);
        assertThat(cidr.toString()).isEqualTo("100.64.0.0/10");
        assertThat(cidr.size()).isEqualTo(1L << 22);
        assertThat(cidr.contains(Cidr.parse("100.71.0.0/16"))).isTrue();
        assertThat(cidr.contains(Cidr.parse("100.128.0.0/16"))).isFalse();
        assertThat(cidr.contains(new MeshIp("100.127.255.254"))).isTrue();
        assertThat(cidr.contains(new MeshIp("100.128.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(new MeshIp("1.2.3.4"))).isTrue();

        for (String bad : List.of("", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0/8",
                "10.0.0.256/32", "10.0.0.1/24", "a.b.c.d/8", "10.0.0.0/8x", "01234.0.0.0/8")) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(InvalidValueException.class);
        }
    }

    @Test
    void meshIpsAreDottedQuadsWithoutNameLookups() {
        MeshIp ip = new MeshIp("100.64.0.1");
        assertThat(ip.bits()).isEqualTo((100 << 24) | (64 << 16) | 1);
        assertThat(MeshIp.of(ip.bits())).isEqualTo(ip);
        assertThat(MeshIp.of(-1).address()).isEqualTo("255.255.255.255");
        for (String bad : List.of("localhost", "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.-4", "300.1.1.1")) {
            assertThatThrownBy(() -> new MeshIp(bad)).as(bad).isInstanceOf(InvalidValueException.class);
        }
    }

    @Test
    void mergingPortRangesJoinsOverlappingAndAdjacentOnesAndKeepsGaps() {
        assertThat(PortRange.merge(List.of())).isEmpty();
        assertThat(PortRange.merge(List.of(PortRange.single(443), PortRange.single(80), PortRange.single(81),
                PortRange.single(80), new PortRange(82, 90), new PortRange(85, 88), PortRange.single(92))))
                .containsExactly(new PortRange(80, 90), PortRange.single(92), PortRange.single(443));
        assertThat(PortRange.merge(List.of(new PortRange(1, 100), new PortRange(50, 65535), PortRange.single(7))))
                .containsExactly(new PortRange(1, 65535));
        List<PortRange> everyPort = new java.util.ArrayList<>();
        for (int port = 1; port <= 65535; port++) {
            everyPort.add(PortRange.single(port));
        }
        assertThat(PortRange.merge(everyPort)).containsExactly(new PortRange(1, 65535));
    }

    @Test
    void portRangesStayInsideOneTo65535AndInOrder() {
        assertThat(PortRange.parse("22")).isEqualTo(PortRange.single(22));
        assertThat(PortRange.parse("8000-8100")).isEqualTo(new PortRange(8000, 8100));
        assertThat(PortRange.parse("8000-8100").contains(8050)).isTrue();
        assertThat(PortRange.parse("8000-8100").contains(8101)).isFalse();
        assertThat(PortRange.single(22).toString()).isEqualTo("22");
        assertThat(new PortRange(1, 65535).toString()).isEqualTo("1-65535");
        for (String bad : List.of("0", "65536", "-1", "ssh", "90-80", "", "1-2-3")) {
            assertThatThrownBy(() -> PortRange.parse(bad)).as(bad).isInstanceOf(InvalidValueException.class);
        }
    }

    @Test
    void enumsTravelAsNetBirdsLowerCaseNames() {
        assertThat(Protocol.parse("TCP")).isEqualTo(Protocol.TCP);
        assertThat(SetupKeyType.parse("one-off")).isEqualTo(SetupKeyType.ONE_OFF);
        assertThat(SetupKeyType.ONE_OFF.wireName()).isEqualTo("one-off");
        assertThat(UserRole.parse("auditor").canWrite()).isFalse();
        assertThat(UserRole.ADMIN.canWrite()).isTrue();
        assertThat(UserRole.USER.readsEverything()).isFalse();
        assertThatThrownBy(() -> Protocol.parse("sctp")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("sctp").hasMessageContaining("tcp");
        assertThatThrownBy(() -> RuleAction.parse(null)).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void policyRulesRejectPortsOnProtocolsWithoutPortsAndEmptySides() {
        PolicyRule rule = rule(Protocol.TCP, List.of(PortRange.single(22)), List.of("g1"), List.of("g2", "g1"));
        assertThat(rule.groups()).containsExactly("g1", "g2");
        assertThat(rule.hasPorts()).isTrue();
        assertThatThrownBy(() -> rule(Protocol.ALL, List.of(PortRange.single(22)), List.of("g1"), List.of("g2")))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("tcp or udp");
        assertThatThrownBy(() -> rule(Protocol.ICMP, List.of(PortRange.single(1)), List.of("g1"), List.of("g2")))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> rule(Protocol.TCP, List.of(), List.of(), List.of("g2")))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("source");
        assertThatThrownBy(() -> rule(Protocol.TCP, List.of(), List.of("g1"), List.of()))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("destination");
    }

    @Test
    void policiesNeedANameAndRulesWithDistinctIds() {
        PolicyRule a = rule(Protocol.ALL, List.of(), List.of("g1"), List.of("g2"));
        PolicyDefinition policy = new PolicyDefinition(" dev ", null, true, List.of(a), null);
        assertThat(policy.name()).isEqualTo("dev");
        assertThat(policy.groups()).containsExactly("g1", "g2");
        assertThatThrownBy(() -> new PolicyDefinition("dev", "", true, List.of(), List.of()))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("no rules");
        assertThatThrownBy(() -> new PolicyDefinition("dev", "", true, List.of(a, a), List.of()))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("same id");
        assertThatThrownBy(() -> new PolicyDefinition(" ", "", true, List.of(a), List.of()))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> new PolicyDefinition("x".repeat(256), "", true, List.of(a), List.of()))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("255");
    }

    @Test
    void idsAreTwentyBase32HexCharactersAndUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = Ids.newId();
            assertThat(id).matches("[0-9a-v]{20}");
            assertThat(seen.add(id)).isTrue();
        }
        // xid's encoding: 12 zero bytes are 20 zeros; the first 5 bits of 0xff are 31 ('v').
        assertThat(Ids.encode(new byte[12])).isEqualTo("00000000000000000000");
        byte[] ff = new byte[12];
        ff[0] = (byte) 0xff;
        assertThat(Ids.encode(ff)).startsWith("vs");
    }

    @Test
    void secretsAreHashedAsSha256Hex() {
        // SHA-256("abc") from FIPS 180-2.
        assertThat(Secrets.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aSetupKeyHashesTheSameWhateverItsCaseAndSurroundingSpace() {
        String key = "A1B2C3D4-0000-4000-8000-00000000ABCD";
        assertThat(Secrets.setupKeyHash(" " + key.toLowerCase(java.util.Locale.ROOT) + "\n"))
                .isEqualTo(Secrets.setupKeyHash(key))
                .isEqualTo(Secrets.sha256Hex(key));
    }

    private static PolicyRule rule(Protocol protocol, List<PortRange> ports, List<String> src, List<String> dst) {
        return new PolicyRule("r1", "rule", null, true, RuleAction.ACCEPT, true, protocol, ports, null, src, dst);
    }
}
