package dev.tern.testsupport.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands (ip, nft, wg, ping) and captures their output. */
public final class Shell {
    private Shell() {
    }

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    public static Result run(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Result(124, "timed out after " + timeoutSeconds + "s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Result run(String... command) {
        return run(List.of(command), 30);
    }

    /** Runs and fails the test with the command's output when it does not exit 0. */
    public static String must(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new AssertionError("command failed (" + r.exitCode() + "): " + String.join(" ", command) + "\n" + r.output());
        }
        return r.output();
    }

    /** The same command inside a network namespace. */
    public static List<String> inNamespace(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    /** Fails loudly (never skips) when something the end-to-end tests need is missing. */
    public static void requireRootAndTools(String... tools) {
        Result id = run("id", "-u");
        if (!id.ok() || !id.output().trim().equals("0")) {
            throw new AssertionError("end-to-end tests need root (network namespaces, WireGuard); run scripts/test.sh as root");
        }
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (!run("sh", "-c", "command -v " + tool).ok()) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("end-to-end tests need " + missing
                    + " — install wireguard-go wireguard-tools nftables iproute2 iputils-ping (scripts/test.sh does)");
        }
    }
}
