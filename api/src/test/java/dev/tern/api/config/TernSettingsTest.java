package dev.tern.api.config;

import dev.tern.signal.SignalRelayNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TernSettingsTest {

    private static TernSettings fromEnv(Map<String, String> env) {
        return TernSettings.from(env, name -> null);
    }

    @Test
    void defaultsWhenNothingIsSet() {
        TernSettings settings = fromEnv(Map.of("PATH", "/usr/bin", "HOME", "/root"));

        assertThat(settings.listeners().httpPort()).isEqualTo(8080);
        assertThat(settings.listeners().grpcPort()).isEqualTo(33073);
        assertThat(settings.storage().dataDir()).isEqualTo(Path.of("./data").toAbsolutePath().normalize());
        assertThat(settings.storage().database()).isEmpty();
        assertThat(settings.dnsDomain()).isEqualTo("tern.internal");
        assertThat(settings.dataPath().signalUrl()).isEmpty();
        assertThat(settings.dataPath().node().signalPort()).isEqualTo(10000);
    }

    @Test
    void freeGrpcPortMeansFreeSignalPortUnlessSet() {
        assertThat(fromEnv(Map.of("TERN_GRPC_PORT", "0")).dataPath().node().signalPort()).isZero();
        assertThat(fromEnv(Map.of("TERN_GRPC_PORT", "0", "TERN_SIGNAL_PORT", "10500")).dataPath().node().signalPort()).isEqualTo(10500);
    }

    @Test
    void signalPortMayEqualAnotherPortOnlyWhenTheSignalNodeIsExternal() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_SIGNAL_PORT", "8080")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("TERN_HTTP_PORT and TERN_SIGNAL_PORT must differ, both are 8080");
        assertThat(fromEnv(Map.of("TERN_SIGNAL_PORT", "8080", "TERN_SIGNAL_URL", "https://signal.example.com"))
                .dataPath().node().signalPort()).isEqualTo(8080);
    }

    @Test
    void readsEveryVariable() {
        Map<String, String> env = new HashMap<>();
        env.put("TERN_HTTP_PORT", "9090");
        env.put("TERN_GRPC_PORT", "9091");
        env.put("TERN_DATA_DIR", "/var/lib/tern");
        env.put("TERN_DATABASE_URL", "jdbc:postgresql://db.example.com:5433/tern");
        env.put("TERN_DATABASE_USER", "tern");
        env.put("TERN_DATABASE_PASSWORD", "s3cret");
        env.put("TERN_DNS_DOMAIN", "Mesh.Example.COM");
        env.put("TERN_SIGNAL_URL", "https://signal.example.com:443");
        env.put("TERN_SIGNAL_PORT", "10001");
        env.put("TERN_STUN_PORT", "3500");
        env.put("TERN_RELAY_PORT", "33500");
        env.put("TERN_RELAY_SECRET", "0123456789abcdef");
        env.put("TERN_RELAY_URLS", "rels://relay.example.com:443");
        env.put("TERN_STUN_URLS", "stun:stun.example.com:3478");

        TernSettings settings = fromEnv(env);

        assertThat(settings.listeners().httpPort()).isEqualTo(9090);
        assertThat(settings.listeners().grpcPort()).isEqualTo(9091);
        assertThat(settings.storage().dataDir()).isEqualTo(Path.of("/var/lib/tern"));
        assertThat(settings.storage().database()).hasValue(new TernSettings.ExternalDatabase(
                "jdbc:postgresql://db.example.com:5433/tern", "tern", "s3cret"));
        assertThat(settings.dnsDomain()).isEqualTo("mesh.example.com");
        assertThat(settings.dataPath().signalUrl()).hasValue(URI.create("https://signal.example.com:443"));
        assertThat(settings.dataPath().node().signalPort()).isEqualTo(10001);
        assertThat(settings.dataPath().node().stunPort()).hasValue(3500);
        assertThat(settings.dataPath().node().relayPort()).isEqualTo(33500);
        assertThat(settings.dataPath().node().relaySecret().orElseThrow().value()).isEqualTo("0123456789abcdef");
        assertThat(settings.dataPath().relayUrls()).containsExactly(URI.create("rels://relay.example.com:443"));
        assertThat(settings.dataPath().stunUrls()).containsExactly(URI.create("stun:stun.example.com:3478"));
    }

    @Test
    void propertiesAreEquivalentToVariablesAndWinOverThem() {
        Map<String, String> properties = Map.of("tern.http-port", "7000", "tern.dns-domain", "corp.example");
        TernSettings settings = TernSettings.from(Map.of("TERN_HTTP_PORT", "9999"), properties::get);

        assertThat(settings.listeners().httpPort()).isEqualTo(7000);
        assertThat(settings.dnsDomain()).isEqualTo("corp.example");
        assertThat(TernSettings.propertyName("TERN_DATABASE_PASSWORD")).isEqualTo("tern.database-password");
    }

    @Test
    void libpqStyleDatabaseUrlBecomesJdbc() {
        TernSettings settings = fromEnv(Map.of("TERN_DATABASE_URL", "postgres://db:5432/tern?sslmode=require"));

        assertThat(settings.storage().database().orElseThrow().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/tern?sslmode=require");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "65536", "80.5", "8080x", "99999999999"})
    void invalidHttpPortNamesTheVariable(String value) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_HTTP_PORT", value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_HTTP_PORT must be a port number")
                .hasMessageNotContaining("\n");
    }

    @Test
    void invalidGrpcPortNamesTheVariable() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_GRPC_PORT", "70000")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("TERN_GRPC_PORT");
    }

    @Test
    void sameHttpAndGrpcPortIsRejected() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_HTTP_PORT", "9000", "TERN_GRPC_PORT", "9000")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("must differ");
    }

    @Test
    void unknownTernVariableIsRejectedAsTypo() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_HTTP_PROT", "9000", "TERN_DATA_DIR", "/tmp/x")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("unknown environment variable TERN_HTTP_PROT")
                .hasMessageContaining("TERN_HTTP_PORT");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void retiredVariablesStillLetTheServerStartAndAreNamedAsDoingNothing(
            CapturedOutput output) {
        assertThat(fromEnv(Map.of("TERN_AS_OF_CHECKPOINT_EVERY", "500", "TERN_AS_OF_CHECKPOINTS_KEPT", "ten"))
                .listeners().httpPort()).isEqualTo(8080);
        assertThat(output.getAll()).contains("TERN_AS_OF_CHECKPOINT_EVERY is set but no longer has any effect")
                .contains("TERN_AS_OF_CHECKPOINTS_KEPT is set but no longer has any effect");
    }

    @Test
    void unrelatedVariablesAreIgnored() {
        assertThat(fromEnv(Map.of("TERNARY", "1", "MY_TERN_X", "2")).listeners().httpPort()).isEqualTo(8080);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://db:3306/tern", "jdbc:postgresql:tern", "postgresql:///tern",
            "jdbc:postgresql://db:5432/", "jdbc:postgresql://user:pw@db:5432/tern", "not a url"})
    void badDatabaseUrlIsRejected(String url) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_DATABASE_URL", url)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_DATABASE_URL")
                .hasMessageNotContaining("pw@");
    }

    @Test
    void databaseCredentialsWithoutUrlAreRejected() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_DATABASE_PASSWORD", "x")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("TERN_DATABASE_URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"internal", "-bad.example", "bad-.example", "under_score.example", "a..b", "sp ace.example", ""})
    void badDnsDomainIsRejected(String domain) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_DNS_DOMAIN", domain)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_DNS_DOMAIN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"signal.example.com:10000", "ftp://signal.example.com", "http://", "https://exa mple.com"})
    void badSignalUrlIsRejected(String url) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_SIGNAL_URL", url)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_SIGNAL_URL");
    }

    @Test
    void passwordNeverAppearsInDescriptions() {
        TernSettings settings = fromEnv(Map.of("TERN_DATABASE_URL", "jdbc:postgresql://db:5432/tern",
                "TERN_DATABASE_USER", "tern", "TERN_DATABASE_PASSWORD", "hunter2-secret"));

        assertThat(settings.toString()).doesNotContain("hunter2-secret");
        assertThat(settings.storage().description()).contains("db:5432").doesNotContain("hunter2-secret");
    }

    @Test
    void echoedValuesStayOnOneLine() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_HTTP_PORT", "80\n80")))
                .hasMessageNotContaining("\n");
    }

    // ------------------------------------------------------------------ STUN and relay

    @Test
    void stunAndRelayDefaultToTheStandardPortsInProcessWithAGeneratedSecret() {
        TernSettings settings = fromEnv(Map.of());

        assertThat(settings.dataPath().node().stunPort()).hasValue(3478);
        assertThat(settings.dataPath().node().relayPort()).isEqualTo(33080);
        assertThat(settings.dataPath().node().relaySecret()).isEmpty();
        assertThat(settings.dataPath().relayUrls()).isEmpty();
        assertThat(settings.dataPath().stunUrls()).isEmpty();
        assertThat(settings.dataPath().runsStunInProcess()).isTrue();
        assertThat(settings.dataPath().runsRelayInProcess()).isTrue();
    }

    @Test
    void freeGrpcPortMeansFreeStunAndRelayPortsUnlessSet() {
        TernSettings free = fromEnv(Map.of("TERN_GRPC_PORT", "0"));
        assertThat(free.dataPath().node().stunPort()).hasValue(0);
        assertThat(free.dataPath().node().relayPort()).isZero();

        TernSettings set = fromEnv(Map.of("TERN_GRPC_PORT", "0", "TERN_STUN_PORT", "3479", "TERN_RELAY_PORT", "33081"));
        assertThat(set.dataPath().node().stunPort()).hasValue(3479);
        assertThat(set.dataPath().node().relayPort()).isEqualTo(33081);
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "OFF", " off "})
    void stunCanBeSwitchedOff(String value) {
        TernSettings settings = fromEnv(Map.of("TERN_STUN_PORT", value));

        assertThat(settings.dataPath().node().stunPort()).isEmpty();
        assertThat(settings.dataPath().runsStunInProcess()).isFalse();
        assertThat(settings.dataPath().runsRelayInProcess()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERN_STUN_PORT", "TERN_RELAY_PORT"})
    void invalidStunOrRelayPortNamesTheVariable(String variable) {
        assertThatThrownBy(() -> fromEnv(Map.of(variable, "no")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith(variable + " must be a port number");
        assertThatThrownBy(() -> fromEnv(Map.of(variable, "65536")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith(variable + " must be a port number");
    }

    @Test
    void relayPortMustDifferFromTheOtherTcpPortsOnlyWhileTheRelayRunsInProcess() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_RELAY_PORT", "33073")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("TERN_GRPC_PORT and TERN_RELAY_PORT must differ, both are 33073");
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_RELAY_PORT", "10000")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("TERN_SIGNAL_PORT and TERN_RELAY_PORT must differ, both are 10000");
        // STUN is UDP: sharing a number with a TCP port is fine.
        assertThat(fromEnv(Map.of("TERN_STUN_PORT", "8080")).dataPath().node().stunPort()).hasValue(8080);
        assertThat(fromEnv(Map.of("TERN_RELAY_PORT", "33073", "TERN_RELAY_URLS", "rel://relay.example.com:33080",
                "TERN_RELAY_SECRET", "0123456789abcdef")).dataPath().node().relayPort()).isEqualTo(33073);
    }

    @Test
    void externalUrlsAreParsedAndReplaceTheInProcessServices() {
        TernSettings settings = fromEnv(Map.of(
                "TERN_STUN_URLS", "stun:stun1.example.com:3478 , stun:[2001:db8::1]:3478,",
                "TERN_RELAY_URLS", "rels://relay.example.com:443,rel://10.0.0.9:33080",
                "TERN_RELAY_SECRET", "a-relay-secret-of-some-length"));

        assertThat(settings.dataPath().stunUrls()).containsExactly(URI.create("stun:stun1.example.com:3478"),
                URI.create("stun:[2001:db8::1]:3478"));
        assertThat(settings.dataPath().relayUrls()).containsExactly(URI.create("rels://relay.example.com:443"),
                URI.create("rel://10.0.0.9:33080"));
        assertThat(settings.dataPath().node().relaySecret().orElseThrow().value()).isEqualTo("a-relay-secret-of-some-length");
        assertThat(settings.dataPath().runsStunInProcess()).isFalse();
        assertThat(settings.dataPath().runsRelayInProcess()).isFalse();
    }

    @Test
    void anExternalSignalNodeMeansNoStunOrRelayInProcess() {
        TernSettings settings = fromEnv(Map.of("TERN_SIGNAL_URL", "https://signal.example.com"));

        assertThat(settings.dataPath().runsStunInProcess()).isFalse();
        assertThat(settings.dataPath().runsRelayInProcess()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"relay.example.com:443", "http://relay.example.com", "rel://", "rel:relay.example.com",
            "rels://relay.example.com:443/path", "rel://user@relay.example.com:1", "rel://exa mple.com", ","})
    void badRelayUrlIsRejected(String url) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_RELAY_URLS", url, "TERN_RELAY_SECRET", "0123456789abcdef")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_RELAY_URLS")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"stun.example.com:3478", "stun:", "stun://stun.example.com:3478", "turn:x.example.com:3478",
            "stun:stun.example.com:99999", "stun:stun.example.com:3478/x", "stun:a b"})
    void badStunUrlIsRejected(String url) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_STUN_URLS", url)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_STUN_URLS");
    }

    @Test
    void relayUrlsNeedTheSecretTheRelaysShare() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_RELAY_URLS", "rels://relay.example.com:443")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_RELAY_URLS needs TERN_RELAY_SECRET");
    }

    @Test
    void aShortRelaySecretIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_RELAY_SECRET", "short-secret")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_RELAY_SECRET must be at least 16 characters")
                .hasMessageNotContaining("short-secret");
    }

    @Test
    void theMetricsTokenIsOptionalValidatedAndNeverEchoed() {
        assertThat(TernSettings.metricsToken(Map.of(), name -> null)).isEmpty();
        assertThat(fromEnv(Map.of("TERN_METRICS_TOKEN", "scrape-0123456789abcdef")).listeners().httpPort()).isEqualTo(8080);
        var token = TernSettings.metricsToken(Map.of("TERN_METRICS_TOKEN", " scrape-0123456789abcdef "), name -> null);
        assertThat(token).hasValueSatisfying(t -> {
            assertThat(t.value()).isEqualTo("scrape-0123456789abcdef");
            assertThat(t.toString()).doesNotContain("scrape");
        });
        // A property wins over the variable, as for every other setting.
        assertThat(TernSettings.metricsToken(Map.of("TERN_METRICS_TOKEN", "scrape-0123456789abcdef"),
                name -> name.equals("tern.metrics-token") ? "property-0123456789abcdef" : null))
                .hasValueSatisfying(t -> assertThat(t.value()).isEqualTo("property-0123456789abcdef"));

        assertThatThrownBy(() -> fromEnv(Map.of("TERN_METRICS_TOKEN", "short-token")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_METRICS_TOKEN must be at least 16 characters")
                .hasMessageNotContaining("short-token");
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_METRICS_TOKEN", "with space 0123456789")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_METRICS_TOKEN must consist of printable ASCII")
                .hasMessageNotContaining("0123456789");
        assertThatThrownBy(() -> TernSettings.metricsToken(Map.of("TERN_METRICS_TOKEN", "tab\there-0123456789"),
                name -> null)).isInstanceOf(InvalidSettingException.class);
    }

    @Test
    void theRelaySecretNeverAppearsInDescriptions() {
        TernSettings settings = fromEnv(Map.of("TERN_RELAY_SECRET", "hunter2-relay-secret-value"));

        assertThat(settings.toString()).doesNotContain("hunter2-relay-secret-value");
    }

    @Test
    void expiryCheckIntervalDefaultsToTenSecondsAndReadsShortAndIsoForms() {
        assertThat(fromEnv(Map.of()).expiry().checkInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(fromEnv(Map.of("TERN_EXPIRY_CHECK_INTERVAL", "30s")).expiry().checkInterval())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(fromEnv(Map.of("TERN_EXPIRY_CHECK_INTERVAL", "1500ms")).expiry().checkInterval())
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(fromEnv(Map.of("TERN_EXPIRY_CHECK_INTERVAL", "2m")).expiry().checkInterval())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(fromEnv(Map.of("TERN_EXPIRY_CHECK_INTERVAL", "1h")).expiry().checkInterval())
                .isEqualTo(Duration.ofHours(1));
        assertThat(fromEnv(Map.of("TERN_EXPIRY_CHECK_INTERVAL", "PT45S")).expiry().checkInterval())
                .isEqualTo(Duration.ofSeconds(45));
        assertThat(TernSettings.from(Map.of("TERN_EXPIRY_CHECK_INTERVAL", "30s"),
                name -> name.equals("tern.expiry-check-interval") ? "5s" : null).expiry().checkInterval())
                .as("a property wins over the variable").isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "ten seconds", "0s", "999ms", "61m", "2h", "-5s", "PT0S", "P1D", "10 s"})
    void badExpiryCheckIntervalNamesTheVariable(String value) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_EXPIRY_CHECK_INTERVAL", value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_EXPIRY_CHECK_INTERVAL must be a duration between 1s and 1h");
    }

    @Test
    void ephemeralPeerTtlDefaultsToTenMinutesAndReadsShortAndIsoForms() {
        assertThat(fromEnv(Map.of()).expiry().ephemeralPeerTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(fromEnv(Map.of("TERN_EPHEMERAL_PEER_TTL", "90s")).expiry().ephemeralPeerTtl())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(fromEnv(Map.of("TERN_EPHEMERAL_PEER_TTL", "2h")).expiry().ephemeralPeerTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(fromEnv(Map.of("TERN_EPHEMERAL_PEER_TTL", "P30D")).expiry().ephemeralPeerTtl()).isEqualTo(Duration.ofDays(30));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "59s", "0m", "721h", "P31D", "-10m", "ten minutes"})
    void badEphemeralPeerTtlNamesTheVariable(String value) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_EPHEMERAL_PEER_TTL", value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_EPHEMERAL_PEER_TTL must be a duration between 1m and 30 days");
    }

    @Test
    void relayTokensLiveAnHourUnlessConfigured() {
        assertThat(fromEnv(Map.of()).dataPath().relayTokenLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(fromEnv(Map.of("TERN_RELAY_TOKEN_TTL", "15m")).dataPath().relayTokenLifetime())
                .isEqualTo(Duration.ofMinutes(15));
        assertThat(fromEnv(Map.of("TERN_RELAY_TOKEN_TTL", "PT2H")).dataPath().relayTokenLifetime()).isEqualTo(Duration.ofHours(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"30s", "25h", "forever", "-1h", "1d"})
    void relayTokenLifetimeOutOfRangeIsRejected(String value) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_RELAY_TOKEN_TTL", value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_RELAY_TOKEN_TTL must be a duration between 1m and 24h")
                .hasMessageNotContaining("\n");
    }

    @Test
    void signalStreamLimitsHaveDefaultsAndAreValidated() {
        assertThat(fromEnv(Map.of()).dataPath().node().signalLimits()).isEqualTo(dev.tern.signal.SignalLimits.defaults());
        TernSettings set = fromEnv(Map.of("TERN_SIGNAL_MAX_STREAMS", "1000",
                "TERN_SIGNAL_MAX_STREAMS_PER_CONNECTION", "2"));
        assertThat(set.dataPath().node().signalLimits().maxStreams()).isEqualTo(1000);
        assertThat(set.dataPath().node().signalLimits().maxStreamsPerConnection()).isEqualTo(2);
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_SIGNAL_MAX_STREAMS_PER_CONNECTION", "none")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_SIGNAL_MAX_STREAMS_PER_CONNECTION must be a number between 1 and");
    }

    /**
     * The standalone node and tern-server read the data-path variables with one parser: the same bad value is
     * refused by both, with the same one-line reason.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TERN_SIGNAL_PORT=ten thousand", "TERN_STUN_PORT=70000", "TERN_RELAY_PORT=-1",
            "TERN_RELAY_SECRET=short-secret", "TERN_SIGNAL_MAX_STREAMS=0",
            "TERN_SIGNAL_MAX_STREAMS_PER_CONNECTION=1001", "TERN_TLS_CERT_FILE=/etc/tern/cert.pem",
            "TERN_SIGNAL_PROT=10000"})
    void theStandaloneNodeRefusesWhatTernServerRefusesWithTheSameReason(String setting) {
        String[] nameAndValue = setting.split("=", 2);
        Map<String, String> env = Map.of(nameAndValue[0], nameAndValue[1]);
        Throwable byServer = org.assertj.core.api.Assertions.catchThrowable(() -> fromEnv(env));
        Throwable byNode = org.assertj.core.api.Assertions.catchThrowable(() -> SignalRelayNode.fromEnvironment(env));
        assertThat(byServer).isInstanceOf(InvalidSettingException.class).hasMessageStartingWith(
                setting.contains("PROT=") ? "unknown environment variable" : nameAndValue[0]);
        assertThat(byNode).isInstanceOf(IllegalArgumentException.class);
        if (setting.contains("PROT=")) {
            // the lists of known variables differ (tern-server has more), the refusal does not
            assertThat(byNode.getMessage()).startsWith("unknown environment variable TERN_SIGNAL_PROT (known: ");
        } else {
            assertThat(byNode.getMessage()).isEqualTo(byServer.getMessage());
        }
    }

    @Test
    void theEncryptionKeyIsOptionalAndAnInvalidOneIsRefusedWithoutEchoingIt() {
        assertThat(TernSettings.encryptionKey(Map.of(), name -> null)).isEmpty();
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        assertThat(fromEnv(Map.of("TERN_ENCRYPTION_KEY", key)).listeners().httpPort()).isEqualTo(8080);
        assertThat(TernSettings.encryptionKey(Map.of("TERN_ENCRYPTION_KEY", key), name -> null)).isPresent();
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_ENCRYPTION_KEY", "hunter2-is-my-key")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_ENCRYPTION_KEY is not base64").hasMessageNotContaining("hunter2");
        String shortKey = java.util.Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_ENCRYPTION_KEY", shortKey)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_ENCRYPTION_KEY must be 32 bytes").hasMessageNotContaining(shortKey);
    }
}
