package dev.tern.api.storage;

import dev.tern.api.config.StartupFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Clears the way for the embedded PostgreSQL after a crash. When tern-server is killed (SIGKILL, OOM killer), its
 * PostgreSQL keeps running as an orphan holding {@code postmaster.pid}, and a new start would fail. Only call this
 * while holding the {@link DataDirectoryLock}: then no live tern-server owns the directory, so a postmaster running
 * on it is an orphan and may be shut down (fast mode: committed transactions are durable, open ones roll back).
 */
final class OrphanPostmaster {

    private static final Logger log = LoggerFactory.getLogger(OrphanPostmaster.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private OrphanPostmaster() {
    }

    /** @return true if an orphan was found and stopped */
    static boolean stopIfRunning(Path pgData) {
        Path pidFile = pgData.resolve("postmaster.pid");
        Optional<Long> pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return false;
        }
        if (!isPostmasterFor(pid.get(), pgData)) {
            // The pid is dead or now belongs to an unrelated process (pids are reused, e.g. after a reboot of a
            // container). PostgreSQL would refuse to start while that process lives, so drop the stale file.
            log.info("Removing stale {} (pid {} is not a PostgreSQL server on this data directory)", pidFile, pid.get());
            deleteQuietly(pidFile);
            return false;
        }
        log.warn("Found PostgreSQL (pid {}) left running on {} by a tern-server that did not shut down; stopping it",
                pid.get(), pgData);
        ProcessHandle handle = ProcessHandle.of(pid.get()).orElse(null);
        signal(pid.get(), "INT"); // SIGINT = PostgreSQL's fast shutdown
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!Files.exists(pidFile) || handle == null || !isRunning(pid.get())) {
                waitForExit(handle, deadline);
                log.info("Stopped orphaned PostgreSQL (pid {})", pid.get());
                return true;
            }
            sleep(100);
        }
        throw new StartupFailure("PostgreSQL (pid " + pid.get() + ") left running on " + pgData
                + " by a previous tern-server did not stop within " + STOP_TIMEOUT.toSeconds() + "s; stop it and retry");
    }

    static Optional<Long> readPid(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A live postgres process whose command line has {@code -D <pgData>}. */
    static boolean isPostmasterFor(long pid, Path pgData) {
        if (!isRunning(pid)) {
            return false;
        }
        try {
            String[] args = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).split("\0");
            if (args.length == 0 || !Path.of(args[0]).getFileName().toString().startsWith("postgres")) {
                return false;
            }
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].equals("-D") && sameDirectory(Path.of(args[i + 1]), pgData)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Alive and not a zombie (a stopped orphan stays a zombie until a reaper collects it). */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int afterName = stat.lastIndexOf(')');
            char state = stat.charAt(afterName + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    private static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (kill.waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // no kill binary: fall back to SIGTERM below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // SIGTERM is PostgreSQL's smart shutdown; the dead server's clients are gone, so it stops just as well.
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }

    private static void waitForExit(ProcessHandle handle, long deadline) {
        while (handle != null && isRunning(handle.pid()) && System.nanoTime() < deadline) {
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure("interrupted while stopping an orphaned PostgreSQL");
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", file, e.toString());
        }
    }
}
