package dev.tern.events.values;

/** Checks for human-given names: present, not blank, not over-long. */
public final class Names {
    public static final int MAX_NAME = 255;

    private Names() {
    }

    public static String require(String value, String what, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new InvalidValueException(what + " must not be empty");
        }
        String trimmed = value.trim();
        if (trimmed.length() > maxLength) {
            throw new InvalidValueException(what + " is longer than " + maxLength + " characters");
        }
        return trimmed;
    }
}
