package dev.tern.query.peers;

import java.time.Instant;

/**
 * Connection status of peers (connected, last seen, public address). Deliberately not event-sourced: it
 * changes with every sync and says nothing an auditor needs; the management gRPC service writes it here.
 */
public interface PeerStatusStore {
    void markConnected(String accountId, String peerId, Instant at, String connectionIp);

    void markDisconnected(String accountId, String peerId, Instant at);
}
