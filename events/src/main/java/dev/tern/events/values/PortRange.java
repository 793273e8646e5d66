package dev.tern.events.values;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** An inclusive TCP/UDP port range; a single port has start == end. */
public record PortRange(int start, int end) {
    public PortRange {
        if (start < 1 || start > 65535 || end < 1 || end > 65535) {
            throw new InvalidValueException("port range " + start + "-" + end + " is outside 1..65535");
        }
        if (start > end) {
            throw new InvalidValueException("port range start " + start + " is after its end " + end);
        }
    }

    public static PortRange single(int port) {
        return new PortRange(port, port);
    }

    /** Parses "22" or "8000-8100" as NetBird's `ports` strings carry them. */
    public static PortRange parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidValueException("port is missing");
        }
        String t = text.trim();
        int dash = t.indexOf('-');
        try {
            if (dash < 0) {
                return single(Integer.parseInt(t));
            }
            return new PortRange(Integer.parseInt(t.substring(0, dash).trim()), Integer.parseInt(t.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new InvalidValueException("'" + text + "' is not a port or port range");
        }
    }

    /**
     * The same ports as {@code ranges}, as few ranges as possible: sorted by start, overlapping and adjacent ones
     * merged ({@code 80, 81, 82} becomes {@code 80-82}; {@code 22, 22} becomes {@code 22}). A firewall rule is made
     * per range, so this is what keeps a map small however the ports were written.
     */
    public static List<PortRange> merge(Collection<PortRange> ranges) {
        if (ranges.size() <= 1) {
            return List.copyOf(ranges);
        }
        List<PortRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingInt(PortRange::start).thenComparingInt(PortRange::end));
        List<PortRange> merged = new ArrayList<>();
        PortRange current = sorted.get(0);
        for (int i = 1; i < sorted.size(); i++) {
            PortRange next = sorted.get(i);
            if (next.start <= current.end + 1) {
                if (next.end > current.end) {
                    current = new PortRange(current.start, next.end);
                }
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return List.copyOf(merged);
    }

    public boolean isSingle() {
        return start == end;
    }

    public boolean contains(int port) {
        return port >= start && port <= end;
    }

    @Override
    public String toString() {
        return isSingle() ? Integer.toString(start) : start + "-" + end;
    }
}
