package dev.tern.query.peers;

import dev.tern.events.values.PeerExpiry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What the expiry sweepers read: the peers, across accounts, whose login or ephemeral lifetime has run out. */
public interface ExpiryReads {

    /**
     * The peers of every account that are due to expire for {@code cause} at {@code now}, oldest first: their own
     * flag and the account's setting are on, their login has not lapsed yet, and the period has passed since their
     * last login ({@link PeerExpiry#LOGIN}) or since they were last seen, or registered if never seen, while not
     * connected ({@link PeerExpiry#INACTIVITY}).
     */
    List<DuePeer> peersDueForExpiry(PeerExpiry cause, Instant now);

    /**
     * The ephemeral peers of every account that have been away for {@code ttl} at {@code now}, oldest first: not
     * connected (a connected row nobody refreshed counts as disconnected) and neither seen, nor logged in, nor
     * registered since {@code now - ttl}.
     */
    List<DuePeer> ephemeralPeersGoneFor(Duration ttl, Instant now);
}
