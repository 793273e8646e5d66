package dev.tern.query;

import dev.tern.events.values.PeerExpiry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The query side's one public entry point for reads: every REST GET and every authentication look-up goes
 * through here. All lists are scoped to one account; an id of another account is simply not found.
 */
public interface ReadModel {

    /** True while no user exists anywhere (the instance still needs POST /api/setup). */
    boolean setupRequired();

    /** Authentication: the token with this SHA-256 hash, with its user, if the token exists (expired included). */
    Optional<TokenPrincipal> findTokenByHash(String tokenHash);

    /** Registration: the account that owns the setup key with this SHA-256 hash. */
    Optional<String> findAccountBySetupKeyHash(String keyHash);

    Optional<AccountView> account(String accountId);

    List<UserView> users(String accountId);

    Optional<UserView> user(String accountId, String userId);

    List<TokenView> tokens(String accountId, String userId);

    Optional<TokenView> token(String accountId, String userId, String tokenId);

    List<SetupKeyView> setupKeys(String accountId);

    Optional<SetupKeyView> setupKey(String accountId, String setupKeyId);

    List<GroupView> groups(String accountId);

    Optional<GroupView> group(String accountId, String groupId);

    List<PolicyView> policies(String accountId);

    Optional<PolicyView> policy(String accountId, String policyId);

    List<PeerView> peers(String accountId);

    Optional<PeerView> peer(String accountId, String peerId);

    Optional<PeerView> peerByWireGuardKey(String accountId, String wgPubKeyBase64);

    AuditPage audit(String accountId, AuditQuery query);

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
