package dev.tern.agent.daemon;

import dev.tern.agent.common.AgentException;
import dev.tern.agent.dataplane.Nftables;
import dev.tern.agent.dataplane.Shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code tern up} needs from the machine before it touches anything: root, {@code ip}, {@code nft}, and kernel
 * WireGuard or {@code wireguard-go}. Each gap is an {@link AgentException#ENVIRONMENT} error that says what to install.
 */
public final class Preflight {
    private Preflight() {
    }

    public static void requireEnvironment() {
        requireRoot();
        if (!Shell.onPath("ip")) {
            throw new AgentException(AgentException.ENVIRONMENT, "'ip' is not installed: apt-get install -y iproute2");
        }
        Nftables.requireNft();
        if (!Shell.onPath("wireguard-go") && !Files.isDirectory(Path.of("/sys/module/wireguard"))) {
            throw new AgentException(AgentException.ENVIRONMENT, "this kernel has no WireGuard module and wireguard-go "
                    + "is not installed: apt-get install -y wireguard-go wireguard-tools");
        }
    }

    public static void requireRoot() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            throw new AgentException(AgentException.ENVIRONMENT, "cannot tell whether we run as root: " + e.getMessage());
        }
        if (effectiveUid(status) != 0) {
            throw new AgentException(AgentException.ENVIRONMENT,
                    "tern up must run as root (it creates a network interface and firewall rules)");
        }
    }

    /** The effective uid from /proc/self/status text ("Uid: real effective saved fs"); -1 when absent. */
    static long effectiveUid(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] ids = line.substring(4).strip().split("\\s+");
                return ids.length > 1 ? Long.parseLong(ids[1]) : -1;
            }
        }
        return -1;
    }
}
