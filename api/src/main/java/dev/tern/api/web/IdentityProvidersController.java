package dev.tern.api.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.api.secrets.SecretBox;
import dev.tern.api.secrets.SecretsAtRest;
import dev.tern.api.signin.IssuerKeys;
import dev.tern.api.signin.OidcDiscovery;
import dev.tern.events.commands.CreateIdentityProvider;
import dev.tern.events.commands.DeleteIdentityProvider;
import dev.tern.events.commands.UpdateIdentityProvider;
import dev.tern.events.values.Ids;
import dev.tern.events.values.Names;
import dev.tern.query.identity.IdentityProviderReads;
import dev.tern.query.identity.IdentityProviderView;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/identity-providers}: the account's external OpenID Providers in NetBird's shapes. Create and update
 * fetch the provider's discovery document first (unreachable, not JSON, another issuer, no keys: 400 naming the
 * problem, nothing saved); the client secret is sealed with AES-GCM under {@code TERN_ENCRYPTION_KEY} before it
 * becomes an event and is never answered back. Owners and admins change them; readers of everything read them.
 */
@RestController
class IdentityProvidersController {
    /** NetBird's IdentityProviderType. */
    static final Set<String> TYPES = Set.of("oidc", "zitadel", "entra", "google", "okta", "pocketid", "microsoft",
            "adfs");
    static final int MAX_CLIENT_ID = 1024;
    static final int MAX_CLIENT_SECRET = 4096;

    private final IdentityProviderReads reads;
    private final CommandService commands;
    private final OidcDiscovery discovery;
    private final IssuerKeys issuerKeys;
    private final SecretsAtRest secrets;

    IdentityProvidersController(IdentityProviderReads reads, CommandService commands, OidcDiscovery discovery,
                                IssuerKeys issuerKeys, SecretsAtRest secrets) {
        this.reads = reads;
        this.commands = commands;
        this.discovery = discovery;
        this.issuerKeys = issuerKeys;
        this.secrets = secrets;
    }

    /** NetBird's IdentityProviderRequest. */
    record ProviderRequest(String type, String name, String issuer, String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "ProviderRequest[" + type + ", " + name + ", " + issuer + ", " + clientId + "]";
        }
    }

    /** NetBird's IdentityProvider: never the secret. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Provider(String id, String type, String name, String issuer, String clientId) {
        static Provider of(IdentityProviderView p) {
            return new Provider(p.id(), p.type(), p.name(), p.issuer(), p.clientId());
        }
    }

    @GetMapping("/api/identity-providers")
    List<Provider> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        return reads.list(caller.accountId()).stream().map(Provider::of).toList();
    }

    @GetMapping("/api/identity-providers/{providerId}")
    Provider get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String providerId) {
        caller.requireReadAll();
        return Provider.of(find(caller, providerId));
    }

    @PostMapping("/api/identity-providers")
    Provider create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody(required = false) byte[] body,
                    HttpServletRequest request) {
        caller.requireWrite();
        Checked checked = checked(caller, null, JsonBodies.read(body, ProviderRequest.class));
        String providerId = Ids.newId();
        String sealed = checked.secret() == null ? null : box().seal(checked.secret(), providerId);
        commands.send(new CreateIdentityProvider(caller.accountId(), providerId, checked.type(), checked.name(),
                checked.issuer(), checked.clientId(), sealed, caller.userId()), caller.actor(), request.getRemoteAddr());
        return Provider.of(find(caller, providerId));
    }

    @PutMapping("/api/identity-providers/{providerId}")
    Provider update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String providerId,
                    @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        IdentityProviderView current = find(caller, providerId);
        Checked checked = checked(caller, providerId, JsonBodies.read(body, ProviderRequest.class));
        String sealed = checked.secret() == null ? null : box().seal(checked.secret(), providerId);
        commands.send(new UpdateIdentityProvider(caller.accountId(), providerId, checked.type(), checked.name(),
                checked.issuer(), checked.clientId(), sealed, caller.userId()), caller.actor(), request.getRemoteAddr());
        issuerKeys.forget(current.issuer());
        return Provider.of(find(caller, providerId));
    }

    @DeleteMapping("/api/identity-providers/{providerId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String providerId,
                               HttpServletRequest request) {
        caller.requireWrite();
        IdentityProviderView current = find(caller, providerId);
        commands.send(new DeleteIdentityProvider(caller.accountId(), providerId, caller.userId()), caller.actor(),
                request.getRemoteAddr());
        issuerKeys.forget(current.issuer());
        return Json.EMPTY;
    }

    private record Checked(String type, String name, String issuer, String clientId, String secret) {
        @Override
        public String toString() {
            return "Checked[" + name + ", " + issuer + "]";
        }
    }

    /**
     * The request checked in the order a client fixes it: shape, a free name, a key to seal a secret with, and last
     * (it costs a round trip to the provider) the discovery document.
     */
    private Checked checked(Caller caller, String providerId, ProviderRequest req) {
        String type = JsonBodies.required(req.type(), "type");
        if (!TYPES.contains(type)) {
            throw ApiException.badRequest("field 'type' must be one of " + String.join(", ",
                    TYPES.stream().sorted().toList()) + ", not '" + type + "'");
        }
        String name = Names.require(JsonBodies.required(req.name(), "name"), "identity provider name", Names.MAX_NAME);
        String issuer = JsonBodies.required(req.issuer(), "issuer").trim();
        String clientId = JsonBodies.required(req.clientId(), "client_id").trim();
        if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID) {
            throw ApiException.badRequest("field 'client_id' must be 1 to " + MAX_CLIENT_ID + " characters");
        }
        String secret = req.clientSecret() == null || req.clientSecret().isEmpty() ? null : req.clientSecret();
        if (secret != null && secret.length() > MAX_CLIENT_SECRET) {
            throw ApiException.badRequest("field 'client_secret' is longer than " + MAX_CLIENT_SECRET + " characters");
        }
        for (IdentityProviderView other : reads.list(caller.accountId())) {
            if (!other.id().equals(providerId) && other.name().equalsIgnoreCase(name)) {
                throw new ApiException(org.springframework.http.HttpStatus.CONFLICT,
                        "an identity provider named " + other.name() + " already exists");
            }
        }
        if (secret != null) {
            box();
        }
        try {
            discovery.discover(issuer);
        } catch (OidcDiscovery.DiscoveryException e) {
            throw ApiException.badRequest("identity provider not saved: " + e.getMessage());
        }
        return new Checked(type, name, issuer, clientId, secret);
    }

    private SecretBox box() {
        return secrets.box().orElseThrow(() -> ApiException.badRequest("client_secret cannot be stored: tern-server"
                + " has no " + SecretBox.VARIABLE + " to encrypt it with (set it, e.g. to 'openssl rand -base64 32')"));
    }

    private IdentityProviderView find(Caller caller, String providerId) {
        return reads.find(caller.accountId(), providerId)
                .orElseThrow(() -> ApiException.notFound("identity provider " + providerId + " not found"));
    }
}
