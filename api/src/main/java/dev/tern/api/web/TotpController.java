package dev.tern.api.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tern.api.auth.Caller;
import dev.tern.api.idp.LocalCredentials;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tern's extension for a local user's second factor (NetBird has none): {@code POST /api/users/current/totp}
 * starts enrolment and shows the secret once, {@code POST /api/users/current/totp/confirm} with a code of it turns
 * it on; from then on the embedded provider's sign-in asks for a code.
 */
@RestController
class TotpController {
    private final LocalCredentials credentials;

    TotpController(LocalCredentials credentials) {
        this.credentials = credentials;
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TotpEnrolment(String secret, String otpauthUri) {
        @Override
        public String toString() {
            return "TotpEnrolment[hidden]";
        }
    }

    record TotpConfirm(String code) {
    }

    @PostMapping("/api/users/current/totp")
    ResponseEntity<TotpEnrolment> enrol(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        if (!credentials.hasPassword(caller.userId())) {
            throw ApiException.preconditionFailed("only users who sign in with a password can enrol a one-time code");
        }
        String secret = credentials.enrolTotp(caller.userId());
        String label = URLEncoder.encode("Tern:" + caller.email(), StandardCharsets.UTF_8).replace("+", "%20");
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(new TotpEnrolment(secret,
                "otpauth://totp/" + label + "?secret=" + secret + "&issuer=Tern&algorithm=SHA1&digits=6&period=30"));
    }

    @PostMapping("/api/users/current/totp/confirm")
    Map<String, Object> confirm(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                @RequestBody(required = false) byte[] body) {
        TotpConfirm req = JsonBodies.read(body, TotpConfirm.class);
        String code = JsonBodies.required(req.code(), "code");
        if (!credentials.hasPassword(caller.userId())) {
            throw ApiException.preconditionFailed("only users who sign in with a password can enrol a one-time code");
        }
        if (!credentials.confirmTotp(caller.userId(), code.trim())) {
            throw ApiException.badRequest("wrong one-time code, or no enrolment started");
        }
        return Json.EMPTY;
    }
}
