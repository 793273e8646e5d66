package dev.tern.api.idp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The pages a person sees: sign in (e-mail, password, one-time code when enrolled) and the device verification page
 * where the code a command-line client printed is entered. Plain HTML, no scripts, every value escaped.
 */
@Controller
class SignInPages {
    private final LocalCredentials credentials;

    SignInPages(LocalCredentials credentials) {
        this.credentials = credentials;
    }

    /** A signed-in local user's second factor: a button that starts enrolment. */
    @GetMapping(IdpConfiguration.TOTP_PAGE)
    @ResponseBody
    ResponseEntity<String> totp(HttpServletRequest request) {
        return page(200, """
                <h1>One-time codes</h1>
                <p>Sign-in will ask for a code of your authenticator app once you have set it up here.</p>
                <form method="post" action="%s">
                %s<button type="submit">Set up a new authenticator</button>
                </form>""".formatted(IdpConfiguration.TOTP_PAGE, csrfField(request)));
    }

    /** Shows the new secret once, with the form that confirms it by a code. */
    @org.springframework.web.bind.annotation.PostMapping(IdpConfiguration.TOTP_PAGE)
    @ResponseBody
    ResponseEntity<String> totpEnrol(HttpServletRequest request, java.security.Principal principal) {
        if (!credentials.hasPassword(principal.getName())) {
            return page(412, "<h1>Not a local user</h1>");
        }
        String secret = credentials.enrolTotp(principal.getName());
        return page(200, """
                <h1>Add this secret to your authenticator app</h1>
                <p>Secret: <code>%s</code> (shown only now)</p>
                <form method="post" action="%s/confirm">
                %s<label>Code shown by the app <input name="code" inputmode="numeric" autocomplete="one-time-code"></label>
                <button type="submit">Turn on</button>
                </form>""".formatted(secret, IdpConfiguration.TOTP_PAGE, csrfField(request)));
    }

    @org.springframework.web.bind.annotation.PostMapping(IdpConfiguration.TOTP_PAGE + "/confirm")
    @ResponseBody
    ResponseEntity<String> totpConfirm(HttpServletRequest request, java.security.Principal principal) {
        String code = request.getParameter("code");
        if (code == null || !credentials.confirmTotp(principal.getName(), code.trim())) {
            return page(400, "<h1>Wrong one-time code</h1><p><a href=\"" + IdpConfiguration.TOTP_PAGE
                    + "\">Start again</a>.</p>");
        }
        return page(200, "<h1>One-time codes are on</h1><p>Sign-in now asks for a code.</p>");
    }

    private static String csrfField(HttpServletRequest request) {
        CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        return csrf == null ? "" : hidden(csrf.getParameterName(), csrf.getToken());
    }

    @GetMapping(IdpConfiguration.LOGIN_PAGE)
    @ResponseBody
    ResponseEntity<String> login(HttpServletRequest request) {
        String notice = request.getParameter("signed-out") != null ? "You are signed out." : null;
        return page(200, loginForm(request, notice));
    }

    /**
     * Spring Authorization Server answers this path itself when it carries a {@code user_code}; without one, the
     * person is asked for the code (and sent here with {@code success} once a device is approved).
     */
    @GetMapping(IdpConfiguration.DEVICE_PAGE)
    @ResponseBody
    ResponseEntity<String> deviceVerification(HttpServletRequest request) {
        if (request.getParameter("success") != null) {
            return page(200, "<h1>Device signed in</h1><p>You can close this page and return to your device.</p>");
        }
        return page(200, """
                <h1>Sign in a device</h1>
                <form method="get" action="%s">
                <label>Code shown by the device <input name="user_code" autocomplete="off" autofocus></label>
                <button type="submit">Continue</button>
                </form>""".formatted(IdpConfiguration.DEVICE_PAGE));
    }

    /**
     * Spring Authorization Server sends the signed-in person here after they entered a device's code: approving
     * posts the request back with the scopes the device asked for; cancelling posts it without any, which refuses.
     */
    @GetMapping(IdpConfiguration.CONSENT_PAGE)
    @ResponseBody
    ResponseEntity<String> consent(HttpServletRequest request) {
        String clientId = request.getParameter("client_id");
        String state = request.getParameter("state");
        String userCode = request.getParameter("user_code");
        String scopes = request.getParameter("scope");
        if (clientId == null || state == null || userCode == null) {
            return page(400, "<h1>Nothing to approve</h1><p>Enter the code your device shows on <a href=\""
                    + IdpConfiguration.DEVICE_PAGE + "\">the device page</a>.</p>");
        }
        StringBuilder common = new StringBuilder()
                .append(hidden("client_id", clientId)).append(hidden("state", state))
                .append(hidden("user_code", userCode));
        StringBuilder approve = new StringBuilder(common);
        for (String scope : (scopes == null ? "" : scopes).split(" ")) {
            if (!scope.isBlank()) {
                approve.append(hidden("scope", scope));
            }
        }
        return page(200, """
                <h1>Sign in a device?</h1>
                <p>Only continue if your device shows the code <strong>%s</strong>.</p>
                <form method="post" action="%s">
                %s<button type="submit">Sign in the device</button>
                </form>
                <form method="post" action="%s" class="cancel">
                %s<button type="submit">Cancel</button>
                </form>""".formatted(escape(userCode), IdpConfiguration.DEVICE_PAGE, approve,
                IdpConfiguration.DEVICE_PAGE, common));
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + escape(name) + "\" value=\"" + escape(value) + "\">\n";
    }

    /** A refused sign-in shows the form again with the reason: 401, or 429 with Retry-After while throttled. */
    static void signInFailed(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        int status = 401;
        String reason = "sign-in failed";
        if (e instanceof LocalSignIn.Refused refused) {
            reason = refused.reason.text;
            if (refused.reason == LocalSignIn.Reason.THROTTLED) {
                status = 429;
                response.setHeader("Retry-After", Long.toString(Math.max(1, refused.retryAfter.toSeconds())));
            }
        }
        ResponseEntity<String> page = page(status, loginForm(request, reason));
        response.setStatus(status);
        response.setContentType(MediaType.TEXT_HTML_VALUE + ";charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(page.getBody().getBytes(StandardCharsets.UTF_8));
    }

    private static String loginForm(HttpServletRequest request, String notice) {
        CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        String email = request.getParameter("email");
        return """
                <h1>Sign in to Tern</h1>
                %s
                <form method="post" action="%s">
                <label>E-mail <input name="email" type="email" autocomplete="username" value="%s" required></label>
                <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
                <label>One-time code (if enrolled) <input name="code" inputmode="numeric" autocomplete="one-time-code"></label>
                <input type="hidden" name="%s" value="%s">
                <button type="submit">Sign in</button>
                </form>""".formatted(notice == null ? "" : "<p class=\"notice\">" + escape(notice) + "</p>",
                IdpConfiguration.LOGIN_PAGE, escape(email == null ? "" : email),
                csrf == null ? "_csrf" : escape(csrf.getParameterName()), csrf == null ? "" : escape(csrf.getToken()));
    }

    private static ResponseEntity<String> page(int status, String body) {
        String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tern</title></head><body>"
                + body + "</body></html>";
        return ResponseEntity.status(status).cacheControl(CacheControl.noStore())
                .header("Content-Security-Policy", "default-src 'none'")
                .header("X-Frame-Options", "DENY")
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8)).body(html);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
