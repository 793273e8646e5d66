package dev.tern.events.commands;

/**
 * Every command targets one account aggregate, named by {@link #accountId()}. Command-side resolves the target
 * from this method, so commands carry no framework annotations.
 */
public interface AccountCommand {
    String accountId();
}
