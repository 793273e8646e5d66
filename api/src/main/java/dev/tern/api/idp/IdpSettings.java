package dev.tern.api.idp;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import dev.tern.signal.SettingValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The embedded OpenID Provider's settings. Parsed from the same validated {@code TERN_*} values as every other
 * setting ({@code TernSettings.from} calls {@link #parse} so that a bad value stops start-up with one line), and
 * kept in their own class so that the provider's part of the configuration is one place.
 *
 * @param restUrl             the REST API's public base URL ({@code https://tern.example}); empty = this host on the
 *                            REST port as {@code localhost}, known only once the port is bound
 * @param keyRotation         how long one signing key signs before a new one takes over
 * @param dashboardClientId   the built-in public client for browsers (authorization code with PKCE)
 * @param dashboardRedirectUris where that client may be sent back to; empty = {@code <rest url>/nb-auth} and
 *                            {@code <rest url>/nb-silent-auth}, the paths NetBird's dashboard uses
 * @param cliClientId         the built-in public client for command-line tools (device authorization grant)
 */
public record IdpSettings(Optional<URI> restUrl, Duration keyRotation, String dashboardClientId,
                          List<URI> dashboardRedirectUris, String cliClientId) {

    public static final String REST_URL = "TERN_REST_URL";
    public static final String KEY_ROTATION = "TERN_IDP_KEY_ROTATION";
    public static final String DASHBOARD_CLIENT_ID = "TERN_IDP_DASHBOARD_CLIENT_ID";
    public static final String DASHBOARD_REDIRECT_URIS = "TERN_IDP_DASHBOARD_REDIRECT_URIS";
    public static final String CLI_CLIENT_ID = "TERN_IDP_CLI_CLIENT_ID";
    public static final List<String> VARIABLES = List.of(REST_URL, KEY_ROTATION, DASHBOARD_CLIENT_ID,
            DASHBOARD_REDIRECT_URIS, CLI_CLIENT_ID);

    public static final Duration DEFAULT_KEY_ROTATION = Duration.ofDays(30);
    /** Rotating more often than tokens live would keep many keys published for nothing; tests use a clock. */
    static final Duration MIN_KEY_ROTATION = Duration.ofHours(1);
    static final Duration MAX_KEY_ROTATION = Duration.ofDays(365);
    public static final String DEFAULT_DASHBOARD_CLIENT_ID = "tern-dashboard";
    public static final String DEFAULT_CLI_CLIENT_ID = "tern-cli";
    /** The path the provider lives under on the REST port; the issuer is the REST URL plus this. */
    public static final String ISSUER_PATH = "/oauth2";

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(m|h|d)");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public IdpSettings {
        if (restUrl == null || keyRotation == null || dashboardClientId == null || dashboardRedirectUris == null
                || cliClientId == null) {
            throw new IllegalArgumentException("identity provider settings are incomplete");
        }
        dashboardRedirectUris = List.copyOf(dashboardRedirectUris);
    }

    /**
     * Reads the provider's settings from validated {@code TERN_*} values (as {@link SettingValues#read} returns them).
     *
     * @throws InvalidSettingException naming the variable, with a one-line reason
     */
    public static IdpSettings parse(Map<String, String> values) {
        Optional<URI> restUrl = restUrl(values.get(REST_URL));
        Duration rotation = keyRotation(values.get(KEY_ROTATION));
        String dashboard = clientId(values, DASHBOARD_CLIENT_ID, DEFAULT_DASHBOARD_CLIENT_ID);
        String cli = clientId(values, CLI_CLIENT_ID, DEFAULT_CLI_CLIENT_ID);
        if (dashboard.equals(cli)) {
            throw new InvalidSettingException(DASHBOARD_CLIENT_ID + " and " + CLI_CLIENT_ID + " must differ, both are '"
                    + dashboard + "'");
        }
        return new IdpSettings(restUrl, rotation, dashboard, redirectUris(values.get(DASHBOARD_REDIRECT_URIS)), cli);
    }

    /** The settings of this process (environment and system properties), like {@code TernSettings.fromProcess}. */
    public static IdpSettings from(Map<String, String> environment, Function<String, String> properties) {
        return TernSettings.readPart(environment, properties, VARIABLES, IdpSettings::parse);
    }

    /** The issuer for a REST base URL: {@code https://tern.example} → {@code https://tern.example/oauth2}. */
    public static String issuerOf(URI restUrl) {
        String base = restUrl.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + ISSUER_PATH;
    }

    private static Optional<URI> restUrl(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        String reason = REST_URL + " must be an http(s) URL with a host and nothing after it, like https://tern.example, got '"
                + SettingValues.printable(value) + "'";
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null || uri.getPort() > 65535 || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getRawUserInfo() != null
                    // the provider is served at /oauth2 of the REST port itself; a proxy's path prefix would make
                    // the issuer name a path the provider never sees
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
                throw new InvalidSettingException(reason);
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(reason);
        }
    }

    private static List<URI> redirectUris(String value) {
        List<URI> uris = new ArrayList<>();
        if (value == null || value.isEmpty()) {
            return uris;
        }
        for (String entry : value.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String reason = DASHBOARD_REDIRECT_URIS + " entries must be absolute http(s) URLs without a fragment, got '"
                    + SettingValues.printable(entry.trim()) + "'";
            try {
                URI uri = new URI(entry.trim());
                if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                        || uri.getHost() == null || uri.getRawFragment() != null) {
                    throw new InvalidSettingException(reason);
                }
                uris.add(uri);
            } catch (URISyntaxException e) {
                throw new InvalidSettingException(reason);
            }
        }
        return uris;
    }

    private static String clientId(Map<String, String> values, String variable, String defaultValue) {
        String value = values.get(variable);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        if (!CLIENT_ID.matcher(value).matches()) {
            throw new InvalidSettingException(variable + " must be 1 to 64 letters, digits, '.', '_' or '-', got '"
                    + SettingValues.printable(value) + "'");
        }
        return value;
    }

    /** {@code 30d}, {@code 12h}, {@code 90m} or ISO-8601 ({@code P30D}); 1 h to 365 days. */
    private static Duration keyRotation(String value) {
        return TernSettings.duration(value, SHORT_DURATION, KEY_ROTATION, DEFAULT_KEY_ROTATION, MIN_KEY_ROTATION,
                MAX_KEY_ROTATION, MIN_KEY_ROTATION.toHours() + "h and " + MAX_KEY_ROTATION.toDays() + " days",
                "30d, 12h or P30D");
    }
}
