package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tern.events.values.JwtGroupSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How people sign in to an account: its external identity providers (names unique, compared case-insensitively),
 * its JWT group settings, and the users provisioned from a JWT that were deleted since (their tokens must not bring
 * them back).
 */
final class IdentityBook {

    record Provider(String id, String type, String name, String issuer, String clientId, String sealedClientSecret) {
        @Override
        public String toString() {
            return "Provider[" + id + ", " + name + ", " + issuer + "]";
        }
    }

    record Snapshot(List<Provider> providers, JwtGroupSettings jwtGroups, List<String> deletedUsers) {
    }

    private final Map<String, Provider> byId = new HashMap<>();
    private final Map<String, String> idByName = new HashMap<>();
    private JwtGroupSettings jwtGroups = JwtGroupSettings.defaults();
    private final Set<String> deletedUsers = new TreeSet<>();

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static IdentityBook fromSnapshot(Snapshot snapshot) {
        IdentityBook book = new IdentityBook();
        snapshot.providers().forEach(book::put);
        book.jwtGroups = snapshot.jwtGroups() == null ? JwtGroupSettings.defaults() : snapshot.jwtGroups();
        book.deletedUsers.addAll(snapshot.deletedUsers());
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<Provider> providers = new ArrayList<>(byId.values());
        providers.sort(Comparator.comparing(Provider::id));
        return new Snapshot(providers, jwtGroups, List.copyOf(deletedUsers));
    }

    Provider get(String id) {
        return byId.get(id);
    }

    String idOfName(String name) {
        return idByName.get(key(name));
    }

    void put(Provider provider) {
        Provider previous = byId.put(provider.id(), provider);
        if (previous != null) {
            idByName.remove(key(previous.name()));
        }
        idByName.put(key(provider.name()), provider.id());
    }

    void remove(String id) {
        Provider removed = byId.remove(id);
        if (removed != null) {
            idByName.remove(key(removed.name()));
        }
    }

    JwtGroupSettings jwtGroups() {
        return jwtGroups;
    }

    void jwtGroups(JwtGroupSettings settings) {
        jwtGroups = settings;
    }

    boolean wasDeleted(String userId) {
        return deletedUsers.contains(userId);
    }

    void deleted(String userId) {
        deletedUsers.add(userId);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
