package dev.tern.agent.dns;

import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.NameServer;
import dev.tern.protocol.management.NameServerGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** resolv.conf backup and restore against files in a temp dir (never the real /etc/resolv.conf). */
class ResolvConfTest {
    private static final String ORIGINAL = "# from DHCP\nnameserver 10.1.2.3\nnameserver 10.1.2.4\nsearch lan\n"
            + "options edns0 trust-ad\n";
    private static final DnsSettings SETTINGS = DnsSettings.from(DNSConfig.newBuilder().setServiceEnable(true)
            .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal."))
            .addNameServerGroups(NameServerGroup.newBuilder().addDomains("corp.example").setSearchDomainsEnabled(true)
                    .addNameServers(NameServer.newBuilder().setIP("10.9.9.9").setNSType(1).setPort(53)))
            .build());

    @TempDir
    Path temp;

    private Path etc() throws Exception {
        return Files.createDirectories(temp.resolve("etc"));
    }

    private Path configDir() throws Exception {
        return Files.createDirectories(temp.resolve("tern"));
    }

    @Test
    void configurePointsTheHostAtUsAndRestorePutsTheOriginalBackByteForByte() throws Exception {
        Path file = Files.writeString(etc().resolve("resolv.conf"), ORIGINAL);
        Path backup = configDir().resolve(HostDns.BACKUP_FILE);
        ResolvConf conf = new ResolvConf(file, backup);

        conf.configure(InetAddress.getByName("100.64.0.7"), SETTINGS);

        assertThat(Files.readString(file)).startsWith(ResolvConf.MARKER)
                .contains("nameserver 100.64.0.7\n", "search tern.internal corp.example lan\n", "options edns0 trust-ad\n")
                .doesNotContain("10.1.2.3");
        assertThat(backup).exists();
        assertThat(conf.previousUpstream()).containsExactly(new InetSocketAddress("10.1.2.3", 53),
                new InetSocketAddress("10.1.2.4", 53));

        conf.restore();

        assertThat(Files.readString(file)).isEqualTo(ORIGINAL);
        assertThat(backup).doesNotExist();
    }

    @Test
    void aBackupLeftByACrashIsRestoredAndNeverOverwrittenWithOurOwnFile() throws Exception {
        Path file = Files.writeString(etc().resolve("resolv.conf"), ORIGINAL);
        Path dir = configDir();
        new ResolvConf(file, dir.resolve(HostDns.BACKUP_FILE)).configure(InetAddress.getByName("100.64.0.7"), SETTINGS);
        // the agent dies here: nothing restores

        // the next `tern up` configures again: the original stays the backup
        ResolvConf next = new ResolvConf(file, dir.resolve(HostDns.BACKUP_FILE));
        next.configure(InetAddress.getByName("100.64.0.8"), SETTINGS);
        assertThat(Files.readString(file)).contains("nameserver 100.64.0.8\n");
        assertThat(next.previousUpstream()).containsExactly(new InetSocketAddress("10.1.2.3", 53),
                new InetSocketAddress("10.1.2.4", 53));
        // ... and dies too; `tern down` finds the backup
        assertThat(HostDns.restoreLeftover(file, dir)).isTrue();
        assertThat(Files.readString(file)).isEqualTo(ORIGINAL);
        assertThat(HostDns.restoreLeftover(file, dir)).as("nothing left").isFalse();
        assertThat(Files.readString(file)).isEqualTo(ORIGINAL);
    }

    @Test
    void aSymlinkIsReplacedByAFileAndComesBackAsTheSameLink() throws Exception {
        Path target = Files.writeString(etc().resolve("managed-resolv.conf"), ORIGINAL);
        Path file = Files.createSymbolicLink(etc().resolve("resolv.conf"), target);
        ResolvConf conf = new ResolvConf(file, configDir().resolve(HostDns.BACKUP_FILE));

        conf.configure(InetAddress.getByName("100.64.0.7"), SETTINGS);
        assertThat(Files.isSymbolicLink(file)).isFalse();
        assertThat(Files.readString(target)).as("the link's target is not written through").isEqualTo(ORIGINAL);

        conf.restore();
        assertThat(Files.isSymbolicLink(file)).isTrue();
        assertThat(Files.readSymbolicLink(file)).isEqualTo(target);
    }

    @Test
    void aFileSomeoneElseRewroteWhileWeRanIsLeftAlone() throws Exception {
        Path file = Files.writeString(etc().resolve("resolv.conf"), ORIGINAL);
        Path backup = configDir().resolve(HostDns.BACKUP_FILE);
        ResolvConf conf = new ResolvConf(file, backup);
        conf.configure(InetAddress.getByName("100.64.0.7"), SETTINGS);

        Files.writeString(file, "nameserver 192.0.2.53\n"); // a DHCP renewal, say
        conf.restore();

        assertThat(Files.readString(file)).isEqualTo("nameserver 192.0.2.53\n");
        assertThat(backup).doesNotExist();
    }

    @Test
    void aMissingFileIsMissingAgainAfterRestore() throws Exception {
        Path file = etc().resolve("resolv.conf");
        ResolvConf conf = new ResolvConf(file, configDir().resolve(HostDns.BACKUP_FILE));

        conf.configure(InetAddress.getByName("100.64.0.7"), SETTINGS);
        assertThat(file).exists();
        conf.restore();
        assertThat(file).doesNotExist();
    }

    @Test
    void systemdResolvedGetsZonesAsRoutingDomainsAndSearchDomainsPlain() {
        assertThat(SystemdResolved.domainCommand("resolvectl", "tern0", SETTINGS))
                .containsExactly("resolvectl", "domain", "tern0", "tern.internal.", "corp.example.");
        DnsSettings routedOnly = DnsSettings.from(DNSConfig.newBuilder().setServiceEnable(true)
                .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal.").setSearchDomainDisabled(true))
                .addNameServerGroups(NameServerGroup.newBuilder().setPrimary(true)
                        .addNameServers(NameServer.newBuilder().setIP("10.9.9.9").setNSType(1).setPort(53)))
                .build());
        assertThat(SystemdResolved.domainCommand("resolvectl", "tern0", routedOnly))
                .containsExactly("resolvectl", "domain", "tern0", "~tern.internal.", "~.");
    }
}
