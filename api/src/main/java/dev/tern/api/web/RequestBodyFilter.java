package dev.tern.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards request bodies before any parsing: at most {@link #MAX_BODY_BYTES} (413 otherwise — by declared
 * Content-Length without buffering, by counting for chunked bodies; either way after discarding the rest so the
 * client reads the answer), and JSON only when a Content-Type is given (415).
 * The body is buffered so that what the controller reads is exactly what was counted. Every path is guarded, not
 * only {@code /api/}: a bound that depends on how a path is spelled can be spelled around.
 */
@Component
@Order(RequestBodyFilter.ORDER)
class RequestBodyFilter extends OncePerRequestFilter {
    static final int ORDER = -80;
    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** How much of an oversized body is read and dropped so that its sender can read the 413. */
    static final long MAX_DISCARDED_BYTES = 64L * 1024 * 1024;

    /**
     * The embedded OpenID Provider's pages under {@code /oauth2/} take HTML forms, which Tomcat parses within its own
     * bound ({@code maxPostSize}, 2 MB); everything else is JSON and bounded here.
     */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getRequestURI().startsWith("/oauth2/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (containsNul(request.getRequestURI()) || containsNul(request.getQueryString())) {
            // Ids and filters end up in SQL parameters, and PostgreSQL text cannot hold NUL.
            ErrorResponse.write(response, 400, "the request path or query contains a NUL character");
            return;
        }
        long declared = request.getContentLengthLong();
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        if (declared <= 0 && !chunked) {
            chain.doFilter(request, response);
            return;
        }
        if (declared > MAX_BODY_BYTES) {
            tooLarge(request, response, 0);
            return;
        }
        String contentType = request.getContentType();
        if (contentType != null && !isJson(contentType)) {
            ErrorResponse.write(response, 415, "unsupported content type '" + contentType
                    + "': send application/json");
            return;
        }
        byte[] body = readAtMost(request.getInputStream(), MAX_BODY_BYTES);
        if (body == null) {
            tooLarge(request, response, MAX_BODY_BYTES + 1);
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }

    /**
     * Answers 413 after reading and discarding the rest of the body, up to {@link #MAX_DISCARDED_BYTES} in all.
     * Clients (curl, Go's net/http, java.net.http) send the whole body before they read an answer; closing with
     * body bytes unread makes the kernel reset the connection, and the client then reports a broken pipe instead
     * of the 413. Discarding costs bandwidth, never memory; a body beyond the bound still gets the reset.
     */
    private static void tooLarge(HttpServletRequest request, HttpServletResponse response, long alreadyRead)
            throws IOException {
        long declared = request.getContentLengthLong();
        if (declared <= MAX_DISCARDED_BYTES) {
            discard(request.getInputStream(), MAX_DISCARDED_BYTES - alreadyRead);
        }
        // Never reuse the connection: past the bound the rest of the body is still in flight.
        response.setHeader("Connection", "close");
        ErrorResponse.write(response, 413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
    }

    /** Reads and drops at most {@code limit} bytes; a client that stops sending ends it at the read timeout. */
    static long discard(InputStream in, long limit) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while (total < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) > 0) {
            total += n;
        }
        return total;
    }

    static boolean containsNul(String raw) {
        return raw != null && (raw.indexOf('\0') >= 0 || raw.toLowerCase(Locale.ROOT).contains("%00"));
    }

    static boolean isJson(String contentType) {
        String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mime.equals("application/json") || mime.endsWith("+json");
    }

    /** The whole stream if it has at most {@code limit} bytes, else null (having read only limit + 1 bytes). */
    static byte[] readAtMost(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buffer, 0, Math.min(buffer.length, limit + 1 - total))) > 0) {
            out.write(buffer, 0, n);
            total += n;
            if (total > limit) {
                return null;
            }
        }
        return out.toByteArray();
    }

    private static final class BufferedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already buffered");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
