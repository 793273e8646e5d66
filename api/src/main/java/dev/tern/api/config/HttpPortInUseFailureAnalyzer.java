package dev.tern.api.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** Spring's own analysis says "configure this application"; an operator needs the variable's name. */
@Order(Ordered.HIGHEST_PRECEDENCE)
class HttpPortInUseFailureAnalyzer extends AbstractFailureAnalyzer<PortInUseException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PortInUseException cause) {
        return new FailureAnalysis("REST port " + cause.getPort() + " is already in use by another process; stop it or "
                + "set " + TernSettings.HTTP_PORT + " to a free port", null, cause);
    }
}
