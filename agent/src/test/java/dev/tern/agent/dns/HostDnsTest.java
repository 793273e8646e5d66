package dev.tern.agent.dns;

import dev.tern.agent.dataplane.Shell;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole of the agent's DNS on loopback (the mesh address stands in as 127.0.0.1) and a temp resolv.conf. */
class HostDnsTest {
    private static final String ORIGINAL = "nameserver 10.1.2.3\noptions edns0\n";
    private static final DNSConfig ZONE = DNSConfig.newBuilder().setServiceEnable(true)
            .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal.")
                    .addRecords(SimpleRecord.newBuilder().setName("build01.tern.internal.").setType(Type.A)
                            .setClass_("IN").setTTL(300).setRData("100.64.0.8")))
            .build();

    @TempDir
    Path temp;
    private HostDns dns;

    private HostDns dns(Path resolvConf) {
        dns = new HostDns("tern0", new Shell(), resolvConf, temp, 0, MeshResolver.Limits.DEFAULT);
        return dns;
    }

    @AfterEach
    void close() {
        if (dns != null) {
            dns.close();
        }
    }

    private static String ask(String resolver, String name) throws Exception {
        String[] hostPort = resolver.split(":");
        SimpleResolver client = new SimpleResolver(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
        client.setTimeout(Duration.ofSeconds(5));
        Message response = client.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
        return response.getSection(Section.ANSWER).stream().map(Record::rdataToString).findFirst().orElse(null);
    }

    @Test
    void aMapWithDnsServesItsZonesAndPointsTheHostAtTheResolverUntilClosed() throws Exception {
        Path resolvConf = Files.writeString(temp.resolve("resolv.conf"), ORIGINAL);
        HostDns dns = dns(resolvConf);

        dns.apply("127.0.0.1/8", ZONE);

        StatusReport.Dns status = dns.status();
        assertThat(status.resolver()).startsWith("127.0.0.1:");
        assertThat(status.hostConfig()).isEqualTo("resolv.conf");
        assertThat(status.zones()).containsExactly("tern.internal.");
        assertThat(status.upstream()).containsExactly("10.1.2.3:53");
        assertThat(Files.readString(resolvConf)).contains("nameserver 127.0.0.1\n").doesNotContain("10.1.2.3");
        assertThat(ask(status.resolver(), "build01.tern.internal.")).isEqualTo("100.64.0.8");

        dns.close();
        assertThat(Files.readString(resolvConf)).isEqualTo(ORIGINAL);
        assertThat(dns.status().resolver()).isNull();
    }

    @Test
    void aMapThatDidNotChangeDnsChangesNothingAndOneWithoutItRestoresTheHost() throws Exception {
        Path resolvConf = Files.writeString(temp.resolve("resolv.conf"), ORIGINAL);
        HostDns dns = dns(resolvConf);
        dns.apply("127.0.0.1/8", ZONE);
        String resolver = dns.status().resolver();
        String ours = Files.readString(resolvConf);
        Files.writeString(resolvConf, ours + "# touched\n");

        dns.apply("", DNSConfig.newBuilder(ZONE).build());
        assertThat(dns.status().resolver()).as("not restarted").isEqualTo(resolver);
        assertThat(Files.readString(resolvConf)).as("not rewritten").endsWith("# touched\n");

        dns.apply("127.0.0.1/8", DNSConfig.newBuilder(ZONE).setServiceEnable(false).build());
        assertThat(dns.status().resolver()).isNull();
        assertThat(dns.status().hostConfig()).isEqualTo("none");
        assertThat(Files.readString(resolvConf)).isEqualTo(ORIGINAL);
    }

    @Test
    void aMapWithoutServiceEnableLeavesTheHostAlone() throws Exception {
        Path resolvConf = Files.writeString(temp.resolve("resolv.conf"), ORIGINAL);
        HostDns dns = dns(resolvConf);

        dns.apply("127.0.0.1/8", DNSConfig.getDefaultInstance());
        dns.close();

        assertThat(Files.readString(resolvConf)).isEqualTo(ORIGINAL);
        assertThat(temp.resolve(HostDns.BACKUP_FILE)).doesNotExist();
        assertThat(dns.status().resolver()).isNull();
    }
}
