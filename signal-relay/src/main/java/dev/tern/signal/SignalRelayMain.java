package dev.tern.signal;

import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;

/** Entry point of {@code tern-signal-relay.jar}: runs the node until SIGTERM/SIGINT. */
public final class SignalRelayMain {
    private SignalRelayMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Set before the first logger exists, so the standalone node logs with its own configuration.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "tern-signal-relay-logback.xml");
        }
        if (args.length > 0) {
            System.err.println("tern-signal-relay takes no arguments; configure it with "
                    + String.join(", ", DataPathSettings.NODE_VARIABLES));
            System.exit(2);
        }
        SignalRelayNode node;
        try {
            node = SignalRelayNode.fromEnvironment(System.getenv()).start();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("tern-signal-relay: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "signal-relay-shutdown"));
        LoggerFactory.getLogger(SignalRelayMain.class).info("tern-signal-relay ready: signal tcp {}{}, stun udp {}, relay tcp {}",
                node.signalPort(), node.usesTls() ? " (TLS)" : " (plaintext: set TERN_TLS_CERT_FILE and TERN_TLS_KEY_FILE)", node.stunPort() < 0 ? "off" : node.stunPort(),
                node.relayPort() < 0 ? "off (set TERN_RELAY_SECRET)" : node.relayPort());
        node.awaitTermination();
    }
}
