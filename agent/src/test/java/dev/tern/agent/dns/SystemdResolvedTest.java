package dev.tern.agent.dns;

import dev.tern.agent.dataplane.Shell;
import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** The resolvectl calls, against a stand-in script that records its arguments (no systemd-resolved needed). */
class SystemdResolvedTest {
    @TempDir
    Path temp;

    @Test
    void configuresTheMeshLinkAndRevertsIt() throws Exception {
        Path calls = temp.resolve("calls");
        Path resolvectl = temp.resolve("resolvectl");
        Files.writeString(resolvectl, "#!/bin/sh\necho \"$*\" >> " + calls + "\n");
        Files.setPosixFilePermissions(resolvectl, PosixFilePermissions.fromString("rwx------"));
        Path upstream = Files.writeString(temp.resolve("resolv.conf"), "nameserver 192.0.2.53\nnameserver 192.0.2.54\n");
        SystemdResolved resolved = new SystemdResolved("tern0", new Shell(), upstream, resolvectl.toString());
        DnsSettings settings = DnsSettings.from(DNSConfig.newBuilder().setServiceEnable(true)
                .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal.")).build());

        resolved.restore();
        assertThat(calls).as("nothing configured, nothing to revert").doesNotExist();
        resolved.configure(InetAddress.getByName("100.64.0.7"), settings);
        resolved.restore();
        resolved.restore();

        assertThat(Files.readAllLines(calls)).containsExactly("dns tern0 100.64.0.7", "domain tern0 tern.internal.",
                "default-route tern0 false", "revert tern0");
        assertThat(resolved.previousUpstream()).containsExactly(new InetSocketAddress("192.0.2.53", 53),
                new InetSocketAddress("192.0.2.54", 53));
    }
}
