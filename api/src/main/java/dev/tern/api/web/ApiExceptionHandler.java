package dev.tern.api.web;

import dev.tern.api.auth.AccessDeniedException;
import dev.tern.api.commands.CommandFailures;
import dev.tern.api.commands.CommandService;
import dev.tern.api.outage.DatabaseAvailability;
import dev.tern.api.outage.ClockAheadException;
import dev.tern.api.outage.ClockGuard;
import dev.tern.api.outage.DatabaseFailures;
import dev.tern.api.outage.DatabaseOutageResponse;
import dev.tern.events.CommandRejected;
import dev.tern.events.values.InvalidValueException;
import java.util.stream.Collectors;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every failure leaves the API in NetBird's error shape with the status a client can act on. Client mistakes
 * are 4xx by construction; only an exception nobody anticipated becomes a 500, logged with the request id and
 * answered with a generic message (internals never leak to clients).
 */
@RestControllerAdvice
class ApiExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final DatabaseAvailability databaseAvailability;

    ApiExceptionHandler(DatabaseAvailability databaseAvailability) {
        this.databaseAvailability = databaseAvailability;
    }

    static ResponseEntity<ErrorResponse> error(HttpStatusCode status, String message) {
        // NetBird's Terraform provider (and scripts modelled on it) tell "gone" from other failures by this text.
        String said = status.value() == 404 && !message.contains("not found") ? message + " (not found)" : message;
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(new ErrorResponse(said, status.value()));
    }

    static HttpStatus statusOf(CommandRejected.Reason reason) {
        return switch (reason) {
            case INVALID -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case PRECONDITION_FAILED -> HttpStatus.PRECONDITION_FAILED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
        };
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ErrorResponse> api(ApiException e) {
        return error(e.status(), e.getMessage());
    }

    @ExceptionHandler(CommandRejected.class)
    ResponseEntity<ErrorResponse> rejected(CommandRejected e) {
        return error(statusOf(e.reason()), e.getMessage());
    }

    @ExceptionHandler(InvalidValueException.class)
    ResponseEntity<ErrorResponse> invalid(InvalidValueException e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ErrorResponse> forbidden(AccessDeniedException e) {
        return error(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(AggregateNotFoundException.class)
    ResponseEntity<ErrorResponse> noAccount(AggregateNotFoundException e) {
        return error(HttpStatus.NOT_FOUND, "account not found");
    }

    /** A write on a node whose clock is too far ahead of the database's: retry later (on another node). */
    @ExceptionHandler(ClockAheadException.class)
    ResponseEntity<ErrorResponse> clockAhead(ClockAheadException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(ClockGuard.RETRY_AFTER_SECONDS))
                .contentType(MediaType.APPLICATION_JSON)
                .body(new ErrorResponse(e.getMessage(), HttpStatus.SERVICE_UNAVAILABLE.value()));
    }

    @ExceptionHandler(CommandExecutionException.class)
    ResponseEntity<ErrorResponse> commandFailed(CommandExecutionException e) {
        RuntimeException cause = CommandFailures.unwrap(e);
        if (cause instanceof CommandRejected rejected) {
            return rejected(rejected);
        }
        if (cause instanceof InvalidValueException invalid) {
            return invalid(invalid);
        }
        return unexpected(e);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ErrorResponse> unreadable(HttpMessageNotReadableException e) {
        return error(HttpStatus.BAD_REQUEST, "couldn't parse JSON request");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ErrorResponse> typeMismatch(MethodArgumentTypeMismatchException e) {
        return error(HttpStatus.BAD_REQUEST, "invalid value for parameter '" + e.getName() + "'");
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ErrorResponse> missingParameter(MissingServletRequestParameterException e) {
        return error(HttpStatus.BAD_REQUEST, "parameter '" + e.getParameterName() + "' is required");
    }

    @ExceptionHandler(ServletRequestBindingException.class)
    ResponseEntity<ErrorResponse> binding(ServletRequestBindingException e) {
        return error(HttpStatus.BAD_REQUEST, "bad request");
    }

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    ResponseEntity<ErrorResponse> noRoute(Exception e) {
        return error(HttpStatus.NOT_FOUND, "not found");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ErrorResponse> method(HttpRequestMethodNotSupportedException e) {
        HttpHeaders headers = new HttpHeaders();
        if (e.getSupportedHttpMethods() != null) {
            headers.setAllow(e.getSupportedHttpMethods());
        }
        return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED).headers(headers)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new ErrorResponse("method " + e.getMethod() + " is not allowed here", 405));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ErrorResponse> mediaType(HttpMediaTypeNotSupportedException e) {
        return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported content type: send application/json");
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ErrorResponse> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return error(HttpStatus.NOT_ACCEPTABLE, "only application/json responses are available: "
                + e.getSupportedMediaTypes().stream().map(MediaType::toString).collect(Collectors.joining(", ")));
    }

    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ErrorResponse> framework(ErrorResponseException e) {
        if (e.getStatusCode().is5xxServerError()) {
            return unexpected(e);
        }
        HttpStatus status = HttpStatus.resolve(e.getStatusCode().value());
        return error(e.getStatusCode(), status == null ? "request failed" : status.getReasonPhrase().toLowerCase());
    }

    /** A client closed a streamed response (the audit stream): there is nobody left to answer, nor anything wrong. */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e) {
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ErrorResponse> unexpected(Exception e) {
        RuntimeException cause = CommandFailures.unwrap(e);
        if (cause instanceof CommandRejected rejected) {
            return rejected(rejected);
        }
        if (cause instanceof InvalidValueException invalid) {
            return invalid(invalid);
        }
        if (DatabaseFailures.isUnavailable(e)) {
            // The database went away under this request: the client may retry, nothing is wrong with it.
            databaseAvailability.report(e);
            return DatabaseOutageResponse.entity();
        }
        String id = MDC.get(CommandService.MDC_CORRELATION_ID);
        log.error("unexpected failure (request {})", id, e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR,
                "internal server error" + (id == null ? "" : " (request id " + id + ")"));
    }
}
