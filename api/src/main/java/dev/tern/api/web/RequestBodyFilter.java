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
 * Content-Length at once, by counting for chunked bodies), and JSON only when a Content-Type is given (415).
 * The body is buffered so that what the controller reads is exactly what was counted. Every path is guarded, not
 * only {@code /api/}: a bound that depends on how a path is spelled can be spelled around.
 */
@Component
@Order(RequestBodyFilter.ORDER)
class RequestBodyFilter extends OncePerRequestFilter {
    static final int ORDER = -80;
    static final int MAX_BODY_BYTES = 1024 * 1024;

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
            tooLarge(response);
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
            tooLarge(response);
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }

    private static void tooLarge(HttpServletResponse response) throws IOException {
        // The rest of the body stays unread: close the connection rather than keep it in an unknown state.
        response.setHeader("Connection", "close");
        ErrorResponse.write(response, 413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
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
