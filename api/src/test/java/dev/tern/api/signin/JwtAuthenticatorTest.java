package dev.tern.api.signin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tern.api.auth.Caller;
import dev.tern.api.idp.EmbeddedIssuer;
import dev.tern.events.values.UserRole;
import dev.tern.query.identity.IdentityProviderReads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/**
 * The verification rules on tokens of the embedded IdP (the optional {@link EmbeddedIssuer} bean), with a fixed
 * clock: the clock skew's edges, audience, algorithm and key type. Real providers' tokens: JwtSignInApiTest.
 */
class JwtAuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String ISSUER = "https://tern.example/oauth2";
    private static final String AUDIENCE = "tern-api";
    private static RSAKey signing;
    private static ECKey ecSigning;

    private final JwtSignIn signIn = mock(JwtSignIn.class);
    private final IdentityProviderReads providers = mock(IdentityProviderReads.class);
    private JwtAuthenticator authenticator;

    @BeforeAll
    static void keys() throws Exception {
        signing = new RSAKeyGenerator(2048).keyID("k1").generate();
        ecSigning = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
    }

    private JwtAuthenticator authenticator() {
        EmbeddedIssuer embedded = new EmbeddedIssuer() {
            @Override
            public String issuer() {
                return ISSUER;
            }

            @Override
            public String audience() {
                return AUDIENCE;
            }

            @Override
            public JWKSet publicKeys() {
                return new JWKSet(List.of(signing.toPublicJWK(), ecSigning.toPublicJWK()));
            }
        };
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("embeddedIssuer", embedded);
        when(signIn.embeddedUser(eq("u1"), any(), any())).thenReturn(new JwtAuthenticator.Outcome(
                new Caller("acc", "u1", "U", "u@example.com", UserRole.USER, false, null), 200, null));
        return new JwtAuthenticator(beans.getBeanProvider(EmbeddedIssuer.class), providers,
                mock(IssuerKeys.class), signIn, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("u1")
                .issueTime(Date.from(NOW.minusSeconds(60))).expirationTime(Date.from(NOW.plusSeconds(300)));
    }

    private static String rs256(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
        jwt.sign(new RSASSASigner(signing));
        return jwt.serialize();
    }

    @Test
    void aValidTokenOfTheEmbeddedIssuerSignsItsUserIn() throws Exception {
        JwtAuthenticator.Outcome outcome = authenticator().authenticate(rs256(claims().build()), "127.0.0.1");

        assertThat(outcome.caller().userId()).isEqualTo("u1");
    }

    @Test
    void aTokensSignInIsAuditedOnItsFirstUseOnly() throws Exception {
        JwtAuthenticator auth = authenticator();
        String token = rs256(claims().build());
        String another = rs256(claims().jwtID("another").build());

        auth.authenticate(token, "192.0.2.1");
        auth.authenticate(token, "192.0.2.1");
        auth.authenticate(token, "192.0.2.1");
        verify(signIn, times(1)).recordSignIn(any(), eq("192.0.2.1"));
        auth.authenticate(another, "192.0.2.1");
        verify(signIn, times(2)).recordSignIn(any(), eq("192.0.2.1"));
        // a refused token signs nobody in
        auth.authenticate(rs256(claims().audience("someone-else").build()), "192.0.2.1");
        verify(signIn, times(2)).recordSignIn(any(), any());
    }

    @Test
    void expiryAndNotBeforeAllowThirtySecondsOfClockSkewAndNoMore() throws Exception {
        JwtAuthenticator auth = authenticator();
        Duration skew = JwtAuthenticator.CLOCK_SKEW;

        assertThat(auth.authenticate(rs256(claims().expirationTime(Date.from(NOW.minus(skew))).build()), null)
                .caller()).isNotNull();
        assertThat(auth.authenticate(rs256(claims().expirationTime(Date.from(NOW.minus(skew).minusSeconds(1)))
                .build()), null).failure()).isEqualTo("token expired");
        assertThat(auth.authenticate(rs256(claims().notBeforeTime(Date.from(NOW.plus(skew))).build()), null)
                .caller()).isNotNull();
        assertThat(auth.authenticate(rs256(claims().notBeforeTime(Date.from(NOW.plus(skew).plusSeconds(1)))
                .build()), null).failure()).contains("not valid yet");
        assertThat(auth.authenticate(rs256(claims().expirationTime(null).build()), null).failure())
                .contains("no expiry");
    }

    @Test
    void wrongAudienceMissingSubjectAndAKeyOfAnotherTypeAre401s() throws Exception {
        JwtAuthenticator auth = authenticator();

        assertThat(auth.authenticate(rs256(claims().audience("someone-else").build()), null).failure())
                .contains("audience");
        assertThat(auth.authenticate(rs256(claims().subject(null).build()), null).failure()).contains("subject");
        // ES256 header naming the RSA key: never verified with a key of another type.
        SignedJWT confused = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(),
                claims().build());
        confused.sign(new ECDSASigner(ecSigning));
        assertThat(auth.authenticate(confused.serialize(), null).failure()).contains("signature is invalid");
        SignedJWT ec = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k2").build(), claims().build());
        ec.sign(new ECDSASigner(ecSigning));
        assertThat(auth.authenticate(ec.serialize(), null).caller()).isNotNull();
    }

    @Test
    void nothingIsSignedInWhenVerificationFails() throws Exception {
        JwtAuthenticator auth = authenticator();
        org.mockito.Mockito.reset(signIn);

        JwtAuthenticator.Outcome outcome = auth.authenticate(rs256(claims().audience("x").build()), null);

        assertThat(outcome.status()).isEqualTo(401);
        verifyNoInteractions(signIn);
    }
}
