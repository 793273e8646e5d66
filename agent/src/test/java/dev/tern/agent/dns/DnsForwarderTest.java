package dev.tern.agent.dns;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The routing peer's forwarder on loopback (127.0.0.2 standing for our mesh IP, 127.0.0.0/8 for the mesh), asked
 * over UDP from inside and outside the mesh prefix; the host's resolver is a {@link FakeUpstream}.
 */
class DnsForwarderTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> forwarded = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    private DnsForwarder forwarder(FakeUpstream upstream, String meshAddress, List<String> domains) {
        DnsForwarder forwarder = new DnsForwarder(() -> List.of(upstream.address()),
                new MeshResolver.Limits(512, 16, Duration.ofMillis(500), 4, Duration.ofSeconds(5)));
        open.add(forwarder::close);
        forwarder.serve(meshAddress, 0, domains, (name, addresses) -> forwarded.add(name + " " + addresses));
        return forwarder;
    }

    private FakeUpstream upstream() throws IOException {
        FakeUpstream upstream = new FakeUpstream(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false);
        open.add(upstream);
        return upstream;
    }

    /** One UDP question from {@code from}; the answer, or a timeout when none comes. */
    private static Message ask(InetSocketAddress server, String from, String name) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(from), 0))) {
            socket.setSoTimeout(2000);
            byte[] query = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
            socket.send(new DatagramPacket(query, query.length, server));
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            socket.receive(packet);
            return new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        }
    }

    @Test
    void aServedDomainIsResolvedThroughTheHostAndItsAddressesReportedBeforeTheAnswer() throws Exception {
        FakeUpstream upstream = upstream().answering("app.example.com.", "10.10.10.5")
                .answering("secret.example.com.", "10.99.0.1");
        DnsForwarder forwarder = forwarder(upstream, "127.0.0.2/8", List.of("app.example.com"));

        Message answer = ask(forwarder.address(), "127.0.0.1", "App.Example.com.");
        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).extracting(r -> ((ARecord) r).getAddress().getHostAddress())
                .containsExactly("10.10.10.5");
        assertThat(forwarded).containsExactly("app.example.com [10.10.10.5]");

        assertThat(ask(forwarder.address(), "127.0.0.1", "secret.example.com.").getRcode())
                .as("no open resolver: names of no served route are refused").isEqualTo(Rcode.REFUSED);
        assertThat(upstream.questions).containsExactly(Name.fromString("App.Example.com."));
        assertThat(forwarded).hasSize(1);
    }

    @Test
    void questionsFromOutsideTheMeshPrefixGetNoAnswer() throws Exception {
        FakeUpstream upstream = upstream().answering("app.example.com.", "10.10.10.5");
        DnsForwarder forwarder = forwarder(upstream, "127.0.0.2/32", List.of("app.example.com"));

        assertThatThrownBy(() -> ask(forwarder.address(), "127.0.0.1", "app.example.com."))
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(upstream.questions).isEmpty();
        assertThat(ask(forwarder.address(), "127.0.0.2", "app.example.com.").getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void newDomainsTakeEffectAndNoDomainsStopIt() throws Exception {
        FakeUpstream upstream = upstream().answering("b.example.com.", "10.10.10.6");
        DnsForwarder forwarder = forwarder(upstream, "127.0.0.2/8", List.of("a.example.com"));
        InetSocketAddress address = forwarder.address();
        assertThat(ask(address, "127.0.0.1", "b.example.com.").getRcode()).isEqualTo(Rcode.REFUSED);

        forwarder.serve("127.0.0.2/8", 0, List.of("*.example.com"), (name, addresses) -> forwarded.add(name));
        assertThat(forwarder.address()).as("the same socket serves the new domains").isEqualTo(address);
        assertThat(ask(address, "127.0.0.1", "b.example.com.").getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(forwarded).containsExactly("b.example.com");

        forwarder.serve("127.0.0.2/8", 0, List.of(), (name, addresses) -> forwarded.add(name));
        assertThat(forwarder.address()).isNull();
        assertThatThrownBy(() -> ask(address, "127.0.0.1", "b.example.com."))
                .isInstanceOf(IOException.class);
    }

    @Test
    void inPrefixComparesTheNetworkBitsOnly() throws Exception {
        assertThat(DnsForwarder.inPrefix(InetAddress.getByName("100.64.3.9"), "100.64.0.7/16")).isTrue();
        assertThat(DnsForwarder.inPrefix(InetAddress.getByName("100.65.0.1"), "100.64.0.7/16")).isFalse();
        assertThat(DnsForwarder.inPrefix(InetAddress.getByName("fd00::1"), "100.64.0.7/16")).isFalse();
        assertThat(DnsForwarder.inPrefix(InetAddress.getByName("100.64.0.7"), "100.64.0.7")).isFalse();
    }
}
