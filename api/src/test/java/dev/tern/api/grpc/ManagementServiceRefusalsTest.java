package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.commands.DeviceLogin;
import dev.tern.events.CommandRejected;
import io.grpc.Status;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every refusal {@link DeviceLogin} can give has its status and NetBird-facing text at the gRPC edge. Java 17 cannot
 * switch exhaustively over a sealed type, so this test holds one instance of every permitted refusal: a new refusal
 * fails it until it is mapped here and in {@link ManagementService}.
 */
class ManagementServiceRefusalsTest {

    private static Map<DeviceLogin.Refusal, Status> expected() {
        Map<DeviceLogin.Refusal, Status> expected = new LinkedHashMap<>();
        expected.put(new DeviceLogin.NotRegistered(), Status.PERMISSION_DENIED
                .withDescription("peer is not registered; log in with a setup key"));
        // NetBird's codes and words for a Login with a JWT (validateToken, claimLoginToken)
        expected.put(new DeviceLogin.InvalidJwt("token expired"), Status.INVALID_ARGUMENT
                .withDescription("invalid jwt token, err: token expired"));
        expected.put(new DeviceLogin.JwtUserRefused("user is blocked"), Status.PERMISSION_DENIED
                .withDescription("user is blocked"));
        expected.put(new DeviceLogin.JwtReused(), Status.UNAUTHENTICATED.withDescription("JWT already used"));
        expected.put(new DeviceLogin.NoLongerRegistered(), Status.PERMISSION_DENIED
                .withDescription("peer is not registered"));
        expected.put(new DeviceLogin.LoginExpired(), Status.PERMISSION_DENIED
                .withDescription("peer login has expired, please log in once more"));
        expected.put(new DeviceLogin.Replayed(), Status.INVALID_ARGUMENT
                .withDescription("replayed message: this body was already received from this peer"));
        expected.put(new DeviceLogin.RegistrationRefused(CommandRejected.Reason.NOT_FOUND, "setup key not found"),
                Status.PERMISSION_DENIED.withDescription("setup key not found"));
        expected.put(new DeviceLogin.Unavailable(DeviceLogin.Unavailable.Cause.MAPS_LOADING), Status.UNAVAILABLE
                .withDescription("tern-server is still loading network maps; retry shortly"));
        expected.put(new DeviceLogin.Interrupted(), Status.CANCELLED.withDescription("interrupted"));
        expected.put(new DeviceLogin.RegistrationFailed(new IllegalStateException("test: unforeseen")),
                Status.INTERNAL.withDescription("registration failed"));
        return expected;
    }

    @Test
    void everyRefusalHasItsStatusAndText() {
        Map<DeviceLogin.Refusal, Status> expected = expected();
        Set<Class<?>> covered = expected.keySet().stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).as("every permitted refusal is covered here")
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(DeviceLogin.Refusal.class.getPermittedSubclasses()));
        expected.forEach((refusal, status) -> assertThat(describe(ManagementService.refused(refusal).getStatus()))
                .as("%s", refusal).isEqualTo(describe(status)));
    }

    @Test
    void whatTheAccountRejectsKeepsItsReasonAndMessage() {
        Map<CommandRejected.Reason, Status.Code> codes = Map.of(
                CommandRejected.Reason.NOT_FOUND, Status.Code.PERMISSION_DENIED,
                CommandRejected.Reason.FORBIDDEN, Status.Code.PERMISSION_DENIED,
                CommandRejected.Reason.INVALID, Status.Code.INVALID_ARGUMENT,
                CommandRejected.Reason.PRECONDITION_FAILED, Status.Code.FAILED_PRECONDITION,
                CommandRejected.Reason.CONFLICT, Status.Code.ABORTED);
        assertThat(codes.keySet()).containsExactlyInAnyOrder(CommandRejected.Reason.values());
        codes.forEach((reason, code) -> assertThat(describe(ManagementService.refused(
                new DeviceLogin.RegistrationRefused(reason, "setup key is revoked")).getStatus()))
                .isEqualTo(code + ": setup key is revoked"));
    }

    @Test
    void everyUnavailableCauseAsksTheClientToRetry() {
        Map<DeviceLogin.Unavailable.Cause, String> texts = Map.of(
                DeviceLogin.Unavailable.Cause.MAPS_LOADING, "tern-server is still loading network maps; retry shortly",
                DeviceLogin.Unavailable.Cause.MAP_NOT_READY,
                "peer logged in but its network map is not ready yet; log in again",
                DeviceLogin.Unavailable.Cause.DATABASE, "database temporarily unavailable, retry later");
        assertThat(texts.keySet()).containsExactlyInAnyOrder(DeviceLogin.Unavailable.Cause.values());
        texts.forEach((cause, text) -> assertThat(describe(ManagementService.refused(
                new DeviceLogin.Unavailable(cause)).getStatus())).isEqualTo("UNAVAILABLE: " + text));
    }

    private static String describe(Status status) {
        return status.getCode() + ": " + status.getDescription();
    }
}
