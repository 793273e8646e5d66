package dev.tern.api.datapath;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayToken;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.signal.DataPathSettings;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay tokens tern-server hands to peers, and the cut-offs of revoked peers. Every token is bound to the relay
 * peer id of the peer it is handed to (the hash of its WireGuard key) and lives {@code TERN_RELAY_TOKEN_TTL} (1 h by
 * default). Signed with {@code TERN_RELAY_SECRET}, which external relays share, or else with a random secret made
 * at start: then only the in-process relay, which verifies with {@link #verifier()}, needs to know it.
 */
final class RelayTokenIssuer {
    private final String secret;
    private final RelayTokens tokens;
    private final Duration lifetime;
    private final Clock clock;
    /** Revoked peers → their tokens expiring at or before this are refused by the in-process relay. */
    private final Map<PeerId, Instant> revokedUntil = new ConcurrentHashMap<>();

    RelayTokenIssuer(Optional<DataPathSettings.RelaySecret> configured, Duration lifetime, Clock clock) {
        this.secret = configured.map(DataPathSettings.RelaySecret::value).orElseGet(RelayTokenIssuer::randomSecret);
        this.tokens = RelayTokens.fromSharedSecret(secret, clock);
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** How long a handed-out relay token stays valid. */
    Duration lifetime() {
        return lifetime;
    }

    /** What the in-process relay checks tokens with. */
    RelayTokens verifier() {
        return tokens;
    }

    /** The secret tokens are signed with (configured or generated), for tests that verify tokens independently. */
    String secret() {
        return secret;
    }

    /** A fresh token for this peer only. */
    RelayToken issue(PeerId peer) {
        return tokens.issue(lifetimeFor(peer), peer);
    }

    /**
     * Records that the peer lost its right to the relay at {@code at}.
     *
     * @return the expiry up to which the relay must refuse the peer's tokens (every token issued up to the
     *         revocation expires by then), or empty when they have all lapsed already (a lapse older than the lifetime)
     */
    Optional<Instant> revoke(PeerId peer, Instant at) {
        Instant now = clock.instant();
        // An event stamped ahead of our clock (skew) cannot have tokens of ours issued after now.
        Instant revokedAt = at.isAfter(now) ? now : at;
        // Tokens carry whole seconds: every token issued up to the revocation expires by the end of its second.
        Instant tokensExpiringBy = revokedAt.truncatedTo(ChronoUnit.SECONDS).plus(lifetime);
        if (!tokensExpiringBy.isAfter(clock.instant())) {
            return Optional.empty();
        }
        revokedUntil.values().removeIf(until -> until.isBefore(now));
        revokedUntil.merge(peer, tokensExpiringBy, (a, b) -> a.isAfter(b) ? a : b);
        return Optional.of(tokensExpiringBy);
    }

    /**
     * The lifetime of a token issued now: the configured one, or a second past the peer's revocation cutoff when it
     * would not reach beyond it (a peer that logs in again in the second it was revoked must get a usable token).
     */
    private Duration lifetimeFor(PeerId peer) {
        Instant cutoff = revokedUntil.get(peer);
        Instant now = clock.instant();
        if (cutoff == null || now.plus(lifetime).getEpochSecond() > cutoff.getEpochSecond()) {
            return lifetime;
        }
        return Duration.between(now, cutoff.plusSeconds(1));
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
