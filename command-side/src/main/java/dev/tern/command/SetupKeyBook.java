package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The setup keys of an account, by id and by key hash (registration finds its key in O(1)), indexed by auto-group. */
final class SetupKeyBook {

    /**
     * One key. {@code usageLimit} 0 means unlimited (one-off keys are stored with 1); {@code expiresAtEpochMilli}
     * {@link Long#MAX_VALUE} means never (a long keeps the snapshot independent of the mapper's time module).
     */
    record SetupKey(String id, String name, String keyHash, long expiresAtEpochMilli, int usageLimit, int usedTimes,
                    boolean revoked, boolean ephemeral, List<String> autoGroups, boolean allowExtraDnsLabels) {
        boolean usedUp() {
            return usageLimit > 0 && usedTimes >= usageLimit;
        }

        SetupKey used() {
            return new SetupKey(id, name, keyHash, expiresAtEpochMilli, usageLimit, usedTimes + 1, revoked, ephemeral, autoGroups, allowExtraDnsLabels);
        }

        SetupKey withRevoked() {
            return new SetupKey(id, name, keyHash, expiresAtEpochMilli, usageLimit, usedTimes, true, ephemeral, autoGroups, allowExtraDnsLabels);
        }

        SetupKey withAutoGroups(List<String> groups) {
            return new SetupKey(id, name, keyHash, expiresAtEpochMilli, usageLimit, usedTimes, revoked, ephemeral, List.copyOf(groups), allowExtraDnsLabels);
        }
    }

    record Snapshot(List<SetupKey> keys) {
    }

    private final Map<String, SetupKey> byId = new HashMap<>();
    private final Map<String, String> idByHash = new HashMap<>();
    private final GroupReferences byGroup = new GroupReferences();

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static SetupKeyBook fromSnapshot(Snapshot snapshot) {
        SetupKeyBook book = new SetupKeyBook();
        snapshot.keys().forEach(book::put);
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<SetupKey> keys = new ArrayList<>(byId.values());
        keys.sort(Comparator.comparing(SetupKey::id));
        return new Snapshot(keys);
    }

    SetupKey get(String id) {
        return byId.get(id);
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    SetupKey byHash(String keyHash) {
        String id = idByHash.get(keyHash);
        return id == null ? null : byId.get(id);
    }

    /** Some setup key with the group among its auto-groups, or null. */
    SetupKey anyReferencing(String groupId) {
        String id = byGroup.anyReferencer(groupId);
        return id == null ? null : byId.get(id);
    }

    void put(SetupKey key) {
        remove(key.id());
        byId.put(key.id(), key);
        idByHash.put(key.keyHash(), key.id());
        byGroup.add(key.id(), key.autoGroups());
    }

    void remove(String id) {
        SetupKey old = byId.remove(id);
        if (old != null) {
            idByHash.remove(old.keyHash());
            byGroup.remove(id, old.autoGroups());
        }
    }
}
