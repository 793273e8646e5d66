package dev.tern.events.values;

import java.util.Arrays;
import java.util.Locale;

/** Enum values travel as NetBird's lower-case strings ("one-off", "accept", "tcp"). */
public interface WireName {
    String wireName();

    static <E extends Enum<E> & WireName> E parse(Class<E> type, String text, String what) {
        if (text == null) {
            throw new InvalidValueException(what + " is missing");
        }
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.wireName().equals(wanted)) {
                return e;
            }
        }
        throw new InvalidValueException(what + " '" + text + "' is not one of "
                + Arrays.stream(type.getEnumConstants()).map(WireName::wireName).toList());
    }
}
