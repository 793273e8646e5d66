package dev.tern.api.commands;

import java.util.function.Supplier;

/**
 * Makes {@code POST /api/setup} exclusive across every tern-server sharing one database. A lock inside one process
 * is not enough: two nodes each saw "no owner yet" in their read model and each created an account with an owner.
 */
@FunctionalInterface
public interface SetupExclusion {

    /**
     * Runs {@code setup} while no other setup, on any node, can run, and only if no account exists yet.
     *
     * @throws dev.tern.events.CommandRejected (412) when an account exists already
     */
    AccountSetupService.SetupResult exclusively(Supplier<AccountSetupService.SetupResult> setup);
}
