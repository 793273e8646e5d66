package dev.tern.agent.dataplane;

import dev.tern.agent.common.AgentException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs system tools (ip, nft, wg) and turns their failures into readable errors. */
public class Shell {
    private final List<String> prefix;

    public Shell() {
        this(List.of());
    }

    private Shell(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** A shell whose commands run inside network namespace {@code name} (tests; e2e runs the whole JVM there). */
    public static Shell inNamespace(String name) {
        return new Shell(List.of("ip", "netns", "exec", name));
    }

    /** {@code command} with this shell's prefix, for callers that manage the process themselves. */
    List<String> command(List<String> command) {
        if (prefix.isEmpty()) {
            return command;
        }
        List<String> full = new java.util.ArrayList<>(prefix);
        full.addAll(command);
        return full;
    }

    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command}, feeding {@code stdin} when not null. Never throws on a non-zero exit. */
    public Result run(List<String> command, String stdin) {
        ProcessBuilder builder = new ProcessBuilder(command(command));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AgentException(AgentException.ENVIRONMENT,
                    "cannot run " + command.get(0) + ": " + e.getMessage()
                            + " (install it, e.g. apt-get install -y wireguard-tools nftables iproute2)", e);
        }
        try {
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(process.getErrorStream(), err), "shell-stderr");
            errReader.setDaemon(true);
            errReader.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AgentException(AgentException.FAILURE, String.join(" ", command) + " did not finish in 30s");
            }
            errReader.join(1000);
            return new Result(process.exitValue(), out, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE, "running " + command.get(0) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AgentException(AgentException.FAILURE, "interrupted while running " + command.get(0), e);
        }
    }

    /** Runs and requires exit code 0. {@code what} names the step for the error message. */
    public String check(String what, List<String> command, String stdin) {
        Result result = run(command, stdin);
        if (!result.ok()) {
            throw new AgentException(AgentException.FAILURE,
                    what + " failed (" + String.join(" ", command) + ", exit " + result.exitCode() + "): "
                            + result.stderr().strip());
        }
        return result.stdout();
    }

    /** Whether an executable of that name is on PATH. */
    public static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process went away; whatever was read is kept
        }
    }
}
