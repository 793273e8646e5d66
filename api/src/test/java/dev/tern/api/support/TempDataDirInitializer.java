package dev.tern.api.support;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives each test application context its own data directory under {@code target/tern-it/} (removed by
 * {@code mvn clean}), so an integration run never touches ./data nor another run's database.
 */
public class TempDataDirInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

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
            return Files.createTempDirectory(root, "data-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
