package dev.tern.agent.dns;

import dev.tern.agent.dataplane.Shell;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.management.DNSConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The agent's DNS as a whole: a {@link MeshResolver} on our mesh address (port 53) serving the latest map's
 * DNSConfig, and the host pointed at it (systemd-resolved where it manages the host's resolv.conf, otherwise
 * resolv.conf itself with a backup). A map without ServiceEnable stops the resolver and leaves the host as it was
 * before us; a map whose DNSConfig and address did not change changes nothing.
 */
public final class HostDns implements MeshDns, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostDns.class);
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    public static final String BACKUP_FILE = "resolv.conf.backup";

    private final String interfaceName;
    private final Shell shell;
    private final Path resolvConf;
    private final Path backupFile;
    private final int port;
    private final MeshResolver.Limits limits;
    private DNSConfig appliedConfig;
    private String appliedAddress;
    private MeshResolver resolver;
    private HostResolver host;
    private DnsSettings settings = DnsSettings.DISABLED;
    private String error;
    private List<DomainRoute> domainRoutes = List.of();
    private DomainRoute.Listener domainRouteListener = DomainRoute.Listener.NONE;

    /** {@code port}: 53 but in tests. */
    public HostDns(String interfaceName, Shell shell, Path resolvConf, Path configDir, int port,
                   MeshResolver.Limits limits) {
        this.interfaceName = interfaceName;
        this.shell = shell;
        this.resolvConf = resolvConf;
        this.backupFile = configDir.resolve(BACKUP_FILE);
        this.port = port;
        this.limits = limits;
    }

    public static HostDns forHost(String interfaceName, Shell shell, Path configDir) {
        return new HostDns(interfaceName, shell, RESOLV_CONF, configDir, 53, MeshResolver.Limits.DEFAULT);
    }

    /**
     * Puts back a resolv.conf a crashed agent left pointing at its resolver; {@code tern up} and {@code tern down}
     * call it before anything else. Returns whether there was one.
     */
    public static boolean restoreLeftover(Path resolvConf, Path configDir) {
        Path backup = configDir.resolve(BACKUP_FILE);
        if (!Files.exists(backup)) {
            return false;
        }
        new ResolvConf(resolvConf, backup).restore();
        return true;
    }

    @Override
    public synchronized void apply(String meshAddress, DNSConfig config) {
        if (meshAddress == null || meshAddress.isEmpty()) {
            meshAddress = appliedAddress; // a map without our address keeps the one we have
        }
        if (Objects.equals(config, appliedConfig) && Objects.equals(meshAddress, appliedAddress)) {
            return;
        }
        appliedConfig = config;
        appliedAddress = meshAddress;
        settings = DnsSettings.from(config);
        if (!settings.enabled() || meshAddress == null || meshAddress.isEmpty()) {
            stop();
            return;
        }
        try {
            InetAddress ip = InetAddress.getByName(meshAddress.substring(0, meshAddress.indexOf('/') < 0
                    ? meshAddress.length() : meshAddress.indexOf('/')));
            if (resolver == null || !resolver.address().getAddress().equals(ip)) {
                closeResolver();
                resolver = MeshResolver.start(new InetSocketAddress(ip, port), limits);
                resolver.routeDomains(domainRoutes, domainRouteListener);
                LOG.info("DNS resolver listening on {}", resolver.address());
            }
            if (host == null) {
                host = chooseHostResolver();
            }
            resolver.update(settings, host.previousUpstream());
            host.configure(ip, settings);
            error = null;
            LOG.info("DNS: {} zones, {} nameserver groups; host configured through {}", settings.zones().size(),
                    settings.groups().size(), host.mode());
        } catch (IOException | RuntimeException e) {
            // The mesh works without names: report it and leave the host as it was.
            LOG.error("DNS is not served: {}", e.getMessage());
            appliedConfig = null; // the next map tries again
            stop();
            error = e.getMessage();
        }
    }

    @Override
    public synchronized void routeDomains(List<DomainRoute> routes, DomainRoute.Listener listener) {
        domainRoutes = List.copyOf(routes);
        domainRouteListener = listener;
        if (resolver != null) {
            resolver.routeDomains(domainRoutes, listener);
        } else if (!routes.isEmpty()) {
            LOG.debug("domain routes wait for the resolver: the map does not enable DNS");
        }
    }

    /**
     * Where a routing peer's DNS forwarder resolves names, as this host's programs would: through our resolver
     * while it serves (the host is pointed at it), otherwise through the nameservers of {@code resolv.conf}.
     */
    public synchronized List<InetSocketAddress> hostResolution() {
        if (resolver != null) {
            return List.of(resolver.address());
        }
        try {
            return Files.exists(resolvConf) ? ResolvConf.nameservers(Files.readString(resolvConf)) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private HostResolver chooseHostResolver() throws IOException {
        String current = Files.exists(resolvConf) && !Files.exists(backupFile) ? Files.readString(resolvConf) : "";
        return SystemdResolved.manages(current)
                ? new SystemdResolved(interfaceName, shell, SystemdResolved.UPSTREAM_FILE, "resolvectl")
                : new ResolvConf(resolvConf, backupFile);
    }

    private void stop() {
        if (host != null) {
            host.restore();
            host = null;
        }
        closeResolver();
        error = null;
    }

    private void closeResolver() {
        if (resolver != null) {
            resolver.close();
            resolver = null;
        }
    }

    public synchronized StatusReport.Dns status() {
        MeshResolver current = resolver;
        if (current == null) {
            return new StatusReport.Dns(null, List.of(), List.of(), List.of(), "none", error);
        }
        return new StatusReport.Dns(current.address().getAddress().getHostAddress() + ":" + current.address().getPort(),
                settings.zoneNames(),
                settings.groups().stream().flatMap(g -> g.domains().stream()).map(Object::toString).toList(),
                current.hostUpstream().stream().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList(),
                host == null ? "none" : host.mode(), error);
    }

    /** Stops serving and puts the host's configuration back (tern down, SIGTERM). */
    @Override
    public synchronized void close() {
        stop();
    }
}
