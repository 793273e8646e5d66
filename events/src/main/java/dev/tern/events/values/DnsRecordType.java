package dev.tern.events.values;

import java.util.Locale;

/** The record types of a custom zone, with their DNS RR type numbers. */
public enum DnsRecordType {
    A(1), AAAA(28), CNAME(5);

    private final int rrType;

    DnsRecordType(int rrType) {
        this.rrType = rrType;
    }

    public int rrType() {
        return rrType;
    }

    public static DnsRecordType parse(String text) {
        if (text != null) {
            for (DnsRecordType type : values()) {
                if (type.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                    return type;
                }
            }
        }
        throw new InvalidValueException("record type must be A, AAAA or CNAME");
    }
}
