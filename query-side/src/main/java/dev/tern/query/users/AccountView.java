package dev.tern.query.users;

import dev.tern.events.values.AccountSettings;
import java.time.Instant;

/** An account: its mesh network, DNS domain and the settings Tern enforces (peer login/inactivity expiration). */
public record AccountView(String id, String network, String dnsDomain, Instant createdAt, AccountSettings settings) {
}
