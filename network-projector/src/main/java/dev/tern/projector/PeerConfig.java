package dev.tern.projector;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.WireGuardKey;
import java.util.List;
import java.util.Objects;

/**
 * The receiving peer's own configuration: {@code address} is its mesh IP with the account network's prefix
 * ("100.64.3.7/16", NetBird's PeerConfig.address), {@code fqdn} is {@code label.dnsDomain}, {@code extraFqdns}
 * the names of its extra DNS labels.
 */
public record PeerConfig(String peerId, String name, WireGuardKey wgPubKey, MeshIp meshIp, String address, String fqdn,
                         boolean sshEnabled, List<String> extraFqdns) {

    public PeerConfig {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(wgPubKey, "wgPubKey");
        Objects.requireNonNull(meshIp, "meshIp");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(fqdn, "fqdn");
        extraFqdns = List.copyOf(extraFqdns);
    }

    /** A peer without extra DNS labels. */
    public PeerConfig(String peerId, String name, WireGuardKey wgPubKey, MeshIp meshIp, String address, String fqdn,
                      boolean sshEnabled) {
        this(peerId, name, wgPubKey, meshIp, address, fqdn, sshEnabled, List.of());
    }
}
