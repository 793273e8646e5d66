package dev.tern.e2e.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A long-running child process (tern-server, a tern agent) with its output in a log file under target/. */
public final class ManagedProcess implements AutoCloseable {
    private final String name;
    private final Path log;
    private final Process process;

    private ManagedProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    public static ManagedProcess start(String name, List<String> command, Map<String, String> env) {
        try {
            Path logDir = Path.of("target", "e2e-logs");
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            Files.writeString(log, "=== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return new ManagedProcess(name, log, pb.start());
        } catch (IOException e) {
            throw new AssertionError("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** The running JVM's own java binary, so child JVMs use the same JDK. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** A built artifact of another module, e.g. {@code ../api/target/tern-server.jar}; fails loudly if absent. */
    public static String artifact(String relativePath) {
        File f = new File(relativePath);
        if (!f.isFile()) {
            throw new AssertionError(relativePath + " is missing: build with ./mvnw -B verify (e2e runs after package)");
        }
        return f.getAbsolutePath();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    public void stop(int graceSeconds) {
        if (!process.isAlive()) {
            return;
        }
        // Children started through `ip netns exec` are the JVM itself (exec), so the signal reaches it.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(15);
    }

    @Override
    public String toString() {
        return name + " (log " + log + ")";
    }
}
