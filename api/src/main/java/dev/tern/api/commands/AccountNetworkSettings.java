package dev.tern.api.commands;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.signal.SettingValues;
import java.util.List;
import java.util.Map;

/**
 * How big a new account's mesh network is: a random /{@code prefixLength} inside 100.64.0.0/10. NetBird's (and the
 * default) is a /16, 65,534 peers. A smaller one suits a small fleet that shares the CGNAT range with other
 * networks, and lets tests fill a network. Only the account {@code POST /api/setup} creates reads it; an existing
 * account keeps the network it was created with (its {@code AccountCreated} event carries it) until an admin moves
 * it ({@code settings.network_range}, {@code AccountNetworkRangeChanged}).
 */
public record AccountNetworkSettings(int prefixLength) {
    public static final String PREFIX = "TERN_ACCOUNT_NETWORK_PREFIX";
    public static final List<String> VARIABLES = List.of(PREFIX);
    public static final int DEFAULT_PREFIX = 16;
    /** The account aggregate's bounds: a /16 at most (NetBird's size), a /30 (two peers) at least. */
    static final int LARGEST_PREFIX = 16;
    static final int SMALLEST_PREFIX = 30;

    /**
     * Reads the setting from validated {@code TERN_*} values ({@code TernSettings.from} calls this, so a bad value
     * stops start-up with one line).
     *
     * @throws InvalidSettingException naming the variable, with a one-line reason
     */
    public static AccountNetworkSettings parse(Map<String, String> values) {
        String value = values.get(PREFIX);
        if (value == null) {
            return new AccountNetworkSettings(DEFAULT_PREFIX);
        }
        String digits = value.trim().startsWith("/") ? value.trim().substring(1) : value.trim();
        int prefix;
        try {
            prefix = digits.length() <= 2 ? Integer.parseInt(digits) : -1;
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < LARGEST_PREFIX || prefix > SMALLEST_PREFIX) {
            throw new InvalidSettingException(PREFIX + " must be a prefix length from " + LARGEST_PREFIX + " (65,534"
                    + " peers) to " + SMALLEST_PREFIX + " (2 peers), not '" + SettingValues.printable(value) + "'");
        }
        return new AccountNetworkSettings(prefix);
    }
}
