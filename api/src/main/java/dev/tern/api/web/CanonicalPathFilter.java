package dev.tern.api.web;

import dev.tern.events.values.Text;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses (400, NetBird's error shape) every request whose path is not spelled the one way the other filters
 * compare against. Tomcat and Spring route {@code /api;x/setup}, {@code /%61pi/setup} or {@code /api/./setup} to
 * the same handler as {@code /api/setup}, but the raw {@link HttpServletRequest#getRequestURI()} the filters see
 * differs; rather than re-implementing both normalisations (and hoping they agree), only the canonical spelling is
 * let through, so a prefix check on the raw path is a check on the route. Runs before authentication and before
 * any body is read.
 *
 * <p>Canonical means: no path parameters ({@code ;}), no empty, {@code .} or {@code ..} segments, no backslash,
 * and percent-encoding only for bytes that need it (non-ASCII, as valid UTF-8) — never for a letter, digit,
 * {@code /}, {@code .}, {@code %} or any other ASCII character. Tern's paths and ids are plain ASCII, so no
 * legitimate client is refused. Query parameters must decode to valid UTF-8 that passes {@link Text}'s rules.
 */
@Component
@Order(CanonicalPathFilter.ORDER)
class CanonicalPathFilter extends OncePerRequestFilter {
    /** After the request-id filter (so the 400 carries an id), before everything else. */
    static final int ORDER = -95;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String problem = problem(request.getRequestURI());
        if (problem != null) {
            ErrorResponse.write(response, 400, "request path is not in canonical form: " + problem);
            return;
        }
        String queryProblem = queryProblem(request.getQueryString());
        if (queryProblem != null) {
            ErrorResponse.write(response, 400, "a query parameter " + queryProblem);
            return;
        }
        chain.doFilter(request, response);
    }

    /**
     * Why a raw query string cannot be accepted, or null: every name and value, decoded, must be valid UTF-8 and
     * pass {@link Text}'s rule set like every string of a body (servlet containers replace malformed bytes
     * silently, which would make two spellings of one filter value).
     */
    static String queryProblem(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&", -1)) {
            for (String part : pair.split("=", 2)) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int i = 0; i < part.length(); i++) {
                    char c = part.charAt(i);
                    if (c == '%') {
                        int value = i + 2 < part.length() ? hex(part.charAt(i + 1), part.charAt(i + 2)) : -1;
                        if (value < 0) {
                            return "has a '%' that starts no percent-encoded byte";
                        }
                        bytes.write(value);
                        i += 2;
                    } else {
                        bytes.write(c == '+' ? ' ' : c);
                    }
                }
                String decoded = utf8(bytes);
                if (decoded == null) {
                    return "is not valid UTF-8";
                }
                String problem = Text.problem(decoded, Text.MAX_TEXT);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    /** Why {@code rawPath} (as sent, not decoded) is not canonical, or null when it is. */
    static String problem(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return "it must start with '/'";
        }
        if (rawPath.indexOf(';') >= 0) {
            return "path parameters (';') are not accepted";
        }
        if (rawPath.indexOf('\\') >= 0) {
            return "backslashes are not accepted";
        }
        ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c != '%') {
                if (escaped.size() > 0 && !validUtf8(escaped)) {
                    return "percent-encoded bytes are not valid UTF-8";
                }
                escaped.reset();
                continue;
            }
            int value = i + 2 < rawPath.length() ? hex(rawPath.charAt(i + 1), rawPath.charAt(i + 2)) : -1;
            if (value < 0) {
                return "'%' must start a percent-encoded byte";
            }
            if (value < 0x80) {
                return "ASCII characters must not be percent-encoded";
            }
            escaped.write(value);
            i += 2;
        }
        if (escaped.size() > 0 && !validUtf8(escaped)) {
            return "percent-encoded bytes are not valid UTF-8";
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            // A trailing slash leaves one empty last segment; Spring does not route it, but it is not ambiguous.
            if (segment.isEmpty() && i < segments.length - 1) {
                return "empty segments ('//') are not accepted";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "'.' and '..' segments are not accepted";
            }
        }
        return null;
    }

    private static boolean validUtf8(ByteArrayOutputStream bytes) {
        return utf8(bytes) != null;
    }

    /** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
    private static String utf8(ByteArrayOutputStream bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int hex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
}
