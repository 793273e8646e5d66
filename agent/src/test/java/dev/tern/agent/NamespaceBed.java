package dev.tern.agent;

import dev.tern.agent.control.FakeManagementServer;
import dev.tern.agent.control.FakeSignalServer;
import dev.tern.agent.daemon.Preflight;
import dev.tern.agent.dataplane.Shell;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces on a bridge, with a fake management server and a fake routing signal node on the bridge's
 * host side ({@link #hostIp()}), and real {@code tern} processes run in the namespaces. Every name carries a random
 * tag, so runs do not collide. Needs root and the given tools; fails (never skips) without them.
 */
final class NamespaceBed implements AutoCloseable {
    final String tag = HexFormat.of().formatHex(new byte[]{
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt()});
    final Shell host = new Shell();
    final FakeManagementServer management = new FakeManagementServer();
    final FakeSignalServer signal = new FakeSignalServer();
    /** The bridge's /24 up to its last dot, e.g. {@code 10.97.42.}. */
    final String subnet;
    private final String prefix;
    private final String bridge;
    private final Path logs;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Server managementServer;
    private final Server signalServer;

    /**
     * {@code prefix}: two letters that start every name (namespaces {@code tern-PREFIX-TAG-NAME}, links
     * {@code PREFIX TAG …}); {@code network}: the first two octets of the bridge's /24; {@code logs}: where each
     * process's output goes.
     */
    NamespaceBed(String prefix, String network, Path logs, List<String> tools) throws Exception {
        for (String tool : tools) {
            if (!Shell.onPath(tool)) {
                throw new AssertionError(tool + " is missing: apt-get install -y wireguard-go wireguard-tools nftables "
                        + "iproute2 iputils-ping bind9-dnsutils (this test never skips)");
            }
        }
        Preflight.requireRoot();
        this.prefix = prefix;
        this.subnet = network + "." + (1 + ThreadLocalRandom.current().nextInt(250)) + ".";
        this.bridge = prefix + "b" + tag;
        this.logs = logs;
        host.check("bridge", List.of("ip", "link", "add", bridge, "type", "bridge"), null);
        try {
            host.check("bridge addr", List.of("ip", "addr", "add", hostIp() + "/24", "dev", bridge), null);
            host.check("bridge up", List.of("ip", "link", "set", bridge, "up"), null);
            managementServer = NettyServerBuilder.forAddress(new InetSocketAddress(hostIp(), 0)).addService(management)
                    .build().start();
            signalServer = NettyServerBuilder.forAddress(new InetSocketAddress(hostIp(), 0))
                    .addService(signal.withHeaderRegistration()).build().start();
        } catch (Exception | AssertionError e) {
            host.run(List.of("ip", "link", "del", bridge), null);
            throw e;
        }
        management.signalUri = hostIp() + ":" + signalServer.getPort();
    }

    /** The host side of the bridge, where the fake servers listen. */
    String hostIp() {
        return subnet + "1";
    }

    String managementUrl() {
        return "http://" + hostIp() + ":" + managementServer.getPort();
    }

    /** A namespace on the bridge at {@code .hostOctet} with {@code eth0} and {@code lo} up; returns its name. */
    String addNamespace(String name, int hostOctet) {
        String ns = "tern-" + prefix + "-" + tag + "-" + name;
        host.check("netns", List.of("ip", "netns", "add", ns), null);
        namespaces.add(ns);
        Shell shell = Shell.inNamespace(ns);
        String outside = prefix + tag + name;
        host.check("veth", List.of("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns), null);
        host.check("enslave", List.of("ip", "link", "set", outside, "master", bridge, "up"), null);
        shell.check("addr", List.of("ip", "addr", "add", subnet + hostOctet + "/24", "dev", "eth0"), null);
        shell.check("up", List.of("ip", "link", "set", "eth0", "up"), null);
        shell.check("lo", List.of("ip", "link", "set", "lo", "up"), null);
        return ns;
    }

    /** {@code tern ARGS} in namespace {@code ns}, its output appended to {@code log} in the logs dir. */
    Process tern(String ns, String log, List<String> args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, java, "-cp",
                System.getProperty("java.class.path"), TernCli.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(log).toFile())).start();
        processes.add(process);
        return process;
    }

    /** The named logs, one after the other, for assertion messages. */
    String logs(String... names) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            Path file = logs.resolve(name);
            if (Files.exists(file)) {
                out.append("--- ").append(name).append('\n').append(Files.readString(file));
            }
        }
        return out.toString();
    }

    @Override
    public void close() throws Exception {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        managementServer.shutdownNow();
        signalServer.shutdownNow();
        for (String ns : namespaces) {
            // a wireguard-go whose agent was killed keeps the namespace alive after "ip netns del"
            host.run(List.of("sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9"), null);
            host.run(List.of("ip", "netns", "del", ns), null);
        }
        host.run(List.of("ip", "link", "del", bridge), null);
        // the control sockets of the bed's interfaces (every name carries the tag): a killed wireguard-go leaves its own
        try (var sockets = Files.newDirectoryStream(Path.of("/var/run/wireguard"), "*" + tag + ".sock")) {
            for (Path socket : sockets) {
                Files.deleteIfExists(socket);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no interface was ever made
        }
    }
}
