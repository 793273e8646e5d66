package dev.tern.command;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who references a group (policies, setup keys, users by their auto-groups), indexed by group so that deleting a
 * group checks its referencers in O(log n) instead of scanning every policy. Sorted sets make the referencer
 * named in a rejection deterministic. Derived state: rebuilt from the owning book on snapshot restore.
 */
final class GroupReferences {
    private final Map<String, TreeSet<String>> referencersByGroup = new HashMap<>();

    void add(String referencer, Collection<String> groups) {
        groups.forEach(group -> referencersByGroup.computeIfAbsent(group, g -> new TreeSet<>()).add(referencer));
    }

    void remove(String referencer, Collection<String> groups) {
        for (String group : groups) {
            TreeSet<String> referencers = referencersByGroup.get(group);
            if (referencers != null) {
                referencers.remove(referencer);
                if (referencers.isEmpty()) {
                    referencersByGroup.remove(group);
                }
            }
        }
    }

    /** Some referencer of the group (the smallest id), or null when nothing references it. */
    String anyReferencer(String group) {
        TreeSet<String> referencers = referencersByGroup.get(group);
        return referencers == null ? null : referencers.first();
    }

    Set<String> referencers(String group) {
        return referencersByGroup.getOrDefault(group, new TreeSet<>());
    }
}
