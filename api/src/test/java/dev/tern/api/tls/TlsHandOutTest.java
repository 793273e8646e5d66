package dev.tern.api.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.config.TernSettings;
import dev.tern.protocol.management.HostConfig;
import dev.tern.signal.tls.ServerTls;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With TLS on, the in-process signal node and relay serve TLS and peers are told so (HTTPS signal, rels:// relay);
 * without it they are told plaintext. Goes through the data-path node via {@link HandOutProbe}.
 */
class TlsHandOutTest {
    @TempDir
    Path dir;

    private static TernSettings freePorts() {
        return TernSettings.from(Map.of(), Map.of("tern.grpc-port", "0", "tern.stun-port", "off",
                "tern.data-dir", "target/tls-hand-out-test")::get);
    }

    @Test
    void withTlsPeersAreToldHttpsSignalAndRelsRelayAndBothServeTheCertificate() throws Exception {
        TlsClients pki = new TlsClients(dir);
        var served = pki.issue();
        ListenerTls tls = ListenerTls.of(ServerTls.fromPemFiles(pki.certFile, pki.keyFile), "test");
        try (var probe = dev.tern.api.datapath.HandOutProbe.start(freePorts(), tls, Clock.systemUTC())) {
            HostConfig signal = probe.signal("mgmt.example.com");
            assertThat(signal.getProtocol()).isEqualTo(HostConfig.Protocol.HTTPS);
            assertThat(signal.getUri()).isEqualTo("mgmt.example.com:" + probe.signalPort());
            assertThat(probe.relayUrls("mgmt.example.com"))
                    .containsExactly("rels://mgmt.example.com:" + probe.relayPort());
            assertThat(TlsClients.served(pki.trustingCa(), probe.signalPort()).getSerialNumber())
                    .isEqualTo(served.certificate().getSerialNumber());
            assertThat(TlsClients.served(pki.trustingCa(), probe.relayPort()).getSerialNumber())
                    .isEqualTo(served.certificate().getSerialNumber());
        }
    }

    @Test
    void withoutTlsPeersAreToldPlaintext() throws Exception {
        try (var probe = dev.tern.api.datapath.HandOutProbe.start(freePorts(), ListenerTls.plaintext(), Clock.systemUTC())) {
            assertThat(probe.signal("mgmt.example.com").getProtocol()).isEqualTo(HostConfig.Protocol.HTTP);
            assertThat(probe.relayUrls("mgmt.example.com")).containsExactly("rel://mgmt.example.com:" + probe.relayPort());
        }
    }
}
