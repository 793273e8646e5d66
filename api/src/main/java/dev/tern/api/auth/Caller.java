package dev.tern.api.auth;

import dev.tern.events.meta.Actor;
import dev.tern.events.values.UserRole;

/**
 * The authenticated user behind a request, resolved from its personal access token. Controllers receive it as
 * the request attribute {@link #ATTRIBUTE}; every read and write is scoped to {@link #accountId()}.
 */
public record Caller(String accountId, String userId, String name, String email, UserRole role,
                     boolean serviceUser, String tokenId) {

    public static final String ATTRIBUTE = "dev.tern.api.auth.Caller";

    public Actor actor() {
        return new Actor(serviceUser ? Actor.Type.SERVICE_USER : Actor.Type.USER, userId, name, email);
    }

    /** Owner and admin write; everyone else gets 403. */
    public void requireWrite() {
        if (!role.canWrite()) {
            throw new AccessDeniedException("the " + role.wireName() + " role may not change anything");
        }
    }

    /** Owner, admin and auditor read everything; a plain user only what is its own. */
    public void requireReadAll() {
        if (!role.readsEverything()) {
            throw new AccessDeniedException("the " + role.wireName() + " role may not read this");
        }
    }

    public boolean readsEverything() {
        return role.readsEverything();
    }

    public boolean is(String otherUserId) {
        return userId.equals(otherUserId);
    }

    /** Reading something that belongs to {@code ownerUserId}: allowed for readers of everything and for the owner. */
    public void requireReadOf(String ownerUserId) {
        if (!role.readsEverything() && !userId.equals(ownerUserId)) {
            throw new AccessDeniedException("the " + role.wireName() + " role may only read its own resources");
        }
    }
}
