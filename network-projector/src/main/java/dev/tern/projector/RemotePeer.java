package dev.tern.projector;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.WireGuardKey;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A peer another peer may reach or be reached from: what its WireGuard configuration and DNS need.
 * {@code extraFqdns}: the names of its extra DNS labels ({@code label.dnsDomain}), in the order it asked for them.
 */
public record RemotePeer(String peerId, String name, WireGuardKey wgPubKey, MeshIp meshIp, String fqdn,
                         boolean sshEnabled, List<String> extraFqdns) {

    /** The order of every peer list in a map: by mesh IP (as {@link NetworkMapComputer#BY_IP} orders peer nodes). */
    static final Comparator<RemotePeer> BY_IP = Comparator.comparingInt((RemotePeer r) -> r.meshIp().bits())
            .thenComparing(RemotePeer::peerId);

    public RemotePeer {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(wgPubKey, "wgPubKey");
        Objects.requireNonNull(meshIp, "meshIp");
        Objects.requireNonNull(fqdn, "fqdn");
        extraFqdns = List.copyOf(extraFqdns);
    }

    /** A peer without extra DNS labels. */
    public RemotePeer(String peerId, String name, WireGuardKey wgPubKey, MeshIp meshIp, String fqdn,
                      boolean sshEnabled) {
        this(peerId, name, wgPubKey, meshIp, fqdn, sshEnabled, List.of());
    }

    /** WireGuard allowed IPs of this peer, as NetBird's RemotePeerConfig.allowedIps carries them. */
    public String allowedIp() {
        return meshIp.address() + "/32";
    }
}
