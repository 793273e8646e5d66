package dev.tern.query;

import java.util.List;

public record AuditPage(List<AuditEntry> entries, long total) {
}
