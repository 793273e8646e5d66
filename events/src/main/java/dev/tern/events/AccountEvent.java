package dev.tern.events;

/**
 * Every fact Tern records belongs to exactly one account: the account is the consistency boundary and the
 * aggregate that decides. Events are forever: a changed shape needs an upcaster, never an edit here.
 */
public interface AccountEvent {
    String accountId();
}
