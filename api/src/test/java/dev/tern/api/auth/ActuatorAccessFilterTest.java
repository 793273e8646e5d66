package dev.tern.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.outage.DatabaseAvailability;
import dev.tern.events.values.Secrets;
import dev.tern.events.values.UserRole;
import dev.tern.query.users.TokenAuthenticationReads;
import dev.tern.query.users.TokenPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class ActuatorAccessFilterTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final String METRICS_TOKEN = "metrics-0123456789abcdef";

    final Map<String, TokenPrincipal> tokensByHash = new HashMap<>();
    final TokenAuthenticationReads readModel = (TokenAuthenticationReads) Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[]{TokenAuthenticationReads.class}, (proxy, method, args) -> {
                if (method.getName().equals("findTokenByHash")) {
                    return Optional.ofNullable(tokensByHash.get((String) args[0]));
                }
                throw new UnsupportedOperationException(method.getName());
            });
    final TokenUsageRecorder usage = new TokenUsageRecorder((tokenId, at) -> { }, Clock.fixed(NOW, ZoneOffset.UTC),
            Runnable::run);
    final TokenAuthenticationFilter tokens = new TokenAuthenticationFilter(readModel, Clock.fixed(NOW, ZoneOffset.UTC),
            usage, new DatabaseAvailability(null, Clock.systemUTC()));

    String pat(UserRole role) {
        String token = PersonalAccessTokens.mint().plainToken();
        tokensByHash.put(Secrets.sha256Hex(token), new TokenPrincipal("tok-" + role, null, "acc1", "user1", "Ann",
                "ann@example.com", role, false, false));
        return token;
    }

    int status(ActuatorAccessFilter filter, String path, String authorization) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(request, response, chain);
        boolean passed = chain.getRequest() != null;
        assertThat(passed).as(path + " " + authorization + " -> " + response.getStatus())
                .isEqualTo(response.getStatus() == 200);
        if (!passed) {
            assertThat(response.getContentAsString()).contains("\"code\":" + response.getStatus());
        }
        return response.getStatus();
    }

    @Test
    void theMetricsTokenOpensPrometheus() throws Exception {
        ActuatorAccessFilter filter = new ActuatorAccessFilter(tokens, usage, Optional.of(METRICS_TOKEN));
        assertThat(status(filter, "/actuator/prometheus", "Bearer " + METRICS_TOKEN)).isEqualTo(200);
        assertThat(status(filter, "/actuator/prometheus", "bearer  " + METRICS_TOKEN + " ")).isEqualTo(200);
        assertThat(status(filter, "/actuator/prometheus", null)).isEqualTo(401);
        assertThat(status(filter, "/actuator/prometheus", "Bearer")).isEqualTo(401);
        assertThat(status(filter, "/actuator/prometheus", "Bearer " + METRICS_TOKEN + "x")).isEqualTo(401);
        assertThat(status(filter, "/actuator/prometheus", "Bearer metrics-0123456789abcdeF")).isEqualTo(401);
        assertThat(status(filter, "/actuator/prometheus", "Basic " + METRICS_TOKEN)).isEqualTo(401);
        assertThat(status(filter, "/actuator", "Bearer " + METRICS_TOKEN)).isEqualTo(200);
    }

    @Test
    void withoutAMetricsTokenNoBearerIsAccepted() throws Exception {
        ActuatorAccessFilter filter = new ActuatorAccessFilter(tokens, usage, Optional.empty());
        assertThat(status(filter, "/actuator/prometheus", "Bearer ")).isEqualTo(401);
        assertThat(status(filter, "/actuator/prometheus", "Bearer " + METRICS_TOKEN)).isEqualTo(401);
    }

    @Test
    void personalAccessTokensOfReadersOfEverythingOpenPrometheus() throws Exception {
        ActuatorAccessFilter filter = new ActuatorAccessFilter(tokens, usage, Optional.empty());
        assertThat(status(filter, "/actuator/prometheus", "Token " + pat(UserRole.OWNER))).isEqualTo(200);
        assertThat(status(filter, "/actuator/prometheus", "Token " + pat(UserRole.ADMIN))).isEqualTo(200);
        assertThat(status(filter, "/actuator/prometheus", "Token " + pat(UserRole.AUDITOR))).isEqualTo(200);
        assertThat(status(filter, "/actuator/prometheus", "Token " + pat(UserRole.USER))).isEqualTo(403);
        assertThat(status(filter, "/actuator/prometheus", "Token " + PersonalAccessTokens.mint().plainToken()))
                .isEqualTo(401);
    }

    @Test
    void onlyTheHealthProbesAreOpenAndOnlyOperatorsAreSeenAsSuch() throws Exception {
        ActuatorAccessFilter filter = new ActuatorAccessFilter(tokens, usage, Optional.of("metrics-token-0123456789"));
        for (String open : new String[]{"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            assertThat(status(filter, open, null)).as(open).isEqualTo(200);
            assertThat(status(filter, open, "Bearer wrong")).as(open + " wrong credentials").isEqualTo(200);
            assertThat(passedAsOperator(filter, open, null)).as(open).isFalse();
            assertThat(passedAsOperator(filter, open, "Bearer wrong")).as(open).isFalse();
            assertThat(passedAsOperator(filter, open, "Token " + pat(UserRole.USER))).as(open).isFalse();
            assertThat(passedAsOperator(filter, open, "Bearer metrics-token-0123456789")).as(open).isTrue();
            assertThat(passedAsOperator(filter, open, "Token " + pat(UserRole.AUDITOR))).as(open).isTrue();
        }
        assertThat(filter.shouldNotFilter(new MockHttpServletRequest("GET", "/api/peers"))).isTrue();
        for (String guarded : new String[]{"/actuator", "/actuator/", "/actuator/prometheus", "/actuator/health/db",
                "/actuator/healthx", "/actuator/metrics"}) {
            assertThat(status(filter, guarded, null)).as(guarded).isEqualTo(401);
        }
    }

    private static boolean passedAsOperator(ActuatorAccessFilter filter, String path, String authorization)
            throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(request, new MockHttpServletResponse(), chain);
        HttpServletRequest passed = (HttpServletRequest) chain.getRequest();
        assertThat(passed).as(path).isNotNull();
        return passed.getUserPrincipal() != null && passed.isUserInRole(ActuatorAccessFilter.OPERATOR_ROLE);
    }
}
