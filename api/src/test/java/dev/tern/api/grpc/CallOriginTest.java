package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class CallOriginTest {

    @Test
    void theHostIsTakenFromEveryAuthorityForm() {
        assertThat(CallOrigin.hostOf("mgmt.example.com:33073")).isEqualTo("mgmt.example.com");
        assertThat(CallOrigin.hostOf("mgmt.example.com")).isEqualTo("mgmt.example.com");
        assertThat(CallOrigin.hostOf("10.0.0.1:443")).isEqualTo("10.0.0.1");
        assertThat(CallOrigin.hostOf("[fd00::1]:33073")).isEqualTo("fd00::1");
        assertThat(CallOrigin.hostOf("fd00::1")).isEqualTo("fd00::1");
        assertThat(CallOrigin.hostOf(null)).isNull();
        assertThat(CallOrigin.hostOf(" ")).isNull();
    }

    @Test
    void theRemoteIpIsTheAddressWithoutPort() {
        assertThat(CallOrigin.remoteIp(new InetSocketAddress("127.0.0.1", 5555))).isEqualTo("127.0.0.1");
        assertThat(CallOrigin.remoteIp(InetSocketAddress.createUnresolved("somewhere", 1))).isNull();
        assertThat(CallOrigin.remoteIp(null)).isNull();
    }
}
