package dev.tern.query.setupkeys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyDeleted;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.values.Ids;
import dev.tern.events.values.SetupKeyType;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Setup keys as {@code SetupKeyProjection} keeps them (their usage counted from registrations) and {@code SetupKeyReads} reads them. */
class SetupKeyProjectionTest extends ReadModelTestBase {
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");

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
}
