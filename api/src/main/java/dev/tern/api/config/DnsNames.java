package dev.tern.api.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** DNS names in settings: RFC 1123 labels, at most 253 characters in all, compared in lower case. */
final class DnsNames {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private DnsNames() {
    }

    /** The name in lower case, or empty when it is not a valid DNS name of at least {@code minLabels} labels. */
    static Optional<String> parse(String value, int minLabels) {
        String name = value.toLowerCase(Locale.ROOT);
        String[] labels = name.split("\\.", -1);
        if (name.length() > 253 || labels.length < minLabels) {
            return Optional.empty();
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.empty();
            }
        }
        return Optional.of(name);
    }
}
