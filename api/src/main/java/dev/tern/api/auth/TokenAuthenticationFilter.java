package dev.tern.api.auth;

import dev.tern.api.outage.DatabaseAvailability;
import dev.tern.api.signin.JwtAuthenticator;
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
    /** Bearer JWTs (embedded or external identity providers); null: only personal access tokens. */
    private final JwtAuthenticator jwts;

    @Autowired
    TokenAuthenticationFilter(TokenAuthenticationReads tokens, TokenUsageRecorder usage,
                              DatabaseAvailability databaseAvailability, JwtAuthenticator jwts) {
        this(tokens, Clock.systemUTC(), usage, databaseAvailability, jwts);
    }

    TokenAuthenticationFilter(TokenAuthenticationReads tokens, Clock clock, TokenUsageRecorder usage,
                              DatabaseAvailability databaseAvailability) {
        this(tokens, clock, usage, databaseAvailability, null);
    }

    TokenAuthenticationFilter(TokenAuthenticationReads tokens, Clock clock, TokenUsageRecorder usage,
                              DatabaseAvailability databaseAvailability, JwtAuthenticator jwts) {
        this.tokens = tokens;
        this.clock = clock;
        this.usage = usage;
        this.databaseAvailability = databaseAvailability;
        this.jwts = jwts;
    }

    /**
     * Fails closed: every path is authenticated except the bootstrap endpoints (nobody has a token before setup),
     * the actuator, which {@link ActuatorAccessFilter} guards, the OpenID Provider under {@code /oauth2/}, which
     * Spring Security guards, and the OpenAPI document (public like NetBird's). The exceptions are exact canonical
     * paths; the canonical-path filter has already refused every other spelling of them.
     */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/api/setup") || path.equals("/api/instance") || ActuatorAccessFilter.isActuator(path)
                || path.startsWith("/oauth2/") // the embedded OpenID Provider's own filter chains (dev.tern.api.idp)
                || path.equals("/api/openapi.yml") || isInviteLink(request.getMethod(), path);
    }

    /**
     * The two invite calls a person makes before they have any credential, holding only the invite's token:
     * {@code GET /api/users/invites/nbi_...} and {@code POST /api/users/invites/nbi_.../accept}. Tokens start with
     * {@code nbi_}, which no invite id does, so the authenticated calls on an invite id stay authenticated.
     */
    static boolean isInviteLink(String method, String path) {
        String prefix = "/api/users/invites/" + dev.tern.api.idp.Invites.TOKEN_PREFIX;
        if (!path.startsWith(prefix)) {
            return false;
        }
        String rest = path.substring("/api/users/invites/".length());
        return ("GET".equals(method) && rest.indexOf('/') < 0)
                || ("POST".equals(method) && rest.endsWith("/accept") && rest.indexOf('/') == rest.length() - 7);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller;
        try {
            Result result = authenticate(request.getHeader("Authorization"), request.getRemoteAddr());
            if (result.failure != null) {
                ErrorResponse.write(response, result.status, result.failure);
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

    /** A caller, or why not: {@code status} 401 (who are you?) or 403 (a blocked or not allowed JWT user). */
    record Result(Caller caller, String failure, int status) {
        Result(Caller caller, String failure) {
            this(caller, failure, 401);
        }
    }

    Result authenticate(String header) {
        return authenticate(header, null);
    }

    Result authenticate(String header, String sourceAddress) {
        if (header == null || header.isBlank()) {
            return new Result(null, "no valid authentication provided: send 'Authorization: Token nbp_...'");
        }
        String trimmed = header.trim();
        int space = trimmed.indexOf(' ');
        String scheme = space < 0 ? trimmed : trimmed.substring(0, space);
        String token = space < 0 ? "" : trimmed.substring(space + 1).trim();
        String lowerScheme = scheme.toLowerCase(Locale.ROOT);
        boolean bearerAccessToken = lowerScheme.equals("bearer") && token.startsWith(PersonalAccessTokens.PREFIX);
        if (space > 0 && lowerScheme.equals("bearer") && !bearerAccessToken && jwts != null && !token.isEmpty()) {
            // Any other bearer token is a JWT from an identity provider (NetBird's SSO).
            JwtAuthenticator.Outcome outcome = jwts.authenticate(token, sourceAddress);
            return new Result(outcome.caller(), outcome.failure(), outcome.status());
        }
        if (space < 0 || !(lowerScheme.equals("token") || bearerAccessToken)) {
            return new Result(null, "unsupported authorization scheme: send 'Authorization: Token nbp_...'"
                    + (jwts == null ? "" : " or 'Authorization: Bearer <JWT>'"));
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
