package dev.tern.api.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Recognises tern-server's own start-up failures wherever Spring wrapped them, so that they are reported as their
 * one-line message rather than as a bean-creation stack trace.
 */
class StartupFailureAnalyzer extends AbstractFailureAnalyzer<StartupFailure> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, StartupFailure cause) {
        return new FailureAnalysis(cause.getMessage(), null, cause);
    }
}
