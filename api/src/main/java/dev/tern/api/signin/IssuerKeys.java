package dev.tern.api.signin;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The signing keys of the configured providers, cached per issuer. A token whose {@code kid} the cache does not know
 * (the provider rotated its keys) refetches discovery and the key set, but at most once per {@link #MIN_REFETCH} per
 * issuer: a stream of tokens with made-up kids cannot turn Tern into a load generator against the provider.
 */
@Component
public class IssuerKeys {
    static final Duration MIN_REFETCH = Duration.ofSeconds(30);
    /** Keys are refetched this long after the last fetch even when every kid is known (revoked keys drop out). */
    static final Duration MAX_AGE = Duration.ofHours(1);
    /** Issuers are configured by admins, so few; the bound only guards against an unbounded map. */
    static final int MAX_ISSUERS = 1024;

    private final OidcDiscovery discovery;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> byIssuer = new ConcurrentHashMap<>();

    private record Entry(JWKSet keys, Instant fetchedAt) {
    }

    @Autowired
    IssuerKeys(OidcDiscovery discovery) {
        this(discovery, Clock.systemUTC());
    }

    IssuerKeys(OidcDiscovery discovery, Clock clock) {
        this.discovery = discovery;
        this.clock = clock;
    }

    /**
     * The issuer's signing key named {@code kid} (with no kid: its only signing key), or null when it has none even
     * after the refetch the rate limit allows.
     */
    public JWK key(String issuer, String kid) throws OidcDiscovery.DiscoveryException {
        Entry entry = byIssuer.get(issuer);
        Instant now = clock.instant();
        if (entry != null && now.isBefore(entry.fetchedAt().plus(MAX_AGE))) {
            JWK found = find(entry.keys(), kid);
            if (found != null || now.isBefore(entry.fetchedAt().plus(MIN_REFETCH))) {
                return found;
            }
        }
        synchronized (this) {
            Entry current = byIssuer.get(issuer);
            if (current != entry && current != null) {
                return find(current.keys(), kid); // another request refetched meanwhile
            }
            OidcDiscovery.Document document = discovery.discover(issuer);
            JWKSet keys = discovery.keys(document.jwksUri());
            if (byIssuer.size() >= MAX_ISSUERS) {
                byIssuer.clear();
            }
            byIssuer.put(issuer, new Entry(keys, now));
            return find(keys, kid);
        }
    }

    /** Forgets an issuer's keys (its provider was changed or removed). */
    public void forget(String issuer) {
        byIssuer.remove(issuer);
    }

    static JWK find(JWKSet keys, String kid) {
        if (kid != null) {
            return keys.getKeyByKeyId(kid);
        }
        List<JWK> signing = keys.getKeys().stream()
                .filter(k -> k.getKeyUse() == null || "sig".equals(k.getKeyUse().identifier())).toList();
        return signing.size() == 1 ? signing.get(0) : null;
    }
}
