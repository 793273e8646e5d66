package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tern.events.values.UserRole;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Users and service users of an account with their token ids, by id and by e-mail (unique among human users,
 * compared case-insensitively), indexed by auto-group.
 */
final class UserBook {

    record User(String id, String email, UserRole role, boolean serviceUser, boolean blocked,
                List<String> autoGroups, Set<String> tokenIds) {
        User withRole(UserRole newRole) {
            return new User(id, email, newRole, serviceUser, blocked, autoGroups, tokenIds);
        }

        User withBlocked(boolean newBlocked) {
            return new User(id, email, role, serviceUser, newBlocked, autoGroups, tokenIds);
        }

        User withAutoGroups(List<String> groups) {
            return new User(id, email, role, serviceUser, blocked, List.copyOf(groups), tokenIds);
        }
    }

    record Snapshot(List<User> users) {
    }

    private final Map<String, User> byId = new HashMap<>();
    private final Map<String, String> humanIdByEmail = new HashMap<>();
    private final GroupReferences byGroup = new GroupReferences();
    private final Map<String, String> ownerOfToken = new HashMap<>();

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static UserBook fromSnapshot(Snapshot snapshot) {
        UserBook book = new UserBook();
        for (User user : snapshot.users()) {
            book.put(new User(user.id(), user.email(), user.role(), user.serviceUser(), user.blocked(),
                    List.copyOf(user.autoGroups()), new TreeSet<>(user.tokenIds())));
        }
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<User> users = new ArrayList<>(byId.values());
        users.sort(Comparator.comparing(User::id));
        return new Snapshot(users);
    }

    static String emailKey(String email) {
        return email.toLowerCase(Locale.ROOT);
    }

    User get(String id) {
        return byId.get(id);
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** The human (non-service) user with this e-mail, or null. */
    User humanByEmail(String email) {
        String id = humanIdByEmail.get(emailKey(email));
        return id == null ? null : byId.get(id);
    }

    /** Some user with the group among its auto-groups, or null. */
    User anyReferencing(String groupId) {
        String id = byGroup.anyReferencer(groupId);
        return id == null ? null : byId.get(id);
    }

    /** The id of the user holding this token, or null. */
    String tokenOwner(String tokenId) {
        return ownerOfToken.get(tokenId);
    }

    void addToken(String userId, String tokenId) {
        byId.get(userId).tokenIds().add(tokenId);
        ownerOfToken.put(tokenId, userId);
    }

    void removeToken(String userId, String tokenId) {
        byId.get(userId).tokenIds().remove(tokenId);
        ownerOfToken.remove(tokenId);
    }

    /** Adds or replaces a user; its token set must be mutable (the book adds and removes tokens in place). */
    void put(User user) {
        remove(user.id());
        byId.put(user.id(), user);
        user.tokenIds().forEach(tokenId -> ownerOfToken.put(tokenId, user.id()));
        if (!user.serviceUser() && user.email() != null && !user.email().isEmpty()) {
            humanIdByEmail.put(emailKey(user.email()), user.id());
        }
        byGroup.add(user.id(), user.autoGroups());
    }

    void remove(String id) {
        User old = byId.remove(id);
        if (old != null) {
            if (!old.serviceUser() && old.email() != null && !old.email().isEmpty()) {
                humanIdByEmail.remove(emailKey(old.email()));
            }
            byGroup.remove(id, old.autoGroups());
            old.tokenIds().forEach(ownerOfToken::remove);
        }
    }
}
