package dev.tern.api.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.api.auth.AccessDeniedException;
import dev.tern.api.auth.Caller;
import dev.tern.query.audit.AuditFeed;
import dev.tern.query.audit.AuditQuery;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Tern extensions for shipping the audit trail to a SIEM, both in NetBird's audit {@code Event} shape, oldest first,
 * with the audit page's filters, for owners and admins:
 * <ul>
 * <li>{@code GET /api/events/audit/stream}: Server-Sent Events, one per entry, {@code id:} the entry's cursor;
 * resumes after {@code Last-Event-ID} (or {@code ?after=}), comment lines as heartbeats ({@link AuditStreamSession}).
 * <li>{@code GET /api/events/audit/export?after=&limit=}: JSON lines, streamed from PostgreSQL a batch at a time;
 * {@value #NEXT_CURSOR_HEADER} is the {@code after} of the next call (equal to this one's when nothing followed).
 * </ul>
 */
@RestController
class AuditStreamController {
    static final String NEXT_CURSOR_HEADER = "X-Next-Cursor";
    static final String NDJSON = "application/x-ndjson";
    static final int EXPORT_DEFAULT_LIMIT = 1000;
    static final int EXPORT_MAX_LIMIT = 100_000;

    private final AuditFeed feed;
    private final AuditStreams streams;
    private final ObjectMapper mapper;

    AuditStreamController(AuditFeed feed, AuditStreams streams, ObjectMapper mapper) {
        this.feed = feed;
        this.streams = streams;
        this.mapper = mapper;
    }

    @GetMapping(path = "/api/events/audit/stream")
    SseEmitter stream(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                      @RequestParam(required = false) String after,
                      @RequestParam(required = false) String from,
                      @RequestParam(required = false) String to,
                      @RequestParam(name = "initiator_id", required = false) String initiatorId,
                      @RequestParam(name = "target_id", required = false) String targetId,
                      @RequestParam(name = "activity_code", required = false) String activityCode) {
        requireOwnerOrAdmin(caller);
        AuditQuery filters = AuditController.filters(from, to, initiatorId, targetId, activityCode);
        // A reconnecting EventSource sends Last-Event-ID with the URL it first used: the header is the newer cursor.
        long start = lastEventId != null && !lastEventId.isBlank() ? cursor(lastEventId, "Last-Event-ID")
                : cursor(after, "after");
        AuditStreams.Slot slot = streams.reserve(caller.userId());
        SseEmitter emitter = new SseEmitter(0L); // no timeout: the stream stays open until either side ends it
        AuditStreamSession session = new AuditStreamSession(
                (cursor, limit) -> feed.after(caller.accountId(), filters, cursor, limit), sink(emitter), start,
                AuditStreamSession.Timing.DEFAULT, System::nanoTime, duration -> Thread.sleep(duration.toMillis()));
        emitter.onCompletion(session::stop);
        emitter.onError(e -> session.stop());
        slot.start(session);
        return emitter;
    }

    @GetMapping(path = "/api/events/audit/export")
    void export(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                @RequestParam(required = false) String after,
                @RequestParam(required = false) String limit,
                @RequestParam(required = false) String from,
                @RequestParam(required = false) String to,
                @RequestParam(name = "initiator_id", required = false) String initiatorId,
                @RequestParam(name = "target_id", required = false) String targetId,
                @RequestParam(name = "activity_code", required = false) String activityCode,
                HttpServletResponse response) throws IOException {
        requireOwnerOrAdmin(caller);
        AuditQuery filters = AuditController.filters(from, to, initiatorId, targetId, activityCode);
        long start = cursor(after, "after");
        int size = AuditController.integer(limit, "limit", EXPORT_DEFAULT_LIMIT, 1, EXPORT_MAX_LIMIT);
        long end = feed.pageEnd(caller.accountId(), filters, start, size);
        response.setStatus(200);
        response.setContentType(NDJSON);
        response.setCharacterEncoding("UTF-8");
        response.setHeader(NEXT_CURSOR_HEADER, Long.toString(end));
        OutputStream out = response.getOutputStream();
        feed.forEach(caller.accountId(), filters, start, end, entry -> {
            try {
                out.write(mapper.writeValueAsBytes(Json.Event.of(entry.entry())));
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        out.flush();
    }

    private static void requireOwnerOrAdmin(Caller caller) {
        if (!caller.role().canWrite()) {
            throw new AccessDeniedException("the " + caller.role().wireName()
                    + " role may not read the audit stream; it is for owners and admins");
        }
    }

    /** A cursor: absent means from the beginning; anything but a non-negative integer is a 400. */
    static long cursor(String text, String name) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("'" + name + "' must be a cursor: a non-negative integer, the id of the "
                + "last event received");
    }

    private static AuditStreamSession.Sink sink(SseEmitter emitter) {
        return new AuditStreamSession.Sink() {
            @Override
            public void event(long id, Object data) throws IOException {
                emitter.send(SseEmitter.event().id(Long.toString(id)).data(data, MediaType.APPLICATION_JSON));
            }

            @Override
            public void comment(String text) throws IOException {
                emitter.send(SseEmitter.event().comment(text));
            }

            @Override
            public void last(String name, Object data) throws IOException {
                emitter.send(SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON));
            }

            @Override
            public void complete() {
                emitter.complete();
            }
        };
    }
}
