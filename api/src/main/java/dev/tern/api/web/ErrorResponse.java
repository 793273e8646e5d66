package dev.tern.api.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** NetBird's error body: {@code {"message": "...", "code": <status>}}. */
public record ErrorResponse(String message, int code) {

    /** For filters, which answer before Spring MVC (and its message converters) is involved. */
    public static void write(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(("{\"message\":\"" + escape(message) + "\",\"code\":" + status + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A JSON string body: messages may quote client input (a Content-Type header may hold a tab), and the answer
     * must stay valid JSON whatever it holds.
     */
    static String escape(String message) {
        StringBuilder out = new StringBuilder(message.length() + 16);
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
