package dev.tern.api.storage;

import dev.tern.api.config.StartupFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Who may connect to the embedded PostgreSQL: only the holder of the random secret in
 * {@code <dataDir>/postgres.secret} (mode 0600, so only the account tern-server runs as can read it), with SCRAM
 * over localhost. Without this, initdb's trust authentication let every local account connect as the superuser,
 * read and rewrite the event store and tokens, and run programs as tern-server's user ({@code COPY ... TO PROGRAM}).
 *
 * <p>Data directories of earlier versions were initialised with trust: {@link #secure} gives their superuser the
 * password in single-user mode, where no client can connect, and only then replaces {@code pg_hba.conf}, so the
 * server is never reachable over TCP without the password. Both steps are repeated until {@code pg_hba.conf} is
 * ours, so a crash in between leaves a directory that the next start migrates again.
 */
final class EmbeddedPostgresAccess {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresAccess.class);

    static final String SECRET_FILE = "postgres.secret";
    /** First line of the pg_hba.conf tern-server writes; a file without it is from before (trust) or edited. */
    static final String HBA_MARKER = "# tern-server: password (SCRAM) authentication only";
    private static final String HBA = HBA_MARKER + """

            # Written by tern-server at start; edits are overwritten. Only tern-server knows the superuser's password
            # (in postgres.secret next to this data directory, readable by tern-server's account only).
            # TYPE  DATABASE  USER  ADDRESS        METHOD
            local   all       all                  scram-sha-256
            host    all       all   127.0.0.1/32   scram-sha-256
            host    all       all   ::1/128        scram-sha-256
            """;
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final long SINGLE_USER_TIMEOUT_SECONDS = 300;

    private EmbeddedPostgresAccess() {
    }

    /** The superuser's password: read from {@code <dataDir>/postgres.secret}, made (32 random bytes) if missing. */
    static String loadOrCreateSecret(Path dataDir) {
        Path secretFile = dataDir.resolve(SECRET_FILE);
        try {
            if (Files.exists(secretFile)) {
                Files.setPosixFilePermissions(secretFile, OWNER_ONLY_FILE);
                String secret = Files.readString(secretFile, StandardCharsets.US_ASCII).strip();
                if (secret.isEmpty()) {
                    throw new StartupFailure(secretFile + " is empty; restore it from a backup of the data directory");
                }
                return secret;
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            // base64url: no quote, backslash or newline, so it is safe in pwfile and in a SQL literal
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            writePrivately(secretFile, secret);
            return secret;
        } catch (IOException e) {
            throw new StartupFailure("cannot read or create " + secretFile + ": " + e, e);
        }
    }

    static Path secretFile(Path dataDir) {
        return dataDir.resolve(SECRET_FILE);
    }

    /** initdb options (zonky passes them as {@code --key=value}) that make a new cluster password-only. */
    static List<String[]> initdbOptions(Path dataDir) {
        List<String[]> options = new ArrayList<>();
        // zonky's own "-A trust" comes first on initdb's command line; the later --auth wins.
        options.add(new String[]{"auth", "scram-sha-256"});
        options.add(new String[]{"pwfile", secretFile(dataDir).toAbsolutePath().toString()});
        return options;
    }

    /**
     * Makes an initialised, stopped cluster password-only. {@code initialisedNow}: initdb just ran with
     * {@link #initdbOptions}, so the superuser already has the password. {@code secretIsNew}: the secret file was
     * missing (lost, or never made) and has just been created, so the superuser's password is set to it again.
     */
    static void secure(PostgresBinaries binaries, Path pgData, String secret, boolean initialisedNow,
                       boolean secretIsNew) {
        boolean passwordOnly = hbaIsPasswordOnly(pgData);
        if (!initialisedNow && !passwordOnly) {
            log.warn("Embedded PostgreSQL in {} accepts connections without a password (trust, from an earlier"
                    + " tern-server); setting a password and switching it to SCRAM", pgData);
            setSuperuserPassword(binaries, pgData, secret);
        } else if (!initialisedNow && secretIsNew) {
            log.warn("{} was missing; giving the embedded PostgreSQL superuser the new one",
                    pgData.resolveSibling(SECRET_FILE));
            setSuperuserPassword(binaries, pgData, secret);
        }
        if (passwordOnly) {
            return;
        }
        try {
            writePrivately(pgData.resolve("pg_hba.conf"), HBA);
        } catch (IOException e) {
            throw new StartupFailure("cannot write " + pgData.resolve("pg_hba.conf") + ": " + e, e);
        }
        if (!initialisedNow) {
            log.info("Embedded PostgreSQL in {} now requires tern-server's password", pgData);
        }
    }

    static boolean hbaIsPasswordOnly(Path pgData) {
        try {
            return Files.readString(pgData.resolve("pg_hba.conf"), StandardCharsets.UTF_8).startsWith(HBA_MARKER);
        } catch (IOException e) {
            return false;
        }
    }

    /** Single-user mode: no listener and no pg_hba.conf, so nobody can slip in while the password is set. */
    private static void setSuperuserPassword(PostgresBinaries binaries, Path pgData, String secret) {
        List<String> command = binaries.command("postgres", "--single", "-D", pgData.toString(), "postgres");
        Process process;
        try {
            // The secret goes through stdin, never the command line (visible in ps to every local user).
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(("SET password_encryption = 'scram-sha-256'\n"
                        + "ALTER ROLE " + EmbeddedPostgresServer.USER + " PASSWORD '" + secret + "'\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(SINGLE_USER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new StartupFailure("setting the embedded PostgreSQL password in " + pgData + " timed out");
            }
            if (process.exitValue() != 0 || output.contains("ERROR:") || output.contains("FATAL:")) {
                throw new StartupFailure("setting the embedded PostgreSQL password in " + pgData + " failed: "
                        + output.replace(secret, "***").replaceAll("\\s+", " ").strip());
            }
        } catch (IOException e) {
            throw new StartupFailure("cannot run PostgreSQL in single-user mode on " + pgData + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure("interrupted while setting the embedded PostgreSQL password");
        }
    }

    /** Replaces {@code file} atomically with {@code content}, readable and writable by the owner only. */
    static void writePrivately(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
