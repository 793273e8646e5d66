package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyDeleted;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.UserDeleted;
import dev.tern.events.UserRoleChanged;
import dev.tern.events.UserUnblocked;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.groups.GroupView;
import dev.tern.query.groups.PolicyView;
import dev.tern.query.peers.PeerReads;
import dev.tern.query.peers.PeerStatusStore;
import dev.tern.query.peers.PeerView;
import dev.tern.query.setupkeys.SetupKeyView;
import dev.tern.query.users.TokenPrincipal;
import dev.tern.query.users.TokenUsageStore;
import dev.tern.query.users.TokenView;
import dev.tern.query.users.UserView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ProjectionTest extends ReadModelTestBase {
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");

    @Autowired
    PeerStatusStore peerStatus;
    @Autowired
    SettableClock clock;
    @Autowired
    TokenUsageStore tokenUsage;

    @Test
    void accountWithItsAllGroup() {
        AccountHistory account = newAccount();
        awaitProjection();

        assertThat(userReads.account(account.accountId)).hasValueSatisfying(a -> {
            assertThat(a.network()).isEqualTo("100.71.0.0/16");
            assertThat(a.dnsDomain()).isEqualTo("tern.internal");
            assertThat(a.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(a.settings()).isEqualTo(AccountSettings.defaults());
        });
        assertThat(groupReads.groups(account.accountId)).singleElement().satisfies(g -> {
            assertThat(g.id()).isEqualTo(account.allGroupId);
            assertThat(g.all()).isTrue();
            assertThat(g.peers()).isEmpty();
        });
        assertThat(userReads.account("no-such-account")).isEmpty();
    }

    @Test
    void usersFollowRoleBlockAutoGroupsAndDeletion() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        String userId = Ids.newId();
        account.append(new UserCreated(account.accountId, userId, "bob@example.com", "Bob", UserRole.USER, false,
                List.of(devs), T0));
        String robotId = Ids.newId();
        account.append(new UserCreated(account.accountId, robotId, "", "robot", UserRole.ADMIN, true, List.of(), T0));
        awaitProjection();

        assertThat(userReads.user(account.accountId, userId)).hasValue(new UserView(userId, account.accountId,
                "bob@example.com", "Bob", UserRole.USER, false, false, List.of(devs), T0, null));
        assertThat(userReads.users(account.accountId)).extracting(UserView::id).containsExactlyInAnyOrder(userId,
                robotId);
        assertThat(userReads.user(account.accountId, robotId)).hasValueSatisfying(u -> assertThat(u.serviceUser())
                .isTrue());

        account.append(new UserRoleChanged(account.accountId, userId, UserRole.USER, UserRole.AUDITOR));
        account.append(new UserBlocked(account.accountId, userId));
        account.append(new UserAutoGroupsChanged(account.accountId, userId, List.of(ops), List.of(ops),
                List.of(devs)));
        awaitProjection();
        assertThat(userReads.user(account.accountId, userId)).hasValueSatisfying(u -> {
            assertThat(u.role()).isEqualTo(UserRole.AUDITOR);
            assertThat(u.blocked()).isTrue();
            assertThat(u.autoGroups()).containsExactly(ops);
        });

        account.append(new UserUnblocked(account.accountId, userId));
        awaitProjection();
        assertThat(userReads.user(account.accountId, userId)).hasValueSatisfying(u -> assertThat(u.blocked())
                .isFalse());

        account.append(new UserDeleted(account.accountId, userId));
        awaitProjection();
        assertThat(userReads.user(account.accountId, userId)).isEmpty();
        assertThat(userReads.users(account.accountId)).extracting(UserView::id).containsExactly(robotId);
    }

    @Test
    void tokensAuthenticateWithTheirUserAndGoWithIt() {
        AccountHistory account = newAccount();
        String userId = account.createUser("Tom", UserRole.ADMIN);
        String tokenId = Ids.newId();
        String hash = "a".repeat(40) + Ids.newId(); // unique per test run
        Instant expires = T0.plusSeconds(86_400);
        account.append(new PersonalAccessTokenCreated(account.accountId, tokenId, userId, "ci", hash, expires,
                userId, T0));
        String otherTokenId = Ids.newId();
        account.append(new PersonalAccessTokenCreated(account.accountId, otherTokenId, userId, "laptop",
                "b".repeat(40) + Ids.newId(), expires, userId, T0.plusSeconds(1)));
        awaitProjection();

        assertThat(userReads.findTokenByHash(hash)).hasValue(new TokenPrincipal(tokenId, expires, account.accountId,
                userId, "Tom", "tom@example.com", UserRole.ADMIN, false, false));
        assertThat(userReads.token(account.accountId, userId, tokenId)).hasValue(new TokenView(tokenId,
                account.accountId, userId, "ci", expires, userId, T0, null));
        assertThat(userReads.tokens(account.accountId, userId)).extracting(TokenView::name)
                .containsExactly("ci", "laptop");
        assertThat(userReads.token("other-account", userId, tokenId)).isEmpty();

        account.append(new UserBlocked(account.accountId, userId));
        awaitProjection();
        assertThat(userReads.findTokenByHash(hash)).hasValueSatisfying(p -> assertThat(p.blocked()).isTrue());

        account.append(new PersonalAccessTokenDeleted(account.accountId, tokenId, userId));
        awaitProjection();
        assertThat(userReads.findTokenByHash(hash)).isEmpty();
        assertThat(userReads.tokens(account.accountId, userId)).extracting(TokenView::id)
                .containsExactly(otherTokenId);

        account.append(new UserDeleted(account.accountId, userId));
        awaitProjection();
        assertThat(userReads.tokens(account.accountId, userId)).isEmpty();
    }

    @Test
    void tokenUseIsRecordedOutsideTheEvents() {
        AccountHistory account = newAccount();
        String userId = account.createUser("Uli", UserRole.ADMIN);
        String tokenId = Ids.newId();
        account.append(new PersonalAccessTokenCreated(account.accountId, tokenId, userId, "ci",
                "7".repeat(40) + Ids.newId(), null, userId, T0));
        awaitProjection();
        assertThat(userReads.token(account.accountId, userId, tokenId).orElseThrow().lastUsed()).isNull();

        tokenUsage.markUsed(tokenId, T0.plusSeconds(10));
        tokenUsage.markUsed(tokenId, T0.plusSeconds(5)); // a slower request finishing late
        assertThat(userReads.token(account.accountId, userId, tokenId).orElseThrow().lastUsed())
                .isEqualTo(T0.plusSeconds(10));
        assertThat(userReads.tokens(account.accountId, userId)).singleElement()
                .satisfies(t -> assertThat(t.lastUsed()).isEqualTo(T0.plusSeconds(10)));

        account.append(new PersonalAccessTokenDeleted(account.accountId, tokenId, userId));
        awaitProjection();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM token_usage WHERE token_id = ?", Integer.class,
                tokenId)).isZero();
    }

    @Test
    void setupKeysCountTheirRegistrationsAndFollowRevocationGroupsAndDeletion() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        String keyId = Ids.newId();
        String keyHash = "c".repeat(40) + Ids.newId();
        Instant expires = Instant.parse("2030-01-01T00:00:00Z");
        account.append(new SetupKeyCreated(account.accountId, keyId, "office", SetupKeyType.REUSABLE, keyHash,
                "ABCD", expires, 2, List.of(devs), true, false, T0));
        awaitProjection();
        assertThat(setupKeyReads.setupKey(account.accountId, keyId)).hasValue(new SetupKeyView(keyId, account.accountId,
                "office", SetupKeyType.REUSABLE, "ABCD", expires, false, 0, null, List.of(devs), T0, 2, true, false));
        assertThat(setupKeyReads.findAccountBySetupKeyHash(keyHash)).hasValue(account.accountId);

        account.registerPeer("alpha", keyId);
        account.registerPeer("beta", keyId);
        awaitProjection();
        SetupKeyView used = setupKeyReads.setupKey(account.accountId, keyId).orElseThrow();
        assertThat(used.usedTimes()).isEqualTo(2);
        assertThat(used.lastUsed()).isEqualTo(Instant.parse("2026-01-03T00:00:00Z"));
        assertThat(used.state(T0)).isEqualTo("overused");

        account.append(new SetupKeyAutoGroupsChanged(account.accountId, keyId, List.of(devs, ops), List.of(ops),
                List.of()));
        account.append(new SetupKeyRevoked(account.accountId, keyId));
        awaitProjection();
        SetupKeyView revoked = setupKeyReads.setupKey(account.accountId, keyId).orElseThrow();
        assertThat(revoked.autoGroups()).containsExactly(devs, ops);
        assertThat(revoked.revoked()).isTrue();
        assertThat(revoked.state(T0)).isEqualTo("revoked");
        assertThat(revoked.updatedAt()).isAfter(T0);

        account.append(new SetupKeyDeleted(account.accountId, keyId));
        awaitProjection();
        assertThat(setupKeyReads.setupKey(account.accountId, keyId)).isEmpty();
        assertThat(setupKeyReads.setupKeys(account.accountId)).isEmpty();
        assertThat(setupKeyReads.findAccountBySetupKeyHash(keyHash)).isEmpty();
    }

    @Test
    void groupsHoldTheirMembersAndAllHoldsEveryPeer() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String alpha = account.registerPeer("alpha", null);
        String beta = account.registerPeer("beta", null);
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha)); // redelivered: still one member
        awaitProjection();

        assertThat(groupReads.group(account.accountId, devs)).hasValue(new GroupView(devs, account.accountId, "devs",
                GroupIssuer.API, false, List.of(new GroupView.PeerRef(alpha, "alpha"))));
        assertThat(groupReads.group(account.accountId, account.allGroupId)).hasValueSatisfying(all ->
                assertThat(all.peers()).containsExactly(new GroupView.PeerRef(alpha, "alpha"),
                        new GroupView.PeerRef(beta, "beta")));
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(p -> assertThat(p.groups())
                .containsExactly(new PeerView.GroupRef(account.allGroupId, "All", 2),
                        new PeerView.GroupRef(devs, "devs", 1)));
        assertThat(peerReads.peer(account.accountId, beta)).hasValueSatisfying(p -> assertThat(p.groups())
                .containsExactly(new PeerView.GroupRef(account.allGroupId, "All", 2)));

        account.append(new GroupRenamed(account.accountId, devs, "devs", "developers"));
        account.append(new PeerAddedToGroup(account.accountId, devs, beta));
        account.append(new PeerRemovedFromGroup(account.accountId, devs, alpha));
        awaitProjection();
        assertThat(groupReads.group(account.accountId, devs)).hasValueSatisfying(g -> {
            assertThat(g.name()).isEqualTo("developers");
            assertThat(g.peers()).containsExactly(new GroupView.PeerRef(beta, "beta"));
        });
        assertThat(groupReads.groups(account.accountId)).extracting(GroupView::name)
                .containsExactly("All", "developers");
        assertThat(groupReads.group("other-account", devs)).isEmpty();
    }

    @Test
    void aDeletedGroupLeavesPeersAndAutoGroups() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        String userId = Ids.newId();
        account.append(new UserCreated(account.accountId, userId, "u@example.com", "U", UserRole.USER, false,
                List.of(devs, ops), T0));
        String keyId = Ids.newId();
        account.append(new SetupKeyCreated(account.accountId, keyId, "k", SetupKeyType.ONE_OFF,
                "d".repeat(40) + Ids.newId(), "K", null, 0, List.of(ops, devs), false, false, T0));
        String alpha = account.registerPeer("alpha", null);
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        account.append(new PeerAddedToGroup(account.accountId, ops, alpha));
        account.append(new GroupDeleted(account.accountId, devs, "devs"));
        awaitProjection();

        assertThat(groupReads.group(account.accountId, devs)).isEmpty();
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(p -> assertThat(p.groups())
                .extracting(PeerView.GroupRef::id).containsExactly(account.allGroupId, ops));
        assertThat(userReads.user(account.accountId, userId).orElseThrow().autoGroups()).containsExactly(ops);
        assertThat(setupKeyReads.setupKey(account.accountId, keyId).orElseThrow().autoGroups()).containsExactly(ops);
    }

    @Test
    void policiesKeepTheirWholeDefinition() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        String policyId = Ids.newId();
        PolicyDefinition ssh = new PolicyDefinition("ssh", "devs reach ops on 22", true, List.of(
                new PolicyRule("r1", "ssh", "", true, RuleAction.ACCEPT, false, Protocol.TCP,
                        List.of(PortRange.single(22)), List.of(new PortRange(8000, 8100)), List.of(devs),
                        List.of(ops))), List.of());
        account.append(new PolicyCreated(account.accountId, policyId, ssh));
        awaitProjection();
        assertThat(groupReads.policy(account.accountId, policyId)).hasValue(new PolicyView(policyId,
                account.accountId, ssh));

        PolicyDefinition all = new PolicyDefinition("all", "", false, List.of(new PolicyRule("r2", "any", "d",
                true, RuleAction.DROP, true, Protocol.ALL, List.of(), List.of(), List.of(devs, ops), List.of(ops))),
                List.of());
        account.append(new PolicyUpdated(account.accountId, policyId, all));
        awaitProjection();
        assertThat(groupReads.policies(account.accountId)).containsExactly(new PolicyView(policyId, account.accountId,
                all));

        account.append(new PolicyDeleted(account.accountId, policyId, "all"));
        awaitProjection();
        assertThat(groupReads.policy(account.accountId, policyId)).isEmpty();
        assertThat(groupReads.policies(account.accountId)).isEmpty();
    }

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
    void accountSettingsFollowTheirUpdates() {
        AccountHistory account = newAccount();
        AccountSettings changed = new AccountSettings(false, 7200, true, 300);
        account.append(new AccountSettingsUpdated(account.accountId, AccountSettings.defaults(), changed));
        awaitProjection();
        assertThat(userReads.account(account.accountId).orElseThrow().settings()).isEqualTo(changed);

        AccountSettings again = new AccountSettings(true, 3600, false, 300);
        account.append(new AccountSettingsUpdated(account.accountId, changed, again));
        awaitProjection();
        assertThat(userReads.account(account.accountId).orElseThrow().settings()).isEqualTo(again);
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
