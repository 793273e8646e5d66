package dev.tern.testsupport.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.testsupport.oidc.OidcTestProvider.Spec;
import dev.tern.testsupport.oidc.OidcTestProvider.Tokens;
import dev.tern.testsupport.oidc.OidcTestProvider.User;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness against the real provider: both flows end in a JWT access token for the client, with the user's claims. */
class OidcTestProviderTest {
    private static final User ANN = new User("ann", "ann-password", "Ann Example", "ann@example.com",
            List.of("dev", "ops"));
    private static final Spec SPEC = Spec.of("harness", List.of(ANN));

    @Test
    void authorizationCodeFlowWithPkceYieldsAJwtForTheClientWithTheUsersClaims() {
        OidcTestProvider provider = OidcTestProvider.shared(SPEC);

        Tokens tokens = provider.signIn("ann", "ann-password");

        String payload = payload(tokens.accessToken());
        assertThat(payload).contains("\"iss\":\"" + provider.issuer() + "\"")
                .contains("\"aud\":\"" + provider.clientId() + "\"").contains("\"sub\":\"ann\"")
                .contains("\"email\":\"ann@example.com\"").contains("\"groups\":[\"dev\",\"ops\"]");
        assertThat(header(tokens.accessToken())).contains("\"alg\":\"RS256\"").contains("\"kid\"");
        assertThat(tokens.idToken()).isNotNull();
    }

    @Test
    void deviceFlowYieldsTheSameKindOfToken() {
        OidcTestProvider provider = OidcTestProvider.shared(SPEC);

        Tokens tokens = provider.signInOnDevice("ann", "ann-password");

        assertThat(payload(tokens.accessToken())).contains("\"sub\":\"ann\"")
                .contains("\"aud\":\"" + provider.clientId() + "\"");
    }

    @Test
    void aWrongPasswordIsRefusedByTheProvidersForm() {
        OidcTestProvider provider = OidcTestProvider.shared(SPEC);

        assertThat(provider.failedSignInPage("ann", "not-her-password")).contains("wrong login or password");
        assertThatThrownBy(() -> provider.signIn("ann", "not-her-password"))
                .hasMessageContaining("refused ann's password");
    }

    @Test
    void aLaggingClockIssuesTokensThatAreAlreadyExpired() {
        OidcTestProvider provider = OidcTestProvider.shared(Spec.of("lagging", List.of(ANN)).withClockOffset(-3600));

        String payload = payload(provider.signIn("ann", "ann-password").accessToken());

        long exp = Long.parseLong(payload.replaceAll(".*\"exp\":(\\d+).*", "$1"));
        assertThat(exp).isLessThan(System.currentTimeMillis() / 1000 - 3000);
    }

    @Test
    void aUsersGroupsChangeBetweenTwoSignIns() {
        OidcTestProvider provider = OidcTestProvider.start(SPEC);
        try {
            provider.setGroups("ann", List.of("qa"));

            assertThat(payload(provider.signIn("ann", "ann-password").accessToken()))
                    .contains("\"groups\":[\"qa\"]");
        } finally {
            provider.stop();
        }
    }

    private static String header(String jwt) {
        return decode(jwt.split("\\.")[0]);
    }

    private static String payload(String jwt) {
        return decode(jwt.split("\\.")[1]);
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }
}
