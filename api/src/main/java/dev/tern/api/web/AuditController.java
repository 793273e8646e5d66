package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.query.audit.AuditPage;
import dev.tern.query.audit.AuditQuery;
import dev.tern.query.audit.AuditReads;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/events/audit}: NetBird's Event array, newest first. Tern extension: filters {@code from},
 * {@code to} (ISO-8601, UTC when no offset is given; from inclusive, to exclusive), {@code initiator_id}, {@code target_id},
 * {@code activity_code}, and paging {@code page} (1-based) / {@code page_size} (default 100, max 1000) with
 * {@code X-Total-Count} and RFC 8288 {@code Link} headers. Without parameters it answers like NetBird.
 */
@RestController
class AuditController {
    static final String TOTAL_HEADER = "X-Total-Count";

    private final AuditReads reads;

    AuditController(AuditReads reads) {
        this.reads = reads;
    }

    @GetMapping("/api/events/audit")
    ResponseEntity<List<Json.Event>> audit(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                           @RequestParam(required = false) String from,
                                           @RequestParam(required = false) String to,
                                           @RequestParam(name = "initiator_id", required = false) String initiatorId,
                                           @RequestParam(name = "target_id", required = false) String targetId,
                                           @RequestParam(name = "activity_code", required = false) String activityCode,
                                           @RequestParam(required = false) String page,
                                           @RequestParam(name = "page_size", required = false) String pageSize,
                                           HttpServletRequest request) {
        caller.requireReadAll();
        AuditQuery filters = filters(from, to, initiatorId, targetId, activityCode);
        int pageNumber = integer(page, "page", 1, 1, Integer.MAX_VALUE);
        int size = integer(pageSize, "page_size", AuditQuery.DEFAULT_LIMIT, 1, AuditQuery.MAX_LIMIT);
        long offset = (long) (pageNumber - 1) * size;
        if (offset > Integer.MAX_VALUE) {
            throw ApiException.badRequest("parameter 'page' is too large");
        }
        AuditPage result = reads.audit(caller.accountId(), new AuditQuery(filters.from(), filters.to(),
                filters.initiatorId(), filters.targetId(), filters.activityCode(), (int) offset, size));
        Map<String, String> params = new LinkedHashMap<>();
        put(params, "from", from);
        put(params, "to", to);
        put(params, "initiator_id", initiatorId);
        put(params, "target_id", targetId);
        put(params, "activity_code", activityCode);
        var response = ResponseEntity.ok().header(TOTAL_HEADER, Long.toString(result.total()));
        String link = links(request.getRequestURI(), params, pageNumber, size, result.total());
        if (!link.isEmpty()) {
            response.header("Link", link);
        }
        return response.body(result.entries().stream().map(Json.Event::of).toList());
    }

    /** The audit page's filters (the stream and the export take them too); 400 for a bad time or an empty window. */
    static AuditQuery filters(String from, String to, String initiatorId, String targetId, String activityCode) {
        Instant fromTime = time(from, "from");
        Instant toTime = time(to, "to");
        if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
            throw ApiException.badRequest("'from' must be before 'to'");
        }
        return new AuditQuery(fromTime, toTime, blankToNull(initiatorId), blankToNull(targetId),
                blankToNull(activityCode), 0, AuditQuery.DEFAULT_LIMIT);
    }

    /** first, prev, next and last links for the page, keeping the filters. */
    static String links(String path, Map<String, String> filters, int page, int size, long total) {
        long lastPage = Math.max(1, (total + size - 1) / size);
        List<String> out = new ArrayList<>();
        out.add(link(path, filters, 1, size, "first"));
        if (page > 1) {
            out.add(link(path, filters, (int) Math.min(page - 1, lastPage), size, "prev"));
        }
        if (page < lastPage) {
            out.add(link(path, filters, page + 1, size, "next"));
        }
        out.add(link(path, filters, lastPage, size, "last"));
        return String.join(", ", out);
    }

    private static String link(String path, Map<String, String> filters, long page, int size, String rel) {
        StringBuilder url = new StringBuilder(path).append('?');
        filters.forEach((k, v) -> url.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                .append('&'));
        url.append("page=").append(page).append("&page_size=").append(size);
        return "<" + url + ">; rel=\"" + rel + "\"";
    }

    /**
     * A time query parameter ({@code from}, {@code to}, history's {@code at}): null when absent, 400 when it is no
     * ISO-8601 time or lies outside years 0001 to 9999.
     */
    static Instant time(String text, String name) {
        Instant instant = parseTime(text, name);
        if (instant != null && (instant.isBefore(Times.EARLIEST) || instant.isAfter(Times.LATEST))) {
            throw ApiException.badRequest("parameter '" + name + "' must lie between " + Times.iso(Times.EARLIEST)
                    + " and 9999-12-31T23:59:59Z");
        }
        return instant;
    }

    private static Instant parseTime(String text, String name) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            // Times without an offset and plain dates are read as UTC, the zone every answer uses.
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                try {
                    return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    throw ApiException.badRequest("parameter '" + name + "' is not an ISO-8601 time, "
                            + "e.g. 2024-05-01T00:00:00Z or 2024-05-01");
                }
            }
        }
    }

    static int integer(String text, String name, int fallback, int min, int max) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("parameter '" + name + "' must be an integer");
        }
        if (value < min || value > max) {
            throw ApiException.badRequest("parameter '" + name + "' must be between " + min + " and " + max);
        }
        return value;
    }

    private static void put(Map<String, String> params, String key, String value) {
        if (value != null && !value.isBlank()) {
            params.put(key, value.trim());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
