package dev.tern.api.idp;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.testsupport.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The provider's signing keys on the real database, with a clock the test moves: a key survives a restart (a new
 * instance on the same table signs with it), a new key signs once the rotation period has passed, and the retired
 * key stays published until the tokens it signed have expired. Each case runs in a transaction that is rolled back,
 * so the shared server's own keys are never touched.
 */
@TernIntegrationTest
class SigningKeysTest {
    private static final Duration ROTATION = Duration.ofDays(30);
    private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(10);

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    PlatformTransactionManager transactions;

    private final SettableClock clock = new SettableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private void rolledBack(Runnable body) {
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            jdbc.update("DELETE FROM idp_signing_key"); // this transaction's view only
            body.run();
            status.setRollbackOnly();
        });
    }

    @Test
    void theKeySurvivesARestartAndRotatesAfterTheRotationPeriod() {
        rolledBack(() -> {
            SigningKeys keys = new SigningKeys(jdbc, clock, ROTATION, TOKEN_LIFETIME);
            RSAKey first = keys.current();
            assertThat(first.isPrivate()).isTrue();
            // A restart: a new instance on the same table signs with the same key.
            SigningKeys afterRestart = new SigningKeys(jdbc, clock, ROTATION, TOKEN_LIFETIME);
            assertThat(afterRestart.current().getKeyID()).isEqualTo(first.getKeyID());
            assertThat(afterRestart.current().toPublicJWK()).isEqualTo(first.toPublicJWK());

            clock.advance(ROTATION.minusSeconds(1));
            assertThat(keys.current().getKeyID()).isEqualTo(first.getKeyID());

            clock.advance(Duration.ofSeconds(1));
            RSAKey second = afterRestart.current();
            assertThat(second.getKeyID()).isNotEqualTo(first.getKeyID());
            assertThat(keys.current().getKeyID()).isEqualTo(second.getKeyID());
            // Both are published while tokens of the first may still be alive; no private part is.
            assertThat(keys.published().getKeys()).extracting(JWK::getKeyID)
                    .containsExactly(second.getKeyID(), first.getKeyID());
            assertThat(keys.published().toPublicJWKSet().getKeys()).noneMatch(JWK::isPrivate);

            clock.advance(TOKEN_LIFETIME.minusSeconds(1));
            assertThat(keys.published().getKeys()).extracting(JWK::getKeyID).contains(first.getKeyID());
            clock.advance(Duration.ofSeconds(1));
            assertThat(keys.published().getKeys()).extracting(JWK::getKeyID).containsExactly(second.getKeyID());

            // The next rotation deletes keys retired longer ago than a token lives.
            clock.advance(ROTATION);
            RSAKey third = keys.current();
            assertThat(jdbc.queryForList("SELECT kid FROM idp_signing_key", String.class))
                    .containsExactlyInAnyOrder(second.getKeyID(), third.getKeyID());
        });
    }

    @Test
    void theEmbeddedIssuerPublishesTheKeyItSignsWith(@Autowired EmbeddedIssuer issuer, @Autowired SigningKeys keys) {
        assertThat(issuer.publicKeys().getKeys()).extracting(JWK::getKeyID).contains(keys.current().getKeyID());
        assertThat(issuer.publicKeys().getKeys()).noneMatch(JWK::isPrivate);
        assertThat(issuer.audience()).isEqualTo("tern-api");
    }
}
