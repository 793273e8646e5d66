package dev.tern.testsupport.peer;

import com.google.protobuf.ByteString;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.PeerKeys;
import dev.tern.protocol.management.PeerSystemMeta;
import java.nio.charset.StandardCharsets;

/** The Login body a NetBird client sends, for test peers and the simulated peers of the benchmarks. */
public final class NetBirdLogin {
    /** The client version test peers claim: one the server accepts like any current NetBird client. */
    public static final String CLIENT_VERSION = "0.60.0";

    private NetBirdLogin() {
    }

    /**
     * A Linux client's Login: the setup key ("" for a known peer's re-login, also when {@code setupKey} is null), its
     * hostname and its WireGuard public key (base64, as NetBird sends it: the text's bytes).
     */
    public static LoginRequest request(String setupKey, String hostname, String wgPublicKey) {
        return LoginRequest.newBuilder()
                .setSetupKey(setupKey == null ? "" : setupKey)
                .setMeta(PeerSystemMeta.newBuilder().setHostname(hostname).setGoOS("linux").setKernel("Linux")
                        .setOS("linux").setNetbirdVersion(CLIENT_VERSION))
                .setPeerKeys(PeerKeys.newBuilder().setWgPubKey(ByteString.copyFrom(wgPublicKey, StandardCharsets.UTF_8)))
                .build();
    }
}
