package dev.tern.agent;

import dev.tern.agent.common.AgentException;
import dev.tern.agent.common.Backoff;
import dev.tern.agent.common.TlsTrust;
import dev.tern.agent.control.Channels;
import dev.tern.agent.control.DeviceSignIn;
import dev.tern.agent.control.ManagementClient;
import dev.tern.agent.control.SignalClient;
import dev.tern.agent.daemon.OrderedShutdown;
import dev.tern.agent.daemon.PidFile;
import dev.tern.agent.daemon.Preflight;
import dev.tern.agent.daemon.SystemInfo;
import dev.tern.agent.dataplane.DataPlane;
import dev.tern.agent.dataplane.Nftables;
import dev.tern.agent.dataplane.Shell;
import dev.tern.agent.dataplane.WireGuardDevice;
import dev.tern.agent.dns.DnsForwarder;
import dev.tern.agent.dns.HostDns;
import dev.tern.agent.dns.MeshResolver;
import dev.tern.agent.engine.Candidates;
import dev.tern.agent.engine.Engine;
import dev.tern.agent.engine.LatestMapApplier;
import dev.tern.agent.engine.MeshMap;
import dev.tern.agent.ice.IceLinks;
import dev.tern.agent.ice.IceSession;
import dev.tern.agent.relay.RelayClient;
import dev.tern.agent.routing.LinuxHost;
import dev.tern.agent.routing.Routing;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayToken;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code tern up}: logs in, creates the interface, keeps the Sync and signal streams open and applies what they
 * bring until SIGTERM/SIGINT or {@code tern down}, then removes the interface and its firewall table.
 */
final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** Reconnect delays double from 1 s up to this; short enough that a restarted server is back in seconds. */
    static final Duration RECONNECT_MAX = Duration.ofSeconds(10);

    record Options(String setupKey, String managementUrl, String interfaceName, Path configDir, int wgPort,
                   String hostname, Duration startupTimeout, boolean acceptNewServerKey, Path caFile) {
    }

    private final Options options;
    private final ConfigDir dir;
    private final PidFile pidFile;
    private TlsTrust trust = TlsTrust.system();
    private final Shell shell = new Shell();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile StatusReport.Connection managementState;
    private volatile StatusReport.Connection signalState = new StatusReport.Connection(null, "disconnected", null);
    private volatile StatusReport.Connection relayState = new StatusReport.Connection(null, "disconnected", null);
    private volatile Engine engine;
    private volatile HostDns dns;
    private volatile String meshAddress;
    private volatile String fqdn;
    private volatile long serial;
    private X25519KeyPair key;
    private ManagedChannel managementChannel;
    private volatile ManagedChannel signalChannel;
    private ManagementClient management;
    private volatile SignalClient signal;
    private volatile RelayClient relay;
    /** Hands the relay's peer-state reports to the engine one at a time (see {@link #toEngine}). */
    private final java.util.concurrent.ExecutorService relayPeerStates = Executors
            .newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "tern-relay-peer-state");
                thread.setDaemon(true);
                return thread;
            });
    /** The STUN servers of the latest login or config-only Sync: ICE links ask them for server-reflexive candidates. */
    private volatile List<InetSocketAddress> stunServers = List.of();
    private Channels.Target signalTarget;
    private final Map<String, List<String>> resolvedServers = new java.util.concurrent.ConcurrentHashMap<>();
    private WireGuardDevice device;
    private ControlSocket control;
    private ScheduledExecutorService housekeeping;
    private Thread syncThread;
    private volatile int exitCode;
    /** Housekeeping retries a map that failed to apply until it sticks or a newer one comes. */
    private final LatestMapApplier maps = new LatestMapApplier(this::applyToEngine);

    Daemon(Options options) {
        this.options = options;
        this.dir = new ConfigDir(options.configDir());
        this.pidFile = new PidFile(dir.pidFile());
    }

    /** Runs until stopped; returns the exit code. */
    int run() {
        // Argument mistakes first: they are usage errors whoever runs the command.
        WireGuardDevice.requireValidName(options.interfaceName());
        Channels.Target managementTarget = Channels.parseManagementUrl(options.managementUrl());
        trust = TlsTrust.of(options.caFile());
        Preflight.requireEnvironment();
        dir.create();
        pidFile.claim();
        if (HostDns.restoreLeftover(HostDns.RESOLV_CONF, dir.path())) {
            LOG.warn("restored {} that an earlier run left pointing at its resolver", HostDns.RESOLV_CONF);
        }
        if (LinuxHost.restoreLeftover(LinuxHost.IP_FORWARD, dir.path())) {
            LOG.warn("restored {} that an earlier run left on", LinuxHost.IP_FORWARD);
        }
        if (LinuxHost.restoreLeftoverIpv6(LinuxHost.IP6_FORWARD, dir.path())) {
            LOG.warn("restored {} that an earlier run left on", LinuxHost.IP6_FORWARD);
        }
        Thread hook = new Thread(this::stop, "tern-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            start(managementTarget);
            LOG.info("tern is up on {} with mesh address {}", options.interfaceName(), meshAddress);
            stopped.await();
            return exitCode;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AgentException.FAILURE;
        } finally {
            stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run stop() already
            }
        }
    }

    private void start(Channels.Target managementTarget) {
        key = dir.loadOrCreateKey();
        managementState = new StatusReport.Connection(managementTarget.toString(), "connecting", null);
        managementChannel = Channels.open(managementTarget, trust);
        management = new ManagementClient(managementChannel, key, options.setupKey(), SystemInfo.meta(options.hostname()),
                dir.serverKeyPin(options.acceptNewServerKey()), new ManagementClient.Listener() {
            @Override
            public void onLogin(LoginResponse response) {
                onLoggedIn(response);
            }

            @Override
            public void onNetworkMap(SyncResponse response) {
                applyMap(response);
            }

            @Override
            public void onStateChange(String state, String error) {
                managementState = new StatusReport.Connection(managementTarget.toString(), state, error);
                writeStatusQuietly();
                SignalClient signalClient = signal;
                if ("connected".equals(state) && signalClient != null) {
                    // the control plane is back: don't let signal sit out the rest of its backoff
                    signalClient.retryNow();
                }
            }

            @Override
            public void onConfig(NetbirdConfig config) {
                useRelay(config);
                useStuns(config);
            }
        }, options.setupKey() == null ? new DeviceSignIn(trust, (url, userCode) -> askToSignIn(managementTarget, url, userCode)) : null);
        // Before the first login: its response carries the first relay token.
        relay = new RelayClient(key.publicKeyBase64(), new RelayClient.Listener() {
            @Override
            public void onTransport(PeerId from, byte[] payload) {
                Engine current = engine;
                if (current != null) {
                    current.onRelayed(from, payload);
                }
            }

            @Override
            public void onStateChange(String state, String error) {
                RelayClient current = relay;
                relayState = new StatusReport.Connection(current == null ? null : current.url(), state, error);
            }

            @Override
            public void onPeersWentOffline(List<PeerId> peers) {
                toEngine(current -> current.onRelayPeersWentOffline(peers));
            }

            @Override
            public void onPeersOnline(List<PeerId> peers) {
                toEngine(current -> current.onRelayPeersOnline(peers));
            }
        }, new Backoff(Duration.ofSeconds(1), RECONNECT_MAX), trust);
        LoginResponse login = loginWithRetry(managementTarget);

        synchronized (this) {
            // A SIGTERM during login must not leave an interface behind that nobody removes.
            if (stopping.get()) {
                throw new AgentException(AgentException.FAILURE, "stopped before the interface was created");
            }
            device = WireGuardDevice.create(options.interfaceName(), shell, dir.wireguardLog());
        }
        device.configure(key.privateKey(), options.wgPort());
        DataPlane plane = new DataPlane.Linux(device, new Nftables(shell));
        // Until the first map arrives nothing from the mesh is allowed in.
        plane.applyFirewall(List.of());
        if (!login.getPeerConfig().getAddress().isEmpty()) {
            plane.setAddress(login.getPeerConfig().getAddress());
        }

        IceSession.excludeInterface(options.interfaceName());
        RelayClient relayClient = relay;
        IceLinks iceLinks = new IceLinks(key.publicKeyBase64(), options.wgPort(),
                () -> relayClient.configured() ? relayClient.address() : null, Engine.SIGNAL_VERSION,
                () -> stunServers);
        engine = new Engine(plane, options.wgPort(), () -> Candidates.localIpv4(options.interfaceName()),
                (remote, body) -> {
                    SignalClient current = signal;
                    return current != null && current.send(remote, body);
                }, relay, iceLinks, Clock.systemUTC());
        dns = HostDns.forHost(options.interfaceName(), shell, dir.path());
        engine.useDns(dns);
        HostDns hostDns = dns;
        engine.useForwarding(new DnsForwarder(hostDns::hostResolution, MeshResolver.Limits.DEFAULT));
        Routing routing = new Routing(key.publicKeyBase64(), new LinuxHost(options.interfaceName(), shell,
                LinuxHost.IP_FORWARD, dir.path()));
        try {
            dir.readJson(dir.routeSelectionFile(), Routing.Selection.class).ifPresent(routing::restore);
        } catch (AgentException e) {
            LOG.warn("ignoring the kept route selection: {}", e.getMessage());
        }
        engine.useRouting(routing, () -> serverAddresses(managementTarget));
        useSignal(login);

        control = ControlSocket.start(dir.controlSocket(), this::handleControl);
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tern-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(this::housekeeping, 2, 2, TimeUnit.SECONDS);

        syncThread = new Thread(() -> management.runSyncLoop(new Backoff(Duration.ofSeconds(1), RECONNECT_MAX), true),
                "tern-sync");
        syncThread.setDaemon(true);
        syncThread.start();
        writeStatusQuietly();
    }

    /**
     * Connects to the signal node the management server names, and moves to another one when a later login names
     * a different address (the server may hand out another node after a restart).
     */
    private synchronized void useSignal(LoginResponse login) {
        if (stopping.get() || engine == null) {
            return;
        }
        if (!login.hasNetbirdConfig() || !login.getNetbirdConfig().hasSignal()
                || login.getNetbirdConfig().getSignal().getUri().isBlank()) {
            if (signal == null) {
                LOG.warn("the management server gave no signal address: peers will only connect if they find us");
            }
            return;
        }
        Channels.Target target = Channels.signalTarget(login.getNetbirdConfig().getSignal());
        if (target.equals(signalTarget)) {
            return;
        }
        if (signal != null) {
            LOG.info("signal node moved from {} to {}", signalTarget, target);
            signal.close();
            signalChannel.shutdownNow();
        }
        signalTarget = target;
        signalChannel = Channels.open(target, trust);
        signal = new SignalClient(signalChannel, key, new SignalClient.Listener() {
            @Override
            public void onMessage(String senderKey, dev.tern.protocol.signal.Body body) {
                engine.onSignal(senderKey, body);
            }

            @Override
            public void onConnected() {
                engine.onSignalConnected();
            }

            @Override
            public void onStateChange(String state, String error) {
                signalState = new StatusReport.Connection(target.toString(), state, error);
            }
        }, new Backoff(Duration.ofSeconds(1), RECONNECT_MAX));
        signal.start();
    }

    /**
     * Hands a relay peer-state report to the engine off the relay's reader thread (the engine's lock may be held by
     * a map being applied), in the order the reports came; dropped once the daemon is going down.
     */
    private void toEngine(java.util.function.Consumer<Engine> report) {
        try {
            relayPeerStates.execute(() -> {
                Engine current = engine;
                if (current != null) {
                    report.accept(current);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // shut down after the relay: nothing left to route
        }
    }

    /** The relay URL and a fresh token, from every Login and Sync response that carries them. */
    private void useRelay(NetbirdConfig config) {
        RelayClient current = relay;
        if (current == null || stopping.get() || !config.hasRelay() || config.getRelay().getUrlsCount() == 0) {
            return;
        }
        try {
            current.configure(config.getRelay().getUrlsList(),
                    new RelayToken(config.getRelay().getTokenPayload(), config.getRelay().getTokenSignature()));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring the relay config from the management server: {}", e.getMessage());
        }
    }

    private void useStuns(NetbirdConfig config) {
        List<InetSocketAddress> servers = config.getStunsList().stream()
                .map(stun -> IceLinks.stunServer(stun.getUri()))
                .flatMap(java.util.Optional::stream)
                .toList();
        if (!servers.isEmpty() || config.getStunsCount() == 0) {
            stunServers = servers;
        }
    }

    /**
     * Without a setup key the user signs in at the identity provider: the URL goes to stdout (tern up runs in the
     * foreground, as {@code netbird up} prints it) and to {@code tern status}, which shows needs-login until then.
     */
    private void askToSignIn(Channels.Target managementTarget, String url, String userCode) {
        System.out.println("To sign in, open " + url + " (code " + userCode + "); waiting for the sign-in...");
        System.out.flush();
        managementState = new StatusReport.Connection(managementTarget.toString(), "needs-login",
                "sign in at " + url + " (code " + userCode + ")");
        writeStatusQuietly();
    }

    private LoginResponse loginWithRetry(Channels.Target target) {
        long deadline = System.nanoTime() + options.startupTimeout().toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5));
        while (true) {
            if (stopping.get()) {
                throw new AgentException(AgentException.FAILURE, "stopped while logging in");
            }
            try {
                return management.login();
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                boolean retryable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
                if (!retryable || System.nanoTime() > deadline) {
                    throw new AgentException(AgentException.MANAGEMENT, "management server " + target
                            + (retryable ? " is unreachable" : " failed the login") + ": " + code
                            + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
                }
                Duration delay = backoff.nextDelay();
                LOG.warn("management server {} not reachable yet ({}); retrying in {} ms", target, code, delay.toMillis());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new AgentException(AgentException.FAILURE, "interrupted while logging in");
                }
            }
        }
    }

    private void onLoggedIn(LoginResponse response) {
        String address = response.getPeerConfig().getAddress();
        if (!address.isEmpty()) {
            meshAddress = address;
        }
        fqdn = response.getPeerConfig().getFqdn();
        managementState = new StatusReport.Connection(managementState.url(), "connected", null);
        useSignal(response);
        if (response.hasNetbirdConfig()) {
            useRelay(response.getNetbirdConfig());
            useStuns(response.getNetbirdConfig());
        }
        dir.writeState(new AgentState(options.managementUrl(), key.publicKeyBase64(), meshAddress, fqdn,
                options.interfaceName(), options.wgPort()));
    }

    private void applyMap(SyncResponse response) {
        maps.offer(MeshMap.from(response.getNetworkMap()));
        writeStatusQuietly();
    }

    /** Runs under the applier's lock: one map at a time, newest wins. */
    private void applyToEngine(MeshMap map) {
        Engine current = engine;
        if (current == null) {
            throw new IllegalStateException("the data plane is not up yet");
        }
        current.applyMap(map);
        serial = map.serial();
        if (map.address() != null && !map.address().isEmpty() && !map.address().equals(meshAddress)) {
            meshAddress = map.address();
            dir.writeState(new AgentState(options.managementUrl(), key.publicKeyBase64(), meshAddress, fqdn,
                    options.interfaceName(), options.wgPort()));
        }
    }

    private void housekeeping() {
        if (device != null && !device.alive()) {
            LOG.error("wireguard-go exited unexpectedly (see {}); shutting down", dir.wireguardLog());
            exitCode = AgentException.FAILURE;
            new Thread(this::stop, "tern-wg-died").start();
            return;
        }
        try {
            maps.retryFailed();
            Engine current = engine;
            if (current != null) {
                current.offerStale();
            }
            writeStatusQuietly();
        } catch (RuntimeException e) {
            LOG.warn("housekeeping failed: {}", e.getMessage());
        }
    }

    /**
     * The IPv4 addresses of management, signal, relay and the STUN servers: an exit node's default route must not
     * take them into the mesh. Names are resolved once (a later lookup might itself go through the exit node).
     */
    private Collection<String> serverAddresses(Channels.Target managementTarget) {
        Set<String> hosts = new LinkedHashSet<>();
        hosts.add(managementTarget.host());
        Channels.Target signalAt = signalTarget;
        if (signalAt != null) {
            hosts.add(signalAt.host());
        }
        RelayClient relayClient = relay;
        if (relayClient != null && relayClient.url() != null) {
            String host = java.net.URI.create(relayClient.url().replaceFirst("^rels?://", "http://")).getHost();
            if (host != null) {
                hosts.add(host.replace("[", "").replace("]", ""));
            }
        }
        stunServers.forEach(stun -> hosts.add(stun.getHostString()));
        Set<String> addresses = new LinkedHashSet<>();
        for (String host : hosts) {
            addresses.addAll(resolvedServers.computeIfAbsent(host, Daemon::ipv4Addresses));
        }
        return addresses;
    }

    private static List<String> ipv4Addresses(String host) {
        try {
            return java.util.Arrays.stream(java.net.InetAddress.getAllByName(host))
                    .filter(a -> a instanceof java.net.Inet4Address).map(java.net.InetAddress::getHostAddress).toList();
        } catch (java.net.UnknownHostException e) {
            return List.of();
        }
    }

    StatusReport status() {
        Engine current = engine;
        return new StatusReport(options.interfaceName(), key == null ? null : key.publicKeyBase64(), meshAddress, fqdn,
                serial, managementState, signalState, relayState, current == null ? List.of() : current.peerStatus(),
                Instant.now().toString(), dns == null ? null : dns.status(),
                current == null ? List.of() : current.routeStatus());
    }

    private void writeStatusQuietly() {
        if (stopping.get()) {
            return;
        }
        try {
            dir.writeJson(dir.statusFile(), status());
        } catch (RuntimeException e) {
            LOG.debug("cannot write status file: {}", e.getMessage());
        }
    }

    private String handleControl(String command) {
        switch (command) {
            case "status":
                return status().toJson().replace('\n', ' ');
            case "down":
                Thread stopper = new Thread(() -> {
                    stop();
                    stopped.countDown();
                }, "tern-down");
                stopper.start();
                return "ok";
            default:
                if (command.startsWith("route select ") || command.startsWith("route deselect ")) {
                    return selectRoute(command);
                }
                return "error: unknown command";
        }
    }

    /** {@code route select NET_ID} / {@code route deselect NET_ID} from {@code tern route}. */
    private String selectRoute(String command) {
        String[] words = command.split(" ", 3);
        Engine current = engine;
        if (words.length != 3 || current == null) {
            return "error: the agent has no routes yet";
        }
        boolean on = words[1].equals("select");
        if (!current.selectRoute(words[2], on)) {
            return "error: no route with network id " + words[2];
        }
        try {
            dir.writeJson(dir.routeSelectionFile(), current.routeSelection());
        } catch (RuntimeException e) {
            LOG.warn("the route selection holds until the agent stops: cannot keep it: {}", e.getMessage());
        }
        writeStatusQuietly();
        return "ok";
    }

    /** Idempotent: closes streams, removes the interface and the firewall table, drops pid/status/socket files. */
    void stop() {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        LOG.info("tern is going down");
        try {
            new OrderedShutdown()
                    .then(() -> housekeeping, ScheduledExecutorService::shutdownNow)
                    .then(() -> management, ManagementClient::close)
                    .then(() -> signal, SignalClient::close)
                    .then(() -> relay, RelayClient::close)
                    .then(relayPeerStates::shutdownNow)
                    .then(() -> engine, Engine::close)
                    .then(() -> dns, HostDns::close)
                    .then(() -> managementChannel, ManagedChannel::shutdownNow)
                    .then(() -> signalChannel, ManagedChannel::shutdownNow)
                    .then(() -> control, ControlSocket::close)
                    .then(this::createdDevice, WireGuardDevice::close)
                    .then(() -> new Nftables(shell).remove(options.interfaceName()))
                    .then(() -> Files.deleteIfExists(dir.statusFile()))
                    .then(pidFile::delete)
                    .run();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cleanup was incomplete: {}", e.getMessage());
        } finally {
            stopped.countDown();
        }
    }

    /** The interface, once created: read under the lock that keeps a stop during login from missing it. */
    private synchronized WireGuardDevice createdDevice() {
        return device;
    }
}
