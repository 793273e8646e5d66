package dev.tern.agent.ice;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.StunCandidateHarvester;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * One ICE session with one peer, run by ice4j: one media stream with one UDP component, host candidates on the
 * host's allowed interfaces (ice4j's harvester; the agent blocks its mesh interface with {@link #excludeInterface})
 * and server-reflexive ones from the STUN servers given, connectivity checks and nomination as RFC 8445 has them,
 * which is what pion on a NetBird client runs. The controlling side is the one whose WireGuard public key sorts
 * higher, as NetBird decides it ({@code isController: LocalKey > Key}), so the two sides never both nominate.
 *
 * <p>Remote candidates may arrive before and after {@link #start}: NetBird trickles them over signal as pion
 * gathers them. Once a pair is selected, {@link #socket()} carries datagrams on it (ice4j keeps answering the
 * peer's consent checks on the same port and does not hand them to us).
 */
public final class IceSession implements AutoCloseable {
    /** Ports ice4j binds host candidates in: the dynamic range, so they never collide with a WireGuard port. */
    static final int MIN_PORT = 49152;
    static final int MAX_PORT = 65535;
    /**
     * How many candidates one peer may give a session: pion gathers a handful per interface, and a peer sending
     * more only makes us hold and check more pairs.
     */
    static final int MAX_REMOTE_CANDIDATES = 32;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    /**
     * ice4j (and the jitsi config it reads) log every pair and state change through java.util.logging at INFO, a
     * screenful per peer: the agent keeps their warnings only. Held in fields because java.util.logging forgets a
     * logger nobody references.
     */
    private static final java.util.logging.Logger ICE4J_LOG = java.util.logging.Logger.getLogger("org.ice4j");
    private static final java.util.logging.Logger JITSI_LOG = java.util.logging.Logger.getLogger("org.jitsi");

    /**
     * ice4j reads its configuration once, from system properties over its reference.conf. How long gathering waits
     * for a STUN server: not ice4j's 15 s, since a link is opened while the engine holds its lock.
     */
    private static final String HARVEST_TIMEOUT = "ice4j.harvest.timeout";
    /** ice4j's AWS harvester asks the EC2 metadata address for a public IP: STUN tells us, as it tells NetBird. */
    private static final String AWS_HARVESTER = "ice4j.harvest.mapping.aws.enabled";
    private static final String BLOCKED_INTERFACE = "ice4j.harvest.blocked-interfaces.0";

    static {
        ICE4J_LOG.setLevel(java.util.logging.Level.WARNING);
        JITSI_LOG.setLevel(java.util.logging.Level.WARNING);
        if (System.getProperty(HARVEST_TIMEOUT) == null) {
            System.setProperty(HARVEST_TIMEOUT, "2 seconds");
        }
        if (System.getProperty(AWS_HARVESTER) == null) {
            System.setProperty(AWS_HARVESTER, "false");
        }
    }

    /**
     * Keeps {@code interfaceName} (the mesh interface) out of every later session's host candidates: a pair over
     * the mesh would run WireGuard inside itself. ice4j reads this once, so call it before the first session.
     * Loopback interfaces ice4j leaves out itself.
     */
    public static void excludeInterface(String interfaceName) {
        System.setProperty(BLOCKED_INTERFACE, interfaceName);
    }

    /** Where the selected pair runs, for status and for the WireGuard proxy. */
    public record SelectedPath(InetSocketAddress local, InetSocketAddress remote, String localType,
                               String remoteType) {
        /** Whether either end is a TURN relay candidate (NetBird reports such a pair as relayed). */
        public boolean relayed() {
            return localType.equals("relay") || remoteType.equals("relay");
        }
    }

    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final CompletableFuture<SelectedPath> selected = new CompletableFuture<>();
    private boolean started;
    private int remoteCandidates;

    public IceSession(boolean controlling) throws IOException {
        this(controlling, List.of());
    }

    /**
     * A session whose local candidates are host candidates and, per STUN server, server-reflexive ones (our address
     * as the STUN server sees it: a NAT's public side). Gathering happens here, before the first offer.
     */
    public IceSession(boolean controlling, List<InetSocketAddress> stunServers) throws IOException {
        NetBirdStun.install();
        agent = new Agent();
        agent.setControlling(controlling);
        for (InetSocketAddress stun : stunServers) {
            if (!stun.isUnresolved()) {
                agent.addCandidateHarvester(new StunCandidateHarvester(
                        new TransportAddress(stun.getAddress(), stun.getPort(), Transport.UDP)));
            }
        }
        stream = agent.createMediaStream("wireguard");
        int preferred = ThreadLocalRandom.current().nextInt(MIN_PORT, MAX_PORT + 1);
        component = agent.createComponent(stream, preferred, MIN_PORT, MAX_PORT);
        agent.addStateChangeListener(event -> {
            if (Agent.PROPERTY_ICE_PROCESSING_STATE.equals(event.getPropertyName())) {
                onStateChange((IceProcessingState) event.getNewValue());
            }
        });
    }

    private void onStateChange(IceProcessingState state) {
        if (state == IceProcessingState.COMPLETED) {
            CandidatePair pair = component.getSelectedPair();
            if (pair != null) {
                selected.complete(path(pair));
            }
        }
        if (state == IceProcessingState.FAILED) {
            selected.completeExceptionally(new IOException("ICE found no working candidate pair"));
        }
    }

    public IceCredentials localCredentials() {
        return new IceCredentials(agent.getLocalUfrag(), agent.getLocalPassword());
    }

    public boolean controlling() {
        return agent.isControlling();
    }

    /** Our candidates, to send one CANDIDATE body each. */
    public List<IceCandidate> localCandidates() {
        List<IceCandidate> out = new ArrayList<>();
        for (LocalCandidate candidate : component.getLocalCandidates()) {
            TransportAddress address = candidate.getTransportAddress();
            if (address.getTransport() != Transport.UDP) {
                continue;
            }
            TransportAddress related = candidate.getRelatedAddress();
            out.add(new IceCandidate(candidate.getFoundation(), component.getComponentID(), "udp",
                    candidate.getPriority(), address.getHostAddress(), address.getPort(),
                    candidate.getType().toString(), related == null ? null : related.getHostAddress(),
                    related == null ? 0 : related.getPort()));
        }
        return out;
    }

    /**
     * Adds a peer's candidate. Only UDP candidates with an IP literal are used (pion also sends TCP and mDNS
     * names; NetBird runs UDP only), and only {@link #MAX_REMOTE_CANDIDATES} of them: returns false for the others.
     */
    public synchronized boolean addRemoteCandidate(IceCandidate candidate) {
        if (!candidate.isUdp() || !isIpLiteral(candidate.address()) || candidate.port() == 0
                || remoteCandidates >= MAX_REMOTE_CANDIDATES) {
            return false;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(candidate.address()); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
            return false;
        }
        RemoteCandidate remote = new RemoteCandidate(new TransportAddress(address, candidate.port(), Transport.UDP),
                component, CandidateType.parse(candidate.type()), candidate.foundation(), candidate.priority(),
                null);
        if (started) {
            component.addUpdateRemoteCandidates(remote);
            component.updateRemoteCandidates();
        } else {
            component.addRemoteCandidate(remote);
        }
        remoteCandidates++;
        return true;
    }

    /** Starts the connectivity checks against the peer's credentials (from its OFFER or ANSWER). */
    public synchronized void start(IceCredentials remote) {
        if (started) {
            throw new IllegalStateException("ICE session already started");
        }
        stream.setRemoteUfrag(remote.ufrag());
        stream.setRemotePassword(remote.password());
        started = true;
        agent.startConnectivityEstablishment();
    }

    /** The selected pair once ICE completed; {@link IOException} when it failed, {@link TimeoutException} late. */
    public SelectedPath awaitSelected(Duration timeout) throws IOException, TimeoutException, InterruptedException {
        try {
            return selected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    public CompletableFuture<SelectedPath> selected() {
        return selected;
    }

    /** The socket of the selected pair: what arrives here is the peer's data, STUN already taken out. */
    public DatagramSocket socket() {
        return component.getSocket();
    }

    /** Sends one datagram to the peer on the selected pair. */
    public void send(byte[] data, int offset, int length) throws IOException {
        SelectedPath path = selected.getNow(null);
        if (path == null) {
            throw new IOException("ICE has not selected a pair yet");
        }
        component.getSocket().send(new DatagramPacket(data, offset, length, path.remote()));
    }

    @Override
    public void close() {
        selected.completeExceptionally(new IOException("ICE session closed"));
        agent.free();
    }

    private static SelectedPath path(CandidatePair pair) {
        TransportAddress local = pair.getLocalCandidate().getTransportAddress();
        TransportAddress remote = pair.getRemoteCandidate().getTransportAddress();
        return new SelectedPath(new InetSocketAddress(local.getAddress(), local.getPort()),
                new InetSocketAddress(remote.getAddress(), remote.getPort()),
                pair.getLocalCandidate().getType().toString(), pair.getRemoteCandidate().getType().toString());
    }

    static boolean isIpLiteral(String address) {
        return IPV4.matcher(address).matches() || IPV6.matcher(address).matches();
    }
}
