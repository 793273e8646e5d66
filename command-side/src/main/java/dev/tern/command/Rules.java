package dev.tern.command;

import dev.tern.events.CommandRejected;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.Names;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks on plain command fields; every failure is a {@link CommandRejected} so the API answers 400. */
final class Rules {
    /** NetBird's CGNAT range: every account network lies inside it. */
    static final Cidr MESH_RANGE = new Cidr("100.64.0.0", 10);
    /** NetBird's account networks are /16s, and so are Tern's by default. */
    static final int ACCOUNT_PREFIX = 16;
    /** A smaller network (tern-server's TERN_ACCOUNT_NETWORK_PREFIX) still has two host addresses. */
    static final int SMALLEST_ACCOUNT_PREFIX = 30;
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_DNS_NAME = 253;

    private Rules() {
    }

    static String name(String value, String what) {
        try {
            return Names.require(value, what, Names.MAX_NAME);
        } catch (InvalidValueException e) {
            throw CommandRejected.invalid(e.getMessage());
        }
    }

    static String id(String value, String what) {
        if (value == null || value.isBlank()) {
            throw CommandRejected.invalid(what + " is missing");
        }
        if (value.length() > 64) {
            throw CommandRejected.invalid(what + " is longer than 64 characters");
        }
        return value;
    }

    /** An optional free text (null is empty), at most {@code maxLength} characters. */
    static String text(String value, String what, int maxLength) {
        if (value != null && value.length() > maxLength) {
            throw CommandRejected.invalid(what + " is longer than " + maxLength + " characters");
        }
        return value == null ? "" : value;
    }

    /**
     * A list of ids naming each thing once, at most {@code max} of them (null is empty). A repeated id is refused
     * rather than dropped: it is a client mistake, and one the client should hear about.
     */
    static List<String> distinctIds(List<String> ids, String what, int max) {
        if (ids == null) {
            return List.of();
        }
        if (ids.size() > max) {
            throw CommandRejected.invalid(what + " lists " + ids.size() + " ids, more than the " + max + " allowed");
        }
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (id == null || id.isBlank()) {
                throw CommandRejected.invalid(what + " contains an empty id");
            }
            if (!seen.add(id)) {
                throw CommandRejected.invalid(what + " lists " + id + " more than once");
            }
        }
        return List.copyOf(ids);
    }

    static <T> T present(T value, String what) {
        if (value == null) {
            throw CommandRejected.invalid(what + " is missing");
        }
        return value;
    }

    static Cidr accountNetwork(Cidr network) {
        present(network, "account network");
        if (network.prefixLength() < ACCOUNT_PREFIX || network.prefixLength() > SMALLEST_ACCOUNT_PREFIX
                || !MESH_RANGE.contains(network)) {
            throw CommandRejected.invalid("account network " + network + " must be a /" + ACCOUNT_PREFIX + " to /"
                    + SMALLEST_ACCOUNT_PREFIX + " inside " + MESH_RANGE);
        }
        return network;
    }

    /** A DNS name of one or more labels (letters, digits, inner dashes), at most 253 characters; lower-cased. */
    static String dnsDomain(String domain) {
        if (domain == null || domain.isBlank()) {
            throw CommandRejected.invalid("DNS domain is missing");
        }
        String lower = domain.trim().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        if (lower.length() > MAX_DNS_NAME) {
            throw CommandRejected.invalid("DNS domain is longer than " + MAX_DNS_NAME + " characters");
        }
        for (String label : lower.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                throw CommandRejected.invalid("'" + domain + "' is not a valid DNS domain");
            }
        }
        return lower;
    }

    /** NetBird's domain rule (shared/management/domain): dot-separated labels, optionally under a leading "*.". */
    private static final Pattern ROUTED_DOMAIN = Pattern.compile(
            "(\\*\\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?");

    /**
     * A domain that routes or network resources name (lower case, punycode, an optional leading wildcard label),
     * as the REST edge normalises it; anything else is refused.
     */
    static String routedDomain(String domain) {
        if (domain == null || domain.length() > MAX_DNS_NAME || !ROUTED_DOMAIN.matcher(domain).matches()) {
            throw CommandRejected.invalid("'" + domain + "' is not a valid domain (lower-case letters, digits, "
                    + "dashes; punycode for other letters; an optional leading '*.')");
        }
        return domain;
    }

    /** A plausible e-mail address: something@something, no spaces, at most 255 characters. */
    static String email(String email) {
        if (email == null || email.isBlank()) {
            throw CommandRejected.invalid("e-mail is missing");
        }
        String trimmed = email.trim();
        int at = trimmed.indexOf('@');
        if (trimmed.length() > Names.MAX_NAME || at <= 0 || at != trimmed.lastIndexOf('@')
                || at == trimmed.length() - 1 || trimmed.chars().anyMatch(Character::isWhitespace)) {
            throw CommandRejected.invalid("'" + email + "' is not a valid e-mail address");
        }
        return trimmed;
    }
}
