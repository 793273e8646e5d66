package dev.tern.agent.daemon;

import dev.tern.protocol.management.PeerSystemMeta;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SystemInfoTest {

    @Test
    void theGivenHostnameIsRegisteredWithOurVersion() {
        PeerSystemMeta meta = SystemInfo.meta("build-box");

        assertThat(meta.getHostname()).isEqualTo("build-box");
        assertThat(meta.getGoOS()).isEqualTo("linux");
        assertThat(meta.getNetbirdVersion()).isEqualTo(SystemInfo.VERSION).isEqualTo("tern-0.1.0");
    }

    @Test
    void withoutAHostnameTheMachinesOwnNameIsUsed() {
        assertThat(SystemInfo.meta(null).getHostname()).isEqualTo(SystemInfo.localHostname()).isNotBlank();
        assertThat(SystemInfo.meta("  ").getHostname()).isEqualTo(SystemInfo.localHostname());
    }
}
