package dev.tern.signal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * The data-path node's settings: signal, STUN and relay ports, the relay secret, stream limits and TLS files. Parsed
 * here once, with the same rules and one-line refusals for the standalone node ({@link #forNode}) and for
 * tern-server, whose settings nest this section ({@link #parse} with the server's values and default ports).
 *
 * @param signalPort          gRPC signal exchange; 0 means "any free port"
 * @param stunPort            UDP STUN; empty when {@code TERN_STUN_PORT=off}
 * @param relayPort           WebSocket relay; the relay runs only with a secret (standalone) or in-process
 * @param relaySecret         the secret relay tokens are signed with; empty when unset
 * @param relayExposedAddress the relay URL the standalone node announces ({@code rel://} or {@code rels://}); only the
 *                            standalone node reads {@code TERN_RELAY_EXPOSED_ADDRESS}, tern-server derives its own
 * @param signalLimits        what the signal exchange holds, in all and per connection
 * @param tlsFiles            PEM certificate chain and key; when present signal and relay serve TLS only
 */
public record DataPathSettings(int signalPort, OptionalInt stunPort, int relayPort, Optional<RelaySecret> relaySecret,
                               Optional<String> relayExposedAddress, SignalLimits signalLimits,
                               Optional<TlsFiles> tlsFiles) {
    public static final String SIGNAL_PORT = "TERN_SIGNAL_PORT";
    public static final String STUN_PORT = "TERN_STUN_PORT";
    public static final String RELAY_PORT = "TERN_RELAY_PORT";
    public static final String RELAY_SECRET = "TERN_RELAY_SECRET";
    public static final String RELAY_EXPOSED_ADDRESS = "TERN_RELAY_EXPOSED_ADDRESS";
    public static final String SIGNAL_MAX_STREAMS = "TERN_SIGNAL_MAX_STREAMS";
    public static final String SIGNAL_MAX_STREAMS_PER_CONNECTION = "TERN_SIGNAL_MAX_STREAMS_PER_CONNECTION";
    public static final String TLS_CERT_FILE = "TERN_TLS_CERT_FILE";
    public static final String TLS_KEY_FILE = "TERN_TLS_KEY_FILE";
    /** Read by the standalone node's logback configuration, not by Java code. */
    public static final String LOG_LEVEL = "TERN_LOG_LEVEL";

    /** The variables of this section that tern-server reads too. */
    public static final List<String> VARIABLES = List.of(SIGNAL_PORT, STUN_PORT, RELAY_PORT, RELAY_SECRET,
            SIGNAL_MAX_STREAMS, SIGNAL_MAX_STREAMS_PER_CONNECTION, TLS_CERT_FILE, TLS_KEY_FILE);
    /** Every TERN_* variable the standalone node understands; any other is most likely a typo. */
    public static final List<String> NODE_VARIABLES = Stream.concat(VARIABLES.stream(),
            Stream.of(RELAY_EXPOSED_ADDRESS, LOG_LEVEL)).toList();

    /** A shorter shared secret could be guessed offline from one token (payload and HMAC are both visible). */
    public static final int MIN_RELAY_SECRET_LENGTH = 16;
    static final int MAX_SIGNAL_STREAMS = 10_000_000;
    static final int MAX_SIGNAL_STREAMS_PER_CONNECTION = 1_000;

    /** The secret relay tokens are signed with; {@link #toString()} hides it so the settings can be logged. */
    public record RelaySecret(String value) {
        @Override
        public String toString() {
            return "RelaySecret[hidden]";
        }
    }

    /** A PEM certificate chain (leaf first) and its unencrypted PEM private key, as absolute paths. */
    public record TlsFiles(Path certFile, Path keyFile) {
    }

    /** The ports used when a port variable is unset. */
    public record DefaultPorts(int signal, int stun, int relay) {
        /** The standalone node's, which tern-server shares so agents find either on the same ports. */
        public static final DefaultPorts STANDARD = new DefaultPorts(10000, 3478, 33080);
        /** Any free port for each (tern-server's tests, which ask for a free gRPC port). */
        public static final DefaultPorts ANY_FREE = new DefaultPorts(0, 0, 0);
    }

    public DataPathSettings {
        if (stunPort == null || relaySecret == null || relayExposedAddress == null || signalLimits == null
                || tlsFiles == null) {
            throw new IllegalArgumentException("data-path settings are incomplete");
        }
    }

    /**
     * The standalone node's settings from its environment: refuses unknown TERN_* variables, uses the standard ports.
     *
     * @throws IllegalArgumentException naming the offending variable, with a one-line reason
     */
    public static DataPathSettings forNode(Map<String, String> environment) {
        return parse(SettingValues.read(environment, variable -> null, NODE_VARIABLES), DefaultPorts.STANDARD);
    }

    /**
     * Parses this section from already read values ({@link SettingValues#read}: only set ones, trimmed).
     *
     * @throws IllegalArgumentException naming the offending variable, with a one-line reason
     */
    public static DataPathSettings parse(Map<String, String> values, DefaultPorts defaults) {
        int signalPort = SettingValues.port(values, SIGNAL_PORT, defaults.signal());
        OptionalInt stunPort = "off".equalsIgnoreCase(values.getOrDefault(STUN_PORT, "")) ? OptionalInt.empty()
                : OptionalInt.of(SettingValues.port(values, STUN_PORT, defaults.stun()));
        int relayPort = SettingValues.port(values, RELAY_PORT, defaults.relay());
        Optional<RelaySecret> relaySecret = SettingValues.secret(RELAY_SECRET, values.get(RELAY_SECRET),
                MIN_RELAY_SECRET_LENGTH).map(RelaySecret::new);
        SignalLimits signalLimits = SignalLimits.defaults().withStreams(
                SettingValues.count(values, SIGNAL_MAX_STREAMS, SignalLimits.DEFAULT_MAX_STREAMS, MAX_SIGNAL_STREAMS),
                SettingValues.count(values, SIGNAL_MAX_STREAMS_PER_CONNECTION,
                        SignalLimits.DEFAULT_MAX_STREAMS_PER_CONNECTION, MAX_SIGNAL_STREAMS_PER_CONNECTION));
        Optional<TlsFiles> tlsFiles = tlsFiles(values);
        Optional<String> exposed = relayExposedAddress(values.get(RELAY_EXPOSED_ADDRESS), tlsFiles.isPresent());
        return new DataPathSettings(signalPort, stunPort, relayPort, relaySecret, exposed, signalLimits, tlsFiles);
    }

    /**
     * The relay URL the standalone node announces: the configured one, else {@code rel://<hostname>:<relay port>}
     * ({@code rels://} with TLS).
     */
    public String announcedRelayUrl() {
        return relayExposedAddress.orElseGet(() -> relayUrlOnThisHost(tlsFiles.isPresent()));
    }

    /**
     * {@code rel://<hostname>:<relay port>}, or {@code rels://} when the relay serves TLS: what a relay announces
     * when nobody told it its public address. Peers only compare it with the URL other peers announce over signal,
     * so it has to be the same for everyone, not reachable from everywhere.
     */
    public String relayUrlOnThisHost(boolean tls) {
        return (tls ? "rels://" : "rel://") + localHostName() + ":" + relayPort;
    }

    private static Optional<TlsFiles> tlsFiles(Map<String, String> values) {
        String cert = values.getOrDefault(TLS_CERT_FILE, "");
        String key = values.getOrDefault(TLS_KEY_FILE, "");
        if (cert.isEmpty() && key.isEmpty()) {
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException(TLS_CERT_FILE + " and " + TLS_KEY_FILE + " go together: set both (PEM "
                    + "certificate chain and PEM private key) or neither");
        }
        return Optional.of(new TlsFiles(path(TLS_CERT_FILE, cert), path(TLS_KEY_FILE, key)));
    }

    private static Path path(String variable, String value) {
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(variable + " is not a valid path");
        }
    }

    private static Optional<String> relayExposedAddress(String value, boolean tls) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (tls && value.startsWith("rel://")) {
            throw new IllegalArgumentException(RELAY_EXPOSED_ADDRESS + " must be a rels:// URL when " + TLS_CERT_FILE
                    + " is set (the relay then speaks TLS only), got '" + SettingValues.printable(value) + "'");
        }
        if (!value.startsWith("rel://") && !value.startsWith("rels://")) {
            throw new IllegalArgumentException(RELAY_EXPOSED_ADDRESS + " must start with rel:// or rels://, got '"
                    + SettingValues.printable(value) + "'");
        }
        return Optional.of(value);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
