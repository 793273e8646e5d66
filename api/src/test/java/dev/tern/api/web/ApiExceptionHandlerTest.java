package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.auth.AccessDeniedException;
import dev.tern.api.outage.ClockAheadException;
import dev.tern.api.outage.ClockGuard;
import dev.tern.api.outage.DatabaseAvailability;
import dev.tern.events.CommandRejected;
import dev.tern.events.values.InvalidValueException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.common.jdbc.JdbcException;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;

class ApiExceptionHandlerTest {
    final DatabaseAvailability availability = new DatabaseAvailability(null, Clock.systemUTC());
    final ApiExceptionHandler handler = new ApiExceptionHandler(availability);

    @Test
    void aDatabaseThatWentAwayIsA503WithRetryAfter() {
        // what Axon's JDBC event store throws when Hikari gives up waiting for a connection
        var noConnection = new CommandExecutionException("append failed", new JdbcException("could not get a connection",
                new SQLTransientConnectionException("tern - Connection is not available, request timed out after 1500ms.")));
        ResponseEntity<ErrorResponse> r = handler.commandFailed(noConnection);
        assertThat(r.getStatusCode().value()).isEqualTo(503);
        assertThat(r.getHeaders().getFirst("Retry-After")).isEqualTo("5");
        assertThat(r.getBody().code()).isEqualTo(503);
    }

    @Test
    void aWriteRefusedForAClockAheadIsA503WithRetryAfterSayingWhy() {
        ResponseEntity<ErrorResponse> r = handler.clockAhead(new ClockAheadException("this server's clock is 9000 ms"
                + " ahead of the database's"));
        assertThat(r.getStatusCode().value()).isEqualTo(503);
        assertThat(r.getHeaders().getFirst("Retry-After")).isEqualTo(Integer.toString(ClockGuard.RETRY_AFTER_SECONDS));
        assertThat(r.getBody()).isEqualTo(new ErrorResponse("this server's clock is 9000 ms ahead of the database's",
                503));
    }

    @Test
    void rejectionReasonsMapToNetBirdStatuses() {
        assertThat(handler.rejected(CommandRejected.invalid("x")).getStatusCode().value()).isEqualTo(400);
        assertThat(handler.rejected(CommandRejected.notFound("x")).getStatusCode().value()).isEqualTo(404);
        assertThat(handler.rejected(CommandRejected.conflict("x")).getStatusCode().value()).isEqualTo(409);
        assertThat(handler.rejected(CommandRejected.preconditionFailed("x")).getStatusCode().value()).isEqualTo(412);
        assertThat(handler.rejected(CommandRejected.forbidden("x")).getStatusCode().value()).isEqualTo(403);
        ResponseEntity<ErrorResponse> r = handler.rejected(CommandRejected.conflict("group 'dev' already exists"));
        assertThat(r.getBody()).isEqualTo(new ErrorResponse("group 'dev' already exists", 409));
    }

    @Test
    void wrappedRejectionsAreUnwrapped() {
        var wrapped = new CommandExecutionException("boom", CommandRejected.conflict("in use"));
        assertThat(handler.commandFailed(wrapped).getBody()).isEqualTo(new ErrorResponse("in use", 409));
        var inDetails = new CommandExecutionException("remote", null, CommandRejected.notFound("gone"));
        assertThat(handler.commandFailed(inDetails).getBody()).isEqualTo(new ErrorResponse("gone (not found)", 404));
        var deep = new IllegalStateException("outer", new RuntimeException(new InvalidValueException("bad cidr")));
        assertThat(handler.unexpected(deep).getBody()).isEqualTo(new ErrorResponse("bad cidr", 400));
    }

    @Test
    void unexpectedFailuresAreGeneric500s() {
        ResponseEntity<ErrorResponse> r = handler.unexpected(new NullPointerException("secret internal detail"));
        assertThat(r.getStatusCode().value()).isEqualTo(500);
        assertThat(r.getBody().code()).isEqualTo(500);
        assertThat(r.getBody().message()).startsWith("internal server error").doesNotContain("secret");
    }

    @Test
    void otherClientMistakes() {
        assertThat(handler.invalid(new InvalidValueException("'x' is not in CIDR notation")).getBody())
                .isEqualTo(new ErrorResponse("'x' is not in CIDR notation", 400));
        assertThat(handler.forbidden(new AccessDeniedException("no")).getStatusCode().value()).isEqualTo(403);
        assertThat(handler.api(ApiException.notFound("peer x not found")).getBody())
                .isEqualTo(new ErrorResponse("peer x not found", 404));
    }

    @Test
    void every404SaysNotFoundWhateverItsCauseSaid() {
        assertThat(handler.rejected(CommandRejected.notFound("no such thing")).getBody())
                .isEqualTo(new ErrorResponse("no such thing (not found)", 404));
        assertThat(handler.api(ApiException.notFound("the account did not exist then")).getBody().message())
                .contains("not found");
        assertThat(handler.noRoute(new RuntimeException()).getBody().message()).contains("not found");
        assertThat(handler.noAccount(null).getBody().message()).contains("not found");
        // Other statuses keep their words exactly.
        assertThat(handler.rejected(CommandRejected.conflict("in use")).getBody().message()).isEqualTo("in use");
    }
}
