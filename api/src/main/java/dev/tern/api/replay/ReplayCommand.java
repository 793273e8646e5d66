package dev.tern.api.replay;

import dev.tern.api.config.StartupFailureReporter;
import dev.tern.query.ReadModelRebuild;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code tern-server replay [--projection NAME]}: rebuilds read models and answers the process's exit status. */
public final class ReplayCommand {
    /** Exit status of a replay that finished. */
    public static final int EXIT_DONE = 0;
    /** Exit status when the replay or the start of its database failed. */
    public static final int EXIT_FAILED = 1;
    /** Exit status for a projection name nobody knows (the message lists the known ones). */
    public static final int EXIT_USAGE = 2;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    private ReplayCommand() {
    }

    public static int run(Optional<String> projection, PrintStream err) {
        SpringApplication application = new SpringApplication(ReplayApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(ReplayApplication.properties());
        ReplayProgressLine progress = new ReplayProgressLine(err, System.console() != null, System::nanoTime,
                PROGRESS_EVERY);
        try (ConfigurableApplicationContext context = application.run()) {
            ReadModelRebuild rebuild = context.getBean(ReadModelRebuild.class);
            try {
                ReadModelRebuild.Result result = rebuild.rebuild(projection, progress);
                progress.finish(result);
                return EXIT_DONE;
            } catch (ReadModelRebuild.UnknownProjectionException e) {
                err.println("tern-server replay: " + e.getMessage());
                return EXIT_USAGE;
            } catch (RuntimeException e) {
                // The rebuild's own messages name the projection and the event; the tables stay as far as it got.
                err.println("tern-server replay: failed: " + e.getMessage().replaceAll("\\s+", " "));
                return EXIT_FAILED;
            }
        } catch (Throwable e) {
            if (!StartupFailureReporter.reported()) {
                err.println("tern-server replay: failed: " + rootMessage(e));
            }
            return EXIT_FAILED;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage()).replaceAll("\\s+", " ");
    }
}
