package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tern.events.values.GroupIssuer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The groups of an account: by id, by name (names are unique) and, per peer, the groups it is an explicit member
 * of (so deleting a peer touches only its own groups). The built-in All group holds every peer implicitly and
 * keeps no member list.
 */
final class GroupBook {

    record Group(String id, String name, GroupIssuer issued, Set<String> peers) {
        Group renamed(String newName) {
            return new Group(id, newName, issued, peers);
        }
    }

    record Snapshot(List<Group> groups) {
    }

    private final Map<String, Group> byId = new HashMap<>();
    private final Map<String, String> idByName = new HashMap<>();
    private final Map<String, Set<String>> groupsOfPeer = new HashMap<>();

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static GroupBook fromSnapshot(Snapshot snapshot) {
        GroupBook book = new GroupBook();
        for (Group group : snapshot.groups()) {
            book.create(group.id(), group.name(), group.issued());
            group.peers().forEach(peer -> book.addMember(group.id(), peer));
        }
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<Group> groups = new ArrayList<>();
        for (Group group : byId.values()) {
            groups.add(new Group(group.id(), group.name(), group.issued(), new TreeSet<>(group.peers())));
        }
        groups.sort(Comparator.comparing(Group::id));
        return new Snapshot(groups);
    }

    Group get(String id) {
        return byId.get(id);
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    String idOfName(String name) {
        return idByName.get(name);
    }

    void create(String id, String name, GroupIssuer issued) {
        byId.put(id, new Group(id, name, issued, new HashSet<>()));
        idByName.put(name, id);
    }

    void rename(String id, String newName) {
        Group group = byId.get(id);
        idByName.remove(group.name());
        idByName.put(newName, id);
        byId.put(id, group.renamed(newName));
    }

    void addMember(String groupId, String peerId) {
        byId.get(groupId).peers().add(peerId);
        groupsOfPeer.computeIfAbsent(peerId, p -> new HashSet<>()).add(groupId);
    }

    void removeMember(String groupId, String peerId) {
        byId.get(groupId).peers().remove(peerId);
        Set<String> groups = groupsOfPeer.get(peerId);
        if (groups != null) {
            groups.remove(groupId);
            if (groups.isEmpty()) {
                groupsOfPeer.remove(peerId);
            }
        }
    }

    /** A deleted peer leaves every group it was in. */
    void forgetPeer(String peerId) {
        Set<String> groups = groupsOfPeer.remove(peerId);
        if (groups != null) {
            groups.forEach(groupId -> byId.get(groupId).peers().remove(peerId));
        }
    }

    void delete(String id) {
        Group group = byId.remove(id);
        idByName.remove(group.name());
        for (String peerId : group.peers()) {
            Set<String> groups = groupsOfPeer.get(peerId);
            groups.remove(id);
            if (groups.isEmpty()) {
                groupsOfPeer.remove(peerId);
            }
        }
    }
}
