package dev.tern.api.config;

import dev.tern.signal.DataPathSettings;
import dev.tern.signal.DataPathSettings.TlsFiles;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where tern-server's listeners get their certificate: a PEM pair ({@code TERN_TLS_CERT_FILE},
 * {@code TERN_TLS_KEY_FILE}, re-read when the files change), an ACME CA ({@code TERN_ACME_DOMAIN} and friends), or
 * nowhere (plaintext, for localhost development).
 *
 * @param pem  a configured certificate chain and private key
 * @param acme a certificate obtained and renewed from an ACME CA with the HTTP-01 challenge
 */
public record TlsSettings(Optional<TlsFiles> pem, Optional<Acme> acme) {
    public static final String CERT_FILE = DataPathSettings.TLS_CERT_FILE;
    public static final String KEY_FILE = DataPathSettings.TLS_KEY_FILE;
    public static final String ACME_DIRECTORY = "TERN_ACME_DIRECTORY";
    public static final String ACME_DOMAIN = "TERN_ACME_DOMAIN";
    public static final String ACME_EMAIL = "TERN_ACME_EMAIL";
    public static final String ACME_HTTP_PORT = "TERN_ACME_HTTP_PORT";
    public static final String ACME_CA_FILE = "TERN_ACME_CA_FILE";
    /** Let's Encrypt's production directory: what "give me a certificate for this name" means to most operators. */
    public static final URI DEFAULT_ACME_DIRECTORY = URI.create("https://acme-v02.api.letsencrypt.org/directory");
    /** HTTP-01 validation always connects to port 80 of the domain; anything else needs a port forward. */
    public static final int DEFAULT_ACME_HTTP_PORT = 80;

    private static final Pattern EMAIL = Pattern.compile("[^\\s@]{1,64}@[^\\s@]{1,255}");

    /**
     * @param directory ACME directory URL ({@code https://...}) or an acme4j provider URI ({@code acme://...})
     * @param domain    the one DNS name the certificate is for; peers must reach tern-server by this name
     * @param email     contact for the CA's expiry notices, if any
     * @param httpPort  where tern-server answers HTTP-01 challenges (the CA connects to port 80 of the domain)
     * @param caFile    PEM CA certificate(s) the directory's HTTPS certificate must chain to, for a private ACME CA;
     *                  empty = the JVM's trust store
     */
    public record Acme(URI directory, String domain, Optional<String> email, int httpPort, Optional<Path> caFile) {
    }

    public static TlsSettings disabled() {
        return new TlsSettings(Optional.empty(), Optional.empty());
    }

    /** Whether every listener serves TLS. */
    public boolean enabled() {
        return pem.isPresent() || acme.isPresent();
    }

    /**
     * @param values the set TERN_* values, trimmed; {@code port} parses a port with TernSettings' rules
     * @param pem    the PEM pair as the data-path section parsed it (it serves signal and relay too)
     */
    static TlsSettings from(Map<String, String> values, Optional<TlsFiles> pem,
                            java.util.function.ToIntBiFunction<String, Integer> port) {
        String domain = values.getOrDefault(ACME_DOMAIN, "");
        Optional<Acme> acme = Optional.empty();
        if (domain.isEmpty()) {
            for (String acmeOnly : new String[] {ACME_DIRECTORY, ACME_EMAIL, ACME_HTTP_PORT, ACME_CA_FILE}) {
                if (!values.getOrDefault(acmeOnly, "").isEmpty()) {
                    throw new InvalidSettingException(acmeOnly + " is set but " + ACME_DOMAIN
                            + " is not (ACME needs the domain to request a certificate for)");
                }
            }
        } else {
            if (pem.isPresent()) {
                throw new InvalidSettingException(ACME_DOMAIN + " and " + CERT_FILE + " exclude each other: "
                        + "either tern-server gets its certificate from ACME or it serves the configured files");
            }
            URI directory = directory(values.get(ACME_DIRECTORY));
            String caFile = values.getOrDefault(ACME_CA_FILE, "");
            if (!caFile.isEmpty() && !"https".equals(directory.getScheme())) {
                throw new InvalidSettingException(ACME_CA_FILE + " applies to an https:// " + ACME_DIRECTORY
                        + " only; an acme:// provider brings its own trust");
            }
            acme = Optional.of(new Acme(directory, domain(domain), email(values.get(ACME_EMAIL)),
                    port.applyAsInt(ACME_HTTP_PORT, DEFAULT_ACME_HTTP_PORT),
                    caFile.isEmpty() ? Optional.empty() : Optional.of(path(ACME_CA_FILE, caFile))));
        }
        return new TlsSettings(pem, acme);
    }

    private static Path path(String variable, String value) {
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InvalidSettingException(variable + " is not a valid path");
        }
    }

    private static URI directory(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_ACME_DIRECTORY;
        }
        String reason = ACME_DIRECTORY + " must be the https:// URL of an ACME directory (or an acme:// provider "
                + "URI), got '" + printable(value) + "'";
        try {
            URI uri = new URI(value);
            if (!("https".equals(uri.getScheme()) || "acme".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getRawUserInfo() != null) {
                throw new InvalidSettingException(reason);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(reason);
        }
    }

    private static String domain(String value) {
        return DnsNames.parse(value, 1).orElseThrow(() -> new InvalidSettingException(ACME_DOMAIN
                + " must be a DNS name like vpn.example.com, got '" + printable(value) + "'"));
    }

    private static Optional<String> email(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (!EMAIL.matcher(value).matches()) {
            throw new InvalidSettingException(ACME_EMAIL + " must be an e-mail address, got '" + printable(value) + "'");
        }
        return Optional.of(value);
    }

    private static String printable(String value) {
        return dev.tern.signal.SettingValues.printable(value);
    }
}
