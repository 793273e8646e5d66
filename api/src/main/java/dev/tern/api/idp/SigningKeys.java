package dev.tern.api.idp;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The provider's RSA signing keys in the {@code idp_signing_key} table (Flyway V130), stored like the management
 * server's key: in the database, so that restarts and every node sharing it sign with and publish the same keys.
 * The newest key signs until it is older than the rotation period; then the next call makes a new one. A key that no
 * longer signs stays published for as long as a token it signed can live, then it is deleted. Private keys leave this
 * class only inside the {@link RSAKey} handed to the token encoder, whose {@code toString()} shows no private part.
 */
final class SigningKeys {
    private static final int RSA_BITS = 2048;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration rotation;
    /** The longest lifetime of a token signed by these keys: a retired key is published this long after retiring. */
    private final Duration longestTokenLifetime;

    SigningKeys(JdbcTemplate jdbc, Clock clock, Duration rotation, Duration longestTokenLifetime) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.rotation = rotation;
        this.longestTokenLifetime = longestTokenLifetime;
    }

    private record StoredKey(String kid, byte[] privateKey, byte[] publicKey, Instant createdAt) {
    }

    /** The key that signs now: the newest one, or a new one once the newest is older than the rotation period. */
    synchronized RSAKey current() {
        Instant now = clock.instant();
        List<StoredKey> keys = stored();
        if (!keys.isEmpty() && keys.get(0).createdAt().plus(rotation).isAfter(now)) {
            return toJwk(keys.get(0), true);
        }
        StoredKey fresh = generate(now);
        // Two nodes may rotate at the same moment: both keys are then published and either signs; harmless.
        jdbc.update("INSERT INTO idp_signing_key (kid, private_key, public_key, created_at) VALUES (?, ?, ?, ?)",
                fresh.kid(), fresh.privateKey(), fresh.publicKey(), Timestamp.from(fresh.createdAt()));
        forgetRetired(now);
        return toJwk(fresh, true);
    }

    /**
     * The public keys a verifier needs: the signing key and every retired key whose tokens may still be alive (a
     * key retired when its successor was created, so it is kept until that instant plus the longest token lifetime).
     */
    JWKSet published() {
        current(); // a fresh installation publishes the key it is about to sign with
        Instant now = clock.instant();
        List<StoredKey> keys = stored();
        List<com.nimbusds.jose.jwk.JWK> visible = new java.util.ArrayList<>();
        Instant successorCreated = null;
        for (StoredKey key : keys) {
            if (successorCreated == null || successorCreated.plus(longestTokenLifetime).isAfter(now)) {
                visible.add(toJwk(key, false));
            }
            successorCreated = key.createdAt();
        }
        return new JWKSet(visible);
    }

    /** Deletes keys retired longer ago than a token lives; the newest is never deleted. */
    private void forgetRetired(Instant now) {
        List<StoredKey> keys = stored();
        for (int i = 1; i < keys.size(); i++) {
            Instant retired = keys.get(i - 1).createdAt();
            if (!retired.plus(longestTokenLifetime).isAfter(now)) {
                jdbc.update("DELETE FROM idp_signing_key WHERE kid = ?", keys.get(i).kid());
            }
        }
    }

    /** Newest first. */
    private List<StoredKey> stored() {
        return jdbc.query("SELECT kid, private_key, public_key, created_at FROM idp_signing_key "
                        + "ORDER BY created_at DESC, kid DESC",
                (rs, i) -> new StoredKey(rs.getString(1), rs.getBytes(2), rs.getBytes(3),
                        rs.getTimestamp(4).toInstant()));
    }

    private static StoredKey generate(Instant now) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(RSA_BITS);
            KeyPair pair = generator.generateKeyPair();
            return new StoredKey(UUID.randomUUID().toString(), pair.getPrivate().getEncoded(),
                    pair.getPublic().getEncoded(), now);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM can make RSA keys", e);
        }
    }

    private static RSAKey toJwk(StoredKey key, boolean withPrivate) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            RSAPublicKey publicKey = (RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(key.publicKey()));
            RSAKey.Builder builder = new RSAKey.Builder(publicKey).keyID(key.kid()).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256);
            if (withPrivate) {
                builder.privateKey((RSAPrivateKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(key.privateKey())));
            }
            return builder.build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("stored signing key " + key.kid() + " cannot be read", e);
        }
    }
}
