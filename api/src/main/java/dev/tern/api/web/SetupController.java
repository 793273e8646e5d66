package dev.tern.api.web;

import dev.tern.api.commands.AccountSetupService;
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

    SetupController(AccountSetupService setup) {
        this.setup = setup;
    }

    @GetMapping("/api/instance")
    Json.InstanceStatus instance() {
        return new Json.InstanceStatus(setup.setupRequired());
    }

    @PostMapping("/api/setup")
    ResponseEntity<Json.SetupResponse> setup(@RequestBody(required = false) byte[] body, HttpServletRequest request) {
        Requests.Setup req = JsonBodies.read(body, Requests.Setup.class);
        String email = Validation.email(JsonBodies.required(req.email(), "email"));
        // Tern has no password login (tokens only); the field is checked for NetBird's shape but never stored.
        if (req.password() != null && req.password().length() < 8) {
            throw ApiException.badRequest("password must have at least 8 characters");
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
        AccountSetupService.SetupResult result = setup.setup(email, name, patDays, request.getRemoteAddr());
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .body(new Json.SetupResponse(result.userId(), result.email(), result.plainToken()));
    }
}
