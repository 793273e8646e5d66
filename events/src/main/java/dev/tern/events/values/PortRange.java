package dev.tern.events.values;

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
