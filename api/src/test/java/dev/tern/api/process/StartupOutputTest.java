package dev.tern.api.process;

import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.testsupport.process.TernServerProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a newcomer sees when tern-server starts for the first time: Tern's summary (where it listens, that TLS is
 * off, how to begin) on the first screen, not initdb's chatter, Axon's advertisement and framework deprecation
 * notes in front of it.
 */
class StartupOutputTest {

    /** One terminal screen. A fresh start printed 115 lines before the ready line when this was written. */
    private static final int MAX_LINES_UNTIL_READY = 30;

    @Test
    void firstStartPrintsTernsSummaryOnOneScreenWithoutFrameworkChatter() {
        Path dataDir = TempDataDirInitializer.newDataDir();
        int grpcPort = TernServerProcess.freePort();
        try (TernServerProcess server = TernServerProcess.launch(dataDir,
                Map.of("TERN_GRPC_PORT", Integer.toString(grpcPort))).awaitReady()) {
            String stdout = server.stdout();
            List<String> untilReady = stdout.substring(0, stdout.indexOf(TernServerProcess.READY_LINE)).lines().toList();

            assertThat(untilReady).as("lines before '%s':\n%s", TernServerProcess.READY_LINE, stdout)
                    .hasSizeLessThanOrEqualTo(MAX_LINES_UNTIL_READY);
            assertThat(stdout)
                    .contains("REST API listening on http://localhost:" + server.httpPort() + "/api")
                    .contains("Management gRPC listening on port " + grpcPort)
                    .contains("Data directory " + dataDir)
                    .contains("Setup required").contains("/api/setup")
                    // a warning that matters still shows
                    .contains("WARN").contains("TLS IS OFF");
            assertThat(stdout)
                    .doesNotContain("AxonIQ Console")
                    .doesNotContain("initdb")
                    .doesNotContain("Success. You can now start the database server")
                    .doesNotContain("database system is ready to accept connections")
                    .doesNotContain("deprecated")
                    .doesNotContain("in memory token store")
                    .doesNotContain("Migrating schema");
            assertThat(server.stderr()).isEmpty();
        } finally {
            TempDataDirInitializer.delete(dataDir);
        }
    }
}
