package dev.tern.api.signin;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.tern.testsupport.time.SettableClock;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key cache: rotation is followed, but unknown kids refetch at most once per {@link IssuerKeys#MIN_REFETCH}. */
class IssuerKeysTest {
    private static final String ISSUER = "https://idp.example";

    /** A provider whose key set the test rotates, counting fetches. */
    static final class RotatingProvider extends OidcDiscovery {
        final List<RSAKey> keys = new ArrayList<>();
        int fetches;

        @Override
        public Document discover(String issuer) {
            return new Document(issuer, URI.create(issuer + "/jwks"));
        }

        @Override
        public JWKSet keys(URI jwksUri) {
            fetches++;
            return new JWKSet(List.copyOf(keys.stream().map(RSAKey::toPublicJWK).toList()));
        }
    }

    private final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T12:00:00Z"));
    @Test
    void unknownKidsRefetchAtMostOncePerIntervalAndARotatedKeyIsFoundAfterIt() throws Exception {
        RotatingProvider provider = new RotatingProvider();
        provider.keys.add(new RSAKeyGenerator(2048).keyID("k1").generate());
        IssuerKeys cache = new IssuerKeys(provider, clock);

        assertThat(cache.key(ISSUER, "k1")).isNotNull();
        assertThat(provider.fetches).isEqualTo(1);
        for (int i = 0; i < 50; i++) {
            assertThat(cache.key(ISSUER, "made-up-" + i)).isNull();
        }
        assertThat(provider.fetches).as("a flood of unknown kids within the interval").isEqualTo(1);

        provider.keys.add(new RSAKeyGenerator(2048).keyID("k2").generate());
        clock.advance(IssuerKeys.MIN_REFETCH);
        assertThat(cache.key(ISSUER, "k2")).as("the rotated-in key, after the interval").isNotNull();
        assertThat(provider.fetches).isEqualTo(2);
        assertThat(cache.key(ISSUER, "k1")).isNotNull();
        assertThat(provider.fetches).isEqualTo(2);
    }
}
