package dev.tern.agent.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/** How this host is told to ask our resolver, and how that is undone. */
interface HostResolver {
    /** {@code systemd-resolved} or {@code resolv.conf}, for the status. */
    String mode();

    /** The nameservers the host used before we configured it: where names no zone or group takes go. */
    List<InetSocketAddress> previousUpstream();

    /** Points the host at {@code resolver} for what {@code settings} serve; called again when they change. */
    void configure(InetAddress resolver, DnsSettings settings);

    /** Puts back what was there before {@link #configure}; does nothing when nothing was configured. */
    void restore();
}
