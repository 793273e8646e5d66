package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The policies of an account: only what decisions need (name, referenced groups), indexed by group. */
final class PolicyBook {

    record Policy(String id, String name, List<String> groups) {
    }

    record Snapshot(List<Policy> policies) {
    }

    private final Map<String, Policy> byId = new HashMap<>();
    private final GroupReferences byGroup = new GroupReferences();

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static PolicyBook fromSnapshot(Snapshot snapshot) {
        PolicyBook book = new PolicyBook();
        snapshot.policies().forEach(book::put);
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<Policy> policies = new ArrayList<>(byId.values());
        policies.sort(Comparator.comparing(Policy::id));
        return new Snapshot(policies);
    }

    Policy get(String id) {
        return byId.get(id);
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** Some policy referencing the group, or null. */
    Policy anyReferencing(String groupId) {
        String id = byGroup.anyReferencer(groupId);
        return id == null ? null : byId.get(id);
    }

    void put(Policy policy) {
        remove(policy.id());
        byId.put(policy.id(), new Policy(policy.id(), policy.name(), List.copyOf(policy.groups())));
        byGroup.add(policy.id(), policy.groups());
    }

    void remove(String id) {
        Policy old = byId.remove(id);
        if (old != null) {
            byGroup.remove(id, old.groups());
        }
    }
}
