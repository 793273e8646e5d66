package dev.tern.api.outage;

import dev.tern.api.web.ErrorResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The REST answer while PostgreSQL is unavailable: 503 in NetBird's error shape, with a retry hint. */
public final class DatabaseOutageResponse {
    /** Clients retry after this; the probe notices the database back within a second of its return. */
    public static final int RETRY_AFTER_SECONDS = 5;
    public static final String MESSAGE = "database temporarily unavailable, retry later";

    private DatabaseOutageResponse() {
    }

    /** For filters, which answer before Spring MVC. */
    public static void write(HttpServletResponse response) throws IOException {
        response.setHeader(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
        ErrorResponse.write(response, HttpStatus.SERVICE_UNAVAILABLE.value(), MESSAGE);
    }

    /** For exception handlers. */
    public static ResponseEntity<ErrorResponse> entity() {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS))
                .contentType(MediaType.APPLICATION_JSON)
                .body(new ErrorResponse(MESSAGE, HttpStatus.SERVICE_UNAVAILABLE.value()));
    }
}
