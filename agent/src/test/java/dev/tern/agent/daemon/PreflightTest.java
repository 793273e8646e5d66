package dev.tern.agent.daemon;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PreflightTest {

    @Test
    void rootIsTheEffectiveUidFromProcStatus() {
        assertThat(Preflight.effectiveUid("Name:\tjava\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n")).isZero();
        assertThat(Preflight.effectiveUid("Uid:\t0\t1000\t1000\t1000\n")).isEqualTo(1000);
        assertThat(Preflight.effectiveUid("Name:\tjava\n")).isEqualTo(-1);
    }
}
