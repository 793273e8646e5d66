package dev.tern.query.audit;

import java.time.Instant;

/**
 * Filters and paging for the audit trail (a Tern extension to NetBird's GET /api/events/audit). Null filters
 * match everything; {@code from} is inclusive, {@code to} exclusive; newest first.
 */
public record AuditQuery(Instant from, Instant to, String initiatorId, String targetId, String activityCode,
                         int offset, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
}
