package dev.tern.agent.daemon;

import dev.tern.protocol.management.PeerSystemMeta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What the agent tells the management server about this machine at every login. */
public final class SystemInfo {
    public static final String VERSION = "tern-0.1.0";

    private SystemInfo() {
    }

    /** {@code hostname} is the name to register with; null or blank means this host's own name. */
    public static PeerSystemMeta meta(String hostname) {
        if (hostname == null || hostname.isBlank()) {
            hostname = localHostname();
        }
        return PeerSystemMeta.newBuilder()
                .setHostname(hostname)
                .setGoOS("linux")
                .setKernel("Linux")
                .setOS(System.getProperty("os.name", "Linux"))
                .setOSVersion(System.getProperty("os.version", ""))
                .setKernelVersion(System.getProperty("os.version", ""))
                .setPlatform(System.getProperty("os.arch", ""))
                .setCore(System.getProperty("os.version", ""))
                .setNetbirdVersion(VERSION)
                .build();
    }

    static String localHostname() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException ignored) {
            // fall through
        }
        return Optional.ofNullable(System.getenv("HOSTNAME")).filter(s -> !s.isBlank()).orElse("tern-peer");
    }
}
