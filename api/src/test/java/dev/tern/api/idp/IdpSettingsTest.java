package dev.tern.api.idp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider's settings: defaults, accepted forms, and one-line refusals that stop start-up like every setting. */
class IdpSettingsTest {

    private static IdpSettings parse(Map<String, String> values) {
        return IdpSettings.parse(values);
    }

    @Test
    void defaults() {
        IdpSettings settings = parse(Map.of());
        assertThat(settings.restUrl()).isEmpty();
        assertThat(settings.keyRotation()).isEqualTo(Duration.ofDays(30));
        assertThat(settings.dashboardClientId()).isEqualTo("tern-dashboard");
        assertThat(settings.cliClientId()).isEqualTo("tern-cli");
        assertThat(settings.dashboardRedirectUris()).isEmpty();
    }

    @Test
    void acceptedValues() {
        IdpSettings settings = parse(Map.of(IdpSettings.REST_URL, "https://tern.example",
                IdpSettings.KEY_ROTATION, "12h", IdpSettings.DASHBOARD_CLIENT_ID, "dash",
                IdpSettings.CLI_CLIENT_ID, "netbird-cli",
                IdpSettings.DASHBOARD_REDIRECT_URIS, "https://app.example/nb-auth, https://app.example/nb-silent-auth,"));
        assertThat(IdpSettings.issuerOf(settings.restUrl().orElseThrow())).isEqualTo("https://tern.example/oauth2");
        assertThat(IdpSettings.issuerOf(URI.create("https://tern.example/"))).isEqualTo("https://tern.example/oauth2");
        assertThat(settings.keyRotation()).isEqualTo(Duration.ofHours(12));
        assertThat(settings.dashboardRedirectUris()).hasSize(2);
        assertThat(parse(Map.of(IdpSettings.KEY_ROTATION, "P7D")).keyRotation()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void badValuesAreRefusedInOneLineNamingTheVariable() {
        assertRefused(Map.of(IdpSettings.REST_URL, "ftp://tern.example"), IdpSettings.REST_URL);
        assertRefused(Map.of(IdpSettings.REST_URL, "https://user:pw@tern.example"), IdpSettings.REST_URL);
        assertRefused(Map.of(IdpSettings.REST_URL, "https://tern.example/?x=1"), IdpSettings.REST_URL);
        assertRefused(Map.of(IdpSettings.REST_URL, "https://tern.example/tern"), IdpSettings.REST_URL);
        assertRefused(Map.of(IdpSettings.KEY_ROTATION, "10m"), IdpSettings.KEY_ROTATION);
        assertRefused(Map.of(IdpSettings.KEY_ROTATION, "400d"), IdpSettings.KEY_ROTATION);
        assertRefused(Map.of(IdpSettings.KEY_ROTATION, "soon"), IdpSettings.KEY_ROTATION);
        assertRefused(Map.of(IdpSettings.CLI_CLIENT_ID, "has space"), IdpSettings.CLI_CLIENT_ID);
        assertRefused(Map.of(IdpSettings.CLI_CLIENT_ID, "same", IdpSettings.DASHBOARD_CLIENT_ID, "same"),
                IdpSettings.CLI_CLIENT_ID);
        assertRefused(Map.of(IdpSettings.DASHBOARD_REDIRECT_URIS, "/relative"), IdpSettings.DASHBOARD_REDIRECT_URIS);
    }

    @Test
    void keyRotationTakesMinutesHoursAndDaysButNoSecondsAndWordsItsRefusal() {
        assertThat(parse(Map.of(IdpSettings.KEY_ROTATION, "1D")).keyRotation()).isEqualTo(Duration.ofDays(1));
        assertThat(parse(Map.of(IdpSettings.KEY_ROTATION, "90m")).keyRotation()).isEqualTo(Duration.ofMinutes(90));
        assertThat(parse(Map.of(IdpSettings.KEY_ROTATION, "PT1H")).keyRotation()).isEqualTo(Duration.ofHours(1));
        // 3600 s is within bounds, but seconds are no short form of this setting
        assertThatThrownBy(() -> parse(Map.of(IdpSettings.KEY_ROTATION, "3600s")))
                .isInstanceOf(InvalidSettingException.class).hasMessage(IdpSettings.KEY_ROTATION
                        + " must be a duration between 1h and 365 days like 30d, 12h or P30D, got '3600s'");
        assertThatThrownBy(() -> parse(Map.of(IdpSettings.KEY_ROTATION, "366d")))
                .isInstanceOf(InvalidSettingException.class).hasMessage(IdpSettings.KEY_ROTATION
                        + " must be a duration between 1h and 365 days like 30d, 12h or P30D, got '366d'");
    }

    @Test
    void fromReadsAPropertyBeforeTheEnvironmentAndIgnoresOtherTernVariables() {
        Map<String, String> environment = Map.of(IdpSettings.KEY_ROTATION, "2d", "TERN_NOT_A_PROVIDER_SETTING", "x");
        assertThat(IdpSettings.from(environment, name -> null).keyRotation()).isEqualTo(Duration.ofDays(2));
        assertThat(IdpSettings.from(environment, name -> name.equals("tern.idp-key-rotation") ? " 3d " : null)
                .keyRotation()).isEqualTo(Duration.ofDays(3));
        assertThatThrownBy(() -> IdpSettings.from(Map.of(IdpSettings.KEY_ROTATION, "soon"), name -> null))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining(IdpSettings.KEY_ROTATION);
    }

    @Test
    void ternServerKnowsAndValidatesTheProviderVariables() {
        assertThat(TernSettings.KNOWN_VARIABLES).containsAll(IdpSettings.VARIABLES);
        assertThatThrownBy(() -> TernSettings.from(Map.of(IdpSettings.KEY_ROTATION, "1s"), name -> null))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining(IdpSettings.KEY_ROTATION);
    }

    private static void assertRefused(Map<String, String> values, String variable) {
        assertThatThrownBy(() -> parse(values)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(variable).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
