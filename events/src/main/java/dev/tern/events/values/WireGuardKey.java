package dev.tern.events.values;

import java.util.Base64;

/** A Curve25519 public key as WireGuard prints it: standard base64 of 32 bytes (44 characters). */
public record WireGuardKey(String base64) {
    public WireGuardKey {
        if (base64 == null || base64.isBlank()) {
            throw new InvalidValueException("WireGuard key is missing");
        }
        base64 = base64.trim();
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("WireGuard key is not valid base64");
        }
        if (raw.length != 32 || base64.length() != 44) {
            throw new InvalidValueException("WireGuard key must be 32 bytes encoded as 44 base64 characters");
        }
    }

    public static WireGuardKey of(byte[] raw) {
        return new WireGuardKey(Base64.getEncoder().encodeToString(raw));
    }

    public byte[] bytes() {
        return Base64.getDecoder().decode(base64);
    }

    @Override
    public String toString() {
        return base64;
    }
}
