package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.ChangeAccountNetworkRange;
import dev.tern.events.commands.UpdateAccountSettings;
import dev.tern.events.commands.UpdateJwtGroupSettings;
import dev.tern.events.values.JwtGroupSettings;
import dev.tern.query.identity.IdentityProviderReads;
import dev.tern.events.values.AccountNetworkRange;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.UserRole;
import dev.tern.query.peers.PeerReads;
import dev.tern.query.users.AccountView;
import dev.tern.query.users.UserReads;
import dev.tern.query.users.UserView;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/accounts}: the caller's one account and its settings. Tern enforces the peer login and inactivity
 * expiration settings and the JWT group settings ({@code jwt_groups_enabled}, {@code jwt_groups_claim_name},
 * {@code jwt_allow_groups}; left out of a PUT, they keep their values), and moves the account network to a new
 * {@code network_range} (every peer readdressed; left out or blank, it stays); the other settings NetBird requires
 * in an answer are fixed ({@code false}, {@code false}, {@code []}, the account's own DNS domain), and a PUT that
 * asks for anything else is refused rather than silently ignored, so a script never believes it changed something
 * Tern does not do.
 */
@RestController
class AccountsController {
    private final UserReads reads;
    private final CommandService commands;
    private final IdentityProviderReads identity;
    private final PeerReads peers;

    AccountsController(UserReads reads, CommandService commands, IdentityProviderReads identity, PeerReads peers) {
        this.reads = reads;
        this.commands = commands;
        this.identity = identity;
        this.peers = peers;
    }

    /** NetBird answers a list that always holds exactly the caller's account. */
    @GetMapping("/api/accounts")
    List<Json.Account> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        return List.of(answer(find(caller, caller.accountId())));
    }

    @PutMapping("/api/accounts/{accountId}")
    Json.Account update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String accountId,
                        @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        AccountView account = find(caller, accountId);
        Requests.AccountUpdate req = JsonBodies.read(body, Requests.AccountUpdate.class);
        Requests.AccountSettingsWrite s = JsonBodies.required(req.settings(), "settings");
        AccountSettings wanted = new AccountSettings(
                JsonBodies.required(s.peerLoginExpirationEnabled(), "settings.peer_login_expiration_enabled"),
                JsonBodies.required(s.peerLoginExpiration(), "settings.peer_login_expiration"),
                JsonBodies.required(s.peerInactivityExpirationEnabled(),
                        "settings.peer_inactivity_expiration_enabled"),
                JsonBodies.required(s.peerInactivityExpiration(), "settings.peer_inactivity_expiration"));
        refuseUnsupported(s, account);
        JwtGroupSettings jwt = jwtGroups(s, identity.jwtGroupSettings(accountId));
        Optional<Cidr> network = networkRange(s, account);
        // Periods out of range are the account's to refuse (400), like every other rule it owns.
        commands.send(new UpdateAccountSettings(accountId, wanted, caller.userId()), caller.actor(),
                request.getRemoteAddr());
        commands.send(new UpdateJwtGroupSettings(accountId, jwt, caller.userId()), caller.actor(),
                request.getRemoteAddr());
        // Last: the range was checked above as the account checks it, so a range that makes this PUT a 400 has
        // changed nothing (only peers registering meanwhile can still make the account refuse it here).
        network.ifPresent(range -> commands.send(new ChangeAccountNetworkRange(accountId, range, caller.userId()),
                caller.actor(), request.getRemoteAddr()));
        return answer(find(caller, accountId));
    }

    private static void refuseUnsupported(Requests.AccountSettingsWrite s, AccountView account) {
        if (Boolean.TRUE.equals(s.regularUsersViewBlocked())) {
            throw unsupported("regular_users_view_blocked", "false");
        }
        if (Boolean.TRUE.equals(s.peerExposeEnabled())) {
            throw unsupported("peer_expose_enabled", "false");
        }
        if (s.peerExposeGroups() != null && !s.peerExposeGroups().isEmpty()) {
            throw unsupported("peer_expose_groups", "[]");
        }
        // Blank means "the default" to NetBird, which for an existing account is what it has.
        if (s.dnsDomain() != null && !s.dnsDomain().isBlank() && !sameDomain(s.dnsDomain(), account.dnsDomain())) {
            throw ApiException.badRequest("settings.dns_domain cannot be changed: the account's DNS domain is "
                    + account.dnsDomain());
        }
    }

    /**
     * The network the account moves to, when the PUT names another one than it has (left out or blank, NetBird keeps
     * the range; host bits are cleared as NetBird does); refused with 400 when it is no IPv4 CIDR, outside the
     * private and CGNAT ranges, outside /16../28 or too small for the account's peers (the account checks the same
     * against its own count).
     */
    private Optional<Cidr> networkRange(Requests.AccountSettingsWrite s, AccountView account) {
        if (s.networkRange() == null || s.networkRange().isBlank()) {
            return Optional.empty();
        }
        Cidr requested;
        try {
            requested = AccountNetworkRange.parse(s.networkRange());
        } catch (InvalidValueException e) {
            throw ApiException.badRequest("settings.network_range is not a valid IPv4 CIDR: " + e.getMessage());
        }
        if (requested.equals(Cidr.parse(account.network()))) {
            return Optional.empty();
        }
        try {
            return Optional.of(AccountNetworkRange.checked(requested, peers.count(account.id())));
        } catch (InvalidValueException e) {
            throw ApiException.badRequest("settings.network_range: " + e.getMessage());
        }
    }

    /** The JWT group settings the PUT asks for; a field left out keeps its value. Checked before anything is sent. */
    private static JwtGroupSettings jwtGroups(Requests.AccountSettingsWrite s, JwtGroupSettings current) {
        boolean enabled = s.jwtGroupsEnabled() == null ? current.enabled() : s.jwtGroupsEnabled();
        String claim = s.jwtGroupsClaimName() == null ? current.claimName() : s.jwtGroupsClaimName().trim();
        List<String> allowed = s.jwtAllowGroups() == null ? current.allowGroups()
                : JsonBodies.strings(s.jwtAllowGroups(), "settings.jwt_allow_groups");
        if (enabled && claim.isEmpty()) {
            throw ApiException.badRequest("settings.jwt_groups_claim_name is required when settings.jwt_groups_enabled"
                    + " is true (e.g. \"groups\")");
        }
        return new JwtGroupSettings(enabled, claim, allowed);
    }

    private static ApiException unsupported(String field, String onlyValue) {
        return ApiException.badRequest("settings." + field + " is not supported by Tern; it can only be "
                + onlyValue);
    }

    private static boolean sameDomain(String requested, String current) {
        String domain = requested.trim().toLowerCase(Locale.ROOT);
        return (domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain).equals(current);
    }

    private Json.Account answer(AccountView account) {
        Optional<UserView> owner = reads.users(account.id()).stream().filter(u -> u.role() == UserRole.OWNER)
                .findFirst();
        return Json.Account.of(account, owner.map(UserView::id).orElse(null),
                owner.map(UserView::email).orElse(null), identity.jwtGroupSettings(account.id()));
    }

    /** Another account's id answers 404, exactly like an id that does not exist. */
    private AccountView find(Caller caller, String accountId) {
        return Optional.of(caller.accountId()).filter(own -> own.equals(accountId)).flatMap(reads::account)
                .orElseThrow(() -> ApiException.notFound("account " + accountId + " not found"));
    }
}
