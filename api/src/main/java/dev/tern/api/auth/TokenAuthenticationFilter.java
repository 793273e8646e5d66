package dev.tern.api.auth;

import dev.tern.api.outage.DatabaseAvailability;
import dev.tern.api.outage.DatabaseFailures;
import dev.tern.api.outage.DatabaseOutageResponse;
import dev.tern.api.web.ErrorResponse;
import dev.tern.events.values.Secrets;
import dev.tern.query.users.TokenAuthenticationReads;
import dev.tern.query.users.TokenPrincipal;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every request except the bootstrap endpoints and the actuator by its
 * {@code Authorization: Token nbp_...} header; {@code Bearer nbp_...} is the same personal access token (NetBird
 * takes it so, and tools send it). Failures of any kind answer 401 in NetBird's error shape before
 * the request reaches a controller; the token itself is never logged, only looked up by its SHA-256 hash.
 */
@Component
@Order(TokenAuthenticationFilter.ORDER)
public class TokenAuthenticationFilter extends OncePerRequestFilter {
    /** After the request-id filter (so 401s carry an id) and before the body filter (no body read for strangers). */
    public static final int ORDER = -90;

    private static final Logger log = LoggerFactory.getLogger(TokenAuthenticationFilter.class);

    private final TokenAuthenticationReads tokens;
    private final Clock clock;
    private final TokenUsageRecorder usage;
    private final DatabaseAvailability databaseAvailability;

    @Autowired
    TokenAuthenticationFilter(TokenAuthenticationReads tokens, TokenUsageRecorder usage,
                              DatabaseAvailability databaseAvailability) {
        this(tokens, Clock.systemUTC(), usage, databaseAvailability);
    }

    TokenAuthenticationFilter(TokenAuthenticationReads tokens, Clock clock, TokenUsageRecorder usage,
                              DatabaseAvailability databaseAvailability) {
        this.tokens = tokens;
        this.clock = clock;
        this.usage = usage;
        this.databaseAvailability = databaseAvailability;
    }

    /**
     * Fails closed: every path is authenticated except the bootstrap endpoints (nobody has a token before setup)
     * and the actuator, which {@link ActuatorAccessFilter} guards, and the OpenAPI document (public like NetBird's).
     * The exceptions are exact canonical paths; the canonical-path filter has already refused every other spelling
     * of them.
     */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/api/setup") || path.equals("/api/instance") || ActuatorAccessFilter.isActuator(path)
                || path.equals("/api/openapi.yml");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller;
        try {
            Result result = authenticate(request.getHeader("Authorization"));
            if (result.failure != null) {
                ErrorResponse.write(response, 401, result.failure);
                return;
            }
            caller = result.caller;
        } catch (RuntimeException e) {
            if (DatabaseFailures.isUnavailable(e)) {
                // The token may well be valid: say "retry", never "unauthenticated" or "broken".
                databaseAvailability.report(e);
                DatabaseOutageResponse.write(response);
                return;
            }
            log.error("authentication look-up failed", e);
            ErrorResponse.write(response, 500, "internal server error");
            return;
        }
        if (caller.tokenId() != null) {
            usage.used(caller.tokenId());
        }
        request.setAttribute(Caller.ATTRIBUTE, caller);
        chain.doFilter(request, response);
    }

    record Result(Caller caller, String failure) {
    }

    Result authenticate(String header) {
        if (header == null || header.isBlank()) {
            return new Result(null, "no valid authentication provided: send 'Authorization: Token nbp_...'");
        }
        String trimmed = header.trim();
        int space = trimmed.indexOf(' ');
        String scheme = space < 0 ? trimmed : trimmed.substring(0, space);
        String token = space < 0 ? "" : trimmed.substring(space + 1).trim();
        String lowerScheme = scheme.toLowerCase(Locale.ROOT);
        boolean bearerAccessToken = lowerScheme.equals("bearer") && token.startsWith(PersonalAccessTokens.PREFIX);
        if (space < 0 || !(lowerScheme.equals("token") || bearerAccessToken)) {
            // Other bearer tokens are JWTs from an identity provider (NetBird's SSO), which Tern does not accept yet.
            return new Result(null, "unsupported authorization scheme: send 'Authorization: Token nbp_...'");
        }
        if (!PersonalAccessTokens.isWellFormed(token)) {
            return new Result(null, "token is malformed");
        }
        Optional<TokenPrincipal> found = tokens.findTokenByHash(Secrets.sha256Hex(token));
        if (found.isEmpty()) {
            return new Result(null, "token is invalid");
        }
        TokenPrincipal p = found.get();
        Instant now = clock.instant();
        if (p.expiresAt() != null && !now.isBefore(p.expiresAt())) {
            return new Result(null, "token expired");
        }
        if (p.blocked()) {
            return new Result(null, "user is blocked");
        }
        return new Result(new Caller(p.accountId(), p.userId(), p.userName(), p.userEmail(), p.role(),
                p.serviceUser(), p.tokenId()), null);
    }
}
