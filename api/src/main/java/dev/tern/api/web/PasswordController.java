package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.api.idp.LocalCredentials;
import dev.tern.events.commands.RecordPasswordChange;
import dev.tern.query.users.UserReads;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * NetBird's {@code PUT /api/users/{userId}/password}: a local user changes their own password, proving the old one.
 * The new one's Argon2id hash replaces the old at the embedded provider; the audit records the change, never a hash.
 */
@RestController
class PasswordController {
    private final LocalCredentials credentials;
    private final CommandService commands;
    private final UserReads users;

    PasswordController(LocalCredentials credentials, CommandService commands, UserReads users) {
        this.credentials = credentials;
        this.commands = commands;
        this.users = users;
    }

    record PasswordChange(String oldPassword, String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[]";
        }
    }

    @PutMapping("/api/users/{userId}/password")
    Map<String, Object> change(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String userId,
                               @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        var user = users.user(caller.accountId(), userId)
                .orElseThrow(() -> ApiException.notFound("user " + userId + " not found"));
        if (!caller.is(userId)) {
            throw new ApiException(org.springframework.http.HttpStatus.FORBIDDEN,
                    "users can only change their own password");
        }
        PasswordChange req = JsonBodies.read(body, PasswordChange.class);
        String oldPassword = JsonBodies.required(req.oldPassword(), "old_password");
        String newPassword = JsonBodies.required(req.newPassword(), "new_password");
        String problem = LocalCredentials.passwordProblem(newPassword);
        if (problem != null) {
            throw ApiException.badRequest("new_password: " + problem);
        }
        if (!credentials.hasPassword(userId)) {
            throw ApiException.preconditionFailed("this user does not sign in with a password");
        }
        if (!credentials.passwordMatches(userId, oldPassword)) {
            throw ApiException.badRequest("old_password is not the current password");
        }
        String hash = credentials.hash(newPassword);
        commands.send(new RecordPasswordChange(caller.accountId(), userId, caller.userId()), caller.actor(),
                request.getRemoteAddr());
        credentials.setPasswordHash(caller.accountId(), userId, user.email(), hash);
        return Json.EMPTY;
    }
}
