package dev.tern.query.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.UserDeleted;
import dev.tern.events.UserRoleChanged;
import dev.tern.events.UserUnblocked;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.Ids;
import dev.tern.events.values.UserRole;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Accounts, users and their tokens as {@code UserProjection} keeps them and {@code UserReads} and token authentication read them. */
class UserProjectionTest extends ReadModelTestBase {
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");

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
}
