package dev.tern.signal.relay;

import dev.tern.protocol.relay.RelayTokens;

import java.time.Duration;

/**
 * What every relay connection is held to, handed as one value from the server through the pipeline to each
 * connection's handler.
 *
 * @param tokens              checks the Auth token (HMAC with the secret shared with the management server)
 * @param instanceUrl         the relay's own URL, told to peers in AuthResponse ({@code rel://} or {@code rels://})
 * @param authTimeout         how long a connection may take to upgrade to WebSocket and authenticate
 * @param healthCheckInterval how often an authenticated peer is asked for a health-check answer
 */
record RelaySessionSettings(RelayTokens tokens, String instanceUrl, Duration authTimeout,
                            Duration healthCheckInterval) {
    RelaySessionSettings {
        if (instanceUrl == null || !(instanceUrl.startsWith("rel://") || instanceUrl.startsWith("rels://"))) {
            throw new IllegalArgumentException("relay address must start with rel:// or rels://, got '" + instanceUrl + "'");
        }
    }
}
