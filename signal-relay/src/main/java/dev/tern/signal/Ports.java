package dev.tern.signal;

import java.util.Map;

/** Reads port settings from the environment with one-line reasons for bad values. */
final class Ports {
    private Ports() {
    }

    static int fromEnvironment(Map<String, String> env, String name, int defaultPort) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return defaultPort;
        }
        try {
            int port = Integer.parseInt(raw.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number between 0 and 65535, got '" + raw + "'");
        }
    }
}
