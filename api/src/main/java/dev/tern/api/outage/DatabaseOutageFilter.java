package dev.tern.api.outage;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * While PostgreSQL is unavailable, every {@code /api} request is answered 503 with Retry-After at once, before
 * authentication (which needs the database too) and without borrowing a connection: a hung database would
 * otherwise hold each request for the pool's connection timeout or longer.
 */
final class DatabaseOutageFilter extends OncePerRequestFilter {
    /** After the request-id filter (-100), before token authentication (-90). */
    static final int ORDER = -95;

    private final DatabaseAvailability availability;

    DatabaseOutageFilter(DatabaseAvailability availability) {
        this.availability = availability;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !path.startsWith("/api/") && !path.equals("/api");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!availability.isAvailable()) {
            DatabaseOutageResponse.write(response);
            return;
        }
        chain.doFilter(request, response);
    }
}
