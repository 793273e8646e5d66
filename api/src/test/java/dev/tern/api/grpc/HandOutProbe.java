package dev.tern.api.grpc;

import dev.tern.api.config.TernSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.events.values.WireGuardKey;
import dev.tern.protocol.management.HostConfig;
import java.time.Clock;
import java.util.List;

/** Test access to what the package-private endpoints hand peers, for tests outside this package. */
public final class HandOutProbe implements AutoCloseable {
    private final SignalEndpoint signal;
    private final StunRelayEndpoints stunRelay;

    private HandOutProbe(SignalEndpoint signal, StunRelayEndpoints stunRelay) {
        this.signal = signal;
        this.stunRelay = stunRelay;
    }

    /** Starts the in-process signal node and relay as tern-server would. */
    public static HandOutProbe start(TernSettings settings, ListenerTls tls, Clock clock) {
        SignalEndpoint signal = new SignalEndpoint(settings, tls);
        StunRelayEndpoints stunRelay = new StunRelayEndpoints(settings, clock, tls);
        signal.start();
        stunRelay.start();
        return new HandOutProbe(signal, stunRelay);
    }

    public HostConfig signal(String managementHost) {
        return signal.hostConfig(managementHost);
    }

    public List<String> relayUrls(String managementHost) {
        // any peer: the URLs do not depend on whom the token is bound to
        return stunRelay.relay(managementHost, WireGuardKey.of(new byte[32])).orElseThrow().getUrlsList();
    }

    public int signalPort() {
        return signal.inProcessPort();
    }

    public int relayPort() {
        return stunRelay.inProcessRelayPort();
    }

    @Override
    public void close() {
        stunRelay.stop();
        signal.stop();
    }
}
