package dev.tern.projector;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.WireGuardKey;
import java.util.Objects;

/** A peer another peer may reach or be reached from: what its WireGuard configuration and DNS need. */
public record RemotePeer(String peerId, String name, WireGuardKey wgPubKey, MeshIp meshIp, String fqdn,
                         boolean sshEnabled) {

    public RemotePeer {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(wgPubKey, "wgPubKey");
        Objects.requireNonNull(meshIp, "meshIp");
        Objects.requireNonNull(fqdn, "fqdn");
    }

    /** WireGuard allowed IPs of this peer, as NetBird's RemotePeerConfig.allowedIps carries them. */
    public String allowedIp() {
        return meshIp.address() + "/32";
    }
}
