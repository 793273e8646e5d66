package dev.tern.query.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import java.util.List;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import dev.tern.testsupport.time.SettableClock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Peers as {@code PeerProjection} keeps them, with their session status, as {@code PeerReads} reads them. */
class PeerProjectionTest extends ReadModelTestBase {
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");

    @Autowired
    PeerStatusStore peerStatus;
    @Autowired
    SettableClock clock;

    @Test
    void peersFollowTheirSettingsAndDeletion() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String alpha = account.registerPeer("alpha", null);
        awaitProjection();

        PeerView registered = peerReads.peer(account.accountId, alpha).orElseThrow();
        assertThat(registered.name()).isEqualTo("alpha");
        assertThat(registered.ip()).isEqualTo("100.71.0.1");
        assertThat(registered.dnsLabel()).isEqualTo("alpha");
        assertThat(registered.meta().hostname()).isEqualTo("alpha");
        assertThat(registered.loginExpirationEnabled()).isTrue();
        assertThat(registered.sshEnabled()).isFalse();
        assertThat(registered.connected()).isFalse();
        assertThat(registered.createdAt()).isEqualTo(Instant.parse("2026-01-03T00:00:00Z"));
        assertThat(peerReads.peerByWireGuardKey(account.accountId, registered.wgPubKey()))
                .hasValueSatisfying(p -> assertThat(p.id()).isEqualTo(alpha));
        assertThat(peerReads.peerByWireGuardKey("other-account", registered.wgPubKey())).isEmpty();
        assertThat(peerReads.peer("other-account", alpha)).isEmpty();

        account.append(new PeerRenamed(account.accountId, alpha, "alpha", "Alpha Prime", "alpha-prime"));
        account.append(new PeerSshChanged(account.accountId, alpha, true));
        account.append(new PeerLoginExpirationChanged(account.accountId, alpha, false));
        account.append(new PeerInactivityExpirationChanged(account.accountId, alpha, true));
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        awaitProjection();
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(p -> {
            assertThat(p.name()).isEqualTo("Alpha Prime");
            assertThat(p.dnsLabel()).isEqualTo("alpha-prime");
            assertThat(p.sshEnabled()).isTrue();
            assertThat(p.loginExpirationEnabled()).isFalse();
            assertThat(p.inactivityExpirationEnabled()).isTrue();
        });

        account.append(new PeerDeleted(account.accountId, alpha, new WireGuardKey(registered.wgPubKey())));
        awaitProjection();
        assertThat(peerReads.peer(account.accountId, alpha)).isEmpty();
        assertThat(peerReads.peers(account.accountId)).isEmpty();
        assertThat(groupReads.group(account.accountId, devs).orElseThrow().peers()).isEmpty();
        assertThat(groupReads.group(account.accountId, account.allGroupId).orElseThrow().peers()).isEmpty();
    }

    @Test
    void peersAndTheAccountMoveToTheNewNetworkRange() {
        AccountHistory account = newAccount();
        String alpha = account.registerPeer("alpha", null);
        String beta = account.registerPeer("beta", null);
        awaitProjection();
        assertThat(peerReads.peer(account.accountId, beta).orElseThrow().ip()).isEqualTo("100.71.0.2");

        account.append(new AccountNetworkRangeChanged(account.accountId, Cidr.parse("100.71.0.0/16"),
                Cidr.parse("192.168.40.0/24"), List.of(new AccountNetworkRangeChanged.PeerAddress(alpha,
                new MeshIp("192.168.40.2")), new AccountNetworkRangeChanged.PeerAddress(beta,
                new MeshIp("192.168.40.1")))));
        awaitProjection();
        assertThat(peerReads.peer(account.accountId, alpha).orElseThrow().ip()).isEqualTo("192.168.40.2");
        assertThat(peerReads.peer(account.accountId, beta).orElseThrow().ip()).isEqualTo("192.168.40.1");
        assertThat(userReads.account(account.accountId).orElseThrow().network()).isEqualTo("192.168.40.0/24");
    }

    @Test
    void peersExpireComeBackAndLogInAgain() {
        AccountHistory account = newAccount();
        String keyId = account.createSetupKey("office", T0);
        String alpha = account.registerPeer("alpha", keyId);
        String beta = account.registerPeer("beta", keyId);
        awaitProjection();
        PeerView registered = peerReads.peer(account.accountId, alpha).orElseThrow();
        assertThat(registered.loginExpired()).isFalse();
        assertThat(registered.loginExpiry()).isNull();
        assertThat(registered.lastLogin()).isEqualTo(registered.createdAt());

        account.append(new PeerLoginExpired(account.accountId, alpha, PeerExpiry.LOGIN, T0));
        account.append(new PeerLoginExpired(account.accountId, beta, PeerExpiry.INACTIVITY, T0));
        awaitProjection();
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(p -> {
            assertThat(p.loginExpired()).isTrue();
            assertThat(p.loginExpiry()).isEqualTo(PeerExpiry.LOGIN);
        });
        assertThat(peerReads.peer(account.accountId, beta).orElseThrow().loginExpiry())
                .isEqualTo(PeerExpiry.INACTIVITY);

        Instant renewed = T0.plusSeconds(3600);
        account.append(new PeerLoginRenewed(account.accountId, alpha, keyId, renewed));
        account.append(new PeerLoginExpiryLifted(account.accountId, beta));
        awaitProjection();
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(p -> {
            assertThat(p.loginExpired()).isFalse();
            assertThat(p.loginExpiry()).isNull();
            assertThat(p.lastLogin()).as("a renewal is a login").isEqualTo(renewed);
            assertThat(p.createdAt()).isEqualTo(registered.createdAt());
        });
        assertThat(peerReads.peer(account.accountId, beta)).hasValueSatisfying(p -> {
            assertThat(p.loginExpired()).isFalse();
            assertThat(p.lastLogin()).as("lifting an expiry is no login").isEqualTo(p.createdAt());
        });
    }

    @Test
    void peerStatusComesFromTheSessionNotFromEvents() {
        AccountHistory account = newAccount();
        String alpha = account.registerPeer("alpha", null);
        String beta = account.registerPeer("beta", null);
        awaitProjection();

        clock.set(T0.plusSeconds(10));
        peerStatus.markConnected(account.accountId, alpha, T0, "203.0.113.7");
        assertThat(peerReads.peers(account.accountId)).satisfiesExactly(
                a -> {
                    assertThat(a.connected()).isTrue();
                    assertThat(a.lastSeen()).isEqualTo(T0);
                    assertThat(a.connectionIp()).isEqualTo("203.0.113.7");
                },
                b -> assertThat(b.connected()).isFalse());

        peerStatus.markDisconnected(account.accountId, alpha, T0.plusSeconds(60));
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(a -> {
            assertThat(a.connected()).isFalse();
            assertThat(a.lastSeen()).isEqualTo(T0.plusSeconds(60));
            assertThat(a.connectionIp()).isEqualTo("203.0.113.7");
        });

        // A disconnect stamped before the latest contact (an old session closing late) changes nothing.
        clock.set(T0.plusSeconds(130));
        peerStatus.markConnected(account.accountId, beta, T0.plusSeconds(120), null);
        peerStatus.markDisconnected(account.accountId, beta, T0.plusSeconds(90));
        assertThat(peerReads.peer(account.accountId, beta)).hasValueSatisfying(b -> {
            assertThat(b.connected()).isTrue();
            assertThat(b.lastSeen()).isEqualTo(T0.plusSeconds(120));
        });

        // A deleted peer's stream ends after the deletion dropped its row: the disconnect leaves no row behind,
        // which nothing would ever delete (and a rebuild would then disagree with the live table).
        account.append(new PeerDeleted(account.accountId, beta, null));
        awaitProjection();
        peerStatus.markDisconnected(account.accountId, beta, T0.plusSeconds(140));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM peer_status WHERE peer_id = ?", Integer.class, beta))
                .isZero();
    }

    @AfterEach
    void clockBackToSystemTime() {
        clock.followSystem();
    }

    @Test
    void aConnectedRowNotRefreshedFor90SecondsIsReportedDisconnected() {
        AccountHistory account = newAccount();
        String alpha = account.registerPeer("alpha", null);
        awaitProjection();
        // What a SIGKILLed server leaves behind: connected=true and a last_seen nobody refreshes any more.
        peerStatus.markConnected(account.accountId, alpha, T0, "203.0.113.7");
        clock.set(T0.plus(PeerReads.CONNECTED_STALE_AFTER));
        assertThat(peerReads.peer(account.accountId, alpha).orElseThrow().connected())
                .as("exactly 90 s old").isTrue();
        assertThat(peerReads.peers(account.accountId)).singleElement()
                .satisfies(a -> assertThat(a.connected()).isTrue());

        clock.set(T0.plus(PeerReads.CONNECTED_STALE_AFTER).plusSeconds(1));
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(a -> {
            assertThat(a.connected()).isFalse();
            assertThat(a.lastSeen()).as("last_seen is still reported").isEqualTo(T0);
            assertThat(a.connectionIp()).isEqualTo("203.0.113.7");
        });
        assertThat(peerReads.peers(account.accountId)).singleElement()
                .satisfies(a -> assertThat(a.connected()).isFalse());

        // A new session's refresh makes it connected again.
        peerStatus.markConnected(account.accountId, alpha, T0.plusSeconds(100), null);
        assertThat(peerReads.peer(account.accountId, alpha).orElseThrow().connected()).isTrue();
    }
}
