package dev.tern.api.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.api.web.ApiTestSupport;
import dev.tern.events.values.PeerExpiry;
import dev.tern.query.peers.DuePeer;
import dev.tern.query.peers.PeerReads;
import dev.tern.query.peers.PeerStatusStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The read model's due-peer queries on the shared database. Other test classes' peers are in there too, so each
 * test looks at the peers of an account of its own; every "now" lies in the future so that the server's own
 * sweeper, running on the real clock meanwhile, never finds these peers due.
 */
@TernIntegrationTest
class DuePeersQueryTest extends ApiTestSupport {
    static final long LOGIN_PERIOD = 3600;
    static final long INACTIVITY_PERIOD = 600;

    @Autowired
    PeerReads reads;
    @Autowired
    PeerStatusStore peerStatus;
    @Autowired
    JdbcTemplate jdbc;

    /** An account with both expirations on (1 h login, 10 min inactivity) and its setup key. */
    private record Account(OtherAccount owner, String setupKey) {
        String accountId() {
            return owner.accountId();
        }
    }

    private Account account(boolean loginEnabled, boolean inactivityEnabled) {
        OtherAccount other = otherAccount();
        TestHttp.Response r = http.put("/api/accounts/" + other.accountId(), other.token(), Map.of("settings",
                Map.of("peer_login_expiration_enabled", loginEnabled, "peer_login_expiration", LOGIN_PERIOD,
                        "peer_inactivity_expiration_enabled", inactivityEnabled,
                        "peer_inactivity_expiration", INACTIVITY_PERIOD)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return new Account(other, createSetupKey(other.token(), "reusable", 0, List.of()).key());
    }

    /** A peer of the account with its own expiration flags set as given. */
    private String peer(Account account, boolean loginExpiration, boolean inactivityExpiration) {
        String name = unique("due");
        String peerId = register(account.setupKey(), name).peerId();
        TestHttp.Response r = http.put("/api/peers/" + peerId, account.owner().token(), Map.of("name", name,
                "ssh_enabled", false, "login_expiration_enabled", loginExpiration,
                "inactivity_expiration_enabled", inactivityExpiration));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return peerId;
    }

    private List<String> due(PeerExpiry cause, Account account, Instant now) {
        return reads.peersDueForExpiry(cause, now).stream().filter(d -> d.accountId().equals(account.accountId()))
                .map(DuePeer::peerId).toList();
    }

    private Instant lastLogin(Account account, String peerId) {
        return reads.peer(account.accountId(), peerId).orElseThrow().lastLogin();
    }

    @Test
    void loginExpirationIsDueOnceThePeriodHasPassedSinceTheLastLogin() {
        Account account = account(true, false);
        String flagged = peer(account, true, false);
        String unflagged = peer(account, false, false);
        String alreadyExpired = peer(account, true, false);
        // what PeerLoginExpired leaves in the read model
        jdbc.update("UPDATE rm_peers SET login_expired = TRUE, login_expiry_cause = 'LOGIN' WHERE id = ?",
                alreadyExpired);
        Instant dueAt = lastLogin(account, flagged).plusSeconds(LOGIN_PERIOD);

        assertThat(due(PeerExpiry.LOGIN, account, dueAt.minusMillis(1))).isEmpty();
        assertThat(due(PeerExpiry.LOGIN, account, dueAt)).contains(flagged).doesNotContain(unflagged, alreadyExpired);
        assertThat(due(PeerExpiry.LOGIN, account, dueAt.plus(Duration.ofDays(30)))).containsExactly(flagged);
        assertThat(due(PeerExpiry.INACTIVITY, account, dueAt.plus(Duration.ofDays(30))))
                .as("inactivity expiration is off for the account").isEmpty();
        assertThat(reads.peersDueForExpiry(PeerExpiry.LOGIN, dueAt.plus(Duration.ofDays(30))))
                .as("every account's due peers, this one's among them")
                .contains(new DuePeer(account.accountId(), flagged));
    }

    @Test
    void loginExpirationOffForTheAccountMakesNoPeerDue() {
        Account account = account(false, false);
        String flagged = peer(account, true, false);
        assertThat(due(PeerExpiry.LOGIN, account, lastLogin(account, flagged).plus(Duration.ofDays(365))))
                .isEmpty();
    }

    @Test
    void oldestLoginComesFirst() {
        Account account = account(true, false);
        String first = peer(account, true, false);
        String second = peer(account, true, false);
        jdbc.update("UPDATE rm_peers SET last_login = last_login - INTERVAL '1 hour' WHERE id = ?", second);
        assertThat(due(PeerExpiry.LOGIN, account, Instant.now().plus(Duration.ofDays(1))))
                .containsExactly(second, first);
    }

    @Test
    void inactivityIsDueForPeersAwayLongerThanThePeriod() {
        Account account = account(false, true);
        String neverSeen = peer(account, false, true);
        String connected = peer(account, false, true);
        String recentlyLeft = peer(account, false, true);
        String longGone = peer(account, false, true);
        String sessionDiedUnclosed = peer(account, false, true);
        String unflagged = peer(account, false, false);
        Instant createdAt = reads.peer(account.accountId(), neverSeen).orElseThrow().createdAt();
        Instant now = createdAt.plus(Duration.ofHours(2));
        String id = account.accountId();
        peerStatus.markConnected(id, connected, now.minusSeconds(30), "192.0.2.1");
        peerStatus.markConnected(id, recentlyLeft, now.minusSeconds(700), null);
        peerStatus.markDisconnected(id, recentlyLeft, now.minusSeconds(INACTIVITY_PERIOD - 1));
        peerStatus.markConnected(id, longGone, now.minusSeconds(2000), null);
        peerStatus.markDisconnected(id, longGone, now.minusSeconds(INACTIVITY_PERIOD));
        // still "connected", but nobody refreshed it for longer than the period: the session is gone
        peerStatus.markConnected(id, sessionDiedUnclosed, now.minusSeconds(INACTIVITY_PERIOD + 1), null);
        // long gone, but it has just logged in again (its Sync is on its way): the period runs from that login
        String renewedSinceItLeft = peer(account, false, true);
        peerStatus.markConnected(id, renewedSinceItLeft, now.minusSeconds(2000), null);
        peerStatus.markDisconnected(id, renewedSinceItLeft, now.minusSeconds(INACTIVITY_PERIOD + 100));
        jdbc.update("UPDATE rm_peers SET last_login = ? WHERE id = ?", java.sql.Timestamp.from(now.minusSeconds(5)),
                renewedSinceItLeft);

        assertThat(due(PeerExpiry.INACTIVITY, account, now))
                .containsExactlyInAnyOrder(neverSeen, longGone, sessionDiedUnclosed)
                .doesNotContain(connected, recentlyLeft, unflagged, renewedSinceItLeft);
        assertThat(due(PeerExpiry.INACTIVITY, account, createdAt.plusSeconds(INACTIVITY_PERIOD - 1)))
                .as("a peer never seen counts from its registration").isEmpty();
        assertThat(due(PeerExpiry.INACTIVITY, account, createdAt.plusSeconds(INACTIVITY_PERIOD)))
                .contains(neverSeen);
        assertThat(due(PeerExpiry.LOGIN, account, now.plus(Duration.ofDays(30))))
                .as("login expiration is off for the account").isEmpty();
    }

    @Test
    void ephemeralPeersAreGoneOnceAwayForTheTtl() {
        OtherAccount owner = otherAccount();
        TestHttp.Response key = http.post("/api/setup-keys", owner.token(), Map.of("name", unique("ci"),
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(), "usage_limit", 0,
                "ephemeral", true));
        assertThat(key.status()).as(key.toString()).isEqualTo(200);
        String ephemeralKey = key.json().get("key").asText();
        String ordinaryKey = createSetupKey(owner.token(), "reusable", 0, List.of()).key();
        Duration ttl = Duration.ofMinutes(10);
        String neverSeen = register(ephemeralKey, unique("e")).peerId();
        String connected = register(ephemeralKey, unique("e")).peerId();
        String recentlyLeft = register(ephemeralKey, unique("e")).peerId();
        String longGone = register(ephemeralKey, unique("e")).peerId();
        String sessionDiedUnclosed = register(ephemeralKey, unique("e")).peerId();
        String renewedSinceItLeft = register(ephemeralKey, unique("e")).peerId();
        String ordinary = register(ordinaryKey, unique("o")).peerId();
        String id = owner.accountId();
        Instant createdAt = reads.peer(id, neverSeen).orElseThrow().createdAt();
        Instant now = createdAt.plus(Duration.ofHours(2));
        peerStatus.markConnected(id, connected, now.minusSeconds(30), "192.0.2.1");
        peerStatus.markDisconnected(id, recentlyLeft, now.minus(ttl).plusSeconds(1));
        peerStatus.markDisconnected(id, longGone, now.minus(ttl));
        peerStatus.markConnected(id, sessionDiedUnclosed, now.minus(ttl).minusSeconds(1), null);
        peerStatus.markDisconnected(id, renewedSinceItLeft, now.minus(ttl).minusSeconds(100));
        jdbc.update("UPDATE rm_peers SET last_login = ? WHERE id = ?", java.sql.Timestamp.from(now.minusSeconds(5)),
                renewedSinceItLeft);
        peerStatus.markDisconnected(id, ordinary, now.minus(Duration.ofHours(1)));

        assertThat(gone(id, ttl, now))
                .containsExactlyInAnyOrder(neverSeen, longGone, sessionDiedUnclosed)
                .doesNotContain(connected, recentlyLeft, renewedSinceItLeft, ordinary);
        assertThat(gone(id, ttl, createdAt.plus(ttl).minusSeconds(1)))
                .as("a peer never seen counts from its registration").isEmpty();
        assertThat(gone(id, ttl, createdAt.plus(ttl).plusSeconds(1))).contains(neverSeen);
    }

    private List<String> gone(String accountId, Duration ttl, Instant now) {
        return reads.ephemeralPeersGoneFor(ttl, now).stream().filter(d -> d.accountId().equals(accountId))
                .map(DuePeer::peerId).toList();
    }
}
