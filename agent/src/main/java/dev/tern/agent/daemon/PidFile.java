package dev.tern.agent.daemon;

import dev.tern.agent.common.AgentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The daemon's pid in its config dir: one daemon per config dir, and the way {@code tern status} and
 * {@code tern down} find it when the control socket does not answer.
 */
public final class PidFile {
    private final Path file;

    /** {@code file} lies in the config dir it guards. */
    public PidFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** Writes this process's pid; refuses while a live daemon holds the file (a stale one is taken over). */
    public void claim() {
        Optional<Long> running = runningPid();
        if (running.isPresent()) {
            throw new AgentException(AgentException.FAILURE, "tern is already running for " + file.getParent()
                    + " (pid " + running.get() + "); run tern down first");
        }
        try {
            Files.writeString(file, ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The pid of a live daemon for this config dir, if any (a stale pid file does not count). */
    public Optional<Long> runningPid() {
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("java")).orElse(true))
                    .map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
