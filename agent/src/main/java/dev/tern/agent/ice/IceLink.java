package dev.tern.agent.ice;

import dev.tern.protocol.signal.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One peer's ICE link, run the way NetBird's client runs its side: our OFFER (or ANSWER to theirs) carries this
 * session's credentials, our WireGuard port, our relay and a session id, followed by one CANDIDATE per local
 * candidate; the other side's OFFER/ANSWER starts the checks, its CANDIDATEs join them as they come. Once a pair
 * is selected the peer's WireGuard traffic goes through an {@link IceProxy}, whose loopback address is reported
 * ({@link IcePeer.Listener#onDirect}) to become WireGuard's endpoint for the peer; when ICE finds no pair, or the
 * link closes first, that is reported instead ({@link IcePeer.Listener#onFailed}).
 *
 * <p>A repeated OFFER with the session id we already answered is answered again (NetBird re-sends its offer until
 * it hears an answer) without restarting the checks. An OFFER with another session id after a pair was selected
 * ends the link (reported as a failure, not answered): the peer's ICE restarted, so this pair is gone.
 */
public final class IceLink implements IcePeer {
    private static final Logger LOG = LoggerFactory.getLogger(IceLink.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * NetBird's {@code sessionIDSize}: its client reads an id of any other length as none, and then never restarts
     * its ICE for our new session (an agent it already has "skips the offer").
     */
    static final int SESSION_ID_BYTES = 5;

    private final IceSession session;
    private final int wgListenPort;
    private final Supplier<String> relayAddress;
    private final String version;
    private final IcePeer.Listener listener;
    private final byte[] sessionId = new byte[SESSION_ID_BYTES];
    private byte[] remoteSessionId;
    private boolean started;
    private IceProxy proxy;
    private boolean closed;

    public IceLink(boolean controlling, int wgListenPort, Supplier<String> relayAddress, String version,
                   Consumer<Body> signal, Consumer<String> onDirect) throws IOException {
        this(new IceSession(controlling), wgListenPort, relayAddress, version, new IcePeer.Listener() {
            @Override
            public void send(Body body) {
                signal.accept(body);
            }

            @Override
            public void onDirect(String endpoint) {
                onDirect.accept(endpoint);
            }

            @Override
            public void onFailed(String why) {
                // this caller only waits for a direct path
            }
        });
    }

    /** Runs {@code session} (this link closes it) and reports to {@code listener}. */
    public IceLink(IceSession session, int wgListenPort, Supplier<String> relayAddress, String version,
                   IcePeer.Listener listener) {
        this.session = session;
        this.wgListenPort = wgListenPort;
        this.relayAddress = relayAddress;
        this.version = version;
        this.listener = listener;
        RANDOM.nextBytes(sessionId);
        // on a pool thread: ice4j completes the future from its own threads, which must not wait for the engine's lock
        session.selected().whenCompleteAsync((path, failure) -> {
            if (failure == null) {
                connect();
            } else {
                listener.onFailed(failure.getMessage());
            }
        });
    }

    /** Sends our OFFER and candidates. */
    @Override
    public void offer() {
        send(Body.Type.OFFER);
    }

    /** An OFFER, ANSWER or CANDIDATE from the peer; other bodies are not ICE's. */
    @Override
    public synchronized void onSignal(Body body) {
        switch (body.getType()) {
            case OFFER, ANSWER -> {
                if (body.getType() == Body.Type.OFFER && peerRestartedAfterConnecting(body)) {
                    // NetBird restarts its ICE when its side of the pair died: ours is as dead, and the offer is
                    // the next link's to answer (before a pair, a new id is only the peer catching up: kept)
                    listener.onFailed("the peer restarted its ICE session");
                    return;
                }
                if (body.getType() == Body.Type.OFFER) {
                    // also to a client that runs no ICE (its payload is ":"): our answer names our relay
                    send(Body.Type.ANSWER);
                }
                if (!NetBirdIceSignals.hasIceCredentials(body)) {
                    return;
                }
                IceOfferAnswer remote = NetBirdIceSignals.parseOfferAnswer(body);
                if (!started) {
                    remoteSessionId = remote.sessionId();
                    started = true;
                    session.start(remote.credentials());
                } else if (!Arrays.equals(remoteSessionId, remote.sessionId())) {
                    LOG.debug("peer restarted its ICE session ({}); ours goes on", remote.sessionIdHex());
                }
            }
            case CANDIDATE -> session.addRemoteCandidate(NetBirdIceSignals.parseCandidate(body));
            default -> {
                // MODE, GO_IDLE, HEARTBEAT: not ICE's business
            }
        }
    }

    private boolean peerRestartedAfterConnecting(Body offer) {
        if (proxy == null || !NetBirdIceSignals.hasIceCredentials(offer)) {
            return false;
        }
        byte[] offered = NetBirdIceSignals.parseOfferAnswer(offer).sessionId();
        return offered != null && !Arrays.equals(remoteSessionId, offered);
    }

    public IceSession session() {
        return session;
    }

    private void send(Body.Type type) {
        IceOfferAnswer ours = new IceOfferAnswer(session.localCredentials(), wgListenPort, relayAddress.get(),
                sessionId);
        listener.send(type == Body.Type.OFFER ? NetBirdIceSignals.offer(ours, version)
                : NetBirdIceSignals.answer(ours, version));
        for (IceCandidate candidate : session.localCandidates()) {
            listener.send(NetBirdIceSignals.candidate(candidate));
        }
    }

    private void connect() {
        String endpoint;
        synchronized (this) {
            if (closed || proxy != null) {
                return;
            }
            try {
                proxy = new IceProxy(session, wgListenPort);
            } catch (IOException e) {
                LOG.warn("cannot open the WireGuard proxy for an ICE path: {}", e.getMessage());
                return;
            }
            endpoint = proxy.endpoint();
        }
        listener.onDirect(endpoint);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (proxy != null) {
            proxy.close();
        }
        session.close();
    }
}
