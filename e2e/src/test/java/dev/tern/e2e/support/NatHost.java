package dev.tern.e2e.support;

import static dev.tern.e2e.support.Mesh.nft;

import dev.tern.testsupport.netns.Shell;

/**
 * A host namespace on 192.168.{octet}.0/24 whose only way out is a router namespace that masquerades it (nftables):
 * a peer there has a private address the others cannot reach and is seen at the router's address, which only STUN
 * tells it. Made outside TestNetwork (which removes only its own): {@link #close} removes it.
 */
public final class NatHost implements AutoCloseable {
    private final String namespace;

    /**
     * {@code forwardedPorts} (nftables syntax: {@code 51820}, {@code 49152-65535}) reach the host from outside
     * whoever sends them: endpoint-independent filtering, as most home routers do. Without it the other side's
     * first ICE check, arriving before this host has sent anything to it, leaves a conntrack entry on the router
     * that makes the masquerade pick another port for this host's own packets (a symmetric NAT towards a
     * port-restricted one, which no hole punching gets through). The ports are those the host's ICE runs on.
     */
    public NatHost(String router, String routerAddress, String label, int octet, String forwardedPorts) {
        namespace = "t" + label;
        String inside = "i" + label;
        String outside = "o" + label;
        Shell.run("ip", "netns", "del", namespace);
        Shell.must("ip", "netns", "add", namespace);
        Shell.must("ip", "link", "add", inside, "type", "veth", "peer", "name", outside);
        Shell.must("ip", "link", "set", inside, "netns", namespace);
        Shell.must("ip", "link", "set", outside, "netns", router);
        Shell.must("ip", "-n", router, "addr", "add", "192.168." + octet + ".1/24", "dev", outside);
        Shell.must("ip", "-n", router, "link", "set", outside, "up");
        Shell.must("ip", "-n", namespace, "addr", "add", "192.168." + octet + ".2/24", "dev", inside);
        Shell.must("ip", "-n", namespace, "link", "set", inside, "up");
        Shell.must("ip", "-n", namespace, "link", "set", "lo", "up");
        Shell.must("ip", "-n", namespace, "route", "add", "default", "via", "192.168." + octet + ".1");
        Shell.must(Shell.inNamespace(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").toArray(String[]::new));
        nft(router, "add table ip nat" + label);
        nft(router, "add chain ip nat" + label + " post { type nat hook postrouting priority 100 ; }");
        nft(router, "add rule ip nat" + label + " post ip saddr 192.168." + octet + ".0/24 masquerade");
        nft(router, "add chain ip nat" + label + " pre { type nat hook prerouting priority -100 ; }");
        nft(router, "add rule ip nat" + label + " pre ip daddr " + routerAddress + " udp dport " + forwardedPorts
                + " dnat to 192.168." + octet + ".2");
    }

    public String namespace() {
        return namespace;
    }

    @Override
    public void close() {
        Shell.run("ip", "netns", "del", namespace);
    }
}
