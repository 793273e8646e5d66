package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.history.PointInTime;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code ?as_of=<RFC 3339 instant>} on the GETs of an account's resources: the same controller answers, run against
 * the state of the account at that instant (its events folded in memory, {@link PointInTime#readFolded}), so an
 * as-of answer has exactly the live answer's shape, roles and 404s. A value that is not RFC 3339, lies in the future
 * or before the account existed is a 400 in NetBird's shape, and so is {@code as_of} on a GET of anything without a
 * past (the audit trail, invitations, identity providers); while too many as-of reads run, a 503 with Retry-After.
 * Other requests, and GETs without {@code as_of}, pass as they always did.
 */
@Component
@Order(AsOfFilter.ORDER)
class AsOfFilter extends OncePerRequestFilter {
    /** After authentication (the caller names the account) and the body and path guards. */
    static final int ORDER = -70;
    static final String PARAMETER = "as_of";

    /** The resources that have a past: everything an account holds, but not its audit trail or the history view. */
    private static final Pattern POINT_IN_TIME_PATHS =
            Pattern.compile("/api/(accounts|peers|groups|policies|setup-keys|users|routes|networks|dns)(/.*)?");
    /** Among them what has no history: invitations live outside the event log until accepted. */
    private static final Pattern WITHOUT_HISTORY = Pattern.compile("/api/users/invites(/.*)?");

    private final PointInTime pointInTime;

    AsOfFilter(PointInTime pointInTime) {
        this.pointInTime = pointInTime;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String asOf = request.getParameter(PARAMETER);
        Caller caller = (Caller) request.getAttribute(Caller.ATTRIBUTE);
        if (asOf == null || caller == null || !"GET".equals(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        String path = request.getRequestURI();
        if (!POINT_IN_TIME_PATHS.matcher(path).matches() || WITHOUT_HISTORY.matcher(path).matches()) {
            // answering today's state to a question about the past would mislead: said, not ignored
            ErrorResponse.write(response, 400, "query parameter 'as_of' is not supported on " + path
                    + ": only an account's peers, groups, policies, setup keys, users and their tokens, routes,"
                    + " networks, DNS and the account itself have a past to read");
            return;
        }
        try {
            Instant at = PointInTime.parse(asOf, Instant.now());
            Supplier<Void> answer = () -> {
                try {
                    chain.doFilter(request, response);
                    return null;
                } catch (IOException | ServletException e) {
                    throw new ChainFailure(e);
                }
            };
            if (pointInTime.readTablesAlways()) {
                pointInTime.read(caller.accountId(), at, answer);
            } else {
                pointInTime.readFolded(caller.accountId(), at, answer);
            }
        } catch (PointInTime.BadInstant e) {
            ErrorResponse.write(response, 400, e.getMessage());
        } catch (PointInTime.Busy e) {
            response.setHeader("Retry-After", "1");
            ErrorResponse.write(response, 503, e.getMessage());
        } catch (ChainFailure e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (ServletException) e.getCause();
        }
    }

    /** Carries the chain's checked exceptions through the read's callback. */
    private static final class ChainFailure extends RuntimeException {
        ChainFailure(Exception cause) {
            super(cause);
        }
    }
}
