package dev.tern.api;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.StartupFailureReporter;
import dev.tern.api.config.TernSettings;
import dev.tern.api.replay.ReplayCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The tern-server process. Component scanning covers all of {@code dev.tern}, so the command side, the query side
 * and the other modules' Spring configuration are wired in by being on the classpath.
 */
@SpringBootApplication(scanBasePackages = "dev.tern")
public class TernServerApplication {

    /** Exit status when a TERN_* setting or the command line is invalid. */
    static final int EXIT_INVALID_SETTINGS = 2;
    /** Exit status when start-up fails for any other reason. */
    static final int EXIT_START_FAILED = 1;

    public static void main(String[] args) {
        ServerCommandLine commandLine = ServerCommandLine.parse(args);
        switch (commandLine.action()) {
            case HELP -> {
                System.out.println(ServerCommandLine.USAGE);
                System.exit(0);
            }
            case INVALID -> {
                System.err.println("tern-server: " + commandLine.error());
                System.err.println(ServerCommandLine.USAGE);
                System.exit(EXIT_INVALID_SETTINGS);
            }
            default -> {
            }
        }
        // Axon's update checker phones home; the env var AXONIQ_UPDATE_CHECKER_DISABLED cannot be set from inside,
        // but Axon reads this system property too, and it must be set before any Axon class initialises.
        System.setProperty("axoniq.update-checker.disabled", "true");
        // Axon 4.13 advertises AxonIQ Console at every start (a seven-line box); this is its documented off switch.
        System.setProperty("disable-axoniq-console-message", "true");
        try {
            // Validated before Spring starts so that a typo gives one line and nothing else.
            TernSettings.fromProcess();
        } catch (InvalidSettingException e) {
            System.err.println("tern-server: " + e.getMessage());
            System.exit(EXIT_INVALID_SETTINGS);
        }
        if (commandLine.action() == ServerCommandLine.Action.REPLAY) {
            System.exit(ReplayCommand.run(commandLine.projection(), System.err));
        }
        try {
            SpringApplication.run(TernServerApplication.class);
        } catch (Throwable e) {
            // Spring has already closed the context. Reasons the operator can act on were printed as one line by
            // StartupFailureReporter; anything else was logged by Spring with its stack trace.
            if (!StartupFailureReporter.reported()) {
                System.err.println("tern-server: failed to start: " + rootMessage(e));
            }
            System.exit(EXIT_START_FAILED);
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
