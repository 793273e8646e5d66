package dev.tern.events.commands;

import dev.tern.events.values.MeshIp;

/** What RegisterPeer answers: the peer (new or, for a known WireGuard key, existing) and whether it is new. */
public record PeerRegistration(String peerId, MeshIp ip, String dnsLabel, boolean created) {
}
