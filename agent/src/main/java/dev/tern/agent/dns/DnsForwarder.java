package dev.tern.agent.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The routing peer's DNS forwarder over UDP on our mesh IP (NetBird's {@code dnsfwd}, port 5353 unless the map's
 * DNSConfig names another): a question for one of the served domain routes' domains is resolved through this
 * host's resolver ({@code upstream}: the agent's own resolver while it serves, else the host's nameservers) and
 * the A/AAAA addresses of the answer are reported to the listener before the answer goes back, so the firewall
 * forwards towards them by the time the client's first packet arrives. Other names get REFUSED: it is no open
 * resolver for the mesh.
 *
 * <p>Bounded like the mesh resolver: only sources inside the mesh prefix are answered, a question over
 * {@link MeshResolver.Limits#maxQueryBytes} is dropped, at most {@link MeshResolver.Limits#maxInFlight} questions
 * wait for upstream (then SERVFAIL), each upstream try has its timeout.
 */
public final class DnsForwarder implements DnsForwarding {
    private static final Logger LOG = LoggerFactory.getLogger(DnsForwarder.class);

    private final Supplier<List<InetSocketAddress>> upstream;
    private final MeshResolver.Limits limits;
    private final Semaphore inFlight;
    private volatile Serving serving;

    /** What one socket serves: replaced whole when the address, port or domains change. */
    private record Serving(DatagramSocket socket, String meshAddress, int port, List<DomainRoute> domains,
                           Listener listener) {
    }

    public DnsForwarder(Supplier<List<InetSocketAddress>> upstream, MeshResolver.Limits limits) {
        this.upstream = upstream;
        this.limits = limits;
        this.inFlight = new Semaphore(limits.maxInFlight());
    }

    /** The address the forwarder listens on, or null while it serves nothing. */
    public InetSocketAddress address() {
        Serving current = serving;
        return current == null ? null : (InetSocketAddress) current.socket().getLocalSocketAddress();
    }

    @Override
    public synchronized void serve(String meshAddress, int port, List<String> domains, Listener listener) {
        Serving current = serving;
        if (domains.isEmpty() || meshAddress == null || meshAddress.isEmpty()) {
            close();
            return;
        }
        // the domains as patterns, matched as the client's interceptor matches them
        List<DomainRoute> patterns = List.of(new DomainRoute("", domains, null));
        if (current != null && current.meshAddress().equals(meshAddress) && current.port() == port) {
            serving = new Serving(current.socket(), meshAddress, port, patterns, listener);
            return;
        }
        close();
        try {
            InetAddress ip = InetAddress.getByName(meshAddress.substring(0, meshAddress.indexOf('/') < 0
                    ? meshAddress.length() : meshAddress.indexOf('/')));
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(ip, port));
            Serving next = new Serving(socket, meshAddress, port, patterns, listener);
            serving = next;
            Thread thread = new Thread(() -> serveUdp(next), "tern-dns-forwarder");
            thread.setDaemon(true);
            thread.start();
            LOG.info("DNS forwarder for domain routes listening on {} ({})", socket.getLocalSocketAddress(),
                    String.join(" ", domains));
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot serve domain routes' DNS on {}:{}: {}", meshAddress, port, e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        Serving current = serving;
        serving = null;
        if (current != null) {
            current.socket().close();
        }
    }

    private void serveUdp(Serving mine) {
        DatagramSocket socket = mine.socket();
        byte[] buffer = new byte[limits.maxQueryBytes() + 1];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warn("DNS forwarder stopped: {}", e.getMessage());
                }
                return;
            }
            Serving current = serving;
            if (current == null || current.socket() != socket || packet.getLength() > limits.maxQueryBytes()
                    || !inPrefix(packet.getAddress(), current.meshAddress())) {
                continue;
            }
            java.util.Optional<Message> parsed = MeshResolver.parse(packet);
            if (parsed.isEmpty()) {
                continue;
            }
            Message query = parsed.get();
            InetSocketAddress client = (InetSocketAddress) packet.getSocketAddress();
            answer(current, query).whenComplete((reply, error) -> {
                byte[] wire = (error == null ? reply : MeshResolver.failure(query, Rcode.SERVFAIL))
                        .toWire(MeshResolver.UDP_PLAIN_MAX);
                try {
                    socket.send(new DatagramPacket(wire, wire.length, client));
                } catch (IOException e) {
                    LOG.debug("cannot answer {}: {}", client, e.getMessage());
                }
            });
        }
    }

    CompletableFuture<Message> answer(Serving current, Message query) {
        Record question = query.getQuestion();
        if (question == null || query.getHeader().getFlag(Flags.QR)
                || query.getHeader().getOpcode() != Opcode.QUERY) {
            return CompletableFuture.completedFuture(MeshResolver.failure(query, Rcode.FORMERR));
        }
        String name = question.getName().toString(true).toLowerCase(Locale.ROOT);
        if (current.domains().stream().noneMatch(route -> route.covers(name))) {
            return CompletableFuture.completedFuture(MeshResolver.failure(query, Rcode.REFUSED));
        }
        List<InetSocketAddress> servers = upstream.get();
        if (servers.isEmpty() || !inFlight.tryAcquire()) {
            return CompletableFuture.completedFuture(MeshResolver.failure(query, Rcode.SERVFAIL));
        }
        CompletableFuture<Message> result = new CompletableFuture<>();
        MeshResolver.askInTurn(query, servers, 0, limits.upstreamTimeout(), () -> false, result);
        return result.whenComplete((reply, error) -> inFlight.release()).thenApply(reply -> {
            List<String> addresses = MeshResolver.addresses(reply);
            if (!addresses.isEmpty()) {
                try {
                    current.listener().forwarded(name, List.copyOf(addresses));
                } catch (RuntimeException e) {
                    LOG.warn("cannot forward towards what {} resolved to: {}", name, e.getMessage());
                }
            }
            return reply;
        });
    }

    /** Whether {@code address} is inside {@code cidr} (our mesh address with its prefix length). */
    static boolean inPrefix(InetAddress address, String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return false;
        }
        try {
            byte[] network = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            byte[] candidate = address.getAddress();
            int bits = Integer.parseInt(cidr.substring(slash + 1));
            if (network.length != candidate.length || bits > network.length * 8) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((network[i / 8] & mask) != (candidate[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "DnsForwarder" + Objects.toString(address(), "(idle)");
    }
}
