package dev.tern.api.signin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Fetches what Tern needs of an OpenID Provider: its discovery document ({@code /.well-known/openid-configuration},
 * whose {@code issuer} must be the configured one) and its JSON Web Key Set. Bounded: a few seconds per request, at
 * most {@link #MAX_DOCUMENT_BYTES}, no redirects. Plain http only to a loopback address (development, tests).
 */
@Component
public class OidcDiscovery {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_DOCUMENT_BYTES = 256 * 1024;
    static final int MAX_URL_LENGTH = 2048;

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** What discovery says: the issuer (as configured) and where its keys are. */
    public record Document(String issuer, URI jwksUri) {
    }

    /** Why a provider cannot be used; the message is for the API's answer (names the URL, never a secret). */
    public static final class DiscoveryException extends Exception {
        DiscoveryException(String message) {
            super(message, null, false, false);
        }
    }

    /** The issuer URL as it must be written: absolute, https (or http on loopback), no query or fragment. */
    public static URI issuerUrl(String issuer) throws DiscoveryException {
        if (issuer == null || issuer.isBlank() || issuer.length() > MAX_URL_LENGTH) {
            throw new DiscoveryException("issuer must be an https URL of at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (URISyntaxException e) {
            throw new DiscoveryException("issuer is not a URL: " + e.getReason());
        }
        requireFetchable(uri, "issuer");
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new DiscoveryException("issuer must not have a query or fragment");
        }
        return uri;
    }

    public Document discover(String issuer) throws DiscoveryException {
        URI issuerUri = issuerUrl(issuer);
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        URI discovery = URI.create(base + "/.well-known/openid-configuration");
        JsonNode document = json(fetch(discovery, "discovery document"), discovery);
        String announced = document.path("issuer").asText("");
        if (!announced.equals(issuer)) {
            throw new DiscoveryException("the discovery document at " + discovery + " names issuer '"
                    + printable(announced) + "', not '" + issuer + "'");
        }
        String jwks = document.path("jwks_uri").asText("");
        if (jwks.isEmpty()) {
            throw new DiscoveryException("the discovery document at " + discovery + " has no jwks_uri");
        }
        URI jwksUri;
        try {
            jwksUri = new URI(jwks);
        } catch (URISyntaxException e) {
            throw new DiscoveryException("the discovery document at " + discovery + " has an invalid jwks_uri");
        }
        requireFetchable(jwksUri, "jwks_uri");
        return new Document(issuerUri.toString(), jwksUri);
    }

    public JWKSet keys(URI jwksUri) throws DiscoveryException {
        try {
            return JWKSet.parse(new String(fetch(jwksUri, "key set"), java.nio.charset.StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new DiscoveryException("the key set at " + jwksUri + " is not a JSON Web Key Set");
        }
    }

    private byte[] fetch(URI uri, String what) throws DiscoveryException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json")
                .GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new DiscoveryException("the " + what + " at " + uri + " cannot be fetched: HTTP "
                            + response.statusCode());
                }
                byte[] bytes = body.readNBytes(MAX_DOCUMENT_BYTES + 1);
                if (bytes.length > MAX_DOCUMENT_BYTES) {
                    throw new DiscoveryException("the " + what + " at " + uri + " is larger than "
                            + MAX_DOCUMENT_BYTES + " bytes");
                }
                return bytes;
            }
        } catch (HttpTimeoutException e) {
            throw new DiscoveryException("the " + what + " at " + uri + " cannot be fetched: no answer within "
                    + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new DiscoveryException("the " + what + " at " + uri + " cannot be fetched: "
                    + printable(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DiscoveryException("interrupted while fetching the " + what + " at " + uri);
        }
    }

    private JsonNode json(byte[] body, URI uri) throws DiscoveryException {
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || !node.isObject()) {
                throw new DiscoveryException("the discovery document at " + uri + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new DiscoveryException("the discovery document at " + uri + " is not JSON");
        }
    }

    private static void requireFetchable(URI uri, String what) throws DiscoveryException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new DiscoveryException(what + " must be an absolute https URL");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new DiscoveryException(what + " must use https (plain http only on a loopback address)");
        }
    }

    private static boolean isLoopback(String host) {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!bare.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name: never resolved here for this check
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static String printable(String text) {
        String cleaned = text.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() > 200 ? cleaned.substring(0, 200) + "..." : cleaned;
    }
}
