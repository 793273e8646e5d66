package dev.tern.command;

import dev.tern.events.commands.DeletePeer;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccountCommandTargetResolverTest {
    private final AccountCommandTargetResolver resolver = new AccountCommandTargetResolver();

    @Test
    void anAccountCommandTargetsItsAccountWithoutExpectedVersion() {
        VersionedAggregateIdentifier target = resolver.resolveTarget(
                GenericCommandMessage.asCommandMessage(new DeletePeer("acc-7", "p1")));
        assertThat(target.getIdentifier()).isEqualTo("acc-7");
        assertThat(target.getVersion()).isNull();
    }

    @Test
    void aCommandWithoutAccountIsRefused() {
        assertThatThrownBy(() -> resolver.resolveTarget(GenericCommandMessage.asCommandMessage(new DeletePeer(" ", "p1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no account");
    }

    @Test
    void aForeignCommandIsRefused() {
        assertThatThrownBy(() -> resolver.resolveTarget(GenericCommandMessage.asCommandMessage("not a command")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not an account command");
    }
}
