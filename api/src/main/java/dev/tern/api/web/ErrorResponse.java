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
        String escaped = message.replace("\\", "\\\\").replace("\"", "\\\"");
        response.getOutputStream().write(("{\"message\":\"" + escaped + "\",\"code\":" + status + "}")
                .getBytes(StandardCharsets.UTF_8));
    }
}
