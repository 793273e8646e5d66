package dev.tern.api.idp;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationDetailsSource;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Signs a local user in with their e-mail address, password and, once they enrolled one, their TOTP code. The
 * principal it yields is the user's id, so the provider's tokens carry it as {@code sub}. Wrong passwords are
 * throttled per login and address ({@link SignInThrottle}); a throttled attempt is refused before the password is
 * even checked, so guessing gains nothing while locked out. Blocked users cannot sign in.
 */
final class LocalSignIn implements AuthenticationProvider {
    /** The login form's field for the one-time code. */
    static final String CODE_PARAMETER = "code";

    private final LocalCredentials credentials;
    private final SignInThrottle throttle;
    private final Clock clock;
    private final Recorder recorder;
    /** Checked against when the login is unknown, so an unknown login takes as long to refuse as a wrong password. */
    private final String decoyHash;

    /**
     * Puts a sign-in of a known user, or its refusal, into the audit trail. Attempts on unknown logins and throttled
     * ones are not recorded: they belong to no account, and the throttle bounds how many refusals one pair makes.
     */
    interface Recorder {
        void record(LocalCredentials.LocalUser user, String remoteAddress, boolean succeeded, String reason);
    }

    LocalSignIn(LocalCredentials credentials, SignInThrottle throttle, Clock clock, Recorder recorder) {
        this.credentials = credentials;
        this.throttle = throttle;
        this.clock = clock;
        this.recorder = recorder;
        this.decoyHash = credentials.hash("decoy password of no user");
    }

    /** Where a sign-in attempt comes from and the code it carried. */
    record Details(String remoteAddress, String code) {
        @Override
        public String toString() {
            return "Details[remoteAddress=" + remoteAddress + "]";
        }
    }

    static final AuthenticationDetailsSource<HttpServletRequest, Details> DETAILS =
            request -> new Details(request.getRemoteAddr(), request.getParameter(CODE_PARAMETER));

    /** Refusals the login page words for the person: each is a {@link BadCredentialsException}. */
    static final class Refused extends BadCredentialsException {
        final Reason reason;
        final Duration retryAfter;

        Refused(Reason reason, Duration retryAfter) {
            super(reason.text);
            this.reason = reason;
            this.retryAfter = retryAfter;
        }
    }

    enum Reason {
        WRONG_CREDENTIALS("wrong e-mail address or password"),
        THROTTLED("too many failed sign-ins: wait before trying again"),
        CODE_REQUIRED("enter the one-time code of your authenticator app"),
        WRONG_CODE("wrong one-time code"),
        BLOCKED("this user is blocked");

        final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String login = LocalCredentials.normalizedLogin(String.valueOf(authentication.getPrincipal()));
        String password = authentication.getCredentials() == null ? "" : authentication.getCredentials().toString();
        Details details = authentication.getDetails() instanceof Details d ? d : new Details("unknown", null);
        Duration wait = throttle.waitFor(login, details.remoteAddress());
        if (!wait.isZero()) {
            throw new Refused(Reason.THROTTLED, wait);
        }
        Optional<LocalCredentials.LocalUser> found = password.length() > LocalCredentials.MAX_PASSWORD_LENGTH
                ? Optional.empty() : credentials.byLogin(login);
        boolean passwordMatches;
        if (found.isPresent()) {
            passwordMatches = credentials.matches(password, found.get().passwordHash());
        } else {
            credentials.matches(password, decoyHash); // the same work as for a real user, result ignored
            passwordMatches = false;
        }
        if (!passwordMatches) {
            throttle.failed(login, details.remoteAddress());
            found.ifPresent(user -> recorder.record(user, details.remoteAddress(), false, "wrong_password"));
            throw new Refused(Reason.WRONG_CREDENTIALS, Duration.ZERO);
        }
        LocalCredentials.LocalUser user = found.get();
        if (user.totpRequired()) {
            if (details.code() == null || details.code().isBlank()) {
                throw new Refused(Reason.CODE_REQUIRED, Duration.ZERO);
            }
            if (!Totp.verify(user.totpSecret(), details.code().trim(), clock.instant())) {
                throttle.failed(login, details.remoteAddress());
                recorder.record(user, details.remoteAddress(), false, "wrong_code");
                throw new Refused(Reason.WRONG_CODE, Duration.ZERO);
            }
        }
        if (user.blocked()) {
            recorder.record(user, details.remoteAddress(), false, "blocked");
            throw new Refused(Reason.BLOCKED, Duration.ZERO);
        }
        throttle.succeeded(login, details.remoteAddress());
        recorder.record(user, details.remoteAddress(), true, null);
        UsernamePasswordAuthenticationToken signedIn = UsernamePasswordAuthenticationToken.authenticated(
                user.userId(), null, List.of(new SimpleGrantedAuthority("ROLE_" + user.role().name())));
        signedIn.setDetails(details);
        return signedIn;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
