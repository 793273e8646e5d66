package dev.tern.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountEventDispatch;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PolicyCreated;
import dev.tern.events.UserCreated;
import org.junit.jupiter.api.Test;

/**
 * The network graph and its oracle say, per event type, what they do with it (their tables refuse to leave a type
 * out when the class loads). They must also agree on which facts can change a map: an event the oracle folds but
 * the graph ignored would be a map change the projector never makes.
 */
class NetworkFoldCompletenessTest {

    @Test
    void theGraphReactsToEveryEventTypeTheOracleDoes() {
        assertThat(AccountGraph.handledEventTypes()).isSubsetOf(AccountEventDispatch.eventTypes())
                .contains(PeerRegistered.class, PolicyCreated.class, GroupRenamed.class)
                .doesNotContain(UserCreated.class);
        assertThat(NaiveNetworkMaps.DISPATCH.handledTypes()).isNotEmpty()
                .isSubsetOf(AccountGraph.handledEventTypes());
    }
}
