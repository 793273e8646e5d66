package dev.tern.api.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.oidc.IdpBrowser;
import dev.tern.testsupport.process.TernServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded OpenID Provider across a real restart of tern-server: the same signing key is published and used,
 * the owner's password still signs in, and the TOTP key file is readable by its owner only.
 */
class EmbeddedProviderRestartTest {
    private final Path dataDir = TempDataDirInitializer.newDataDir();
    private TernServerProcess server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        TempDataDirInitializer.delete(dataDir);
    }

    @Test
    void signingKeysAndPasswordsSurviveARestart() throws Exception {
        server = TernServerProcess.start(dataDir);
        TestHttp.Response setup = TestHttp.forPort(server.httpPort()).post("/api/setup", null,
                TestHttp.setupRequest("restart-idp@tern.test"));
        assertThat(setup.status()).as("%s", setup).isEqualTo(200);
        List<String> before = kids(new IdpBrowser(server.httpPort()));
        assertThat(before).isNotEmpty();
        assertThat(new IdpBrowser(server.httpPort()).signIn("restart-idp@tern.test", "correct-horse-battery", null)
                .statusCode()).isEqualTo(302);

        server.stop();
        server = TernServerProcess.start(dataDir);

        assertThat(kids(new IdpBrowser(server.httpPort()))).isEqualTo(before);
        assertThat(new IdpBrowser(server.httpPort()).signIn("restart-idp@tern.test", "correct-horse-battery", null)
                .statusCode()).isEqualTo(302);
        assertThat(new IdpBrowser(server.httpPort()).signIn("restart-idp@tern.test", "not the password", null)
                .statusCode()).isEqualTo(401);
        Path totpKey = dataDir.resolve("idp-totp.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(totpKey))).isEqualTo("rw-------");
        assertThat(server.stdout()).doesNotContain("correct-horse-battery").doesNotContain("generated security password");
    }

    private static List<String> kids(IdpBrowser browser) throws Exception {
        return JWKSet.parse(browser.get("/oauth2/jwks").body()).getKeys().stream().map(JWK::getKeyID).toList();
    }
}
