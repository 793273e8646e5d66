package dev.tern.api.config;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalysisReporter;

/**
 * Prints a failed start-up as one line on stderr ("tern-server: ..."), for operators and scripts. Spring's own
 * multi-line reporter is silenced in application.properties. Registered in META-INF/spring.factories.
 */
public class StartupFailureReporter implements FailureAnalysisReporter {

    private static volatile boolean reported;

    @Override
    public void report(FailureAnalysis analysis) {
        reported = true;
        String line = analysis.getDescription();
        if (analysis.getAction() != null && !analysis.getAction().isBlank()) {
            line += " (" + analysis.getAction().strip() + ")";
        }
        System.err.println("tern-server: " + line.replaceAll("\\s+", " ").strip());
        System.err.flush();
    }

    /** Whether a start-up failure has already been printed in this JVM. */
    public static boolean reported() {
        return reported;
    }
}
