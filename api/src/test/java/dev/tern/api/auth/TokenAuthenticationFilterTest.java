package dev.tern.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.outage.DatabaseAvailability;
import dev.tern.events.values.Secrets;
import dev.tern.events.values.UserRole;
import dev.tern.query.users.TokenAuthenticationReads;
import dev.tern.query.users.TokenPrincipal;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class TokenAuthenticationFilterTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    final Map<String, TokenPrincipal> tokensByHash = new HashMap<>();
    volatile boolean databaseDown;
    final DatabaseAvailability availability = new DatabaseAvailability(null, Clock.systemUTC());
    final TokenAuthenticationReads readModel = (TokenAuthenticationReads) Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[]{TokenAuthenticationReads.class}, (proxy, method, args) -> {
                if (method.getName().equals("findTokenByHash")) {
                    if (databaseDown) {
                        throw new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
                                new SQLTransientConnectionException("tern - Connection is not available"));
                    }
                    return Optional.ofNullable(tokensByHash.get((String) args[0]));
                }
                throw new UnsupportedOperationException(method.getName());
            });
    /** Token ids in the order their uses reached the store. */
    final List<String> usesWritten = new ArrayList<>();
    final TokenAuthenticationFilter filter = new TokenAuthenticationFilter(readModel, Clock.fixed(NOW, ZoneOffset.UTC),
            new TokenUsageRecorder((tokenId, at) -> usesWritten.add(tokenId), Clock.fixed(NOW, ZoneOffset.UTC),
                    Runnable::run), availability);

    @Test
    void aValidTokenDuringADatabaseOutageGets503WithRetryAfterNeverA401Or500() throws Exception {
        String token = register(NOW.plusSeconds(60), false, UserRole.ADMIN);
        databaseDown = true;
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = call("/api/peers", "Token " + token, chain);
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("5");
        assertThat(response.getContentAsString()).contains("\"code\":503");
        assertThat(chain.getRequest()).as("request must not reach the controller").isNull();
    }

    String register(Instant expiresAt, boolean blocked, UserRole role) {
        String token = PersonalAccessTokens.mint().plainToken();
        tokensByHash.put(Secrets.sha256Hex(token), new TokenPrincipal("tok1", expiresAt, "acc1", "user1", "Ann",
                "ann@example.com", role, false, blocked));
        return token;
    }

    MockHttpServletResponse call(String path, String authorization, MockFilterChain chain) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain);
        return response;
    }

    void assertUnauthorized(String authorization, String messagePart) throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = call("/api/peers", authorization, chain);
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentAsString()).contains("\"code\":401").contains(messagePart);
        assertThat(chain.getRequest()).as("request must not reach the controller").isNull();
    }

    @Test
    void validTokenBecomesTheCaller() throws Exception {
        String token = register(NOW.plusSeconds(60), false, UserRole.AUDITOR);
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = call("/api/peers", "Token " + token, chain);
        assertThat(response.getStatus()).isEqualTo(200);
        Caller caller = (Caller) chain.getRequest().getAttribute(Caller.ATTRIBUTE);
        assertThat(caller).isEqualTo(new Caller("acc1", "user1", "Ann", "ann@example.com", UserRole.AUDITOR, false,
                "tok1"));
    }

    @Test
    void aSuccessfulAuthenticationRecordsTheTokensUseAndAFailureDoesNot() throws Exception {
        String token = register(NOW.plusSeconds(60), false, UserRole.ADMIN);
        assertUnauthorized("Token " + PersonalAccessTokens.mint().plainToken(), "invalid");
        assertUnauthorized("Token " + register(NOW, false, UserRole.OWNER), "expired");
        assertThat(usesWritten).isEmpty();

        assertThat(call("/api/peers", "Token " + token, new MockFilterChain()).getStatus()).isEqualTo(200);
        assertThat(usesWritten).containsExactly("tok1");
        // Within the same minute, further requests do not write again.
        assertThat(call("/api/groups", "Token " + token, new MockFilterChain()).getStatus()).isEqualTo(200);
        assertThat(usesWritten).containsExactly("tok1");
    }

    @Test
    void everyAuthenticationFailureIs401() throws Exception {
        assertUnauthorized(null, "Authorization: Token");
        assertUnauthorized("", "Authorization: Token");
        assertUnauthorized("Bearer eyJhbGciOi.x.y", "unsupported authorization scheme");
        assertUnauthorized("Token", "unsupported authorization scheme");
        assertUnauthorized("Token nbp_short", "malformed");
        String unknown = PersonalAccessTokens.mint().plainToken();
        assertUnauthorized("Token " + unknown, "invalid");
        assertUnauthorized("Token " + register(NOW, false, UserRole.OWNER), "expired");
        assertUnauthorized("Token " + register(NOW.plusSeconds(60), true, UserRole.OWNER), "blocked");
    }

    @Test
    void bearerPersonalAccessTokenIsTheSameTokenAndOtherBearersNeedSso() throws Exception {
        String token = register(NOW.plusSeconds(60), false, UserRole.AUDITOR);
        MockFilterChain chain = new MockFilterChain();
        assertThat(call("/api/peers", "Bearer " + token, chain).getStatus()).isEqualTo(200);
        assertThat(chain.getRequest().getAttribute(Caller.ATTRIBUTE)).isEqualTo(new Caller("acc1", "user1", "Ann",
                "ann@example.com", UserRole.AUDITOR, false, "tok1"));
        assertUnauthorized("Bearer " + PersonalAccessTokens.mint().plainToken(), "invalid");
        assertUnauthorized("Bearer " + register(NOW, false, UserRole.OWNER), "expired");
        assertUnauthorized("Bearer nbp_short", "malformed");
        assertUnauthorized("Bearer " + token.substring(PersonalAccessTokens.PREFIX.length()),
                "unsupported authorization scheme");
    }

    @Test
    void schemeIsCaseInsensitiveLikeNetBirds() throws Exception {
        String token = register(null, false, UserRole.USER);
        MockFilterChain chain = new MockFilterChain();
        assertThat(call("/api/users/current", "token " + token, chain).getStatus()).isEqualTo(200);
        assertThat(chain.getRequest()).isNotNull();
    }

    @Test
    void bootstrapAndNonApiPathsNeedNoToken() {
        assertThat(filter.shouldNotFilter(new MockHttpServletRequest("POST", "/api/setup"))).isTrue();
        assertThat(filter.shouldNotFilter(new MockHttpServletRequest("GET", "/api/instance"))).isTrue();
        assertThat(filter.shouldNotFilter(new MockHttpServletRequest("GET", "/actuator/health"))).isTrue();
        assertThat(filter.shouldNotFilter(new MockHttpServletRequest("GET", "/api/setup-keys"))).isFalse();
        assertThat(filter.shouldNotFilter(new MockHttpServletRequest("GET", "/api/users"))).isFalse();
    }

    @Test
    void everythingElseIsAuthenticatedWhateverItsSpelling() {
        // Fails closed: only the exact bootstrap paths and the actuator (guarded by its own filter) are exempt.
        for (String path : new String[]{"/API/users", "/Api/setup", "/api/setup/", "/api/setupx", "/api",
                "/api/instance/x", "/", "/anything", "/actuatorx/prometheus"}) {
            assertThat(filter.shouldNotFilter(new MockHttpServletRequest("GET", path))).as(path).isFalse();
        }
    }
}
