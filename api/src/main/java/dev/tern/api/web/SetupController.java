package dev.tern.api.web;

import dev.tern.api.commands.AccountSetupService;
import dev.tern.api.idp.LocalCredentials;
import dev.tern.events.values.Names;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Bootstrap without authentication: {@code GET /api/instance} and the one-time {@code POST /api/setup}. */
@RestController
class SetupController {
    static final int MAX_EMAIL = 254;

    private final AccountSetupService setup;
    private final LocalCredentials credentials;

    SetupController(AccountSetupService setup, LocalCredentials credentials) {
        this.setup = setup;
        this.credentials = credentials;
    }

    @GetMapping("/api/instance")
    Json.InstanceStatus instance() {
        return new Json.InstanceStatus(setup.setupRequired());
    }

    @PostMapping("/api/setup")
    ResponseEntity<Json.SetupResponse> setup(@RequestBody(required = false) byte[] body, HttpServletRequest request) {
        Requests.Setup req = JsonBodies.read(body, Requests.Setup.class);
        String email = Validation.email(JsonBodies.required(req.email(), "email"));
        // The owner's password signs in at the embedded OpenID Provider (/oauth2); only its Argon2id hash is kept.
        // Without one the owner has personal access tokens only.
        if (req.password() != null && LocalCredentials.passwordProblem(req.password()) != null) {
            throw ApiException.badRequest(LocalCredentials.passwordProblem(req.password()));
        }
        String name = req.name() == null || req.name().isBlank() ? email : Names.require(req.name(), "name", Names.MAX_NAME);
        Integer patDays = null;
        if (Boolean.TRUE.equals(req.createPat())) {
            patDays = req.patExpireIn() == null ? 1 : Validation.range(req.patExpireIn(), 1, 365, "pat_expire_in");
        }
        if (!setup.setupRequired()) {
            throw ApiException.preconditionFailed("setup already completed: an owner exists; "
                    + "authenticate with a personal access token instead");
        }
        String passwordHash = req.password() == null ? null : credentials.hash(req.password());
        AccountSetupService.SetupResult result = setup.setup(email, name, patDays, request.getRemoteAddr());
        if (passwordHash != null) {
            credentials.setPasswordHash(result.accountId(), result.userId(), email, passwordHash);
        }
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .body(new Json.SetupResponse(result.userId(), result.email(), result.plainToken()));
    }
}
