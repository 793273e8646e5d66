package dev.tern.api.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.oidc.OidcTestProvider;
import dev.tern.testsupport.process.TernServerProcess;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Secrets at rest across restarts: once an identity provider's client secret is stored, tern-server refuses to start
 * without the key it was sealed with, or with another key, in one line on stderr, before it serves anything.
 */
class EncryptionKeyProcessTest {

    @Test
    void aStoredSecretNeedsItsKeyAtEveryStart() {
        Path dataDir = TempDataDirInitializer.newDataDir();
        String key = randomKey();
        OidcTestProvider provider = OidcTestProvider.start(OidcTestProvider.Spec.of("restart",
                List.of(new OidcTestProvider.User("x", "x", "X", "x@example.com", List.of()))));
        try {
            try (TernServerProcess server = TernServerProcess.launch(dataDir, Map.of("TERN_ENCRYPTION_KEY", key))
                    .awaitReady()) {
                TestHttp http = TestHttp.forPort(server.httpPort());
                TestHttp.Response created = http.post("/api/identity-providers", http.adminToken(), Map.of(
                        "type", "oidc", "name", "Corp", "issuer", provider.issuer(), "client_id",
                        provider.clientId(), "client_secret", "kept-secret-" + key.hashCode()));
                assertThat(created.status()).as(created.toString()).isEqualTo(200);
                server.stop();
            }

            TernServerProcess withoutKey = TernServerProcess.launch(dataDir, Map.of());
            assertThat(withoutKey.awaitExit(Duration.ofSeconds(180))).isNotZero();
            assertThat(withoutKey.stderr().strip().lines()).singleElement().asString()
                    .startsWith("tern-server: ")
                    .contains("TERN_ENCRYPTION_KEY is not set, but identity providers' client secrets are stored");

            TernServerProcess otherKey = TernServerProcess.launch(dataDir, Map.of("TERN_ENCRYPTION_KEY", randomKey()));
            assertThat(otherKey.awaitExit(Duration.ofSeconds(180))).isNotZero();
            assertThat(otherKey.stderr().strip().lines()).singleElement().asString()
                    .contains("TERN_ENCRYPTION_KEY does not open the stored identity providers' client secrets")
                    .doesNotContain(key);
        } finally {
            provider.stop();
            TempDataDirInitializer.delete(dataDir);
        }
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
