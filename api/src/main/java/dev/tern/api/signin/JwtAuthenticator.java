package dev.tern.api.signin;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tern.api.auth.Caller;
import dev.tern.api.idp.EmbeddedIssuer;
import dev.tern.events.meta.Actor;
import dev.tern.query.identity.IdentityProviderReads;
import dev.tern.query.identity.IdentityProviderView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * REST's {@code Authorization: Bearer <JWT>}: verifies a token from the embedded OpenID Provider (an optional
 * {@link EmbeddedIssuer} bean) or a configured external provider, then signs its user in ({@link JwtSignIn}).
 *
 * <p>Verified, in this order, each failure a 401 with its reason: the token parses as a signed JWT (no {@code alg:
 * none}, no encrypted tokens); its algorithm is an asymmetric one (so a provider's public key can never serve as an
 * HMAC secret); its {@code iss} is a trusted issuer; the key its {@code kid} names is among the issuer's keys and of
 * the algorithm's type; the signature; {@code aud} holds Tern's audience for that issuer (the embedded IdP's, or the
 * provider's client id); {@code exp} is present and not past, {@code nbf} and {@code iat} not ahead, each with
 * {@link #CLOCK_SKEW}; {@code sub} is present.
 *
 * <p>A token that signs its user in is audited as a sign-in the first time it is used (REST Bearer or a device's
 * gRPC Login), not on every request: NetBird's {@code dashboard.login}.
 */
@Component
public class JwtAuthenticator {
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** Far above any real access token; bounds the parsing work a stranger can ask for. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;
    static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);

    private final ObjectProvider<EmbeddedIssuer> embedded;
    private final IdentityProviderReads providers;
    private final IssuerKeys issuerKeys;
    private final JwtSignIn signIn;
    private final Clock clock;
    /** Tokens whose sign-in is audited already; remembered until they expire. */
    private final UsedTokens audited;

    /** What became of a token: a caller, or a status (401, 403) with the reason. */
    public record Outcome(Caller caller, int status, String failure) {
        static Outcome refused(int status, String failure) {
            return new Outcome(null, status, failure);
        }

        static Outcome unauthorized(String failure) {
            return refused(401, failure);
        }
    }

    /** Who vouches for a token: the issuer, the audience Tern expects of it, and the provider (null: embedded). */
    record Trusted(String issuer, String audience, IdentityProviderView provider) {
    }

    @Autowired
    JwtAuthenticator(ObjectProvider<EmbeddedIssuer> embedded, IdentityProviderReads providers, IssuerKeys issuerKeys,
                     JwtSignIn signIn) {
        this(embedded, providers, issuerKeys, signIn, Clock.systemUTC());
    }

    JwtAuthenticator(ObjectProvider<EmbeddedIssuer> embedded, IdentityProviderReads providers, IssuerKeys issuerKeys,
                     JwtSignIn signIn, Clock clock) {
        this.embedded = embedded;
        this.providers = providers;
        this.issuerKeys = issuerKeys;
        this.signIn = signIn;
        this.clock = clock;
        this.audited = new UsedTokens(UsedTokens.CAPACITY, clock);
    }

    public Outcome authenticate(String token, String sourceAddress) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Outcome.unauthorized("token is malformed: longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        } catch (ParseException e) {
            return Outcome.unauthorized("token is malformed: neither a personal access token (nbp_...) nor a JWT");
        }
        if (parsed instanceof PlainJWT) {
            return Outcome.unauthorized("token is unsigned (alg none): refused");
        }
        if (parsed instanceof EncryptedJWT || !(parsed instanceof SignedJWT jws)) {
            return Outcome.unauthorized("token is encrypted: only signed JWTs are accepted");
        }
        JWSAlgorithm alg = jws.getHeader().getAlgorithm();
        if (!ACCEPTED.contains(alg)) {
            return Outcome.unauthorized("token algorithm " + alg + " is not accepted (RS, PS and ES signatures only)");
        }
        JWTClaimsSet claims;
        try {
            claims = jws.getJWTClaimsSet();
        } catch (ParseException e) {
            return Outcome.unauthorized("token is malformed: its claims are not a JSON object");
        }
        String issuer = claims.getIssuer();
        if (issuer == null || issuer.isBlank()) {
            return Outcome.unauthorized("token has no issuer (iss)");
        }
        List<String> audience = claims.getAudience();
        Optional<Trusted> trusted = trusted(issuer, audience);
        if (trusted.isEmpty()) {
            return Outcome.unauthorized("token issuer is not the embedded identity provider nor a configured one");
        }
        Trusted by = trusted.get();
        String kid = jws.getHeader().getKeyID();
        JWK key;
        try {
            key = by.provider() == null ? IssuerKeys.find(embedded.getObject().publicKeys(), kid)
                    : issuerKeys.key(by.issuer(), kid);
        } catch (OidcDiscovery.DiscoveryException e) {
            return Outcome.unauthorized("the token issuer's keys cannot be fetched: " + e.getMessage());
        }
        if (key == null) {
            return Outcome.unauthorized("token is signed with a key its issuer does not have (unknown kid)");
        }
        if (!verified(jws, alg, key)) {
            return Outcome.unauthorized("token signature is invalid");
        }
        if (audience == null || !audience.contains(by.audience())) {
            return Outcome.unauthorized("token audience is not Tern's (" + by.audience() + ")");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return Outcome.unauthorized("token has no expiry (exp)");
        }
        if (now.isAfter(exp.toInstant().plus(CLOCK_SKEW))) {
            return Outcome.unauthorized("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        Date iat = claims.getIssueTime();
        if ((nbf != null && now.plus(CLOCK_SKEW).isBefore(nbf.toInstant()))
                || (iat != null && now.plus(CLOCK_SKEW).isBefore(iat.toInstant()))) {
            return Outcome.unauthorized("token is not valid yet (nbf or iat ahead of the server's clock)");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank() || subject.length() > 255) {
            return Outcome.unauthorized("token has no usable subject (sub)");
        }
        Outcome outcome;
        if (by.provider() == null) {
            outcome = signIn.embeddedUser(subject, claims, sourceAddress);
        } else {
            IdentityProviderView provider = by.provider();
            outcome = signIn.externalUser(provider.accountId(), userIdOf(provider.id(), subject), claims,
                    new Actor(Actor.Type.SYSTEM, provider.id(), provider.name(), ""), sourceAddress);
        }
        if (outcome.caller() != null && audited.firstUse(token, exp.toInstant())) {
            signIn.recordSignIn(outcome.caller(), sourceAddress);
        }
        return outcome;
    }

    /**
     * The issuer Tern trusts for this token: the embedded IdP, or a configured provider of that issuer whose client
     * id the token is for (several accounts may configure one issuer; the audience tells them apart).
     */
    private Optional<Trusted> trusted(String issuer, List<String> audience) {
        EmbeddedIssuer own = embedded.getIfAvailable();
        if (own != null && own.issuer().equals(issuer)) {
            return Optional.of(new Trusted(issuer, own.audience(), null));
        }
        List<IdentityProviderView> configured = providers.byIssuer(issuer);
        return configured.stream().filter(p -> audience != null && audience.contains(p.clientId())).findFirst()
                .or(() -> configured.stream().findFirst())
                .map(p -> new Trusted(issuer, p.clientId(), p));
    }

    private static boolean verified(SignedJWT jws, JWSAlgorithm alg, JWK key) {
        try {
            JWSVerifier verifier;
            if (JWSAlgorithm.Family.RSA.contains(alg) && key instanceof RSAKey rsa) {
                verifier = new RSASSAVerifier(rsa);
            } else if (JWSAlgorithm.Family.EC.contains(alg) && key instanceof ECKey ec) {
                verifier = new ECDSAVerifier(ec);
            } else {
                return false; // the key is of another type than the algorithm: never reinterpret it
            }
            return jws.verify(verifier);
        } catch (JOSEException | IllegalStateException e) {
            return false;
        }
    }

    /**
     * A provider's user as a Tern user id: the same for every token of that subject from that provider, distinct
     * across providers, in the 20-character shape of Tern's ids.
     */
    static String userIdOf(String providerId, String subject) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((providerId + "\n" + subject).getBytes(StandardCharsets.UTF_8));
            StringBuilder out = new StringBuilder("u");
            String alphabet = "0123456789abcdefghijklmnopqrstuv";
            for (int i = 0; i < 19; i++) {
                out.append(alphabet.charAt(digest[i] & 31));
            }
            return out.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
