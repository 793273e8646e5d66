package dev.tern.agent.dataplane;

import dev.tern.agent.common.AgentException;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UapiTest {
    private static final String KEY_A = Base64.getEncoder().encodeToString(filled(0x11));
    private static final String KEY_B = Base64.getEncoder().encodeToString(filled(0x22));
    private static final String KEY_C = Base64.getEncoder().encodeToString(filled(0x33));

    private static byte[] filled(int value) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) value);
        return key;
    }

    private static String hex(int value) {
        return HexFormat.of().formatHex(filled(value));
    }

    @Test
    void setDeviceWritesHexKeysPortAndReplacesPeers() {
        String request = Uapi.setDevice(filled(0x01), 51820,
                List.of(new WgPeer(KEY_A, List.of("100.64.0.2/32"), "10.0.0.2:51820", 25)));

        assertThat(request).isEqualTo("set=1\n"
                + "private_key=" + hex(0x01) + "\n"
                + "listen_port=51820\n"
                + "replace_peers=true\n"
                + "public_key=" + hex(0x11) + "\n"
                + "endpoint=10.0.0.2:51820\n"
                + "persistent_keepalive_interval=25\n"
                + "replace_allowed_ips=true\n"
                + "allowed_ip=100.64.0.2/32\n"
                + "\n");
    }

    @Test
    void diffNamesOnlyRemovedAddedAndChangedPeersAndNeverReplacesAll() {
        WgPeer unchanged = new WgPeer(KEY_A, List.of("100.64.0.2/32"), null, 25);
        WgPeer before = new WgPeer(KEY_B, List.of("100.64.0.3/32"), null, 25);
        WgPeer after = before.withEndpoint("10.0.0.3:51820");
        WgPeer added = new WgPeer(KEY_C, List.of("100.64.0.4/32"), null, 25);
        PeerDiff diff = PeerDiff.between(java.util.Map.of(KEY_A, unchanged, KEY_B, before), List.of(unchanged, after, added));

        String request = Uapi.applyDiff(diff);

        assertThat(request).doesNotContain("replace_peers").doesNotContain(hex(0x11));
        assertThat(request).contains("public_key=" + hex(0x22) + "\nendpoint=10.0.0.3:51820\n");
        assertThat(request).contains("public_key=" + hex(0x33) + "\npersistent_keepalive_interval=25\n");
        assertThat(request).doesNotContain("endpoint=null");
        assertThat(request).endsWith("\n\n");
    }

    @Test
    void removedPeersGetRemoveTrue() {
        PeerDiff diff = PeerDiff.between(java.util.Map.of(KEY_A, new WgPeer(KEY_A, List.of(), null, 0)), List.of());

        assertThat(Uapi.applyDiff(diff)).isEqualTo("set=1\npublic_key=" + hex(0x11) + "\nremove=true\n\n");
    }

    @Test
    void parsesGetResponseIntoPeersWithCounters() {
        String response = "private_key=" + hex(0x01) + "\n"
                + "listen_port=51820\n"
                + "public_key=" + hex(0x11) + "\n"
                + "preshared_key=" + hex(0x00) + "\n"
                + "protocol_version=1\n"
                + "endpoint=10.0.0.2:51820\n"
                + "last_handshake_time_sec=1700000000\n"
                + "last_handshake_time_nsec=5\n"
                + "tx_bytes=1234\n"
                + "rx_bytes=5678\n"
                + "persistent_keepalive_interval=25\n"
                + "allowed_ip=100.64.0.2/32\n"
                + "allowed_ip=10.1.0.0/16\n"
                + "public_key=" + hex(0x22) + "\n"
                + "allowed_ip=100.64.0.3/32\n"
                + "errno=0\n\n";

        DeviceState state = Uapi.parseGet(response);

        assertThat(state.listenPort()).isEqualTo(51820);
        assertThat(state.publicKey()).isEqualTo(
                Base64.getEncoder().encodeToString(dev.tern.protocol.crypto.NaclBox.publicKeyOf(filled(0x01))));
        assertThat(state.peers()).containsOnlyKeys(KEY_A, KEY_B);
        DeviceState.PeerStats a = state.peers().get(KEY_A);
        assertThat(a.endpoint()).isEqualTo("10.0.0.2:51820");
        assertThat(a.lastHandshakeEpochSeconds()).isEqualTo(1700000000L);
        assertThat(a.rxBytes()).isEqualTo(5678);
        assertThat(a.txBytes()).isEqualTo(1234);
        assertThat(a.keepaliveSeconds()).isEqualTo(25);
        assertThat(a.allowedIps()).containsExactly("100.64.0.2/32", "10.1.0.0/16");
        DeviceState.PeerStats b = state.peers().get(KEY_B);
        assertThat(b.endpoint()).isNull();
        assertThat(b.lastHandshakeEpochSeconds()).isZero();
    }

    @Test
    void nonZeroErrnoIsAnErrorWithoutEchoingTheRequest() {
        assertThatThrownBy(() -> Uapi.requireSuccess("errno=22\n\n"))
                .isInstanceOf(AgentException.class).hasMessageContaining("errno=22");
        assertThatThrownBy(() -> Uapi.requireSuccess("\n")).isInstanceOf(AgentException.class);
    }

    @Test
    void keysConvertBetweenBase64AndHex() {
        assertThat(Uapi.keyHex(KEY_A)).isEqualTo(hex(0x11));
        assertThat(Uapi.keyBase64(hex(0x22))).isEqualTo(KEY_B);
        assertThatThrownBy(() -> Uapi.keyHex(Base64.getEncoder().encodeToString(new byte[16])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wgDumpParsesLikeUapi() {
        String dump = "cHJpdg==\t" + KEY_C + "\t51820\toff\n"
                + KEY_A + "\t(none)\t10.0.0.2:51820\t100.64.0.2/32,10.1.0.0/16\t1700000000\t10\t20\t25\n"
                + KEY_B + "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n";

        DeviceState state = WgBackend.WgToolBackend.parseDump(dump);

        assertThat(state.listenPort()).isEqualTo(51820);
        assertThat(state.publicKey()).isEqualTo(KEY_C);
        assertThat(state.peers().get(KEY_A).allowedIps()).containsExactly("100.64.0.2/32", "10.1.0.0/16");
        assertThat(state.peers().get(KEY_A).rxBytes()).isEqualTo(10);
        assertThat(state.peers().get(KEY_B).endpoint()).isNull();
        assertThat(state.peers().get(KEY_B).allowedIps()).isEmpty();
        assertThat(state.peers().get(KEY_B).keepaliveSeconds()).isZero();
    }

    @Test
    void wgSetCommandRemovesAndUpsertsPeers() {
        PeerDiff diff = new PeerDiff(List.of(new WgPeer(KEY_A, List.of("100.64.0.2/32"), "10.0.0.2:1", 25)),
                List.of(), List.of(KEY_B));

        assertThat(WgBackend.WgToolBackend.setCommand("wt0", diff)).containsExactly(
                "wg", "set", "wt0", "peer", KEY_B, "remove",
                "peer", KEY_A, "endpoint", "10.0.0.2:1", "persistent-keepalive", "25", "allowed-ips", "100.64.0.2/32");
    }
}
