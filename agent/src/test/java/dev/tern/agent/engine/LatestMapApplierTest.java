package dev.tern.agent.engine;

import dev.tern.agent.common.AgentException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LatestMapApplierTest {
    private final List<Long> applied = new ArrayList<>();
    private int failuresLeft;
    private final LatestMapApplier applier = new LatestMapApplier(map -> {
        if (failuresLeft > 0) {
            failuresLeft--;
            throw new AgentException(AgentException.FAILURE, "nft said no");
        }
        applied.add(map.serial());
    });

    private static MeshMap map(long serial) {
        return new MeshMap(serial, "100.64.0.1/16", "a", List.of(), List.of());
    }

    @Test
    void aFailedMapIsRetriedUntilItSticks() {
        failuresLeft = 2;

        assertThat(applier.offer(map(5))).isFalse();
        applier.retryFailed();
        assertThat(applier.hasFailed()).isTrue();
        applier.retryFailed();

        assertThat(applied).containsExactly(5L);
        assertThat(applier.hasFailed()).isFalse();
        applier.retryFailed();
        assertThat(applied).containsExactly(5L);
    }

    @Test
    void aNewerMapReplacesAFailedOneAndTheOldOneIsNeverRetried() {
        failuresLeft = 1;
        applier.offer(map(5));

        assertThat(applier.offer(map(6))).isTrue();
        applier.retryFailed();

        assertThat(applied).containsExactly(6L);
    }

    @Test
    void olderMapsNeverRollTheDeviceBack() {
        applier.offer(map(7));

        assertThat(applier.offer(map(6))).isFalse();

        assertThat(applied).containsExactly(7L);
    }
}
