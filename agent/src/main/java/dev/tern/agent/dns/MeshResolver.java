package dev.tern.agent.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's DNS server, over UDP and TCP on one address (the mesh IP or a loopback address, port 53): answers
 * from the map's zones (A, AAAA, CNAME; NXDOMAIN for a name an authoritative zone does not have), sends A/AAAA
 * questions for a domain route's domains to its routing peer's forwarder (reporting the answer's addresses, which
 * the engine routes, before answering), a match domain's questions to its nameserver group, everything else to the
 * primary group if there is one, otherwise to the host's previous upstream.
 *
 * <p>It serves this host only: questions from any source other than loopback or its own address are dropped
 * (UDP) or cut off (TCP), so it is never an open resolver, whatever the firewall lets through. What one client can
 * make it hold is bounded: a question longer than {@link Limits#maxQueryBytes} is dropped, forwarded questions in
 * flight are capped (past the cap: SERVFAIL at once), every upstream has a timeout, and TCP connections are capped
 * in number and closed when idle.
 */
public final class MeshResolver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshResolver.class);
    /** Without EDNS a UDP answer is at most 512 bytes (RFC 1035); with it we honour up to the DNS-flag-day size. */
    static final int UDP_PLAIN_MAX = 512;
    static final int UDP_EDNS_MAX = 1232;
    /** CNAME chains inside our zones are followed this far; a longer one is a loop. */
    static final int MAX_CNAME_HOPS = 8;

    /**
     * {@code maxQueryBytes}: a larger question is dropped (one question with EDNS fits easily in 512).
     * {@code maxInFlight}: forwarded questions waiting for an upstream. {@code upstreamTimeout}: per nameserver.
     * {@code maxTcpConnections} and {@code tcpIdle}: open TCP clients, and how long one may stay silent.
     */
    public record Limits(int maxQueryBytes, int maxInFlight, Duration upstreamTimeout, int maxTcpConnections,
                         Duration tcpIdle) {
        public static final Limits DEFAULT = new Limits(512, 256, Duration.ofSeconds(2), 32, Duration.ofSeconds(10));
    }

    /** The domain routes whose questions go to their routing peer's forwarder, and who hears of the answers. */
    private record Interception(List<DomainRoute> routes, DomainRoute.Listener listener) {
    }

    /** What the resolver answers from and forwards to; replaced whole, so a question sees one map's view. */
    private record Routing(DnsSettings settings, List<InetSocketAddress> hostUpstream) {
    }

    private final InetSocketAddress address;
    private final Limits limits;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Semaphore inFlight;
    private final AtomicInteger tcpConnections = new AtomicInteger();
    private volatile Routing routing = new Routing(DnsSettings.DISABLED, List.of());
    private volatile Interception interception = new Interception(List.of(), DomainRoute.Listener.NONE);
    private volatile boolean closed;

    private MeshResolver(InetSocketAddress address, Limits limits, DatagramSocket udp, ServerSocket tcp) {
        this.address = address;
        this.limits = limits;
        this.udp = udp;
        this.tcp = tcp;
        this.inFlight = new Semaphore(limits.maxInFlight());
    }

    /** Binds UDP and TCP on {@code bind} (port 0 picks one free for both) and starts serving. */
    public static MeshResolver start(InetSocketAddress bind, Limits limits) throws IOException {
        for (int attempt = 1; ; attempt++) {
            DatagramSocket udp = new DatagramSocket(bind);
            ServerSocket tcp = new ServerSocket();
            try {
                tcp.setReuseAddress(true);
                tcp.bind(new InetSocketAddress(bind.getAddress(), udp.getLocalPort()), 16);
            } catch (IOException e) {
                udp.close();
                tcp.close();
                if (bind.getPort() != 0 || attempt == 10) {
                    throw e;
                }
                continue; // the port UDP picked is taken for TCP: pick another
            }
            MeshResolver resolver = new MeshResolver(new InetSocketAddress(bind.getAddress(), udp.getLocalPort()),
                    limits, udp, tcp);
            thread("tern-dns-udp", resolver::serveUdp).start();
            thread("tern-dns-tcp", resolver::acceptTcp).start();
            return resolver;
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Takes a new map's DNS settings and the host's previous upstream; later questions see them. */
    public void update(DnsSettings settings, List<InetSocketAddress> hostUpstream) {
        // Never forward to ourselves: a host upstream that is our own address would loop.
        routing = new Routing(settings, hostUpstream.stream().filter(a -> !a.equals(address)).toList());
    }

    /** Takes the domain routes to intercept (after the zones, before match domains and upstream, as NetBird). */
    public void routeDomains(List<DomainRoute> routes, DomainRoute.Listener listener) {
        interception = new Interception(List.copyOf(routes), listener);
    }

    public List<InetSocketAddress> hostUpstream() {
        return routing.hostUpstream();
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Loopback, or this host talking to its own mesh address. */
    private boolean allowed(InetAddress client) {
        return client.isLoopbackAddress() || client.equals(address.getAddress());
    }

    private void serveUdp() {
        byte[] buffer = new byte[limits.maxQueryBytes() + 1];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS over UDP stopped: {}", e.getMessage());
                }
                return;
            }
            if (packet.getLength() > limits.maxQueryBytes() || !allowed(packet.getAddress())) {
                continue; // no answer: an oversized or foreign question gets nothing to amplify
            }
            Optional<Message> parsed = parse(packet);
            if (parsed.isEmpty()) {
                continue;
            }
            Message query = parsed.get();
            InetSocketAddress client = (InetSocketAddress) packet.getSocketAddress();
            int maxAnswer = udpAnswerLimit(query);
            answer(query).whenComplete((response, error) -> {
                Message reply = error == null ? response : failure(query, Rcode.SERVFAIL);
                byte[] wire = reply.toWire(maxAnswer);
                try {
                    udp.send(new DatagramPacket(wire, wire.length, client));
                } catch (IOException e) {
                    LOG.debug("cannot answer {}: {}", client, e.getMessage());
                }
            });
        }
    }

    /** The DNS message a datagram carries, or nothing when it is none. */
    static Optional<Message> parse(DatagramPacket packet) {
        try {
            return Optional.of(new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The addresses of an answer's A and AAAA records, as text. */
    static List<String> addresses(Message reply) {
        List<String> addresses = new ArrayList<>();
        for (Record record : reply.getSection(Section.ANSWER)) {
            if (record instanceof org.xbill.DNS.ARecord a) {
                addresses.add(a.getAddress().getHostAddress());
            } else if (record instanceof org.xbill.DNS.AAAARecord aaaa) {
                addresses.add(aaaa.getAddress().getHostAddress());
            }
        }
        return List.copyOf(addresses);
    }

    private static int udpAnswerLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? UDP_PLAIN_MAX : Math.max(UDP_PLAIN_MAX, Math.min(opt.getPayloadSize(), UDP_EDNS_MAX));
    }

    private void acceptTcp() {
        while (!closed) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS over TCP stopped: {}", e.getMessage());
                }
                return;
            }
            if (!allowed(socket.getInetAddress())) {
                closeQuietly(socket);
                continue;
            }
            if (tcpConnections.incrementAndGet() > limits.maxTcpConnections()) {
                tcpConnections.decrementAndGet();
                closeQuietly(socket);
                continue;
            }
            thread("tern-dns-tcp-client", () -> {
                try {
                    serveTcp(socket);
                } finally {
                    tcpConnections.decrementAndGet();
                    closeQuietly(socket);
                }
            }).start();
        }
    }

    private void serveTcp(Socket socket) {
        try {
            socket.setSoTimeout((int) limits.tcpIdle().toMillis());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (!closed) {
                int length = in.readUnsignedShort();
                if (length == 0 || length > limits.maxQueryBytes()) {
                    return;
                }
                Message query = new Message(in.readNBytes(length));
                Message reply;
                try {
                    // Bounded: every upstream try has its timeout, so this wait ends.
                    reply = answer(query).toCompletableFuture().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    reply = failure(query, Rcode.SERVFAIL);
                }
                byte[] wire = reply.toWire(65535);
                out.writeShort(wire.length);
                out.write(wire);
                out.flush();
            }
        } catch (EOFException | SocketException | java.net.SocketTimeoutException e) {
            // the client closed, went silent, or we are closing
        } catch (IOException e) {
            LOG.debug("DNS over TCP: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The answer to one question, from a zone or from upstream. */
    CompletionStage<Message> answer(Message query) {
        Record question = query.getQuestion();
        if (query.getHeader().getFlag(Flags.QR) || query.getHeader().getOpcode() != Opcode.QUERY) {
            return CompletableFuture.completedFuture(failure(query, Rcode.NOTIMP));
        }
        if (question == null) {
            return CompletableFuture.completedFuture(failure(query, Rcode.FORMERR));
        }
        Routing current = routing;
        Optional<DnsSettings.Zone> zone = zoneFor(current, question.getName());
        if (zone.isEmpty() || !zone.get().authoritative() && !zone.get().exists(question.getName())) {
            return interceptOrForward(current, query);
        }
        Message reply = reply(query);
        reply.getHeader().setFlag(Flags.AA);
        Name name = question.getName();
        int type = question.getType();
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Optional<DnsSettings.Zone> owner = zoneFor(current, name);
            if (owner.isEmpty()) {
                // A CNAME out of our zones: the rest of the chain comes from upstream.
                return followUpstream(current, query, reply, name, type);
            }
            List<Record> records = owner.get().records().get(name);
            if (records == null) {
                if (!owner.get().exists(name)) {
                    reply.getHeader().setRcode(Rcode.NXDOMAIN);
                }
                return CompletableFuture.completedFuture(reply);
            }
            List<Record> matching = records.stream()
                    .filter(r -> r.getType() == type || type == Type.ANY).toList();
            if (!matching.isEmpty()) {
                matching.forEach(r -> reply.addRecord(r, Section.ANSWER));
                return CompletableFuture.completedFuture(reply);
            }
            Optional<Record> cname = records.stream().filter(r -> r.getType() == Type.CNAME).findFirst();
            if (cname.isEmpty()) {
                return CompletableFuture.completedFuture(reply); // the name exists, not with this type
            }
            reply.addRecord(cname.get(), Section.ANSWER);
            name = ((CNAMERecord) cname.get()).getTarget();
        }
        return CompletableFuture.completedFuture(failure(query, Rcode.SERVFAIL));
    }

    private CompletionStage<Message> followUpstream(Routing current, Message query, Message reply, Name target,
                                                    int type) {
        Message chased = Message.newQuery(Record.newRecord(target, type, query.getQuestion().getDClass()));
        return forward(current, chased).thenApply(upstream -> {
            upstream.getSection(Section.ANSWER).forEach(r -> reply.addRecord(r, Section.ANSWER));
            reply.getHeader().setRcode(upstream.getRcode());
            return reply;
        });
    }

    /** The zone with the longest domain that {@code name} is in. */
    private static Optional<DnsSettings.Zone> zoneFor(Routing current, Name name) {
        return current.settings().zones().stream()
                .filter(zone -> name.subdomain(zone.domain()))
                .max(Comparator.comparingInt(zone -> zone.domain().labels()));
    }

    /** The longest match domain's group, else the primary group, else the host's previous upstream. */
    static List<InetSocketAddress> upstreamFor(DnsSettings settings, List<InetSocketAddress> hostUpstream, Name name) {
        Optional<DnsSettings.NameServerGroup> match = settings.groups().stream()
                .filter(group -> group.domains().stream().anyMatch(name::subdomain))
                .max(Comparator.comparingInt(group -> group.domains().stream().filter(name::subdomain)
                        .mapToInt(Name::labels).max().orElse(0)));
        if (match.isPresent()) {
            return match.get().nameservers();
        }
        return settings.groups().stream().filter(DnsSettings.NameServerGroup::primary).findFirst()
                .map(DnsSettings.NameServerGroup::nameservers).orElse(hostUpstream);
    }

    /**
     * An A or AAAA question for a domain route's domain goes to the route's forwarder (its routing peer), and the
     * addresses of the answer are reported before the answer goes back, as NetBird's DNS interceptor does; other
     * questions, and other types for those names, go where {@link #forward} sends them.
     */
    private CompletionStage<Message> interceptOrForward(Routing current, Message query) {
        Interception now = interception;
        Record question = query.getQuestion();
        int type = question.getType();
        String name = question.getName().toString(true).toLowerCase(java.util.Locale.ROOT);
        Optional<DomainRoute> route = type == Type.A || type == Type.AAAA
                ? now.routes().stream().filter(r -> r.covers(name)).findFirst() : Optional.empty();
        if (route.isEmpty()) {
            return forward(current, query);
        }
        return forwardTo(List.of(route.get().forwarder()), query).thenApply(reply -> {
            List<String> addresses = reply.getRcode() == Rcode.NOERROR ? addresses(reply) : List.of();
            if (!addresses.isEmpty()) {
                try {
                    now.listener().resolved(route.get().group(), name, List.copyOf(addresses));
                } catch (RuntimeException e) {
                    LOG.warn("cannot route what {} resolved to: {}", name, e.getMessage());
                }
            }
            return reply;
        });
    }

    private CompletionStage<Message> forward(Routing current, Message query) {
        return forwardTo(upstreamFor(current.settings(), current.hostUpstream(), query.getQuestion().getName()),
                query);
    }

    private CompletionStage<Message> forwardTo(List<InetSocketAddress> servers, Message query) {
        if (servers.isEmpty() || !inFlight.tryAcquire()) {
            return CompletableFuture.completedFuture(failure(query, Rcode.SERVFAIL));
        }
        CompletableFuture<Message> result = new CompletableFuture<>();
        tryUpstream(query, servers, 0, result);
        return result.whenComplete((reply, error) -> inFlight.release());
    }

    /**
     * Asks {@code servers} in order until one answers within its timeout; over UDP whichever way the client asked
     * (dnsjava's client retries over TCP itself when the answer is truncated).
     */
    private void tryUpstream(Message query, List<InetSocketAddress> servers, int index,
                             CompletableFuture<Message> result) {
        askInTurn(query, servers, index, limits.upstreamTimeout(), () -> closed, result);
    }

    /** {@link #tryUpstream}'s loop, also the routing peer's forwarder's: SERVFAIL once every server failed. */
    static void askInTurn(Message query, List<InetSocketAddress> servers, int index, Duration timeout,
                          java.util.function.BooleanSupplier stopped, CompletableFuture<Message> result) {
        if (index >= servers.size() || stopped.getAsBoolean()) {
            result.complete(failure(query, Rcode.SERVFAIL));
            return;
        }
        SimpleResolver upstream = new SimpleResolver(servers.get(index));
        upstream.setTimeout(timeout);
        Message forwarded = query.clone();
        forwarded.removeAllRecords(Section.ADDITIONAL); // the client's EDNS options are between it and us
        upstream.sendAsync(forwarded).whenComplete((response, error) -> {
            if (error != null) {
                LOG.debug("upstream {} did not answer: {}", servers.get(index), error.getMessage());
                askInTurn(query, servers, index + 1, timeout, stopped, result);
                return;
            }
            response.getHeader().setID(query.getHeader().getID());
            result.complete(response);
        });
    }

    private static Message reply(Message query) {
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            reply.getHeader().setFlag(Flags.RD);
        }
        if (query.getQuestion() != null) {
            reply.addRecord(query.getQuestion(), Section.QUESTION);
        }
        if (query.getOPT() != null) {
            reply.addRecord(new OPTRecord(UDP_EDNS_MAX, 0, 0), Section.ADDITIONAL);
        }
        return reply;
    }

    static Message failure(Message query, int rcode) {
        Message reply = reply(query);
        reply.getHeader().setRcode(rcode);
        return reply;
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        closeQuietly(tcp);
    }
}
