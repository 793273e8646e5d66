package dev.tern.command;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * DNS labels in use in one account. A hostname yields a base label; the first free of {@code base},
 * {@code base-1}, {@code base-2}, ... is chosen. {@code lowestFreeSuffix} remembers, per base, the lowest suffix
 * not in use (0 meaning the bare base), kept exact on every take/release, so a thousand peers called "laptop" do
 * not make the next registration probe a thousand labels. Mutated only by event sourcing handlers.
 *
 * <p>Only bases short enough that {@code base-n} is never shortened get a remembered suffix: for them a label
 * parses back to exactly one (base, n), which keeps the remembered suffix exact. Longer bases (rare) are probed
 * from the bare base each time.
 */
final class DnsLabels {
    static final int MAX_LABEL = 63;
    /** A dash and the ten digits of the largest int always fit after bases up to this length. */
    private static final int MAX_REMEMBERED_BASE = MAX_LABEL - 11;
    private final Set<String> taken = new HashSet<>();
    private final Map<String, Integer> lowestFreeSuffix = new HashMap<>();

    /** Lower-case, every char outside [a-z0-9-] becomes '-', trimmed of '-', at most 63 chars, "peer" if empty. */
    static String baseOf(String hostname) {
        String lower = hostname == null ? "" : hostname.toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            out.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
        }
        String label = trimDashes(out.toString());
        if (label.length() > MAX_LABEL) {
            label = trimDashes(label.substring(0, MAX_LABEL));
        }
        return label.isEmpty() ? "peer" : label;
    }

    /** The label for the n-th use of a base: the base itself for 0, else base-n (the base shortened to fit 63). */
    static String withSuffix(String base, int n) {
        if (n == 0) {
            return base;
        }
        String suffix = "-" + n;
        String head = base.length() + suffix.length() > MAX_LABEL
                ? trimDashes(base.substring(0, MAX_LABEL - suffix.length())) : base;
        return head + suffix;
    }

    /**
     * The lowest free label for this base. {@code ownLabel} (the label of a peer being renamed, or null) counts as
     * free, so renaming a peer to a name with the same base keeps its label.
     */
    String propose(String base, String ownLabel) {
        int n = remembered(base) ? lowestFreeSuffix.getOrDefault(base, 0) : 0;
        if (ownLabel != null) {
            int own = suffixOfOwn(base, ownLabel);
            if (own >= 0 && own < n) {
                return ownLabel;
            }
        }
        while (true) {
            String candidate = withSuffix(base, n);
            if (!taken.contains(candidate) || candidate.equals(ownLabel)) {
                return candidate;
            }
            n++;
        }
    }

    void take(String label) {
        if (!taken.add(label)) {
            throw new IllegalStateException("DNS label " + label + " is taken twice");
        }
        advanceIfLowest(label, 0);
        int dash = suffixDash(label);
        if (dash > 0) {
            advanceIfLowest(label.substring(0, dash), Integer.parseInt(label.substring(dash + 1)));
        }
    }

    boolean taken(String label) {
        return taken.contains(label);
    }

    void release(String label) {
        taken.remove(label);
        lowerTo(label, 0);
        int dash = suffixDash(label);
        if (dash > 0) {
            lowerTo(label.substring(0, dash), Integer.parseInt(label.substring(dash + 1)));
        }
    }

    private static boolean remembered(String base) {
        return base.length() <= MAX_REMEMBERED_BASE;
    }

    private void advanceIfLowest(String base, int suffix) {
        if (!remembered(base) || lowestFreeSuffix.getOrDefault(base, 0) != suffix) {
            return;
        }
        int n = suffix;
        while (taken.contains(withSuffix(base, n))) {
            n++;
        }
        lowestFreeSuffix.put(base, n);
    }

    private void lowerTo(String base, int suffix) {
        Integer current = lowestFreeSuffix.get(base);
        if (current != null && suffix < current) {
            if (suffix == 0) {
                lowestFreeSuffix.remove(base);
            } else {
                lowestFreeSuffix.put(base, suffix);
            }
        }
    }

    private static int suffixOfOwn(String base, String ownLabel) {
        if (ownLabel.equals(base)) {
            return 0;
        }
        int dash = suffixDash(ownLabel);
        if (dash > 0) {
            int n = Integer.parseInt(ownLabel.substring(dash + 1));
            if (withSuffix(base, n).equals(ownLabel)) {
                return n;
            }
        }
        return -1;
    }

    /** Index of the dash before a canonical positive number ending the label ("web-12" → 3), or -1. */
    private static int suffixDash(String label) {
        int dash = label.lastIndexOf('-');
        if (dash <= 0 || dash == label.length() - 1 || label.length() - dash - 1 > 9 || label.charAt(dash + 1) == '0') {
            return -1;
        }
        for (int i = dash + 1; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return dash;
    }

    private static String trimDashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '-') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '-') {
            end--;
        }
        return s.substring(start, end);
    }
}
