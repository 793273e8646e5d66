package dev.tern.api.auth;

import dev.tern.api.config.TernSettings;
import dev.tern.api.web.ErrorResponse;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the actuator. The health probes ({@link #OPEN_PATHS}) stay open for load balancers and answer only
 * {@code {"status": ...}}; everything else ({@code /actuator/prometheus}, the endpoint index) needs either
 * {@code Authorization: Bearer <TERN_METRICS_TOKEN>} (compared in constant time) or
 * {@code Authorization: Token nbp_...} (or {@code Bearer nbp_...}), a personal access token of a user who may read the
 * whole account
 * (owner, admin, auditor). No credentials or wrong ones: 401; a token of a plain user: 403. The same credentials on a
 * health probe show its components (which one is down) but never their details.
 */
@Component
@Order(ActuatorAccessFilter.ORDER)
public class ActuatorAccessFilter extends OncePerRequestFilter {
    /** After the canonical-path filter (so the prefix check below sees the routed path), before the body filter. */
    static final int ORDER = -88;
    static final String PREFIX = "/actuator";
    /** What a load balancer needs; with show-details=never none of them says more than UP or DOWN. */
    static final Set<String> OPEN_PATHS = Set.of("/actuator/health", "/actuator/health/liveness",
            "/actuator/health/readiness");

    /** The role {@code management.endpoint.health.roles} names: callers with metrics credentials. */
    static final String OPERATOR_ROLE = "OPERATOR";

    private static final Logger log = LoggerFactory.getLogger(ActuatorAccessFilter.class);

    private final TokenAuthenticationFilter tokens;
    private final TokenUsageRecorder usage;
    /** SHA-256 of the metrics token, so that comparing takes the same time whatever its length. */
    private final Optional<byte[]> metricsTokenHash;

    @Autowired
    ActuatorAccessFilter(TokenAuthenticationFilter tokens, TokenUsageRecorder usage, Environment environment) {
        this(tokens, usage, TernSettings.metricsToken(System.getenv(), environment::getProperty)
                .map(TernSettings.MetricsToken::value));
    }

    ActuatorAccessFilter(TokenAuthenticationFilter tokens, TokenUsageRecorder usage, Optional<String> metricsToken) {
        this.tokens = tokens;
        this.usage = usage;
        this.metricsTokenHash = metricsToken.map(ActuatorAccessFilter::sha256);
    }

    static boolean isActuator(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isActuator(path(request));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (OPEN_PATHS.contains(path(request))) {
            // Open to anyone; an operator's credentials also show which component is down (show-components
            // when-authorized). Wrong credentials, or none, get the anonymous answer, never a refusal.
            boolean operator = request.getHeader("Authorization") != null && check(request, false) == null;
            chain.doFilter(operator ? asOperator(request) : request, response);
            return;
        }
        Refusal refusal = check(request, true);
        if (refusal == null) {
            chain.doFilter(asOperator(request), response);
        } else if (refusal.status() == 401) {
            unauthorized(response, refusal.message());
        } else {
            ErrorResponse.write(response, refusal.status(), refusal.message());
        }
    }

    private record Refusal(int status, String message) {
    }

    /** Null when the request carries the metrics token or a PAT of a user who reads everything. */
    private Refusal check(HttpServletRequest request, boolean countUse) {
        String header = request.getHeader("Authorization");
        String trimmed = header == null ? "" : header.trim();
        int space = trimmed.indexOf(' ');
        String scheme = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
        String credentials = space < 0 ? "" : trimmed.substring(space + 1).trim();
        boolean metricsToken = metricsTokenHash.isPresent()
                && MessageDigest.isEqual(metricsTokenHash.get(), sha256(credentials));
        boolean bearerAccessToken = credentials.startsWith(PersonalAccessTokens.PREFIX);
        if (scheme.equals("bearer") && (metricsToken || !bearerAccessToken)) {
            return metricsToken ? null : new Refusal(401, "invalid metrics token");
        }
        if (!scheme.equals("token") && !scheme.equals("bearer")) {
            return new Refusal(401, "metrics need 'Authorization: Bearer <TERN_METRICS_TOKEN>' or "
                    + "'Authorization: Token nbp_...' of an owner, admin or auditor");
        }
        TokenAuthenticationFilter.Result result;
        try {
            result = tokens.authenticate(header);
        } catch (RuntimeException e) {
            log.error("authentication look-up failed", e);
            return new Refusal(500, "internal server error");
        }
        if (result.failure() != null) {
            return new Refusal(401, result.failure());
        }
        if (!result.caller().readsEverything()) {
            return new Refusal(403, "the " + result.caller().role().wireName() + " role may not read metrics");
        }
        if (countUse && result.caller().tokenId() != null) {
            usage.used(result.caller().tokenId());
        }
        return null;
    }

    /** The request as the actuator's {@code when-authorized} rules see an operator: a principal in OPERATOR_ROLE. */
    private static HttpServletRequest asOperator(HttpServletRequest request) {
        Principal operator = () -> "operator";
        return new HttpServletRequestWrapper(request) {
            @Override
            public Principal getUserPrincipal() {
                return operator;
            }

            @Override
            public boolean isUserInRole(String role) {
                return OPERATOR_ROLE.equals(role);
            }
        };
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    private static void unauthorized(HttpServletResponse response, String message) throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"tern\"");
        ErrorResponse.write(response, 401, message);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
