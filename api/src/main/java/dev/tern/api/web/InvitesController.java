package dev.tern.api.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.api.idp.Invites;
import dev.tern.api.idp.LocalCredentials;
import dev.tern.events.commands.CreateUser;
import dev.tern.events.commands.RecordUserInvite;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Ids;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.Names;
import dev.tern.events.values.UserRole;
import dev.tern.query.groups.GroupReads;
import dev.tern.query.users.UserReads;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/users/invites} in NetBird's shapes: owners and admins invite a person by e-mail; the person opens the
 * link, sees who invited them ({@code GET /api/users/invites/{token}}, no authentication) and accepts it with a
 * password ({@code POST /api/users/invites/{token}/accept}), which creates them as a local user who signs in at the
 * embedded OpenID Provider. A token is shown only when the invite is created or regenerated.
 */
@RestController
class InvitesController {
    private final Invites invites;
    private final LocalCredentials credentials;
    private final CommandService commands;
    private final UserReads users;
    private final GroupReads groups;

    InvitesController(Invites invites, LocalCredentials credentials, CommandService commands, UserReads users,
                      GroupReads groups) {
        this.invites = invites;
        this.credentials = credentials;
        this.commands = commands;
        this.users = users;
        this.groups = groups;
    }

    record InviteCreate(String email, String name, String role, List<String> autoGroups, Integer expiresIn) {
    }

    record InviteRegenerate(Integer expiresIn) {
    }

    record InviteAccept(String password) {
        @Override
        public String toString() {
            return "InviteAccept[]";
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record UserInvite(String id, String email, String name, String role, List<String> autoGroups, String expiresAt,
                      String createdAt, boolean expired, String inviteToken) {
        static UserInvite of(Invites.Invite i, java.time.Instant now, String token) {
            return new UserInvite(i.id(), i.email(), i.name(), i.role().wireName(), i.autoGroups(),
                    Times.iso(i.expiresAt()), Times.iso(i.createdAt()), i.expired(now), token);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record UserInviteInfo(String email, String name, String expiresAt, boolean valid, String invitedBy) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record UserInviteRegenerateResponse(String inviteToken, String inviteExpiresAt) {
    }

    @GetMapping("/api/users/invites")
    List<UserInvite> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireWrite();
        java.time.Instant now = invites.now();
        return invites.list(caller.accountId()).stream().map(i -> UserInvite.of(i, now, null)).toList();
    }

    @PostMapping("/api/users/invites")
    ResponseEntity<UserInvite> create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                      @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        InviteCreate req = JsonBodies.read(body, InviteCreate.class);
        String email = Validation.email(JsonBodies.required(req.email(), "email"));
        String name = Names.require(JsonBodies.required(req.name(), "name"), "name", Names.MAX_NAME);
        UserRole role = UserRole.parse(JsonBodies.required(req.role(), "role"));
        if (role == UserRole.OWNER) {
            throw ApiException.badRequest("the owner role cannot be given to an invited user");
        }
        List<String> autoGroups = JsonBodies.requiredIds(req.autoGroups(), "auto_groups", InputLimits.MAX_AUTO_GROUPS);
        for (String group : autoGroups) {
            if (groups.group(caller.accountId(), group).isEmpty()) {
                throw ApiException.badRequest("auto_groups: group " + group + " not found");
            }
        }
        Duration lifetime = lifetime(req.expiresIn());
        boolean member = users.users(caller.accountId()).stream()
                .anyMatch(u -> u.email() != null && u.email().equalsIgnoreCase(email));
        if (member || credentials.loginTaken(email)) {
            throw new ApiException(org.springframework.http.HttpStatus.CONFLICT, "a user with e-mail " + email
                    + " already exists");
        }
        if (invites.invited(caller.accountId(), email)) {
            throw new ApiException(org.springframework.http.HttpStatus.CONFLICT, email
                    + " is already invited: regenerate or delete that invite");
        }
        if (invites.count(caller.accountId()) >= Invites.MAX_PER_ACCOUNT) {
            throw ApiException.badRequest("an account may hold at most " + Invites.MAX_PER_ACCOUNT + " invites");
        }
        String inviteId = Ids.newId();
        commands.send(new RecordUserInvite(caller.accountId(), inviteId, email, role, RecordUserInvite.Change.CREATED,
                caller.userId()), caller.actor(), request.getRemoteAddr());
        Invites.Issued issued = invites.create(inviteId, caller.accountId(), email, name, role, autoGroups,
                caller.name(), caller.userId(), lifetime);
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .body(UserInvite.of(issued.invite(), invites.now(), issued.token()));
    }

    @DeleteMapping("/api/users/invites/{inviteId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String inviteId,
                               HttpServletRequest request) {
        caller.requireWrite();
        Invites.Invite invite = invites.find(caller.accountId(), inviteId)
                .orElseThrow(() -> ApiException.notFound("invite " + inviteId + " not found"));
        commands.send(new RecordUserInvite(caller.accountId(), inviteId, invite.email(), invite.role(),
                RecordUserInvite.Change.DELETED, caller.userId()), caller.actor(), request.getRemoteAddr());
        invites.delete(caller.accountId(), inviteId);
        return Json.EMPTY;
    }

    @PostMapping("/api/users/invites/{inviteId}/regenerate")
    ResponseEntity<UserInviteRegenerateResponse> regenerate(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                                            @PathVariable String inviteId,
                                                            @RequestBody(required = false) byte[] body,
                                                            HttpServletRequest request) {
        caller.requireWrite();
        InviteRegenerate req = body == null || body.length == 0 ? new InviteRegenerate(null)
                : JsonBodies.read(body, InviteRegenerate.class);
        Duration lifetime = lifetime(req.expiresIn());
        Invites.Invite invite = invites.find(caller.accountId(), inviteId)
                .orElseThrow(() -> ApiException.notFound("invite " + inviteId + " not found"));
        commands.send(new RecordUserInvite(caller.accountId(), inviteId, invite.email(), invite.role(),
                RecordUserInvite.Change.REGENERATED, caller.userId()), caller.actor(), request.getRemoteAddr());
        Invites.Issued issued = invites.regenerate(caller.accountId(), inviteId, lifetime)
                .orElseThrow(() -> ApiException.notFound("invite " + inviteId + " not found"));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(new UserInviteRegenerateResponse(
                issued.token(), Times.iso(issued.invite().expiresAt())));
    }

    /** Public: the person holding the link learns what they were invited to. */
    @GetMapping("/api/users/invites/{token}")
    UserInviteInfo info(@PathVariable String token) {
        Invites.Invite invite = byToken(token);
        return new UserInviteInfo(invite.email(), invite.name(), Times.iso(invite.expiresAt()),
                !invite.expired(invites.now()), invite.invitedBy());
    }

    /**
     * Public: accepting creates the user and sets their password. The invitee is the audit's actor; the account
     * checks the inviter's right to add users, so an invite from someone who has since lost it no longer works.
     */
    @PostMapping("/api/users/invites/{token}/accept")
    Map<String, Object> accept(@PathVariable String token, @RequestBody(required = false) byte[] body,
                               HttpServletRequest request) {
        Invites.Invite invite = byToken(token);
        InviteAccept req = JsonBodies.read(body, InviteAccept.class);
        String problem = LocalCredentials.passwordProblem(req.password());
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
        if (invite.expired(invites.now())) {
            throw ApiException.preconditionFailed("the invite has expired: ask for a new one");
        }
        String passwordHash = credentials.hash(req.password());
        if (!invites.delete(invite.accountId(), invite.id())) {
            throw ApiException.notFound("invite not found"); // accepted a moment ago by another request
        }
        String userId = Ids.newId();
        Actor invitee = new Actor(Actor.Type.USER, userId, invite.name(), invite.email());
        commands.send(new CreateUser(invite.accountId(), userId, invite.email(), invite.name(), invite.role(), false,
                invite.autoGroups(), invite.inviterId()), invitee, request.getRemoteAddr());
        commands.send(new RecordUserInvite(invite.accountId(), invite.id(), invite.email(), invite.role(),
                RecordUserInvite.Change.ACCEPTED, userId), invitee, request.getRemoteAddr());
        credentials.setPasswordHash(invite.accountId(), userId, invite.email(), passwordHash);
        return Map.of("success", true);
    }

    private Invites.Invite byToken(String token) {
        return invites.byToken(token).orElseThrow(() -> ApiException.notFound("invite not found"));
    }

    private static Duration lifetime(Integer expiresIn) {
        if (expiresIn == null) {
            return Invites.DEFAULT_LIFETIME;
        }
        return Duration.ofSeconds(Validation.range(expiresIn, (int) Invites.MIN_LIFETIME.toSeconds(),
                (int) Invites.MAX_LIFETIME.toSeconds(), "expires_in"));
    }
}
