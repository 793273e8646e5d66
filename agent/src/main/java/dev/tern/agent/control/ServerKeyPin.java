package dev.tern.agent.control;

import dev.tern.agent.common.AgentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Trust on first use for the management server's public key (the key every Login and Sync body is sealed with).
 * NetBird's protocol gives the client nothing to check that key against, so the agent remembers the key of its
 * first successful login in the config dir and refuses any other key later: a server that answers with another
 * key is either a different server (a reset data dir, a new install) or someone in the middle, and only the
 * operator can tell which ({@code tern reset-server-key}, or {@code tern up --accept-new-server-key}).
 *
 * <p>The file is read at every check, so a reset takes effect on a running agent's next login attempt.
 */
public final class ServerKeyPin {
    private final Path file;
    private final String configDir;
    /** Set by --accept-new-server-key: the next successful login replaces the pin, once. */
    private volatile boolean acceptNext;

    public ServerKeyPin(Path file, String configDir, boolean acceptNext) {
        this.file = file;
        this.configDir = configDir;
        this.acceptNext = acceptNext;
    }

    /** A server key that differs from the pinned one. Not retried like a connection problem would be. */
    static final class MismatchException extends AgentException {
        MismatchException(String message) {
            super(AgentException.MANAGEMENT, message);
        }
    }

    Optional<String> pinned() {
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE, "cannot read the pinned server key " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** Before anything is sent sealed to {@code offeredKey}: refuses a key other than the pinned one. */
    void check(String offeredKey) {
        if (acceptNext) {
            return;
        }
        Optional<String> pinned = pinned();
        if (pinned.isPresent() && !pinned.get().equals(offeredKey)) {
            throw new MismatchException("the management server presents key " + offeredKey
                    + " but this agent pinned key " + pinned.get() + " at its first login (" + file + "). "
                    + "If the server's key really changed (a new server, a reset data dir), run "
                    + "'tern reset-server-key --config-dir " + configDir + "' or start 'tern up' with "
                    + "--accept-new-server-key; otherwise something between you and the server is impersonating it");
        }
    }

    /**
     * After a login whose answer opened with {@code key} (so the server holds its private half): pins it when
     * nothing is pinned yet, or replaces the pin once when the operator accepted a new key.
     */
    void confirm(String key) {
        if (!acceptNext && pinned().isPresent()) {
            return;
        }
        write(key);
        acceptNext = false;
    }

    /** Forgets the pinned key; the next successful login pins whatever key the server presents. */
    public Optional<String> reset() {
        Optional<String> old = pinned();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE, "cannot remove " + file + ": " + e.getMessage(), e);
        }
        return old;
    }

    private void write(String key) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            Files.writeString(tmp, key + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE, "cannot pin the server key in " + file + ": "
                    + e.getMessage(), e);
        }
    }
}
