package dev.tern.query.users;

import java.time.Instant;

/**
 * When a personal access token was last used (NetBird's {@code last_used}). Not event-sourced: it changes with
 * every request and says nothing an auditor needs; the API's authentication writes it here and
 * {@link UserReads#tokens}/{@link UserReads#token} show it as {@link TokenView#lastUsed()}.
 */
public interface TokenUsageStore {
    /** Records a use at {@code at}; an older time than the one stored changes nothing. */
    void markUsed(String tokenId, Instant at);
}
