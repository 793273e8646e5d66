package dev.tern.testsupport.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A long-running child process of a test (tern-server, a tern agent, a helper) whose output goes to files, so a
 * failing test can show it: either one log with stdout and stderr together, or one file each when a test asserts
 * on stderr alone.
 */
public final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    /** Where this run's output starts in a shared log: earlier runs and the command line header come before it. */
    private final long offset;

    private ChildProcess(String name, Process process, Path stdout, Path stderr, long offset) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.offset = offset;
    }

    /**
     * Starts {@code command} with stdout and stderr appended to one {@code log}, which is headed by the command line.
     * {@code env} is added to this JVM's environment.
     */
    public static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log) {
        return start(name, command, environment -> environment.putAll(env), log, null);
    }

    /**
     * Starts {@code command} with stdout to {@code stdout} and stderr to {@code stderr} (or to the same file when
     * {@code stderr} is null). {@code environment} edits the environment inherited from this JVM.
     */
    public static ChildProcess start(String name, List<String> command, Consumer<Map<String, String>> environment,
                                     Path stdout, Path stderr) {
        try {
            Files.createDirectories(stdout.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            environment.accept(builder.environment());
            long offset = 0;
            if (stderr == null) {
                Files.writeString(stdout, "=== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                offset = Files.size(stdout);
                builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()));
            } else {
                builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            }
            return new ChildProcess(name, builder.start(), stdout, stderr == null ? stdout : stderr, offset);
        } catch (IOException e) {
            throw new AssertionError("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** The running JVM's own java binary, so child JVMs use the same JDK. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A built artifact of another module, e.g. {@code ../api/target/tern-server.jar}; fails loudly if absent. */
    public static String artifact(String relativePath) {
        File file = new File(relativePath);
        if (!file.isFile()) {
            throw new AssertionError(relativePath + " is missing: build it with ./mvnw -B -DskipTests package"
                    + " (e2e runs after package)");
        }
        return file.getAbsolutePath();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Everything this process wrote to stdout so far (with stderr when both share one log). */
    public String stdout() {
        return read(stdout, offset);
    }

    /** Everything this process wrote to stderr so far (with stdout when both share one log). */
    public String stderr() {
        return read(stderr, offset);
    }

    /** The stdout file (the one log when stdout and stderr share it, with earlier runs of the same name). */
    public Path log() {
        return stdout;
    }

    /** The last lines of this run's output. */
    public String logTail(int lines) {
        return tail(stdout(), lines);
    }

    /**
     * Waits until {@code line} appears on stdout; fails with the process's output if it exits first or takes longer
     * than {@code timeout}.
     */
    public void awaitOutput(String line, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (stdout().contains(line)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it printed '"
                        + line + "'\n--- stderr:\n" + stderr() + "\n--- stdout (tail):\n" + logTail(60));
            }
            sleep(100);
        }
        throw new IllegalStateException(name + " did not print '" + line + "' within " + timeout
                + "\n--- stdout (tail):\n" + logTail(60));
    }

    /** Waits for the process to end on its own and returns its exit status. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still running after " + timeout + "\n--- stdout (tail):\n"
                        + logTail(40));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * SIGTERM to the process alone, as systemd or Ctrl-C would, and a wait of up to {@code timeout} for it to end:
     * its exit status. Its own children (the embedded PostgreSQL) are left for it to stop.
     */
    public int terminate(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** SIGKILL: no shutdown hook runs, the process's children are left behind as orphans. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /**
     * SIGTERM to the process and every descendant, then SIGKILL to whatever is still alive after {@code grace}.
     * A process started through {@code ip netns exec} is the program itself (ip execs it), so the signal reaches it.
     */
    public void stopTree(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        awaitOrKill(grace);
    }

    /**
     * Leaves nothing running: SIGTERM to the process (a clean shutdown stops its children too), then, after
     * {@code grace}, SIGKILL to it and to every descendant it left behind.
     */
    public void close(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        awaitOrKill(grace);
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** {@link #close(Duration)} with a minute's grace. */
    @Override
    public void close() {
        close(Duration.ofSeconds(60));
    }

    @Override
    public String toString() {
        return name + " (log " + stdout + ")";
    }

    private void awaitOrKill(Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static String read(Path file, long from) {
        try {
            byte[] all = Files.readAllBytes(file);
            int start = (int) Math.min(from, all.length);
            return new String(all, start, all.length - start, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
