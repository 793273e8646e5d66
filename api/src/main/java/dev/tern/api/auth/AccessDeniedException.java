package dev.tern.api.auth;

/** The caller is authenticated but its role does not allow the operation; the API answers 403. */
public class AccessDeniedException extends RuntimeException {
    public AccessDeniedException(String message) {
        super(message, null, false, false);
    }
}
