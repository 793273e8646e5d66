package dev.tern.signal;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The rules every {@code TERN_*} setting is read with, by the standalone node and by tern-server alike: values are
 * trimmed, empty means "use the default", unknown {@code TERN_*} variables are typos, and every refusal is one line
 * that names the variable (an {@link IllegalArgumentException}; tern-server rethrows it as its own type).
 */
public final class SettingValues {
    private SettingValues() {
    }

    /**
     * The set values among {@code known}, trimmed: a property (as {@code properties} finds it by variable name) wins
     * over the environment variable.
     *
     * @throws IllegalArgumentException naming every {@code TERN_*} variable of {@code environment} not in {@code known}
     */
    public static Map<String, String> read(Map<String, String> environment, Function<String, String> properties,
                                           Collection<String> known) {
        TreeSet<String> unknown = new TreeSet<>();
        for (String name : environment.keySet()) {
            if (name.startsWith("TERN_") && !known.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown environment variable " + String.join(", ", unknown)
                    + " (known: " + String.join(", ", known) + ")");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String variable : known) {
            String value = properties.apply(variable);
            if (value == null) {
                value = environment.get(variable);
            }
            if (value != null) {
                values.put(variable, value.trim());
            }
        }
        return values;
    }

    /** A TCP or UDP port; 0 means "any free port". */
    public static int port(Map<String, String> values, String variable, int defaultPort) {
        String value = values.get(variable);
        if (value == null || value.isEmpty()) {
            return defaultPort;
        }
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // refused below with the same reason as an out-of-range number
        }
        throw new IllegalArgumentException(variable + " must be a port number between 0 and 65535, got '"
                + printable(value) + "'");
    }

    /** A whole number from 1 to {@code max}. */
    public static int count(Map<String, String> values, String variable, int defaultValue, int max) {
        String value = values.get(variable);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            int count = Integer.parseInt(value);
            if (count >= 1 && count <= max) {
                return count;
            }
        } catch (NumberFormatException e) {
            // refused below with the same reason as an out-of-range number
        }
        throw new IllegalArgumentException(variable + " must be a number between 1 and " + max + ", got '"
                + printable(value) + "'");
    }

    /**
     * A secret of at least {@code minLength} characters (shorter ones could be guessed); empty when unset. The
     * refusal never echoes the value, not even a short one.
     */
    public static Optional<String> secret(String variable, String value, int minLength) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (value.length() < minLength) {
            throw new IllegalArgumentException(variable + " must be at least " + minLength
                    + " characters long, got " + value.length());
        }
        return Optional.of(value);
    }

    /** Keeps an echoed value on one line and short, whatever the operator typed. */
    public static String printable(String value) {
        String oneLine = value.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() > 80 ? oneLine.substring(0, 80) + "..." : oneLine;
    }
}
