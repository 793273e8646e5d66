package dev.tern.agent.dns;

import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.NameServer;
import dev.tern.protocol.management.NameServerGroup;
import dev.tern.protocol.management.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The resolver on loopback, asked with dnsjava's client; upstreams are {@link FakeUpstream}s on loopback. */
class MeshResolverTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    private MeshResolver resolver(MeshResolver.Limits limits, DNSConfig config, List<InetSocketAddress> upstream)
            throws IOException {
        MeshResolver resolver = MeshResolver.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits);
        open.add(resolver);
        resolver.update(DnsSettings.from(config), upstream);
        return resolver;
    }

    private MeshResolver resolver(DNSConfig config, List<InetSocketAddress> upstream) throws IOException {
        return resolver(MeshResolver.Limits.DEFAULT, config, upstream);
    }

    private FakeUpstream upstream(boolean silent) throws IOException {
        FakeUpstream upstream = new FakeUpstream(silent);
        open.add(upstream);
        return upstream;
    }

    private static SimpleResolver client(MeshResolver resolver, boolean tcp) {
        SimpleResolver client = new SimpleResolver(resolver.address());
        client.setTCP(tcp);
        client.setTimeout(Duration.ofSeconds(10));
        return client;
    }

    private static Message ask(MeshResolver resolver, String name, int type, boolean tcp) throws IOException {
        return client(resolver, tcp).send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    private static SimpleRecord record(String name, int type, String rdata) {
        return SimpleRecord.newBuilder().setName(name).setType(type).setClass_("IN").setTTL(300).setRData(rdata).build();
    }

    private static final DNSConfig MESH_ZONE = DNSConfig.newBuilder().setServiceEnable(true)
            .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal.")
                    .addRecords(record("build01.tern.internal.", Type.A, "100.64.0.8"))
                    .addRecords(record("build01.tern.internal.", Type.AAAA, "fd00::8"))
                    .addRecords(record("registry.tern.internal.", Type.CNAME, "build01.tern.internal."))
                    .addRecords(record("docs.tern.internal.", Type.CNAME, "www.example.org."))
                    .addRecords(record("a.deep.tern.internal.", Type.A, "100.64.0.9")))
            .build();

    private static List<String> answers(Message response) {
        return response.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }

    @Test
    void answersTheZonesRecordsOverUdpAndTcp() throws Exception {
        MeshResolver resolver = resolver(MESH_ZONE, List.of());
        for (boolean tcp : new boolean[]{false, true}) {
            Message a = ask(resolver, "build01.tern.internal.", Type.A, tcp);
            assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(answers(a)).containsExactly("100.64.0.8");
            assertThat(answers(ask(resolver, "BUILD01.tern.internal.", Type.AAAA, tcp))).containsExactly("fd00:0:0:0:0:0:0:8");
        }
    }

    @Test
    void followsCnamesInsideItsZonesAndOutToUpstream() throws Exception {
        FakeUpstream host = upstream(false).answering("www.example.org.", "192.0.2.80");
        MeshResolver resolver = resolver(MESH_ZONE, List.of(host.address()));

        Message alias = ask(resolver, "registry.tern.internal.", Type.A, false);
        assertThat(alias.getSection(Section.ANSWER)).extracting(Record::getType).containsExactly(Type.CNAME, Type.A);
        assertThat(((CNAMERecord) alias.getSection(Section.ANSWER).get(0)).getTarget())
                .isEqualTo(Name.fromString("build01.tern.internal."));
        assertThat(((ARecord) alias.getSection(Section.ANSWER).get(1)).getAddress().getHostAddress()).isEqualTo("100.64.0.8");

        Message outside = ask(resolver, "docs.tern.internal.", Type.A, false);
        assertThat(answers(outside)).containsExactly("www.example.org.", "192.0.2.80");
        assertThat(host.questions).containsExactly(Name.fromString("www.example.org."));
    }

    @Test
    void anUnknownNameInAnAuthoritativeZoneIsNxdomainAndAKnownNameWithoutTheTypeIsEmpty() throws Exception {
        FakeUpstream host = upstream(false);
        MeshResolver resolver = resolver(MESH_ZONE, List.of(host.address()));

        Message unknown = ask(resolver, "nope.tern.internal.", Type.A, false);
        assertThat(unknown.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(unknown.getHeader().getFlag(Flags.AA)).isTrue();

        Message noData = ask(resolver, "build01.tern.internal.", Type.TXT, false);
        assertThat(noData.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(noData.getSection(Section.ANSWER)).isEmpty();
        // a name with records only below it exists too
        assertThat(ask(resolver, "deep.tern.internal.", Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(host.questions).as("nothing in our zone is asked upstream").isEmpty();
    }

    @Test
    void aNonAuthoritativeZoneLetsUnknownNamesThrough() throws Exception {
        FakeUpstream host = upstream(false).answering("other.shared.example.", "192.0.2.7");
        DNSConfig config = DNSConfig.newBuilder().setServiceEnable(true)
                .addCustomZones(CustomZone.newBuilder().setDomain("shared.example.").setNonAuthoritative(true)
                        .addRecords(record("ours.shared.example.", Type.A, "100.64.0.5")))
                .build();
        MeshResolver resolver = resolver(config, List.of(host.address()));

        assertThat(answers(ask(resolver, "ours.shared.example.", Type.A, false))).containsExactly("100.64.0.5");
        assertThat(answers(ask(resolver, "other.shared.example.", Type.A, false))).containsExactly("192.0.2.7");
    }

    @Test
    void otherNamesGoToTheHostsPreviousUpstream() throws Exception {
        FakeUpstream host = upstream(false).answering("example.com.", "192.0.2.1");
        MeshResolver resolver = resolver(MESH_ZONE, List.of(host.address()));

        resolver.update(DnsSettings.from(MESH_ZONE), List.of(resolver.address(), host.address()));
        assertThat(resolver.hostUpstream()).as("never ourselves: that would loop").containsExactly(host.address());
        for (boolean tcp : new boolean[]{false, true}) {
            Message response = ask(resolver, "example.com.", Type.A, tcp);
            assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(response)).containsExactly("192.0.2.1");
        }
        assertThat(ask(resolver, "missing.example.com.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void aMatchDomainGoesToItsNameserverGroupAndThePrimaryGroupTakesTheRest() throws Exception {
        FakeUpstream host = upstream(false).answering("example.com.", "192.0.2.1");
        FakeUpstream corp = upstream(false).answering("git.corp.example.", "10.20.0.5");
        FakeUpstream deeper = upstream(false).answering("db.eu.corp.example.", "10.30.0.5");
        DNSConfig matchOnly = MESH_ZONE.toBuilder()
                .addNameServerGroups(group(corp, false, "corp.example"))
                .addNameServerGroups(group(deeper, false, "eu.corp.example"))
                .build();
        MeshResolver resolver = resolver(matchOnly, List.of(host.address()));

        assertThat(answers(ask(resolver, "git.corp.example.", Type.A, false))).containsExactly("10.20.0.5");
        assertThat(answers(ask(resolver, "db.eu.corp.example.", Type.A, false))).containsExactly("10.30.0.5");
        assertThat(answers(ask(resolver, "example.com.", Type.A, false))).containsExactly("192.0.2.1");
        assertThat(corp.questions).containsExactly(Name.fromString("git.corp.example."));
        assertThat(deeper.questions).containsExactly(Name.fromString("db.eu.corp.example."));
        assertThat(host.questions).containsExactly(Name.fromString("example.com."));

        FakeUpstream primary = upstream(false).answering("example.com.", "198.51.100.1");
        resolver.update(DnsSettings.from(matchOnly.toBuilder().addNameServerGroups(group(primary, true)).build()),
                List.of(host.address()));
        assertThat(answers(ask(resolver, "example.com.", Type.A, false))).containsExactly("198.51.100.1");
        assertThat(answers(ask(resolver, "git.corp.example.", Type.A, false))).containsExactly("10.20.0.5");
        assertThat(host.questions).hasSize(1);
    }

    private static NameServerGroup group(FakeUpstream upstream, boolean primary, String... domains) {
        return NameServerGroup.newBuilder().setPrimary(primary).addAllDomains(List.of(domains))
                .addNameServers(NameServer.newBuilder().setIP(upstream.address().getAddress().getHostAddress())
                        .setNSType(1).setPort(upstream.address().getPort()))
                .build();
    }

    @Test
    void anUpstreamThatDoesNotAnswerIsFollowedByTheNextOne() throws Exception {
        FakeUpstream dead = upstream(true);
        FakeUpstream alive = upstream(false).answering("example.com.", "192.0.2.1");
        MeshResolver resolver = resolver(new MeshResolver.Limits(512, 16, Duration.ofMillis(300), 4, Duration.ofSeconds(5)),
                MESH_ZONE, List.of(dead.address(), alive.address()));

        assertThat(answers(ask(resolver, "example.com.", Type.A, false))).containsExactly("192.0.2.1");
        assertThat(dead.questions).hasSize(1);
    }

    @Test
    void forwardedQuestionsInFlightAreCappedAndTheCapFreesUpAfterTheTimeout() throws Exception {
        FakeUpstream silent = upstream(true);
        MeshResolver resolver = resolver(new MeshResolver.Limits(512, 2, Duration.ofSeconds(3), 4, Duration.ofSeconds(5)),
                MESH_ZONE, List.of(silent.address()));
        List<CompletableFuture<Message>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(client(resolver, false).sendAsync(Message.newQuery(Record.newRecord(
                    Name.fromString("held" + i + ".example."), Type.A, DClass.IN))).toCompletableFuture());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> silent.questions.size() == 2);

        Message third = ask(resolver, "third.example.", Type.A, false);
        assertThat(third.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(held).noneMatch(CompletableFuture::isDone);
        assertThat(answers(ask(resolver, "build01.tern.internal.", Type.A, false)))
                .as("zone answers need no upstream slot").containsExactly("100.64.0.8");
        assertThat(silent.questions).hasSize(2);

        for (CompletableFuture<Message> question : held) {
            assertThat(question.get(10, TimeUnit.SECONDS).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            client(resolver, false).sendAsync(Message.newQuery(Record.newRecord(
                    Name.fromString("later.example."), Type.A, DClass.IN)));
            assertThat(silent.questions).contains(Name.fromString("later.example."));
        });
    }

    @Test
    void anOversizedQuestionGetsNoAnswerOverUdpAndClosesTheTcpConnection() throws Exception {
        MeshResolver resolver = resolver(MESH_ZONE, List.of());
        Message big = Message.newQuery(Record.newRecord(Name.fromString("build01.tern.internal."), Type.A, DClass.IN));
        big.getHeader().setID(1);
        big.addRecord(new OPTRecord(1232, 0, 0, 0, List.<EDNSOption>of(new GenericEDNSOption(65001, new byte[600]))),
                Section.ADDITIONAL);
        Message small = Message.newQuery(Record.newRecord(Name.fromString("build01.tern.internal."), Type.A, DClass.IN));
        small.getHeader().setID(2);

        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(10_000);
            for (Message query : List.of(big, small)) {
                byte[] wire = query.toWire();
                socket.send(new DatagramPacket(wire, wire.length, resolver.address()));
            }
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            socket.receive(packet);
            // the resolver reads questions in order: the first answer being the small one's means the big one got none
            assertThat(new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength())).getHeader().getID())
                    .isEqualTo(2);
        }

        try (Socket socket = new Socket(resolver.address().getAddress(), resolver.address().getPort())) {
            socket.setSoTimeout(10_000);
            byte[] wire = big.toWire();
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            assertThat(new DataInputStream(socket.getInputStream()).read()).as("closed without an answer").isEqualTo(-1);
        }
    }

    @Test
    void tcpConnectionsAreCapped() throws Exception {
        MeshResolver resolver = resolver(new MeshResolver.Limits(512, 16, Duration.ofSeconds(2), 2, Duration.ofSeconds(30)),
                MESH_ZONE, List.of());
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                idle.add(new Socket(resolver.address().getAddress(), resolver.address().getPort()));
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (Socket third = new Socket(resolver.address().getAddress(), resolver.address().getPort())) {
                    third.setSoTimeout(10_000);
                    assertThat(third.getInputStream().read()).as("the third connection is closed at once").isEqualTo(-1);
                }
            });
            idle.get(0).close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(answers(ask(resolver, "build01.tern.internal.", Type.A, true))).containsExactly("100.64.0.8"));
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void aLargeAnswerOverUdpIsTruncatedSoTheClientRetriesOverTcp() throws Exception {
        CustomZone.Builder zone = CustomZone.newBuilder().setDomain("tern.internal.");
        for (int i = 1; i <= 120; i++) {
            zone.addRecords(record("many.tern.internal.", Type.A, "100.64.1." + i));
        }
        MeshResolver resolver = resolver(DNSConfig.newBuilder().setServiceEnable(true).addCustomZones(zone).build(), List.of());
        SimpleResolver udpOnly = client(resolver, false);
        udpOnly.setIgnoreTruncation(true);
        Message truncated = udpOnly.send(Message.newQuery(Record.newRecord(Name.fromString("many.tern.internal."), Type.A, DClass.IN)));
        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(ask(resolver, "many.tern.internal.", Type.A, false).getSection(Section.ANSWER)).hasSize(120);
    }

    // --- domain routes (NetBird's DNS interceptor)

    @Test
    void aDomainRoutesQuestionsGoToItsRoutingPeersForwarderAndTheAddressesAreReportedFirst() throws Exception {
        FakeUpstream forwarder = upstream(false).answering("app.example.com.", "10.10.10.5");
        FakeUpstream hostUpstream = upstream(false).answering("app.example.com.", "203.0.113.9")
                .answering("other.example.com.", "203.0.113.10");
        MeshResolver resolver = resolver(MESH_ZONE, List.of(hostUpstream.address()));
        List<String> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        resolver.routeDomains(List.of(new DomainRoute("web|app.example.com", List.of("App.Example.com"),
                forwarder.address())), (group, name, addresses) -> reported.add(group + " " + name + " " + addresses));

        Message answer = ask(resolver, "APP.example.com.", Type.A, false);
        assertThat(answer.getSection(Section.ANSWER)).extracting(r -> ((ARecord) r).getAddress().getHostAddress())
                .containsExactly("10.10.10.5");
        // reported before the answer left: no waiting needed
        assertThat(reported).containsExactly("web|app.example.com app.example.com [10.10.10.5]");
        assertThat(hostUpstream.questions).isEmpty();

        // other names, and other types of the route's names, go where they always went
        assertThat(ask(resolver, "other.example.com.", Type.A, false).getSection(Section.ANSWER)).hasSize(1);
        ask(resolver, "app.example.com.", Type.MX, false);
        assertThat(hostUpstream.questions).containsExactly(Name.fromString("other.example.com."),
                Name.fromString("app.example.com."));
        assertThat(forwarder.questions).hasSize(1);
        // the zones still come first
        assertThat(ask(resolver, "build01.tern.internal.", Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reported).hasSize(1);

        // routes replaced: the name is no longer intercepted
        resolver.routeDomains(List.of(), DomainRoute.Listener.NONE);
        ask(resolver, "app.example.com.", Type.A, false);
        assertThat(forwarder.questions).hasSize(1);
    }

    @Test
    void aWildcardDomainRouteCoversNamesBelowItAndASilentForwarderIsAServerFailure() throws Exception {
        FakeUpstream silent = upstream(true);
        MeshResolver resolver = resolver(new MeshResolver.Limits(512, 16, Duration.ofMillis(300), 4, Duration.ofSeconds(5)),
                MESH_ZONE, List.of());
        List<String> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        resolver.routeDomains(List.of(new DomainRoute("g", List.of("*.svc.example.com"), silent.address())),
                (group, name, addresses) -> reported.add(name));

        assertThat(ask(resolver, "api.svc.example.com.", Type.A, false).getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(silent.questions).containsExactly(Name.fromString("api.svc.example.com."));
        assertThat(ask(resolver, "svc.example.com.", Type.A, false).getRcode())
                .as("the wildcard's own name is not covered: no upstream at all here").isEqualTo(Rcode.SERVFAIL);
        assertThat(silent.questions).hasSize(1);
        assertThat(reported).isEmpty();
    }
}
