package dev.tern.projector;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.WireGuardKey;
import java.util.Objects;

/**
 * The receiving peer's own configuration: {@code address} is its mesh IP with the account network's prefix
 * ("100.64.3.7/16", NetBird's PeerConfig.address), {@code fqdn} is {@code label.dnsDomain}.
 */
public record PeerConfig(String peerId, String name, WireGuardKey wgPubKey, MeshIp meshIp, String address, String fqdn,
                         boolean sshEnabled) {

    public PeerConfig {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(wgPubKey, "wgPubKey");
        Objects.requireNonNull(meshIp, "meshIp");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(fqdn, "fqdn");
    }
}
