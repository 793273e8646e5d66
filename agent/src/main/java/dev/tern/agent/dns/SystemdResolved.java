package dev.tern.agent.dns;

import dev.tern.agent.dataplane.Shell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's resolver configuration through systemd-resolved: our resolver becomes the mesh interface's DNS server
 * and our zones and match domains its routing domains ({@code ~domain}; search domains without the tilde), so only
 * those names come to us; a primary nameserver group adds {@code ~.} and takes everything. It is per link, so it
 * goes when the interface goes, whatever happened to the agent; {@code resolvectl revert} undoes it earlier.
 */
final class SystemdResolved implements HostResolver {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdResolved.class);
    /** systemd-resolved's list of the real upstream servers (its stub file only names itself). */
    static final Path UPSTREAM_FILE = Path.of("/run/systemd/resolve/resolv.conf");
    static final String STUB = "127.0.0.53";

    private final String interfaceName;
    private final Shell shell;
    private final Path upstreamFile;
    private final String resolvectl;
    private boolean configured;

    /** {@code resolvectl}: the command, {@code resolvectl} from PATH but in tests. */
    SystemdResolved(String interfaceName, Shell shell, Path upstreamFile, String resolvectl) {
        this.interfaceName = interfaceName;
        this.shell = shell;
        this.upstreamFile = upstreamFile;
        this.resolvectl = resolvectl;
    }

    /** Where the host's resolv.conf names systemd-resolved's stub and resolvectl is there to configure it. */
    static boolean manages(String resolvConf) {
        return ResolvConf.nameservers(resolvConf).stream()
                .anyMatch(server -> server.getAddress().getHostAddress().equals(STUB)) && Shell.onPath("resolvectl");
    }

    @Override
    public String mode() {
        return "systemd-resolved";
    }

    @Override
    public List<InetSocketAddress> previousUpstream() {
        try {
            return Files.exists(upstreamFile) ? ResolvConf.nameservers(Files.readString(upstreamFile)) : List.of();
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", upstreamFile, e.getMessage());
            return List.of();
        }
    }

    @Override
    public synchronized void configure(InetAddress resolver, DnsSettings settings) {
        shell.check("resolvectl dns", List.of(resolvectl, "dns", interfaceName, resolver.getHostAddress()), null);
        shell.check("resolvectl domain", domainCommand(resolvectl, interfaceName, settings), null);
        configured = true;
        // Without this resolved makes a link with a plain search domain a default route too, and would send every
        // name to us as well as to the real upstream; only a primary group takes everything.
        Shell.Result defaultRoute = shell.run(List.of(resolvectl, "default-route", interfaceName,
                settings.hasPrimary() ? "true" : "false"), null);
        if (!defaultRoute.ok()) {
            LOG.warn("resolvectl default-route {} failed (systemd older than 240?): {}", interfaceName,
                    defaultRoute.stderr().strip());
        }
    }

    static List<String> domainCommand(String resolvectl, String interfaceName, DnsSettings settings) {
        List<String> command = new ArrayList<>(List.of(resolvectl, "domain", interfaceName));
        List<Name> search = settings.searchDomains();
        search.forEach(domain -> command.add(domain.toString()));
        settings.routedDomains().stream().filter(domain -> !search.contains(domain))
                .forEach(domain -> command.add("~" + domain));
        if (settings.hasPrimary()) {
            command.add("~.");
        }
        return command;
    }

    @Override
    public synchronized void restore() {
        if (!configured) {
            return;
        }
        configured = false;
        Shell.Result result = shell.run(List.of(resolvectl, "revert", interfaceName), null);
        if (!result.ok()) {
            LOG.warn("resolvectl revert {} failed: {}", interfaceName, result.stderr().strip());
        }
    }
}
