package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.query.history.PointInTimeReads.AccountState;
import dev.tern.query.history.PointInTimeReads;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tern extension, {@code GET /api/history/network?at=<ISO-8601>}: the account's groups, peers and policies as
 * they stood at a past instant, folded from the event store (so it answers "who was in dev, and which policies
 * applied, at 03:00?"). Same JSON shapes as the live endpoints; connection status is not history, so every peer
 * reads as not connected. Readers of everything only (owner, admin, auditor).
 */
@RestController
class HistoryController {
    private final PointInTimeReads history;

    HistoryController(PointInTimeReads history) {
        this.history = history;
    }

    @GetMapping("/api/history/network")
    NetworkAt network(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestParam(required = false) String at) {
        caller.requireReadAll();
        Instant instant = AuditController.time(at, "at");
        if (instant == null) {
            throw ApiException.badRequest("query parameter 'at' (ISO-8601 time) is required");
        }
        AccountState state = history.at(caller.accountId(), instant)
                .orElseThrow(() -> ApiException.notFound("account not found at " + Times.iso(instant) + ": it did not exist yet"));
        Function<String, Json.GroupMinimum> groups = Json.GroupMinimum.lookup(state.groups());
        String domain = state.account().dnsDomain();
        return new NetworkAt(Times.iso(instant),
                state.groups().stream().map(Json.Group::of).toList(),
                state.peers().stream().map(p -> Json.Peer.of(p, domain)).toList(),
                state.policies().stream().map(p -> Json.Policy.of(p, groups)).toList());
    }

    record NetworkAt(String at, List<Json.Group> groups, List<Json.Peer> peers, List<Json.Policy> policies) {
    }
}
