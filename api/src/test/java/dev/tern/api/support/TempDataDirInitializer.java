package dev.tern.api.support;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Gives each test application context its own data directory under {@code target/tern-it/}, so an integration
 * run never touches ./data nor another run's database. Directories of earlier runs are swept once abandoned.
 */
public class TempDataDirInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private static final Duration ABANDONED_AFTER = Duration.ofMinutes(30);

    static {
        // Before any Axon class loads, also when a test is started from an IDE rather than by Surefire.
        System.setProperty("axoniq.update-checker.disabled", "true");
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        Path dataDir = newDataDir();
        context.getEnvironment().getPropertySources()
                .addFirst(new MapPropertySource("tern-it-data-dir", Map.of("tern.data-dir", dataDir.toString())));
    }

    /** A fresh, empty data directory for one tern-server (in-JVM or child process). */
    public static Path newDataDir() {
        try {
            Path root = Path.of("target", "tern-it").toAbsolutePath();
            Files.createDirectories(root);
            sweepAbandoned(root);
            return Files.createTempDirectory(root, "data-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a data directory that no server uses any more (each holds a ~40 MB PostgreSQL cluster). */
    public static void delete(Path dataDir) {
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover directory only costs disk space until mvn clean
        }
    }

    /**
     * Removes data directories of earlier test runs, so repeated runs without {@code mvn clean} do not pile up
     * clusters: untouched for {@link #ABANDONED_AFTER}, no server holding the lock, no PostgreSQL running.
     */
    private static void sweepAbandoned(Path root) throws IOException {
        Instant cutoff = Instant.now().minus(ABANDONED_AFTER);
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("data-") && Files.isDirectory(d)).toList()) {
                if (lastUsed(dir).isBefore(cutoff) && !Files.exists(dir.resolve("postgres").resolve("postmaster.pid"))
                        && lockIsFree(dir.resolve("tern.lock"))) {
                    delete(dir);
                }
            }
        }
    }

    private static Instant lastUsed(Path dir) {
        Instant newest = Instant.EPOCH;
        for (Path marker : new Path[]{dir, dir.resolve("tern.lock"), dir.resolve("postgres").resolve("postmaster.opts")}) {
            try {
                Instant modified = Files.getLastModifiedTime(marker).toInstant();
                newest = modified.isAfter(newest) ? modified : newest;
            } catch (IOException e) {
                // marker absent
            }
        }
        return newest;
    }

    private static boolean lockIsFree(Path lockFile) {
        if (!Files.exists(lockFile)) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }
}
