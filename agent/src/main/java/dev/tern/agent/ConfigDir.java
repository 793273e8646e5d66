package dev.tern.agent;

import dev.tern.agent.common.AgentException;
import dev.tern.agent.common.Json;
import dev.tern.agent.control.ServerKeyPin;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's config directory (default {@code /etc/tern}): the WireGuard private key, generated once and kept
 * with mode 0600, the registration state as JSON, the daemon's pid, status file and control socket.
 */
final class ConfigDir {
    static final Path DEFAULT = Path.of("/etc/tern");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path dir;

    ConfigDir(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    Path path() {
        return dir;
    }

    Path keyFile() {
        return dir.resolve("private.key");
    }

    Path stateFile() {
        return dir.resolve("state.json");
    }

    Path statusFile() {
        return dir.resolve("status.json");
    }

    /** {@code tern route select}/{@code deselect}'s choices, kept across restarts. */
    Path routeSelectionFile() {
        return dir.resolve("route-selection.json");
    }

    Path pidFile() {
        return dir.resolve("tern.pid");
    }

    Path controlSocket() {
        return dir.resolve("tern.sock");
    }

    Path wireguardLog() {
        return dir.resolve("wireguard-go.log");
    }

    /** The management server's public key, pinned at the first successful login ({@link ServerKeyPin}). */
    Path serverKeyFile() {
        return dir.resolve("server.pub");
    }

    /** The pin of the management server's key, kept in {@link #serverKeyFile()}. */
    ServerKeyPin serverKeyPin(boolean acceptNext) {
        return new ServerKeyPin(serverKeyFile(), dir.toString(), acceptNext);
    }

    void create() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
            }
        } catch (IOException e) {
            throw new AgentException(AgentException.ENVIRONMENT, "cannot create config dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The WireGuard key pair: read from the key file, or generated and written once (0600, created with those
     * permissions so the key is never readable by others, not even briefly).
     */
    X25519KeyPair loadOrCreateKey() {
        create();
        Path file = keyFile();
        try {
            if (Files.exists(file)) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (!OWNER_ONLY_FILE.containsAll(perms)) {
                    Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
                }
                return X25519KeyPair.fromPrivateKeyBase64(Files.readString(file, StandardCharsets.US_ASCII).strip());
            }
            X25519KeyPair pair = NaclBox.generateKeyPair();
            Path tmp = dir.resolve("private.key.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
            Files.writeString(tmp, pair.privateKeyBase64() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
            }
            return pair;
        } catch (IOException e) {
            throw new AgentException(AgentException.ENVIRONMENT, "cannot read or write the key file " + file + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof AgentException) {
                throw e;
            }
            throw new AgentException(AgentException.FAILURE, "key file " + file + " does not hold a WireGuard private key");
        }
    }

    Optional<AgentState> readState() {
        return readJson(stateFile(), AgentState.class);
    }

    void writeState(AgentState state) {
        writeJson(stateFile(), state);
    }

    <T> Optional<T> readJson(Path file, Class<T> type) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(file.toFile(), type));
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE, file + " is not valid: " + e.getMessage(), e);
        }
    }

    /** Writes through a temp file and a rename, so readers never see half a file. */
    void writeJson(Path file, Object value) {
        create();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, Json.MAPPER.writeValueAsBytes(value));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
