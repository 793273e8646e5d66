package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.CreateUser;
import dev.tern.events.commands.DeleteUser;
import dev.tern.events.commands.UpdateUser;
import dev.tern.events.values.Ids;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.Names;
import dev.tern.events.values.UserRole;
import dev.tern.query.users.UserReads;
import dev.tern.query.users.UserView;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/users}: users and service users of the caller's account. */
@RestController
class UsersController {
    private final UserReads reads;
    private final CommandService commands;

    UsersController(UserReads reads, CommandService commands) {
        this.reads = reads;
        this.commands = commands;
    }

    @GetMapping("/api/users")
    List<Json.User> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                         @RequestParam(name = "service_user", required = false) Boolean serviceUser) {
        return reads.users(caller.accountId()).stream()
                // A plain user sees only itself, never the rest of the account.
                .filter(u -> caller.readsEverything() || caller.is(u.id()))
                .filter(u -> serviceUser == null || u.serviceUser() == serviceUser)
                .map(u -> Json.User.of(u, caller)).toList();
    }

    @GetMapping("/api/users/current")
    Json.User current(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        return Json.User.of(find(caller, caller.userId()), caller);
    }

    @PostMapping("/api/users")
    Json.User create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody(required = false) byte[] body,
                     HttpServletRequest request) {
        caller.requireWrite();
        Requests.UserCreate req = JsonBodies.read(body, Requests.UserCreate.class);
        UserRole role = UserRole.parse(JsonBodies.required(req.role(), "role"));
        List<String> autoGroups = JsonBodies.requiredIds(req.autoGroups(), "auto_groups",
                InputLimits.MAX_AUTO_GROUPS);
        boolean service = JsonBodies.required(req.isServiceUser(), "is_service_user");
        if (role == UserRole.OWNER) {
            throw ApiException.badRequest("the owner role cannot be given to a new user");
        }
        String email = service && (req.email() == null || req.email().isBlank()) ? "" : Validation.email(req.email());
        String name = req.name() == null || req.name().isBlank()
                ? (service ? null : email) : Names.require(req.name(), "name", Names.MAX_NAME);
        if (name == null) {
            throw ApiException.badRequest("field 'name' is required for service users");
        }
        String userId = Ids.newId();
        commands.send(new CreateUser(caller.accountId(), userId, email, name, role, service, autoGroups,
                caller.userId()), caller.actor(), request.getRemoteAddr());
        return Json.User.of(find(caller, userId), caller);
    }

    @PutMapping("/api/users/{userId}")
    Json.User update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String userId,
                     @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        find(caller, userId);
        Requests.UserUpdate req = JsonBodies.read(body, Requests.UserUpdate.class);
        UserRole role = UserRole.parse(JsonBodies.required(req.role(), "role"));
        List<String> autoGroups = JsonBodies.requiredIds(req.autoGroups(), "auto_groups",
                InputLimits.MAX_AUTO_GROUPS);
        boolean blocked = JsonBodies.required(req.isBlocked(), "is_blocked");
        commands.send(new UpdateUser(caller.accountId(), userId, role, autoGroups, blocked, caller.userId()),
                caller.actor(), request.getRemoteAddr());
        return Json.User.of(find(caller, userId), caller);
    }

    @DeleteMapping("/api/users/{userId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String userId,
                               HttpServletRequest request) {
        caller.requireWrite();
        find(caller, userId);
        commands.send(new DeleteUser(caller.accountId(), userId, caller.userId()), caller.actor(),
                request.getRemoteAddr());
        return Json.EMPTY;
    }

    private UserView find(Caller caller, String userId) {
        return reads.user(caller.accountId(), userId)
                .orElseThrow(() -> ApiException.notFound("user " + userId + " not found"));
    }
}
