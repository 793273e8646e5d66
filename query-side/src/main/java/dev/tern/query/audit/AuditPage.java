package dev.tern.query.audit;

import java.util.List;

public record AuditPage(List<AuditEntry> entries, long total) {
}
