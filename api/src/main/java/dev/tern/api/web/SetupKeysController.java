package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.api.history.PointInTime;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.DeleteSetupKey;
import dev.tern.events.commands.UpdateSetupKey;
import dev.tern.events.values.Ids;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.Names;
import dev.tern.events.values.Secrets;
import dev.tern.events.values.SetupKeyType;
import dev.tern.query.setupkeys.SetupKeyReads;
import dev.tern.query.setupkeys.SetupKeyView;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/setup-keys}: the key itself is shown once, in the create answer; afterwards only masked. */
@RestController
class SetupKeysController {
    /** NetBird's bounds for expires_in (seconds); 0 means the key never expires. */
    static final int MIN_EXPIRES_IN = 86_400;
    static final int MAX_EXPIRES_IN = 31_536_000;
    static final int KEY_PREFIX_LENGTH = 5;

    private final SetupKeyReads reads;
    private final CommandService commands;

    SetupKeysController(SetupKeyReads reads, CommandService commands) {
        this.reads = reads;
        this.commands = commands;
    }

    @GetMapping("/api/setup-keys")
    List<Json.SetupKey> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        Instant now = PointInTime.now();
        return reads.setupKeys(caller.accountId()).stream().map(k -> Json.SetupKey.masked(k, now)).toList();
    }

    @GetMapping("/api/setup-keys/{keyId}")
    Json.SetupKey get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String keyId) {
        caller.requireReadAll();
        return Json.SetupKey.masked(find(caller, keyId), PointInTime.now());
    }

    @PostMapping("/api/setup-keys")
    ResponseEntity<Json.SetupKey> create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                         @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        Requests.SetupKeyCreate req = JsonBodies.read(body, Requests.SetupKeyCreate.class);
        String name = Names.require(JsonBodies.required(req.name(), "name"), "setup key name", Names.MAX_NAME);
        SetupKeyType type = SetupKeyType.parse(JsonBodies.required(req.type(), "type"));
        int expiresIn = JsonBodies.required(req.expiresIn(), "expires_in");
        if (expiresIn != 0) {
            Validation.range(expiresIn, MIN_EXPIRES_IN, MAX_EXPIRES_IN, "expires_in");
        }
        List<String> autoGroups = JsonBodies.requiredIds(req.autoGroups(), "auto_groups",
                InputLimits.MAX_AUTO_GROUPS);
        int usageLimit = JsonBodies.required(req.usageLimit(), "usage_limit");
        if (usageLimit < 0) {
            throw ApiException.badRequest("field 'usage_limit' must not be negative (0 means unlimited)");
        }
        // NetBird's keys are upper-case UUIDs; the agent and NetBird clients accept them as they are.
        String key = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
        String keyId = Ids.newId();
        Instant expiresAt = expiresIn == 0 ? null : Instant.now().plusSeconds(expiresIn);
        commands.send(new CreateSetupKey(caller.accountId(), keyId, name, type, Secrets.setupKeyHash(key),
                key.substring(0, KEY_PREFIX_LENGTH), expiresAt, usageLimit, autoGroups,
                Boolean.TRUE.equals(req.ephemeral()), Boolean.TRUE.equals(req.allowExtraDnsLabels())),
                caller.actor(), request.getRemoteAddr());
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .body(Json.SetupKey.of(find(caller, keyId), key, Instant.now()));
    }

    @PutMapping("/api/setup-keys/{keyId}")
    Json.SetupKey update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String keyId,
                         @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        find(caller, keyId);
        Requests.SetupKeyUpdate req = JsonBodies.read(body, Requests.SetupKeyUpdate.class);
        boolean revoked = JsonBodies.required(req.revoked(), "revoked");
        List<String> autoGroups = JsonBodies.requiredIds(req.autoGroups(), "auto_groups",
                InputLimits.MAX_AUTO_GROUPS);
        commands.send(new UpdateSetupKey(caller.accountId(), keyId, revoked, autoGroups), caller.actor(),
                request.getRemoteAddr());
        return Json.SetupKey.masked(find(caller, keyId), Instant.now());
    }

    @DeleteMapping("/api/setup-keys/{keyId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String keyId,
                               HttpServletRequest request) {
        caller.requireWrite();
        find(caller, keyId);
        commands.send(new DeleteSetupKey(caller.accountId(), keyId), caller.actor(), request.getRemoteAddr());
        return Json.EMPTY;
    }

    private SetupKeyView find(Caller caller, String keyId) {
        return reads.setupKey(caller.accountId(), keyId)
                .orElseThrow(() -> ApiException.notFound("setup key " + keyId + " not found"));
    }
}
