package dev.tern.events.values;

import java.time.Duration;

/**
 * The account-wide settings Tern enforces (NetBird's AccountSettings, the peer expiration part). Login expiration
 * applies to peers whose own {@code login_expiration_enabled} is on: their login lapses {@code peerLoginExpiration}
 * after they last logged in, and they must log in again with a valid setup key. Inactivity expiration applies to
 * peers whose own {@code inactivity_expiration_enabled} is on: a peer disconnected for longer than
 * {@code peerInactivityExpiration} lapses the same way. Periods are whole seconds, as NetBird's API carries them.
 */
public record AccountSettings(boolean peerLoginExpirationEnabled, long peerLoginExpirationSeconds,
                              boolean peerInactivityExpirationEnabled, long peerInactivityExpirationSeconds) {

    /** NetBird refuses login expiration periods below one hour and above 180 days; so does Tern. */
    public static final long MIN_LOGIN_EXPIRATION_SECONDS = Duration.ofHours(1).toSeconds();
    public static final long MAX_EXPIRATION_SECONDS = Duration.ofDays(180).toSeconds();
    public static final long MIN_INACTIVITY_EXPIRATION_SECONDS = Duration.ofMinutes(1).toSeconds();

    /** NetBird's defaults for a new account: login expiration on after 24 hours, inactivity expiration off (10 min). */
    public static AccountSettings defaults() {
        return new AccountSettings(true, Duration.ofHours(24).toSeconds(), false, Duration.ofMinutes(10).toSeconds());
    }

    public Duration peerLoginExpiration() {
        return Duration.ofSeconds(peerLoginExpirationSeconds);
    }

    public Duration peerInactivityExpiration() {
        return Duration.ofSeconds(peerInactivityExpirationSeconds);
    }
}
