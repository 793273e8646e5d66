package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.UserRole;
import org.junit.jupiter.api.Test;

class ProjectionTest extends ReadModelTestBase {

    @Test
    void accountAndAllGroup() {
        AccountHistory account = newAccount();
        String userId = account.createUser("Olga", UserRole.OWNER);
        awaitProjection();

        assertThat(readModel.account(account.accountId)).hasValueSatisfying(a -> {
            assertThat(a.network()).isEqualTo("100.71.0.0/16");
            assertThat(a.dnsDomain()).isEqualTo("tern.internal");
        });
        assertThat(readModel.user(account.accountId, userId)).hasValueSatisfying(u -> {
            assertThat(u.name()).isEqualTo("Olga");
            assertThat(u.role()).isEqualTo(UserRole.OWNER);
        });
        assertThat(readModel.groups(account.accountId)).singleElement().satisfies(g -> {
            assertThat(g.all()).isTrue();
            assertThat(g.peers()).isEmpty();
        });
    }
}
