package dev.tern.query.audit;

import java.time.Instant;
import java.util.Map;

/** One row of the audit trail in NetBird's Event shape. {@code id} is the event's global sequence number. */
public record AuditEntry(String id, Instant timestamp, String activity, String activityCode, String initiatorId,
                         String initiatorName, String initiatorEmail, String targetId, Map<String, String> meta) {
}
