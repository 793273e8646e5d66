package dev.tern.api.config;

import dev.tern.api.secrets.SecretBox;
import dev.tern.signal.DataPathSettings;
import dev.tern.signal.SettingValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tern-server's own settings, validated once at start-up. Each one can be given as an environment variable
 * ({@code TERN_HTTP_PORT}) or as the equivalent property ({@code tern.http-port}); a property given explicitly (system
 * property, test property) wins over the variable, in Spring's order.
 *
 * <p>The settings come in sections, one per part of the server that reads them, so a part is handed only its own
 * section and a new setting has an obvious home.
 *
 * @param listeners  the REST and device gRPC listeners
 * @param storage    where the state lives
 * @param dnsDomain  the domain peers' DNS labels live under
 * @param dataPath   signal, STUN and relay: in-process or external, and the relay tokens handed to peers
 * @param expiry     the sweeps that expire logins and delete ephemeral peers
 * @param tls        where the listeners' certificate comes from; disabled = plaintext (localhost development)
 */
public record TernSettings(Listeners listeners, Storage storage, String dnsDomain, DataPath dataPath, Expiry expiry,
                           TlsSettings tls) {
    private static final Logger log = LoggerFactory.getLogger(TernSettings.class);

    /**
     * @param httpPort       REST API port; 0 means "any free port" (tests)
     * @param grpcPort       device gRPC port; 0 means "any free port" (tests)
     * @param grpcMaxCallsPerAddress how many device gRPC calls (open Sync streams included) one remote IP address
     *                       may have open at once; devices behind one NAT share an address
     */
    public record Listeners(int httpPort, int grpcPort, int grpcMaxCallsPerAddress) {
    }

    /**
     * @param dataDir  where tern-server keeps its state (the embedded PostgreSQL, the lock file, keys)
     * @param database an external PostgreSQL, or empty for the embedded one under {@code dataDir}
     */
    public record Storage(Path dataDir, Optional<ExternalDatabase> database) {
        public Storage {
            if (dataDir == null || database == null) {
                throw new IllegalArgumentException("storage settings are incomplete");
            }
        }

        /** A description safe to log: the database password never appears. */
        public String description() {
            return database.map(db -> db.jdbcUrl() + (db.user().isEmpty() ? "" : " as " + db.user()))
                    .orElse("embedded PostgreSQL in " + dataDir.resolve("postgres"));
        }
    }

    /** An external PostgreSQL. {@link #toString()} leaves the password out so the settings can be logged. */
    public record ExternalDatabase(String jdbcUrl, String user, String password) {
        @Override
        public String toString() {
            return "ExternalDatabase[jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
        }
    }

    /**
     * @param signalUrl an external signal node, or empty to run the signal node in-process
     * @param node      the in-process data-path node (signal, STUN, relay; used only when {@code signalUrl} is
     *                  empty), parsed by the node's own {@link DataPathSettings}: its ports ("any free port" by
     *                  default when the gRPC port is 0), STUN off, stream limits, TLS files, and the relay secret,
     *                  whose absence here means "generate one at start" (only possible for the in-process relay,
     *                  which then shares it in memory)
     * @param relayUrls external relays handed to peers ({@code rel://} or {@code rels://}); when non-empty no relay
     *                  runs in-process
     * @param stunUrls  external STUN servers handed to peers ({@code stun:host:port}); when non-empty no STUN
     *                  service runs in-process
     * @param relayTokenLifetime how long a relay token handed to a peer stays valid; it bounds how long a deleted or
     *                  expired peer can still use an external relay, and management refreshes tokens well before
     */
    public record DataPath(Optional<URI> signalUrl, DataPathSettings node, List<URI> relayUrls, List<URI> stunUrls,
                           Duration relayTokenLifetime) {
        public DataPath {
            if (signalUrl == null || node == null || relayUrls == null || stunUrls == null
                    || relayTokenLifetime == null) {
                throw new IllegalArgumentException("data-path settings are incomplete");
            }
            relayUrls = List.copyOf(relayUrls);
            stunUrls = List.copyOf(stunUrls);
        }

        /** Whether tern-server runs its own signal node: unless an external one is configured. */
        public boolean runsSignalInProcess() {
            return signalUrl.isEmpty();
        }

        /**
         * Whether tern-server runs its own STUN service: only alongside its in-process signal node, and only when no
         * external STUN servers are configured and STUN is not switched off.
         */
        public boolean runsStunInProcess() {
            return runsSignalInProcess() && stunUrls.isEmpty() && node.stunPort().isPresent();
        }

        /** Whether tern-server runs its own relay: only alongside its in-process signal node and without relay URLs. */
        public boolean runsRelayInProcess() {
            return runsSignalInProcess() && relayUrls.isEmpty();
        }
    }

    /**
     * @param checkInterval   how often the expiry sweeper looks for peers whose login or inactivity expiration has
     *                        passed (an expiry takes effect up to this much late)
     * @param ephemeralPeerTtl how long a peer registered with an ephemeral setup key may stay disconnected before
     *                        tern-server deletes it (checked every {@code checkInterval})
     */
    public record Expiry(Duration checkInterval, Duration ephemeralPeerTtl) {
        public Expiry {
            if (checkInterval == null || ephemeralPeerTtl == null) {
                throw new IllegalArgumentException("expiry settings are incomplete");
            }
        }
    }

    public static final String HTTP_PORT = "TERN_HTTP_PORT";
    public static final String GRPC_PORT = "TERN_GRPC_PORT";
    public static final String DATA_DIR = "TERN_DATA_DIR";
    public static final String DATABASE_URL = "TERN_DATABASE_URL";
    public static final String DATABASE_USER = "TERN_DATABASE_USER";
    public static final String DATABASE_PASSWORD = "TERN_DATABASE_PASSWORD";
    public static final String DNS_DOMAIN = "TERN_DNS_DOMAIN";
    public static final String SIGNAL_URL = "TERN_SIGNAL_URL";
    public static final String SIGNAL_PORT = DataPathSettings.SIGNAL_PORT;
    public static final String STUN_PORT = DataPathSettings.STUN_PORT;
    public static final String RELAY_PORT = DataPathSettings.RELAY_PORT;
    public static final String RELAY_SECRET = DataPathSettings.RELAY_SECRET;
    public static final String RELAY_URLS = "TERN_RELAY_URLS";
    public static final String STUN_URLS = "TERN_STUN_URLS";
    public static final String EXPIRY_CHECK_INTERVAL = "TERN_EXPIRY_CHECK_INTERVAL";
    public static final String EPHEMERAL_PEER_TTL = "TERN_EPHEMERAL_PEER_TTL";
    public static final String METRICS_TOKEN = "TERN_METRICS_TOKEN";
    public static final String GRPC_MAX_CALLS_PER_ADDRESS = "TERN_GRPC_MAX_CALLS_PER_ADDRESS";
    public static final String RELAY_TOKEN_TTL = "TERN_RELAY_TOKEN_TTL";
    public static final String SIGNAL_MAX_STREAMS = DataPathSettings.SIGNAL_MAX_STREAMS;
    public static final String SIGNAL_MAX_STREAMS_PER_CONNECTION = DataPathSettings.SIGNAL_MAX_STREAMS_PER_CONNECTION;
    public static final String ENCRYPTION_KEY = SecretBox.VARIABLE;

    /**
     * Variables earlier versions understood and this one no longer needs: still accepted, so that a deployment that
     * sets them starts, with a warning that they have no effect. The as-of read-model checkpoints they tuned are
     * gone (as-of reads fold the account's events in memory).
     */
    public static final List<String> RETIRED_VARIABLES = List.of("TERN_AS_OF_CHECKPOINT_EVERY",
            "TERN_AS_OF_CHECKPOINTS_KEPT");

    /**
     * Every TERN_* variable tern-server understands; any other TERN_* variable is most likely a typo. The data-path
     * section's come from {@link DataPathSettings#VARIABLES}, so the two parsers cannot drift apart.
     */
    public static final List<String> KNOWN_VARIABLES = Stream.concat(Stream.of(HTTP_PORT, GRPC_PORT,
            DATA_DIR, DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD, DNS_DOMAIN, SIGNAL_URL, RELAY_URLS, STUN_URLS,
            EXPIRY_CHECK_INTERVAL, EPHEMERAL_PEER_TTL, METRICS_TOKEN, GRPC_MAX_CALLS_PER_ADDRESS, RELAY_TOKEN_TTL,
            TlsSettings.ACME_DIRECTORY, TlsSettings.ACME_DOMAIN, TlsSettings.ACME_EMAIL, TlsSettings.ACME_HTTP_PORT,
            TlsSettings.ACME_CA_FILE, ENCRYPTION_KEY), Stream.concat(DataPathSettings.VARIABLES.stream(),
            Stream.concat(dev.tern.api.idp.IdpSettings.VARIABLES.stream(),
                    Stream.concat(RETIRED_VARIABLES.stream(),
                            Stream.concat(dev.tern.api.commands.AccountNetworkSettings.VARIABLES.stream(),
                                    Stream.of(dev.tern.api.outage.ClockGuard.MAX_AHEAD)))))).toList();


    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_GRPC_PORT = 33073;
    public static final String DEFAULT_DATA_DIR = "./data";
    public static final String DEFAULT_DNS_DOMAIN = "tern.internal";
    /** The standalone signal-relay node's default too, so agents find either on the same port. */
    public static final int DEFAULT_SIGNAL_PORT = DataPathSettings.DefaultPorts.STANDARD.signal();
    /** The standard STUN port, and the standalone signal-relay node's default. */
    public static final int DEFAULT_STUN_PORT = DataPathSettings.DefaultPorts.STANDARD.stun();
    /** The standalone signal-relay node's default relay port. */
    public static final int DEFAULT_RELAY_PORT = DataPathSettings.DefaultPorts.STANDARD.relay();
    public static final Duration DEFAULT_EXPIRY_CHECK_INTERVAL = Duration.ofSeconds(10);
    /** Sweeping more often only loads the database; less often makes expiries late by up to an hour. */
    static final Duration MIN_EXPIRY_CHECK_INTERVAL = Duration.ofSeconds(1);
    static final Duration MAX_EXPIRY_CHECK_INTERVAL = Duration.ofHours(1);
    /** NetBird's: an ephemeral peer is deleted after 10 minutes offline. */
    public static final Duration DEFAULT_EPHEMERAL_PEER_TTL = Duration.ofMinutes(10);
    /** Shorter would delete peers on a network blip or a server restart (a Sync reconnects within seconds). */
    static final Duration MIN_EPHEMERAL_PEER_TTL = Duration.ofMinutes(1);
    static final Duration MAX_EPHEMERAL_PEER_TTL = Duration.ofDays(30);
    /** One office behind one NAT address keeps a Sync stream per device; more than this from one address is abuse. */
    public static final int DEFAULT_GRPC_MAX_CALLS_PER_ADDRESS = 1024;
    static final int MAX_GRPC_MAX_CALLS_PER_ADDRESS = 1_000_000;
    public static final Duration DEFAULT_RELAY_TOKEN_TTL = Duration.ofHours(1);
    /** Shorter would have management resend configs every few seconds; longer keeps revoked peers on relays. */
    static final Duration MIN_RELAY_TOKEN_TTL = Duration.ofMinutes(1);
    static final Duration MAX_RELAY_TOKEN_TTL = Duration.ofHours(24);
    /** The short forms most duration settings take: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");


    public TernSettings {
        if (listeners == null || storage == null || dnsDomain == null || dataPath == null || expiry == null
                || tls == null) {
            throw new IllegalArgumentException("settings are incomplete");
        }
    }

    /** The property name equivalent to a TERN_* variable: {@code TERN_HTTP_PORT} → {@code tern.http-port}. */
    public static String propertyName(String variable) {
        return "tern." + variable.substring("TERN_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Reads and validates the settings.
     *
     * @param environment the process environment (for the TERN_* variables and the typo check)
     * @param properties  property lookup by property name ({@code tern.http-port}); returns null when unset
     * @throws InvalidSettingException naming the offending variable, with a one-line reason
     */
    public static TernSettings from(Map<String, String> environment, Function<String, String> properties) {
        Map<String, String> values = parsed(() -> SettingValues.read(environment,
                variable -> properties.apply(propertyName(variable)), KNOWN_VARIABLES));
        int httpPort = port(values, HTTP_PORT, DEFAULT_HTTP_PORT);
        int grpcPort = port(values, GRPC_PORT, DEFAULT_GRPC_PORT);
        // Tests ask for free ports with TERN_GRPC_PORT=0; the in-process data-path node follows unless told otherwise.
        DataPathSettings dataPath = parsed(() -> DataPathSettings.parse(values,
                grpcPort == 0 ? DataPathSettings.DefaultPorts.ANY_FREE : DataPathSettings.DefaultPorts.STANDARD));
        int signalPort = dataPath.signalPort();
        Path dataDir = dataDir(values.getOrDefault(DATA_DIR, DEFAULT_DATA_DIR));
        Optional<ExternalDatabase> database = database(values);
        String dnsDomain = dnsDomain(values.getOrDefault(DNS_DOMAIN, DEFAULT_DNS_DOMAIN));
        Optional<URI> signalUrl = signalUrl(values.get(SIGNAL_URL));
        int relayPort = dataPath.relayPort();
        List<URI> relayUrls = urls(values.get(RELAY_URLS), RELAY_URLS, TernSettings::relayUrl);
        List<URI> stunUrls = urls(values.get(STUN_URLS), STUN_URLS, TernSettings::stunUrl);
        Duration expiryCheckInterval = expiryCheckInterval(values.get(EXPIRY_CHECK_INTERVAL));
        Duration ephemeralPeerTtl = ephemeralPeerTtl(values.get(EPHEMERAL_PEER_TTL));
        metricsToken(values.get(METRICS_TOKEN)); // validated here with the rest; read by metricsToken(env, props)
        encryptionKey(values.get(ENCRYPTION_KEY)); // validated here; read by encryptionKey(env, props)
        int grpcMaxCallsPerAddress = parsed(() -> SettingValues.count(values, GRPC_MAX_CALLS_PER_ADDRESS,
                DEFAULT_GRPC_MAX_CALLS_PER_ADDRESS, MAX_GRPC_MAX_CALLS_PER_ADDRESS));
        Duration relayTokenLifetime = relayTokenLifetime(values.get(RELAY_TOKEN_TTL));
        dev.tern.api.idp.IdpSettings.parse(values); // validated here with the rest; read by IdpSettings.from
        RETIRED_VARIABLES.stream().filter(values::containsKey).forEach(retired ->
                log.warn("{} is set but no longer has any effect: as-of reads need no checkpoints since this version",
                        retired));
        dev.tern.api.commands.AccountNetworkSettings.parse(values); // validated here; read by AccountSetupService
        parsed(() -> dev.tern.api.outage.ClockGuard.maxAhead(values)); // validated here; read by ClockGuard's bean
        TlsSettings tls = TlsSettings.from(values, dataPath.tlsFiles(),
                (variable, defaultPort) -> port(values, variable, defaultPort));
        if (!relayUrls.isEmpty() && dataPath.relaySecret().isEmpty()) {
            throw new InvalidSettingException(RELAY_URLS + " needs " + RELAY_SECRET
                    + ", the secret those relays were started with, to sign their tokens");
        }
        requireDistinct(HTTP_PORT, httpPort, GRPC_PORT, grpcPort);
        if (signalUrl.isEmpty()) {
            requireDistinct(HTTP_PORT, httpPort, SIGNAL_PORT, signalPort);
            requireDistinct(GRPC_PORT, grpcPort, SIGNAL_PORT, signalPort);
            if (relayUrls.isEmpty()) {
                // STUN is UDP and shares no port space with these; the relay is TCP like all of them.
                requireDistinct(HTTP_PORT, httpPort, RELAY_PORT, relayPort);
                requireDistinct(GRPC_PORT, grpcPort, RELAY_PORT, relayPort);
                requireDistinct(SIGNAL_PORT, signalPort, RELAY_PORT, relayPort);
            }
        }
        if (tls.acme().isPresent()) {
            int acmeHttpPort = tls.acme().get().httpPort();
            requireDistinct(HTTP_PORT, httpPort, TlsSettings.ACME_HTTP_PORT, acmeHttpPort);
            requireDistinct(GRPC_PORT, grpcPort, TlsSettings.ACME_HTTP_PORT, acmeHttpPort);
        }
        return new TernSettings(new Listeners(httpPort, grpcPort, grpcMaxCallsPerAddress),
                new Storage(dataDir, database), dnsDomain,
                new DataPath(signalUrl, dataPath, relayUrls, stunUrls, relayTokenLifetime),
                new Expiry(expiryCheckInterval, ephemeralPeerTtl), tls);
    }

    /**
     * A part of the settings kept in a class of its own ({@code IdpSettings}, {@code AccountNetworkSettings}), read
     * like {@link #from} reads the rest: a property ({@code tern.key-rotation}) wins over the environment variable,
     * values are trimmed, and {@code parse} turns them into the part. Other {@code TERN_*} variables are no typo
     * here: {@link #from} checks those.
     *
     * @throws InvalidSettingException naming the variable, with a one-line reason
     */
    public static <T> T readPart(Map<String, String> environment, Function<String, String> properties,
                                 List<String> variables, Function<Map<String, String>, T> parse) {
        try {
            return parse.apply(SettingValues.read(Map.of(), variable -> {
                String property = properties.apply(propertyName(variable));
                return property != null ? property : environment.get(variable);
            }, variables));
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    /** Settings from the process environment and the JVM's system properties, as main() sees them. */
    public static TernSettings fromProcess() {
        return from(System.getenv(), System::getProperty);
    }

    /** Runs a parser of the signal-relay module, whose one-line refusals become tern-server's own. */
    private static <T> T parsed(java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    private static int port(Map<String, String> values, String variable, int defaultPort) {
        return parsed(() -> SettingValues.port(values, variable, defaultPort));
    }

    private static void requireDistinct(String variable, int port, String otherVariable, int otherPort) {
        if (port != 0 && port == otherPort) {
            throw new InvalidSettingException(variable + " and " + otherVariable + " must differ, both are " + port);
        }
    }

    private static Path dataDir(String value) {
        if (value.isEmpty()) {
            throw new InvalidSettingException(DATA_DIR + " must not be empty");
        }
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InvalidSettingException(DATA_DIR + " is not a valid path: '" + printable(value) + "'");
        }
    }

    private static Optional<ExternalDatabase> database(Map<String, String> values) {
        String url = values.get(DATABASE_URL);
        if (url == null || url.isEmpty()) {
            if (values.containsKey(DATABASE_USER) || values.containsKey(DATABASE_PASSWORD)) {
                throw new InvalidSettingException(DATABASE_USER + "/" + DATABASE_PASSWORD + " are set but "
                        + DATABASE_URL + " is not (the embedded database needs neither)");
            }
            return Optional.empty();
        }
        String jdbcUrl = jdbcUrl(url);
        return Optional.of(new ExternalDatabase(jdbcUrl, values.getOrDefault(DATABASE_USER, ""),
                values.getOrDefault(DATABASE_PASSWORD, "")));
    }

    /**
     * Accepts {@code jdbc:postgresql://host[:port]/db} and the libpq form {@code postgres[ql]://host[:port]/db}
     * (without credentials: those belong in TERN_DATABASE_USER/PASSWORD so that the URL can be logged).
     */
    private static String jdbcUrl(String url) {
        String withoutJdbc = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
        URI uri;
        try {
            uri = new URI(withoutJdbc);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(DATABASE_URL + " is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
            throw new InvalidSettingException(DATABASE_URL + " must be a PostgreSQL URL like "
                    + "jdbc:postgresql://host:5432/tern, got scheme '" + scheme + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidSettingException(DATABASE_URL + " must name a host, like jdbc:postgresql://host:5432/tern");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidSettingException(DATABASE_URL + " must not contain credentials; use "
                    + DATABASE_USER + " and " + DATABASE_PASSWORD);
        }
        if (uri.getPath() == null || uri.getPath().length() < 2) {
            throw new InvalidSettingException(DATABASE_URL + " must name a database, like jdbc:postgresql://host:5432/tern");
        }
        return "jdbc:postgresql:" + withoutJdbc.substring(scheme.length() + 1);
    }

    /** A fully qualified name's trailing dot is allowed: {@code tern.internal.} is {@code tern.internal}. */
    private static String dnsDomain(String value) {
        String withoutRoot = value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
        return DnsNames.parse(withoutRoot, 2).orElseThrow(() -> new InvalidSettingException(DNS_DOMAIN
                + " must be a DNS domain like tern.internal, got '" + printable(value) + "'"));
    }

    private static Optional<URI> signalUrl(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))
                    || uri.getHost() == null || uri.getPort() > 65535) {
                throw new InvalidSettingException(SIGNAL_URL + " must be an http(s) URL with a host, like "
                        + "https://signal.example.com:443, got '" + printable(value) + "'");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(SIGNAL_URL + " is not a valid URL: " + e.getReason());
        }
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT10S}); 1 s to 1 h. */
    private static Duration expiryCheckInterval(String value) {
        return duration(value, EXPIRY_CHECK_INTERVAL, DEFAULT_EXPIRY_CHECK_INTERVAL, MIN_EXPIRY_CHECK_INTERVAL,
                MAX_EXPIRY_CHECK_INTERVAL, MIN_EXPIRY_CHECK_INTERVAL.toSeconds() + "s and "
                        + MAX_EXPIRY_CHECK_INTERVAL.toHours() + "h", "10s, 1m or PT30S");
    }

    /** {@code 10m}, {@code 90s}, {@code 1h}, or ISO-8601 ({@code PT10M}); 1 min to 30 days. */
    private static Duration ephemeralPeerTtl(String value) {
        return duration(value, EPHEMERAL_PEER_TTL, DEFAULT_EPHEMERAL_PEER_TTL, MIN_EPHEMERAL_PEER_TTL,
                MAX_EPHEMERAL_PEER_TTL, MIN_EPHEMERAL_PEER_TTL.toMinutes() + "m and "
                        + MAX_EPHEMERAL_PEER_TTL.toDays() + " days", "10m, 1h or PT30M");
    }

    /** {@code 30m}, {@code 1h}, or ISO-8601 ({@code PT2H}); 1 min to 24 h. */
    private static Duration relayTokenLifetime(String value) {
        return duration(value, RELAY_TOKEN_TTL, DEFAULT_RELAY_TOKEN_TTL, MIN_RELAY_TOKEN_TTL, MAX_RELAY_TOKEN_TTL,
                MIN_RELAY_TOKEN_TTL.toMinutes() + "m and " + MAX_RELAY_TOKEN_TTL.toHours() + "h", "30m, 1h or PT2H");
    }

    /**
     * A duration setting: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601, within [min, max]; empty
     * means the default. {@code range} and {@code examples} only word the one-line refusal.
     */
    private static Duration duration(String value, String variable, Duration defaultValue, Duration min, Duration max,
                                     String range, String examples) {
        return duration(value, SHORT_DURATION, variable, defaultValue, min, max, range, examples);
    }

    /**
     * A duration setting whose short forms are {@code shortForm}'s: a number (group 1) and a unit among {@code ms},
     * {@code s}, {@code m}, {@code h} and {@code d} (group 2, matched lower-cased), or else ISO-8601; within
     * [min, max]; empty means the default. {@code range} and {@code examples} only word the one-line refusal
     * ({@code "<variable> must be a duration between <range> like <examples>, got '<value>'"}).
     *
     * @throws InvalidSettingException naming the variable, with a one-line reason
     */
    public static Duration duration(String value, Pattern shortForm, String variable, Duration defaultValue,
                                    Duration min, Duration max, String range, String examples) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        String reason = variable + " must be a duration between " + range + " like " + examples + ", got '"
                + printable(value) + "'";
        Duration duration;
        var shortMatch = shortForm.matcher(value.toLowerCase(Locale.ROOT));
        if (shortMatch.matches()) {
            long amount = Long.parseLong(shortMatch.group(1));
            duration = switch (shortMatch.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> throw new IllegalArgumentException("unit '" + shortMatch.group(2) + "' of " + shortForm);
            };
        } else {
            try {
                duration = Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new InvalidSettingException(reason);
            }
        }
        if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
            throw new InvalidSettingException(reason);
        }
        return duration;
    }

    /** A comma-separated list; blank entries (a trailing comma) are ignored. */
    private static List<URI> urls(String value, String variable, Function<String, URI> parser) {
        if (value == null || value.isEmpty()) {
            return List.of();
        }
        List<URI> urls = new ArrayList<>();
        for (String entry : value.split(",")) {
            if (!entry.isBlank()) {
                urls.add(parser.apply(entry.trim()));
            }
        }
        if (urls.isEmpty()) {
            throw new InvalidSettingException(variable + " lists no URL: '" + printable(value) + "'");
        }
        return List.copyOf(urls);
    }

    private static URI relayUrl(String value) {
        String reason = RELAY_URLS + " entries must look like rel://host:port or rels://host:port, got '"
                + printable(value) + "'";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(reason);
        }
        String scheme = uri.getScheme();
        if (!("rel".equals(scheme) || "rels".equals(scheme)) || uri.getHost() == null || uri.getPort() > 65535
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new InvalidSettingException(reason);
        }
        return uri;
    }

    /** {@code stun:host[:port]} as in RFC 7064 (an opaque URI: the host follows the colon, no slashes). */
    private static URI stunUrl(String value) {
        String reason = STUN_URLS + " entries must look like stun:host:port, got '" + printable(value) + "'";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(reason);
        }
        if (!"stun".equals(uri.getScheme()) || !uri.isOpaque()) {
            throw new InvalidSettingException(reason);
        }
        // Parse the host and port the way a hierarchical URI would, to reject "stun:" or "stun:host:99999".
        URI hostPort;
        try {
            hostPort = new URI("stun://" + uri.getRawSchemeSpecificPart());
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(reason);
        }
        if (hostPort.getHost() == null || hostPort.getPort() > 65535 || hostPort.getRawUserInfo() != null
                || !(hostPort.getRawPath() == null || hostPort.getRawPath().isEmpty())
                || hostPort.getRawQuery() != null || hostPort.getRawFragment() != null) {
            throw new InvalidSettingException(reason);
        }
        return uri;
    }

    /**
     * The bearer token that may read {@code /actuator/prometheus} (besides PATs of owners, admins and auditors);
     * {@link #toString()} hides it. Kept out of the record's components so that it stays a one-place change.
     */
    public record MetricsToken(String value) {
        @Override
        public String toString() {
            return "MetricsToken[hidden]";
        }
    }

    /** A guessable metrics token would open the metrics to anyone; 16 characters is the relay secret's bar too. */
    static final int MIN_METRICS_TOKEN_LENGTH = 16;

    /** {@code TERN_METRICS_TOKEN}, looked up and validated like every setting in {@link #from}; empty when unset. */
    public static Optional<MetricsToken> metricsToken(Map<String, String> environment,
                                                      Function<String, String> properties) {
        String value = properties.apply(propertyName(METRICS_TOKEN));
        if (value == null) {
            value = environment.get(METRICS_TOKEN);
        }
        return metricsToken(value == null ? null : value.trim());
    }

    private static Optional<MetricsToken> metricsToken(String value) {
        if (parsed(() -> SettingValues.secret(METRICS_TOKEN, value, MIN_METRICS_TOKEN_LENGTH)).isEmpty()) {
            return Optional.empty();
        }
        if (!value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new InvalidSettingException(METRICS_TOKEN + " must consist of printable ASCII characters "
                    + "without spaces (it is sent in an HTTP header)");
        }
        return Optional.of(new MetricsToken(value));
    }

    /** {@code TERN_ENCRYPTION_KEY} (secrets at rest), looked up and validated like every setting; empty when unset. */
    public static Optional<SecretBox> encryptionKey(Map<String, String> environment,
                                                    Function<String, String> properties) {
        String value = properties.apply(propertyName(ENCRYPTION_KEY));
        return encryptionKey(value == null ? environment.get(ENCRYPTION_KEY) : value);
    }

    private static Optional<SecretBox> encryptionKey(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(SecretBox.fromBase64(value));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    /** Keeps an echoed value on one line and short, whatever the operator typed. */
    private static String printable(String value) {
        return SettingValues.printable(value);
    }
}
