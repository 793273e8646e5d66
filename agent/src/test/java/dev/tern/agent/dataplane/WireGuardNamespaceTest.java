package dev.tern.agent.dataplane;

import dev.tern.agent.TestKeys;
import dev.tern.agent.common.AgentException;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Real userspace WireGuard in two fresh network namespaces joined by a veth pair. Needs root, wireguard-go, ip,
 * nft and ping; it fails (never skips) when they are missing, because then nothing here is verified.
 */
class WireGuardNamespaceTest {
    private final String tag = HexFormat.of().formatHex(new byte[]{
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt()});
    private final String nsA = "tern-t-" + tag + "-a";
    private final String nsB = "tern-t-" + tag + "-b";
    private final String ifaceA = "tw" + tag + "a";
    private final String ifaceB = "tw" + tag + "b";
    private final Shell host = new Shell();
    private final Shell shellA = Shell.inNamespace(nsA);
    private final Shell shellB = Shell.inNamespace(nsB);
    private final List<WireGuardDevice> devices = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();

    @TempDir
    Path temp;

    @BeforeEach
    void requireTools() throws Exception {
        for (String tool : List.of("wireguard-go", "ip", "nft", "ping")) {
            if (!Shell.onPath(tool)) {
                throw new AssertionError(tool + " is missing: apt-get install -y wireguard-go wireguard-tools nftables "
                        + "iproute2 iputils-ping (this test never skips)");
            }
        }
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .findFirst().orElseThrow().split("\\s+")[2];
        if (!"0".equals(uid)) {
            throw new AssertionError("this test needs root (network namespaces, tun devices); it never skips");
        }
    }

    @AfterEach
    void cleanUp() {
        for (WireGuardDevice device : devices) {
            try {
                device.close();
            } catch (RuntimeException ignored) {
                // the namespace deletion below takes whatever is left
            }
        }
        for (String ns : namespaces) {
            host.run(List.of("sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9"), null);
            host.run(List.of("ip", "netns", "del", ns), null);
        }
    }

    private void namespace(String name) {
        host.check("creating namespace", List.of("ip", "netns", "add", name), null);
        namespaces.add(name);
    }

    private WireGuardDevice device(String iface, Shell shell) {
        WireGuardDevice device = WireGuardDevice.create(iface, shell, temp.resolve(iface + ".log"));
        devices.add(device);
        return device;
    }

    private boolean ping(Shell from, String ip) {
        return from.run(List.of("ping", "-c", "1", "-W", "1", ip), null).ok();
    }

    @Test
    void userspaceDeviceIsConfiguredThroughUapiAndReadBack() {
        namespace(nsA);
        X25519KeyPair key = NaclBox.generateKeyPair();
        String peer1 = TestKeys.publicKey();
        String peer2 = TestKeys.publicKey();
        WireGuardDevice device = device(ifaceA, shellA);
        assertThat(device.userspace()).isTrue();

        device.configure(key.privateKey(), 51999);
        device.setAddress("100.64.9.1/16");
        device.applyPeers(List.of(
                new WgPeer(peer1, List.of("100.64.9.2/32"), "10.99.0.2:51820", 25),
                new WgPeer(peer2, List.of("100.64.9.3/32"), null, 25)));

        DeviceState state = device.read();
        assertThat(state.listenPort()).isEqualTo(51999);
        assertThat(state.publicKey()).isEqualTo(key.publicKeyBase64());
        assertThat(state.peers()).containsOnlyKeys(peer1, peer2);
        assertThat(state.peers().get(peer1).endpoint()).isEqualTo("10.99.0.2:51820");
        assertThat(state.peers().get(peer1).allowedIps()).containsExactly("100.64.9.2/32");
        assertThat(state.peers().get(peer1).keepaliveSeconds()).isEqualTo(25);
        assertThat(shellA.check("ip addr", List.of("ip", "-4", "addr", "show", "dev", ifaceA), null))
                .contains("100.64.9.1/16").contains("UP");

        device.applyPeers(List.of(new WgPeer(peer2, List.of("100.64.9.3/32", "10.50.0.0/16"), null, 25)));

        DeviceState after = device.read();
        assertThat(after.peers()).containsOnlyKeys(peer2);
        assertThat(after.peers().get(peer2).allowedIps()).containsExactlyInAnyOrder("100.64.9.3/32", "10.50.0.0/16");

        // A second device on the same UDP port cannot be configured, and says why.
        WireGuardDevice clash = device(ifaceA + "x", shellA);
        assertThatThrownBy(() -> clash.configure(NaclBox.generateKeyPair().privateKey(), 51999))
                .isInstanceOf(AgentException.class).hasMessageContaining("UDP port 51999");
        clash.close();

        device.close();
        assertThat(shellA.run(List.of("ip", "link", "show", "dev", ifaceA), null).ok()).isFalse();
        assertThat(UapiSocket.defaultPath(ifaceA)).doesNotExist();
    }

    /** A and B joined by a veth pair (10.99.0.1/.2) and a WireGuard tunnel over it (100.64.9.1/.2). */
    private record Tunnel(WireGuardDevice a, WireGuardDevice b, X25519KeyPair keyA, X25519KeyPair keyB, WgPeer bOnA) {
    }

    private Tunnel tunnel(List<String> extraAllowedOnB) {
        namespace(nsA);
        namespace(nsB);
        String vethA = "tv" + tag + "a";
        String vethB = "tv" + tag + "b";
        host.check("veth", List.of("ip", "link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB,
                "netns", nsB), null);
        shellA.check("veth addr", List.of("ip", "addr", "add", "10.99.0.1/24", "dev", vethA), null);
        shellB.check("veth addr", List.of("ip", "addr", "add", "10.99.0.2/24", "dev", vethB), null);
        shellA.check("veth up", List.of("ip", "link", "set", vethA, "up"), null);
        shellB.check("veth up", List.of("ip", "link", "set", vethB, "up"), null);
        X25519KeyPair keyA = NaclBox.generateKeyPair();
        X25519KeyPair keyB = NaclBox.generateKeyPair();
        WireGuardDevice a = device(ifaceA, shellA);
        WireGuardDevice b = device(ifaceB, shellB);
        a.configure(keyA.privateKey(), 51820);
        b.configure(keyB.privateKey(), 51821);
        a.setAddress("100.64.9.1/16");
        b.setAddress("100.64.9.2/16");
        WgPeer bOnA = new WgPeer(keyB.publicKeyBase64(), List.of("100.64.9.2/32"), "10.99.0.2:51821", 25);
        a.applyPeers(List.of(bOnA));
        List<String> allowedOnB = new ArrayList<>(List.of("100.64.9.1/32"));
        allowedOnB.addAll(extraAllowedOnB);
        b.applyPeers(List.of(new WgPeer(keyA.publicKeyBase64(), allowedOnB, "10.99.0.1:51820", 25)));
        return new Tunnel(a, b, keyA, keyB, bOnA);
    }

    @Test
    void tunnelSurvivesANewPeerSetAndTheFirewallAdmitsOnlyWhatRulesAccept() {
        Tunnel tunnel = tunnel(List.of());
        WireGuardDevice a = tunnel.a();
        X25519KeyPair keyB = tunnel.keyB();
        WgPeer bOnA = tunnel.bOnA();

        await().atMost(Duration.ofSeconds(30)).until(() -> ping(shellA, "100.64.9.2"));
        long handshake = a.read().peers().get(keyB.publicKeyBase64()).lastHandshakeEpochSeconds();
        assertThat(handshake).isPositive();

        // A new map adds a peer: B's entry is not touched, so its session (and handshake time) stays.
        String newcomer = TestKeys.publicKey();
        PeerDiff diff = a.applyPeers(List.of(bOnA, new WgPeer(newcomer, List.of("100.64.9.3/32"), null, 25)));
        assertThat(diff.added()).extracting(WgPeer::publicKey).containsExactly(newcomer);
        assertThat(diff.changed()).isEmpty();
        DeviceState afterDiff = a.read();
        assertThat(afterDiff.peers().get(keyB.publicKeyBase64()).lastHandshakeEpochSeconds()).isEqualTo(handshake);
        assertThat(ping(shellA, "100.64.9.2")).isTrue();

        // Firewall on A: only ICMP from B's mesh IP is accepted inbound; tcp is not.
        Nftables firewallA = new Nftables(shellA);
        firewallA.apply(ifaceA, List.of(new FirewallRuleSpec("100.64.9.2", FirewallRuleSpec.Protocol.ICMP, 0, 0, true)));
        assertThat(firewallA.list(ifaceA)).contains("ip saddr 100.64.9.2").contains("drop");
        assertThat(ping(shellB, "100.64.9.1")).isTrue();

        // Replaced by a map with no rules: B can no longer reach A, while A's own traffic to B still gets answers.
        firewallA.apply(ifaceA, List.of());
        assertThat(ping(shellB, "100.64.9.1")).isFalse();
        assertThat(ping(shellA, "100.64.9.2")).isTrue();

        firewallA.remove(ifaceA);
        assertThat(shellA.run(List.of("nft", "list", "table", "inet", Nftables.tableName(ifaceA)), null).ok()).isFalse();
        assertThat(ping(shellB, "100.64.9.1")).isTrue();
    }

    /** A {@link TcpProbe} JVM inside a namespace, driven line by line. */
    private final class Probe implements AutoCloseable {
        private final Process process;
        private final java.io.BufferedReader replies;
        private final java.io.PrintWriter commands;

        Probe(String namespace, String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                    ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                    TcpProbe.class.getName()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            probes.add(this);
            replies = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            commands = new java.io.PrintWriter(process.getOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The probe's next line; it answers every command within a few seconds, or its JVM has died. */
        String nextLine() throws Exception {
            String line = replies.readLine();
            if (line == null) {
                throw new AssertionError("the probe exited: " + String.join(" ", process.info().arguments().map(List::of)
                        .orElse(List.of())));
            }
            return line;
        }

        /** Sends one byte over the probe's connection: "ok" when it came back, "dead: ..." otherwise. */
        String roundTrip() throws Exception {
            commands.println("x");
            return nextLine();
        }

        /** Waits for a byte the server sends on its own: "ok" when one came, "dead: ..." otherwise. */
        String listen() throws Exception {
            commands.println("listen");
            return nextLine();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private final List<Probe> probes = new ArrayList<>();

    @AfterEach
    void stopProbes() {
        probes.forEach(Probe::close);
    }

    @Test
    void aNarrowedPolicyCutsAnEstablishedConnectionItNoLongerAllowsAndKeepsTheOthers() throws Exception {
        Tunnel tunnel = tunnel(List.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> ping(shellA, "100.64.9.2"));
        Nftables firewallA = new Nftables(shellA);
        FirewallRuleSpec port7001 = new FirewallRuleSpec("100.64.9.2", FirewallRuleSpec.Protocol.TCP, 7001, 7001, true);
        FirewallRuleSpec port7002 = new FirewallRuleSpec("100.64.9.2", FirewallRuleSpec.Protocol.TCP, 7002, 7002, true);
        FirewallRuleSpec port7003 = new FirewallRuleSpec("100.64.9.2", FirewallRuleSpec.Protocol.TCP, 7003, 7003, true);
        firewallA.apply(ifaceA, List.of(port7001, port7002, port7003));
        Probe server1 = new Probe(nsA, "serve", "100.64.9.1", "7001");
        Probe server2 = new Probe(nsA, "serve", "100.64.9.1", "7002");
        assertThat(server1.nextLine()).isEqualTo("listening");
        assertThat(server2.nextLine()).isEqualTo("listening");
        Probe talkingServer = new Probe(nsA, "talk", "100.64.9.1", "7003");
        assertThat(talkingServer.nextLine()).isEqualTo("listening");
        Probe narrowed = new Probe(nsB, "client", "100.64.9.1", "7001");
        Probe kept = new Probe(nsB, "client", "100.64.9.1", "7002");
        Probe talker = new Probe(nsB, "client", "100.64.9.1", "7003");
        assertThat(narrowed.nextLine()).isEqualTo("connected");
        assertThat(kept.nextLine()).isEqualTo("connected");
        assertThat(talker.nextLine()).isEqualTo("connected");
        assertThat(narrowed.roundTrip()).isEqualTo("ok");
        assertThat(kept.roundTrip()).isEqualTo("ok");
        assertThat(talker.listen()).isEqualTo("ok");

        // The next map allows only port 7002: the connections to 7001 and 7003 are established, but no longer allowed.
        firewallA.apply(ifaceA, List.of(port7002));

        // A's side of a cut connection does not keep talking to B either (the first listen may still catch a byte
        // that was on its way when the table changed; the server sends a new one every 100 ms).
        talker.listen();
        assertThat(talker.listen()).startsWith("dead");
        assertThat(narrowed.roundTrip()).startsWith("dead");
        assertThat(kept.roundTrip()).isEqualTo("ok");
        assertThat(tunnel.a().read().peers()).containsKey(tunnel.keyB().publicKeyBase64());
        // A's own connections to B are its business: answers to them still come in.
        assertThat(ping(shellA, "100.64.9.2")).isTrue();
    }

    @Test
    void aPeerCannotUseThisHostAsARouterIntoItsOtherNetworks() {
        String nsC = "tern-t-" + tag + "-c";
        String vethAc = "tc" + tag + "a";
        String vethC = "tc" + tag + "c";
        // B believes A routes 10.97.0.0/24, A has IP forwarding on and a leg in C's network.
        Tunnel tunnel = tunnel(List.of("10.97.0.0/24"));
        namespace(nsC);
        Shell shellC = Shell.inNamespace(nsC);
        host.check("veth", List.of("ip", "link", "add", vethAc, "netns", nsA, "type", "veth", "peer", "name", vethC,
                "netns", nsC), null);
        shellA.check("addr", List.of("ip", "addr", "add", "10.97.0.1/24", "dev", vethAc), null);
        shellC.check("addr", List.of("ip", "addr", "add", "10.97.0.2/24", "dev", vethC), null);
        shellA.check("up", List.of("ip", "link", "set", vethAc, "up"), null);
        shellC.check("up", List.of("ip", "link", "set", vethC, "up"), null);
        shellC.check("route", List.of("ip", "route", "add", "default", "via", "10.97.0.1"), null);
        // /proc/sys/net belongs to the writer's namespace; sh is everywhere, sysctl (procps) is not.
        shellA.check("forwarding", List.of("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"), null);
        shellB.check("route", List.of("ip", "route", "add", "10.97.0.0/24", "dev", ifaceB), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> ping(shellB, "10.97.0.2"));
        assertThat(tunnel.a().read().peers()).containsKey(tunnel.keyB().publicKeyBase64());

        // Even a map that lets B reach everything on A does not make A B's router.
        new Nftables(shellA).apply(ifaceA, List.of(
                new FirewallRuleSpec("100.64.9.2", FirewallRuleSpec.Protocol.ALL, 0, 0, true)));

        assertThat(ping(shellB, "10.97.0.2")).isFalse();
        assertThat(ping(shellB, "100.64.9.1")).isTrue();
        // What A's own side starts towards the mesh still gets its answers.
        assertThat(ping(shellC, "100.64.9.2")).as("C reaches B through A: A forwards what does not come from the mesh")
                .isTrue();
    }
}
