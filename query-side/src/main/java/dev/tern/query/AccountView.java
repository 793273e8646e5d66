package dev.tern.query;

import java.time.Instant;

public record AccountView(String id, String network, String dnsDomain, Instant createdAt) {
}
