package dev.tern.api.web;

import dev.tern.api.commands.CommandService;
import dev.tern.events.values.Ids;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id (NetBird's {@code X-Request-Id} response header). It is the correlation id of the
 * events the request causes and of its log lines, so a 500 reported by a client can be found in the log.
 */
@Component
@Order(RequestIdFilter.ORDER)
class RequestIdFilter extends OncePerRequestFilter {
    static final int ORDER = -100;
    static final String HEADER = "X-Request-Id";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = Ids.newId();
        response.setHeader(HEADER, id);
        MDC.put(CommandService.MDC_CORRELATION_ID, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(CommandService.MDC_CORRELATION_ID);
        }
    }
}
