package dev.tern.api.web;

import dev.tern.events.values.Names;

/** Shape checks the API owns (values that can never be valid); the aggregate decides everything else. */
final class Validation {
    private Validation() {
    }

    static String email(String email) {
        String e = Names.require(email, "email", SetupController.MAX_EMAIL);
        int at = e.indexOf('@');
        if (at <= 0 || at != e.lastIndexOf('@') || at == e.length() - 1 || e.chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.badRequest("email '" + e + "' is not an e-mail address");
        }
        return e;
    }

    static int range(int value, int min, int max, String field) {
        if (value < min || value > max) {
            throw ApiException.badRequest("field '" + field + "' must be between " + min + " and " + max);
        }
        return value;
    }
}
