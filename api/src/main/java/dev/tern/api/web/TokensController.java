package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.auth.PersonalAccessTokens;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.commands.DeletePersonalAccessToken;
import dev.tern.events.values.Ids;
import dev.tern.events.values.Names;
import dev.tern.query.users.TokenView;
import dev.tern.query.users.UserReads;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
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

/** {@code /api/users/{userId}/tokens}: personal access tokens; the plain token appears only in the create answer. */
@RestController
class TokensController {
    private final UserReads reads;
    private final CommandService commands;

    TokensController(UserReads reads, CommandService commands) {
        this.reads = reads;
        this.commands = commands;
    }

    @GetMapping("/api/users/{userId}/tokens")
    List<Json.Token> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String userId) {
        requireUser(caller, userId);
        caller.requireReadOf(userId);
        return reads.tokens(caller.accountId(), userId).stream().map(Json.Token::of).toList();
    }

    @GetMapping("/api/users/{userId}/tokens/{tokenId}")
    Json.Token get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String userId,
                   @PathVariable String tokenId) {
        requireUser(caller, userId);
        caller.requireReadOf(userId);
        return Json.Token.of(find(caller, userId, tokenId));
    }

    @PostMapping("/api/users/{userId}/tokens")
    ResponseEntity<Json.TokenGenerated> create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                               @PathVariable String userId,
                                               @RequestBody(required = false) byte[] body,
                                               HttpServletRequest request) {
        caller.requireWrite();
        requireUser(caller, userId);
        Requests.TokenCreate req = JsonBodies.read(body, Requests.TokenCreate.class);
        String name = Names.require(JsonBodies.required(req.name(), "name"), "token name", Names.MAX_NAME);
        int days = Validation.range(JsonBodies.required(req.expiresIn(), "expires_in"), 1, 365, "expires_in");
        PersonalAccessTokens.Minted minted = PersonalAccessTokens.mint();
        String tokenId = Ids.newId();
        Instant expiresAt = Instant.now().plus(Duration.ofDays(days));
        commands.send(new CreatePersonalAccessToken(caller.accountId(), tokenId, userId, name, minted.hash(),
                expiresAt, caller.userId()), caller.actor(), request.getRemoteAddr());
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .body(new Json.TokenGenerated(minted.plainToken(), Json.Token.of(find(caller, userId, tokenId))));
    }

    @DeleteMapping("/api/users/{userId}/tokens/{tokenId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String userId,
                               @PathVariable String tokenId, HttpServletRequest request) {
        caller.requireWrite();
        requireUser(caller, userId);
        find(caller, userId, tokenId);
        commands.send(new DeletePersonalAccessToken(caller.accountId(), userId, tokenId, caller.userId()),
                caller.actor(), request.getRemoteAddr());
        return Json.EMPTY;
    }

    private void requireUser(Caller caller, String userId) {
        if (reads.user(caller.accountId(), userId).isEmpty()) {
            throw ApiException.notFound("user " + userId + " not found");
        }
    }

    private TokenView find(Caller caller, String userId, String tokenId) {
        return reads.token(caller.accountId(), userId, tokenId)
                .orElseThrow(() -> ApiException.notFound("token " + tokenId + " not found"));
    }
}
