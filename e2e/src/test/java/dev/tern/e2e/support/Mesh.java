package dev.tern.e2e.support;

import dev.tern.testsupport.netns.Shell;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What every end-to-end scenario does to a mesh, whoever its peers are (tern agents or NetBird clients). */
public final class Mesh {
    private Mesh() {
    }

    /** A one-rule accept policy in NetBird's REST shape; {@code ports} empty means every port. */
    public static Map<String, Object> policy(String name, String src, String dst, boolean bidirectional,
                                             String protocol, List<String> ports) {
        Map<String, Object> rule = new HashMap<>();
        rule.put("name", name);
        rule.put("enabled", true);
        rule.put("action", "accept");
        rule.put("bidirectional", bidirectional);
        rule.put("protocol", protocol);
        rule.put("sources", List.of(src));
        rule.put("destinations", List.of(dst));
        if (!ports.isEmpty()) {
            rule.put("ports", ports);
        }
        return Map.of("name", name, "enabled", true, "rules", List.of(rule));
    }

    /** One ICMP echo from a namespace, waiting at most 2 s for the answer. */
    public static Shell.Result ping(String namespace, String ip) {
        return Shell.run(Shell.inNamespace(namespace, "ping", "-c", "1", "-W", "2", ip), 10);
    }

    /** Whether a TCP connection from a namespace to {@code ip:port} opens within 3 s. */
    public static boolean tcp(String namespace, String ip, int port) {
        return Shell.run(Shell.inNamespace(namespace, "timeout", "3", "bash", "-c",
                "exec 3<>/dev/tcp/" + ip + "/" + port), 10).ok();
    }

    /** One nftables command in a namespace, words separated by spaces; fails the test when nft refuses it. */
    public static void nft(String namespace, String command) {
        List<String> full = new ArrayList<>(Shell.inNamespace(namespace, "nft"));
        full.addAll(List.of(command.split(" ")));
        Shell.must(full.toArray(String[]::new));
    }

    /** Every process's output in one log under target/, kept after the run. */
    public static Path log(String processName) {
        return Path.of("target", "e2e-logs", processName + ".log");
    }
}
