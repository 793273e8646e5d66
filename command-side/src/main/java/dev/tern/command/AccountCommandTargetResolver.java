package dev.tern.command;

import dev.tern.events.commands.AccountCommand;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;

/**
 * Routes every {@link AccountCommand} to the account aggregate named by {@link AccountCommand#accountId()}, so
 * commands stay plain records without {@code @TargetAggregateIdentifier}. No expected version: the account
 * serialises its commands itself and concurrent writers are arbitrated by the event store's sequence constraint.
 */
public class AccountCommandTargetResolver implements CommandTargetResolver {

    @Override
    public VersionedAggregateIdentifier resolveTarget(CommandMessage<?> command) {
        if (!(command.getPayload() instanceof AccountCommand accountCommand)) {
            throw new IllegalArgumentException(command.getPayloadType().getName() + " is not an account command");
        }
        String accountId = accountCommand.accountId();
        if (accountId == null || accountId.isBlank()) {
            throw new IllegalArgumentException(command.getPayloadType().getSimpleName() + " names no account");
        }
        return new VersionedAggregateIdentifier(accountId, null);
    }
}
