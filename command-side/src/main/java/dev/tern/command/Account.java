package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import dev.tern.events.AccountCreated;
import dev.tern.events.IdentityProviderCreated;
import dev.tern.events.IdentityProviderDeleted;
import dev.tern.events.IdentityProviderUpdated;
import dev.tern.events.JwtGroupSettingsUpdated;
import dev.tern.events.commands.CreateIdentityProvider;
import dev.tern.events.commands.DeleteIdentityProvider;
import dev.tern.events.commands.SignInWithJwt;
import dev.tern.events.commands.SyncJwtGroups;
import dev.tern.events.commands.UpdateIdentityProvider;
import dev.tern.events.commands.UpdateJwtGroupSettings;
import dev.tern.events.values.Ids;
import dev.tern.events.values.JwtGroupSettings;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.commands.ChangeAccountNetworkRange;
import dev.tern.events.values.AccountNetworkRange;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.AllGroup;
import dev.tern.events.CommandRejected;
import dev.tern.events.DnsRecordCreated;
import dev.tern.events.DnsRecordDeleted;
import dev.tern.events.DnsRecordUpdated;
import dev.tern.events.DnsSettingsUpdated;
import dev.tern.events.DnsZoneCreated;
import dev.tern.events.DnsZoneDeleted;
import dev.tern.events.DnsZoneUpdated;
import dev.tern.events.GroupCreated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupDeleted;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerExtraDnsLabelsSet;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.UserInviteAccepted;
import dev.tern.events.UserPasswordChanged;
import dev.tern.events.commands.RecordPasswordChange;
import dev.tern.events.UserInviteCreated;
import dev.tern.events.UserInviteDeleted;
import dev.tern.events.UserInviteRegenerated;
import dev.tern.events.UserSignInFailed;
import dev.tern.events.UserSignedIn;
import dev.tern.events.commands.RecordSignIn;
import dev.tern.events.commands.RecordUserInvite;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.NetworkCreated;
import dev.tern.events.NetworkDeleted;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkResourceDeleted;
import dev.tern.events.NetworkResourceUpdated;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkRouterDeleted;
import dev.tern.events.NetworkRouterUpdated;
import dev.tern.events.NetworkUpdated;
import dev.tern.events.RouteCreated;
import dev.tern.events.RouteDeleted;
import dev.tern.events.RouteUpdated;
import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyDeleted;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.UserDeleted;
import dev.tern.events.UserRoleChanged;
import dev.tern.events.UserUnblocked;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreateDnsRecord;
import dev.tern.events.commands.CreateDnsZone;
import dev.tern.events.commands.CreateGroup;
import dev.tern.events.commands.CreateNameServerGroup;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.commands.CreatePolicy;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.CreateUser;
import dev.tern.events.commands.DeleteDnsRecord;
import dev.tern.events.commands.DeleteDnsZone;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.DeleteNameServerGroup;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.commands.DeletePersonalAccessToken;
import dev.tern.events.commands.DeletePolicy;
import dev.tern.events.commands.DeleteSetupKey;
import dev.tern.events.commands.DeleteUser;
import dev.tern.events.commands.ExpirePeerLogin;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.commands.RegisterUserPeer;
import dev.tern.events.commands.UpdateAccountSettings;
import dev.tern.events.commands.UpdateDnsRecord;
import dev.tern.events.commands.UpdateDnsSettings;
import dev.tern.events.commands.UpdateDnsZone;
import dev.tern.events.commands.UpdateGroup;
import dev.tern.events.commands.UpdateNameServerGroup;
import dev.tern.events.commands.UpdatePeer;
import dev.tern.events.commands.UpdatePolicy;
import dev.tern.events.commands.UpdateSetupKey;
import dev.tern.events.commands.UpdateUser;
import dev.tern.events.commands.CreateNetwork;
import dev.tern.events.commands.CreateRoute;
import dev.tern.events.commands.DeleteNetwork;
import dev.tern.events.commands.DeleteNetworkResource;
import dev.tern.events.commands.DeleteNetworkRouter;
import dev.tern.events.commands.SaveNetworkResource;
import dev.tern.events.commands.SaveNetworkRouter;
import dev.tern.events.commands.UpdateNetwork;
import dev.tern.events.commands.DeleteRoute;
import dev.tern.events.commands.UpdateRoute;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.Names;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import dev.tern.events.values.WireGuardKey;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.AggregateLifecycle;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * One account: the consistency boundary and the only place that decides. Command handlers validate everything
 * first and only then apply events, so a rejected command ({@link CommandRejected}) never leaves an event behind
 * nor a changed account ({@link AccountCache} keeps the account cached after a rejection on that promise).
 * State changes happen only in event sourcing handlers, delegated to small books that keep the indexes every
 * command needs in O(1)/O(log n) of the account size.
 *
 * <p>Snapshots: the aggregate is serialised by Axon's JacksonSerializer. Fields are read directly (no getters);
 * each book writes its primary data only and rebuilds its indexes when read back.
 *
 * <p>Time: "now" is {@link GenericEventMessage#clock}. In production it is the UTC system clock (the same one that
 * stamps the events); AggregateTestFixture pins it to its simulated time while it handles a command
 * ({@code givenCurrentTime}, {@code whenTimeElapses}), so expiry decisions are testable without sleeping.
 */
@Aggregate(commandTargetResolver = CommandSideConfiguration.COMMAND_TARGET_RESOLVER,
        cache = CommandSideConfiguration.ACCOUNT_CACHE,
        snapshotTriggerDefinition = CommandSideConfiguration.SNAPSHOT_TRIGGER,
        snapshotFilter = CommandSideConfiguration.SNAPSHOT_FILTER)
@Revision("6") // the snapshot shape: bump on any change of fields here or in the books (SnapshotRevisionFilter)
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class Account {
    /** NetBird's client sends at most 32 (Tern's gRPC edge refuses more before this). */
    static final int MAX_EXTRA_DNS_LABELS = 32;
    /** NetBird's words when a JWT's user is not the owner of the peer whose key logs in. */
    static final String PEER_OF_ANOTHER_OWNER = "peer is already registered by a different User or a Setup Key";
    /** NetBird's words to a user's peer whose login expired and that did not log in with the user's JWT. */
    static final String LOGIN_EXPIRED = "peer login has expired, please log in once more";
    private static final Pattern EXTRA_DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    @AggregateIdentifier
    private String accountId;
    private String dnsDomain;
    private String allGroupId;
    private AccountSettings settings;
    private UserBook users;
    private GroupBook groups;
    private PolicyBook policies;
    private SetupKeyBook setupKeys;
    private PeerBook peers;
    private DnsBook dns;
    private RouteBook routes;
    private NetworkBook networks;
    private IdentityBook identity;

    /** For Axon (event sourcing) and Jackson (snapshots). */
    protected Account() {
    }

    /** The peer book, for tests of this package that inspect decisions a restored snapshot would take. */
    PeerBook peerBook() {
        return peers;
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }

    // ---------------------------------------------------------------- account

    @CommandHandler
    public Account(CreateAccount command) {
        String id = Rules.id(command.accountId(), "account id");
        Cidr network = Rules.accountNetwork(command.network());
        String domain = Rules.dnsDomain(command.dnsDomain());
        String ownerId = Rules.id(command.ownerUserId(), "owner user id");
        String email = Rules.email(command.ownerEmail());
        String ownerName = command.ownerName() == null || command.ownerName().isBlank()
                ? email : Rules.name(command.ownerName(), "owner name");
        String allId = Rules.id(command.allGroupId(), "All group id");
        Instant now = now();
        apply(new AccountCreated(id, network, domain, now));
        apply(new GroupCreated(id, allId, AllGroup.NAME, GroupIssuer.API));
        apply(new UserCreated(id, ownerId, email, ownerName, UserRole.OWNER, false, List.of(), now));
    }

    @EventSourcingHandler
    void on(AccountCreated event) {
        accountId = event.accountId();
        dnsDomain = event.dnsDomain();
        settings = AccountSettings.defaults();
        users = new UserBook();
        groups = new GroupBook();
        policies = new PolicyBook();
        setupKeys = new SetupKeyBook();
        peers = new PeerBook(event.network());
        dns = new DnsBook();
        routes = new RouteBook();
        networks = new NetworkBook();
        identity = new IdentityBook();
    }

    @CommandHandler
    void handle(UpdateAccountSettings command) {
        requireWriter(command.actingUserId());
        AccountSettings wanted = Rules.present(command.settings(), "account settings");
        long login = wanted.peerLoginExpirationSeconds();
        if (login < AccountSettings.MIN_LOGIN_EXPIRATION_SECONDS || login > AccountSettings.MAX_EXPIRATION_SECONDS) {
            throw CommandRejected.invalid("peer login expiration must be between 1 hour and 180 days ("
                    + AccountSettings.MIN_LOGIN_EXPIRATION_SECONDS + " and " + AccountSettings.MAX_EXPIRATION_SECONDS
                    + " seconds), not " + login);
        }
        long inactivity = wanted.peerInactivityExpirationSeconds();
        if (inactivity < AccountSettings.MIN_INACTIVITY_EXPIRATION_SECONDS
                || inactivity > AccountSettings.MAX_EXPIRATION_SECONDS) {
            throw CommandRejected.invalid("peer inactivity expiration must be between 1 minute and 180 days ("
                    + AccountSettings.MIN_INACTIVITY_EXPIRATION_SECONDS + " and "
                    + AccountSettings.MAX_EXPIRATION_SECONDS + " seconds), not " + inactivity);
        }
        if (wanted.equals(settings)) {
            return;
        }
        apply(new AccountSettingsUpdated(accountId, settings, wanted));
        liftExpiriesThatNoLongerHold(peers.expiredPeers());
    }

    @EventSourcingHandler
    void on(AccountSettingsUpdated event) {
        settings = event.after();
    }

    /**
     * Moves the account network and every peer with it (NetBird's {@code settings.network_range}): the addresses
     * are decided here and carried by the event. The same network again changes nothing.
     */
    @CommandHandler
    void handle(ChangeAccountNetworkRange command) {
        requireWriter(command.actingUserId());
        Cidr wanted;
        try {
            wanted = AccountNetworkRange.checked(command.network(), peers.size());
        } catch (InvalidValueException e) {
            throw CommandRejected.invalid(e.getMessage());
        }
        if (wanted.equals(peers.network())) {
            return;
        }
        apply(new AccountNetworkRangeChanged(accountId, peers.network(), wanted, peers.addressesIn(wanted)));
    }

    @EventSourcingHandler
    void on(AccountNetworkRangeChanged event) {
        peers = peers.movedTo(event.after(), event.peerAddresses());
    }

    // ---------------------------------------------------------------- users

    @CommandHandler
    void handle(CreateUser command) {
        requireWriter(command.actingUserId());
        String userId = Rules.id(command.userId(), "user id");
        if (users.contains(userId)) {
            throw CommandRejected.conflict("user " + userId + " already exists");
        }
        UserRole role = Rules.present(command.role(), "user role");
        if (role == UserRole.OWNER) {
            throw CommandRejected.invalid("the owner role cannot be assigned; an account has exactly one owner");
        }
        String email;
        String name;
        if (command.serviceUser()) {
            name = Rules.name(command.name(), "service user name");
            email = command.email() == null || command.email().isBlank() ? "" : Rules.email(command.email());
        } else {
            email = Rules.email(command.email());
            name = command.name() == null || command.name().isBlank() ? email : Rules.name(command.name(), "user name");
            UserBook.User existing = users.humanByEmail(email);
            if (existing != null) {
                throw CommandRejected.conflict("a user with e-mail " + email + " already exists");
            }
        }
        List<String> autoGroups = autoGroups(command.autoGroups());
        apply(new UserCreated(accountId, userId, email, name, role, command.serviceUser(), autoGroups, now()));
    }

    @CommandHandler
    void handle(UpdateUser command) {
        UserBook.User target = requireUser(command.userId());
        UserBook.User acting = requireWriter(command.actingUserId());
        UserRole newRole = command.role() == null ? target.role() : command.role();
        List<String> newGroups = command.autoGroups() == null ? target.autoGroups() : autoGroups(command.autoGroups());
        boolean roleChanged = newRole != target.role();
        boolean blockedChanged = command.blocked() != target.blocked();
        Diff groupDiff = Diff.of(target.autoGroups(), newGroups);
        boolean self = acting != null && acting.id().equals(target.id());
        if (target.role() == UserRole.OWNER && acting != null && !self
                && (roleChanged || blockedChanged || groupDiff.changed())) {
            throw CommandRejected.forbidden("only the owner can change the owner");
        }
        if (roleChanged && newRole == UserRole.OWNER) {
            throw CommandRejected.invalid("the owner role cannot be assigned; an account has exactly one owner");
        }
        if (self && roleChanged) {
            throw CommandRejected.invalid("a user cannot change its own role");
        }
        if (self && blockedChanged && command.blocked()) {
            throw CommandRejected.invalid("a user cannot block itself");
        }
        if (target.role() == UserRole.OWNER && roleChanged) {
            throw CommandRejected.forbidden("the owner cannot be demoted");
        }
        if (target.role() == UserRole.OWNER && blockedChanged && command.blocked()) {
            throw CommandRejected.forbidden("the owner cannot be blocked");
        }
        if (roleChanged) {
            apply(new UserRoleChanged(accountId, target.id(), target.role(), newRole));
        }
        if (blockedChanged) {
            apply(command.blocked() ? new UserBlocked(accountId, target.id()) : new UserUnblocked(accountId, target.id()));
        }
        if (groupDiff.changed()) {
            apply(new UserAutoGroupsChanged(accountId, target.id(), groupDiff.after(), groupDiff.added(), groupDiff.removed()));
        }
    }

    @CommandHandler
    void handle(DeleteUser command) {
        UserBook.User target = requireUser(command.userId());
        UserBook.User acting = requireWriter(command.actingUserId());
        boolean self = acting != null && acting.id().equals(target.id());
        if (self) {
            throw CommandRejected.invalid("a user cannot delete itself");
        }
        if (target.role() == UserRole.OWNER) {
            throw CommandRejected.forbidden("the owner cannot be deleted");
        }
        apply(new UserDeleted(accountId, target.id()));
    }

    @EventSourcingHandler
    void on(UserCreated event) {
        users.put(new UserBook.User(event.userId(), event.email(), event.role(), event.serviceUser(), false,
                List.copyOf(event.autoGroups()), new TreeSet<>()));
    }

    @EventSourcingHandler
    void on(UserRoleChanged event) {
        users.put(users.get(event.userId()).withRole(event.newRole()));
    }

    @EventSourcingHandler
    void on(UserBlocked event) {
        users.put(users.get(event.userId()).withBlocked(true));
    }

    @EventSourcingHandler
    void on(UserUnblocked event) {
        users.put(users.get(event.userId()).withBlocked(false));
    }

    @EventSourcingHandler
    void on(UserAutoGroupsChanged event) {
        users.put(users.get(event.userId()).withAutoGroups(event.autoGroups()));
    }

    @EventSourcingHandler
    void on(UserDeleted event) {
        users.remove(event.userId());
        identity().deleted(event.userId());
    }

    // ---------------------------------------------------------------- personal access tokens

    @CommandHandler
    void handle(CreatePersonalAccessToken command) {
        UserBook.User target = requireUser(command.userId());
        requireTokenManager(command.actingUserId(), target);
        String tokenId = Rules.id(command.tokenId(), "token id");
        if (users.tokenOwner(tokenId) != null) {
            throw CommandRejected.conflict("token " + tokenId + " already exists");
        }
        String name = Rules.name(command.name(), "token name");
        if (command.tokenHash() == null || command.tokenHash().isBlank()) {
            throw CommandRejected.invalid("token hash is missing");
        }
        Instant now = now();
        Instant expiresAt = Rules.present(command.expiresAt(), "token expiry");
        if (!expiresAt.isAfter(now)) {
            throw CommandRejected.invalid("token expiry " + expiresAt + " is not in the future");
        }
        apply(new PersonalAccessTokenCreated(accountId, tokenId, target.id(), name, command.tokenHash(), expiresAt,
                command.actingUserId(), now));
    }

    @CommandHandler
    void handle(DeletePersonalAccessToken command) {
        UserBook.User target = requireUser(command.userId());
        requireTokenManager(command.actingUserId(), target);
        if (command.tokenId() == null || !target.tokenIds().contains(command.tokenId())) {
            throw CommandRejected.notFound("token " + command.tokenId() + " of user " + target.id() + " not found");
        }
        apply(new PersonalAccessTokenDeleted(accountId, command.tokenId(), target.id()));
    }

    @EventSourcingHandler
    void on(PersonalAccessTokenCreated event) {
        users.addToken(event.userId(), event.tokenId());
    }

    @EventSourcingHandler
    void on(PersonalAccessTokenDeleted event) {
        users.removeToken(event.userId(), event.tokenId());
    }

    // ---------------------------------------------------------------- setup keys

    @CommandHandler
    void handle(CreateSetupKey command) {
        String keyId = Rules.id(command.setupKeyId(), "setup key id");
        if (setupKeys.contains(keyId)) {
            throw CommandRejected.conflict("setup key " + keyId + " already exists");
        }
        String name = Rules.name(command.name(), "setup key name");
        SetupKeyType type = Rules.present(command.type(), "setup key type");
        if (command.keyHash() == null || command.keyHash().isBlank()) {
            throw CommandRejected.invalid("setup key hash is missing");
        }
        if (setupKeys.byHash(command.keyHash()) != null) {
            throw CommandRejected.conflict("a setup key with the same secret already exists");
        }
        if (command.usageLimit() < 0) {
            throw CommandRejected.invalid("usage limit must not be negative");
        }
        Instant now = now();
        if (command.expiresAt() != null && !command.expiresAt().isAfter(now)) {
            throw CommandRejected.invalid("setup key expiry " + command.expiresAt() + " is not in the future");
        }
        List<String> autoGroups = autoGroups(command.autoGroups());
        // a one-off key is a key with usage limit 1, as NetBird stores it
        int usageLimit = type == SetupKeyType.ONE_OFF ? 1 : command.usageLimit();
        apply(new SetupKeyCreated(accountId, keyId, name, type, command.keyHash(),
                command.keyPrefix() == null ? "" : command.keyPrefix(), command.expiresAt(), usageLimit, autoGroups,
                command.ephemeral(), command.allowExtraDnsLabels(), now));
    }

    @CommandHandler
    void handle(UpdateSetupKey command) {
        SetupKeyBook.SetupKey key = requireSetupKey(command.setupKeyId());
        if (key.revoked() && !command.revoked()) {
            throw CommandRejected.invalid("a revoked key cannot be un-revoked");
        }
        List<String> newGroups = command.autoGroups() == null ? key.autoGroups() : autoGroups(command.autoGroups());
        Diff diff = Diff.of(key.autoGroups(), newGroups);
        if (command.revoked() && !key.revoked()) {
            apply(new SetupKeyRevoked(accountId, key.id()));
        }
        if (diff.changed()) {
            apply(new SetupKeyAutoGroupsChanged(accountId, key.id(), diff.after(), diff.added(), diff.removed()));
        }
    }

    @CommandHandler
    void handle(DeleteSetupKey command) {
        SetupKeyBook.SetupKey key = requireSetupKey(command.setupKeyId());
        apply(new SetupKeyDeleted(accountId, key.id()));
    }

    @EventSourcingHandler
    void on(SetupKeyCreated event) {
        long expires = event.expiresAt() == null ? Long.MAX_VALUE : event.expiresAt().toEpochMilli();
        setupKeys.put(new SetupKeyBook.SetupKey(event.setupKeyId(), event.name(), event.keyHash(), expires,
                event.usageLimit(), 0, false, event.ephemeral(), List.copyOf(event.autoGroups()),
                event.allowExtraDnsLabels()));
    }

    @EventSourcingHandler
    void on(SetupKeyRevoked event) {
        setupKeys.put(setupKeys.get(event.setupKeyId()).withRevoked());
    }

    @EventSourcingHandler
    void on(SetupKeyAutoGroupsChanged event) {
        setupKeys.put(setupKeys.get(event.setupKeyId()).withAutoGroups(event.autoGroups()));
    }

    @EventSourcingHandler
    void on(SetupKeyDeleted event) {
        setupKeys.remove(event.setupKeyId());
    }

    // ---------------------------------------------------------------- groups

    @CommandHandler
    void handle(CreateGroup command) {
        String groupId = Rules.id(command.groupId(), "group id");
        if (groups.contains(groupId)) {
            throw CommandRejected.conflict("group " + groupId + " already exists");
        }
        String name = Rules.name(command.name(), "group name");
        requireFreeGroupName(name, groupId);
        List<String> members = existingPeers(command.peers());
        apply(new GroupCreated(accountId, groupId, name, GroupIssuer.API));
        for (String peerId : members) {
            apply(new PeerAddedToGroup(accountId, groupId, peerId));
        }
    }

    @CommandHandler
    void handle(UpdateGroup command) {
        GroupBook.Group group = requireGroup(command.groupId());
        String name = command.name() == null ? group.name() : Rules.name(command.name(), "group name");
        boolean renamed = !name.equals(group.name());
        if (group.id().equals(allGroupId)) {
            if (renamed) {
                throw CommandRejected.invalid("the All group cannot be renamed");
            }
            if (command.peers() != null) {
                throw CommandRejected.invalid("the All group holds every peer; its membership cannot be edited");
            }
            return;
        }
        if (renamed) {
            requireFreeGroupName(name, group.id());
        }
        List<String> added = List.of();
        List<String> removed = List.of();
        if (command.peers() != null) {
            List<String> members = existingPeers(command.peers());
            Set<String> wanted = new LinkedHashSet<>(members);
            added = members.stream().filter(p -> !group.peers().contains(p)).toList();
            removed = group.peers().stream().filter(p -> !wanted.contains(p)).sorted().toList();
        }
        if (renamed) {
            apply(new GroupRenamed(accountId, group.id(), group.name(), name));
        }
        for (String peerId : removed) {
            apply(new PeerRemovedFromGroup(accountId, group.id(), peerId));
        }
        for (String peerId : added) {
            apply(new PeerAddedToGroup(accountId, group.id(), peerId));
        }
    }

    @CommandHandler
    void handle(DeleteGroup command) {
        GroupBook.Group group = requireGroup(command.groupId());
        if (group.id().equals(allGroupId)) {
            throw CommandRejected.conflict("the All group cannot be deleted");
        }
        PolicyBook.Policy policy = policies.anyReferencing(group.id());
        if (policy != null) {
            throw CommandRejected.conflict("group '" + group.name() + "' is used by policy '" + policy.name()
                    + "' (" + policy.id() + ")");
        }
        SetupKeyBook.SetupKey key = setupKeys.anyReferencing(group.id());
        if (key != null) {
            throw CommandRejected.conflict("group '" + group.name() + "' is an auto-group of setup key '" + key.name()
                    + "' (" + key.id() + ")");
        }
        UserBook.User user = users.anyReferencing(group.id());
        if (user != null) {
            throw CommandRejected.conflict("group '" + group.name() + "' is an auto-group of user " + user.id());
        }
        String dnsUse = dns.anyReferencing(group.id());
        if (dnsUse != null) {
            throw CommandRejected.conflict("group '" + group.name() + "' is used by " + dnsUse);
        }
        String networkUse = networks.anyReferencing(group.id());
        if (networkUse != null) {
            throw CommandRejected.conflict("group '" + group.name() + "' is used by " + networkUse);
        }
        RouteBook.Route route = routes.anyReferencing(group.id());
        if (route != null) {
            throw CommandRejected.conflict("group '" + group.name() + "' is used by route '"
                    + route.definition().netId() + "' (" + route.id() + ")");
        }
        apply(new GroupDeleted(accountId, group.id(), group.name()));
    }

    @EventSourcingHandler
    void on(GroupCreated event) {
        if (AllGroup.isCreatedBy(event, allGroupId != null)) {
            allGroupId = event.groupId();
        }
        groups.create(event.groupId(), event.name(), event.issued());
    }

    @EventSourcingHandler
    void on(GroupRenamed event) {
        groups.rename(event.groupId(), event.newName());
    }

    @EventSourcingHandler
    void on(PeerAddedToGroup event) {
        groups.addMember(event.groupId(), event.peerId());
    }

    @EventSourcingHandler
    void on(PeerRemovedFromGroup event) {
        groups.removeMember(event.groupId(), event.peerId());
    }

    @EventSourcingHandler
    void on(GroupDeleted event) {
        groups.delete(event.groupId());
    }

    // ---------------------------------------------------------------- policies

    @CommandHandler
    void handle(CreatePolicy command) {
        String policyId = Rules.id(command.policyId(), "policy id");
        if (policies.contains(policyId)) {
            throw CommandRejected.conflict("policy " + policyId + " already exists");
        }
        apply(new PolicyCreated(accountId, policyId, checkedDefinition(command.definition())));
    }

    @CommandHandler
    void handle(UpdatePolicy command) {
        PolicyBook.Policy policy = requirePolicy(command.policyId());
        apply(new PolicyUpdated(accountId, policy.id(), checkedDefinition(command.definition())));
    }

    @CommandHandler
    void handle(DeletePolicy command) {
        PolicyBook.Policy policy = requirePolicy(command.policyId());
        apply(new PolicyDeleted(accountId, policy.id(), policy.name()));
    }

    @EventSourcingHandler
    void on(PolicyCreated event) {
        policies.put(new PolicyBook.Policy(event.policyId(), event.definition().name(), event.definition().groups()));
    }

    @EventSourcingHandler
    void on(PolicyUpdated event) {
        policies.put(new PolicyBook.Policy(event.policyId(), event.definition().name(), event.definition().groups()));
    }

    @EventSourcingHandler
    void on(PolicyDeleted event) {
        policies.remove(event.policyId());
    }

    // ---------------------------------------------------------------- routes

    @CommandHandler
    void handle(CreateRoute command) {
        String routeId = Rules.id(command.routeId(), "route id");
        if (routes.contains(routeId)) {
            throw CommandRejected.conflict("route " + routeId + " already exists");
        }
        apply(new RouteCreated(accountId, routeId, routes.checked(routeId, command.definition(), groups, peers)));
    }

    @CommandHandler
    void handle(UpdateRoute command) {
        RouteBook.Route route = require("route", command.routeId(), routes::get);
        apply(new RouteUpdated(accountId, route.id(), routes.checked(route.id(), command.definition(), groups, peers)));
    }

    @CommandHandler
    void handle(DeleteRoute command) {
        RouteBook.Route route = require("route", command.routeId(), routes::get);
        apply(new RouteDeleted(accountId, route.id(), route.definition().netId()));
    }

    @EventSourcingHandler
    void on(RouteCreated event) {
        routes.put(new RouteBook.Route(event.routeId(), event.definition()));
    }

    @EventSourcingHandler
    void on(RouteUpdated event) {
        routes.put(new RouteBook.Route(event.routeId(), event.definition()));
    }

    @EventSourcingHandler
    void on(RouteDeleted event) {
        routes.remove(event.routeId());
    }

    // ---------------------------------------------------------------- networks, their resources and routers

    @CommandHandler
    void handle(CreateNetwork command) {
        String networkId = Rules.id(command.networkId(), "network id");
        if (networks.network(networkId) != null) {
            throw CommandRejected.conflict("network " + networkId + " already exists");
        }
        apply(new NetworkCreated(accountId, networkId, Rules.name(command.name(), "network name"),
                Rules.text(command.description(), "network description", InputLimits.MAX_DESCRIPTION)));
    }

    @CommandHandler
    void handle(UpdateNetwork command) {
        NetworkBook.Network network = require("network", command.networkId(), networks::network);
        apply(new NetworkUpdated(accountId, network.id(), Rules.name(command.name(), "network name"),
                Rules.text(command.description(), "network description", InputLimits.MAX_DESCRIPTION)));
    }

    @CommandHandler
    void handle(DeleteNetwork command) {
        NetworkBook.Network network = require("network", command.networkId(), networks::network);
        for (NetworkBook.Resource resource : networks.resourcesOf(network.id())) {
            apply(new NetworkResourceDeleted(accountId, network.id(), resource.id(), resource.definition().name()));
        }
        for (NetworkBook.Router router : networks.routersOf(network.id())) {
            apply(new NetworkRouterDeleted(accountId, network.id(), router.id()));
        }
        apply(new NetworkDeleted(accountId, network.id(), network.name()));
    }

    @CommandHandler
    void handle(SaveNetworkResource command) {
        NetworkBook.Network network = require("network", command.networkId(), networks::network);
        var definition = NetworkBook.checked(command.definition(), groups);
        if (command.create()) {
            String resourceId = Rules.id(command.resourceId(), "network resource id");
            if (networks.containsResource(resourceId)) {
                throw CommandRejected.conflict("network resource " + resourceId + " already exists");
            }
            apply(new NetworkResourceCreated(accountId, network.id(), resourceId, definition));
        } else {
            NetworkBook.Resource resource = require("network resource", command.resourceId(),
                    id -> networks.resource(network.id(), id));
            apply(new NetworkResourceUpdated(accountId, network.id(), resource.id(), definition));
        }
    }

    @CommandHandler
    void handle(DeleteNetworkResource command) {
        NetworkBook.Network network = require("network", command.networkId(), networks::network);
        NetworkBook.Resource resource = require("network resource", command.resourceId(),
                id -> networks.resource(network.id(), id));
        apply(new NetworkResourceDeleted(accountId, network.id(), resource.id(), resource.definition().name()));
    }

    @CommandHandler
    void handle(SaveNetworkRouter command) {
        NetworkBook.Network network = require("network", command.networkId(), networks::network);
        var definition = NetworkBook.checked(command.definition(), groups, peers);
        if (command.create()) {
            String routerId = Rules.id(command.routerId(), "network router id");
            if (networks.containsRouter(routerId)) {
                throw CommandRejected.conflict("network router " + routerId + " already exists");
            }
            apply(new NetworkRouterCreated(accountId, network.id(), routerId, definition));
        } else {
            NetworkBook.Router router = require("network router", command.routerId(),
                    id -> networks.router(network.id(), id));
            apply(new NetworkRouterUpdated(accountId, network.id(), router.id(), definition));
        }
    }

    @CommandHandler
    void handle(DeleteNetworkRouter command) {
        NetworkBook.Network network = require("network", command.networkId(), networks::network);
        NetworkBook.Router router = require("network router", command.routerId(),
                id -> networks.router(network.id(), id));
        apply(new NetworkRouterDeleted(accountId, network.id(), router.id()));
    }

    @EventSourcingHandler
    void on(NetworkCreated event) {
        networks.putNetwork(new NetworkBook.Network(event.networkId(), event.name(), event.description()));
    }

    @EventSourcingHandler
    void on(NetworkUpdated event) {
        networks.putNetwork(new NetworkBook.Network(event.networkId(), event.name(), event.description()));
    }

    @EventSourcingHandler
    void on(NetworkDeleted event) {
        networks.removeNetwork(event.networkId());
    }

    @EventSourcingHandler
    void on(NetworkResourceCreated event) {
        networks.putResource(new NetworkBook.Resource(event.resourceId(), event.networkId(), event.definition()));
    }

    @EventSourcingHandler
    void on(NetworkResourceUpdated event) {
        networks.putResource(new NetworkBook.Resource(event.resourceId(), event.networkId(), event.definition()));
    }

    @EventSourcingHandler
    void on(NetworkResourceDeleted event) {
        networks.removeResource(event.resourceId());
    }

    @EventSourcingHandler
    void on(NetworkRouterCreated event) {
        networks.putRouter(new NetworkBook.Router(event.routerId(), event.networkId(), event.definition()));
    }

    @EventSourcingHandler
    void on(NetworkRouterUpdated event) {
        networks.putRouter(new NetworkBook.Router(event.routerId(), event.networkId(), event.definition()));
    }

    @EventSourcingHandler
    void on(NetworkRouterDeleted event) {
        networks.removeRouter(event.routerId());
    }

    // ---------------------------------------------------------------- peers

    @CommandHandler
    PeerRegistration handle(RegisterPeer command) {
        if (command.setupKeyHash() == null || command.setupKeyHash().isBlank()) {
            throw CommandRejected.notFound("setup key not found");
        }
        SetupKeyBook.SetupKey key = setupKeys.byHash(command.setupKeyHash());
        if (key == null) {
            throw CommandRejected.notFound("setup key not found");
        }
        Rules.present(command.wgPubKey(), "WireGuard public key");
        Instant now = now();
        PeerBook.Peer known = peers.byWgKey(command.wgPubKey().base64());
        if (known != null) {
            return logInAgain(known, key, now);
        }
        Rules.present(command.meta(), "peer system meta");
        requireUsable(key, now);
        if (key.usedUp()) {
            throw CommandRejected.forbidden("setup key '" + key.name() + "' has reached its usage limit of "
                    + key.usageLimit());
        }
        String peerId = newPeerId(command.proposedPeerId());
        MeshIp ip = freeAddress();
        List<String> extraLabels = extraDnsLabels(command.extraDnsLabels(), key);
        String hostname = command.meta().hostname();
        String label = peers.proposeLabel(hostname, null);
        // asked for its own label too: that name exists already
        String ownLabel = label;
        extraLabels = extraLabels.stream().filter(l -> !l.equals(ownLabel)).toList();
        apply(new PeerRegistered(accountId, peerId, command.wgPubKey(), ip, label, hostname, command.meta(),
                key.id(), null, key.ephemeral(), false, now, extraLabels));
        for (String groupId : key.autoGroups()) {
            apply(new PeerAddedToGroup(accountId, groupId, peerId));
        }
        return new PeerRegistration(peerId, ip, label, true);
    }

    /**
     * A user's device with the user's JWT, as NetBird's SSO login: the user must exist and not be blocked. A new
     * device becomes the user's peer (login and inactivity expiration on, as NetBird sets them for peers added by a
     * user; the user's auto-groups); a known one must be the user's own peer, and its lapsed login is renewed.
     */
    @CommandHandler
    PeerRegistration handle(RegisterUserPeer command) {
        UserBook.User user = requireUser(command.userId());
        if (user.blocked()) {
            throw CommandRejected.forbidden("user is blocked");
        }
        Rules.present(command.wgPubKey(), "WireGuard public key");
        Instant now = now();
        PeerBook.Peer known = peers.byWgKey(command.wgPubKey().base64());
        if (known != null) {
            if (!user.id().equals(known.userId())) {
                throw CommandRejected.forbidden(PEER_OF_ANOTHER_OWNER);
            }
            if (known.expired()) {
                apply(new PeerLoginRenewed(accountId, known.id(), null, now));
            }
            return new PeerRegistration(known.id(), known.meshIp(), known.dnsLabel(), false);
        }
        Rules.present(command.meta(), "peer system meta");
        if (!command.extraDnsLabels().isEmpty()) {
            throw CommandRejected.preconditionFailed(
                    "couldn't add peer: extra DNS labels need a setup key that allows them");
        }
        String peerId = newPeerId(command.proposedPeerId());
        MeshIp ip = freeAddress();
        String hostname = command.meta().hostname();
        String label = peers.proposeLabel(hostname, null);
        apply(new PeerRegistered(accountId, peerId, command.wgPubKey(), ip, label, hostname, command.meta(),
                null, user.id(), false, true, now, List.of()));
        apply(new PeerInactivityExpirationChanged(accountId, peerId, true));
        for (String groupId : user.autoGroups()) {
            apply(new PeerAddedToGroup(accountId, groupId, peerId));
        }
        return new PeerRegistration(peerId, ip, label, true);
    }

    private String newPeerId(String proposed) {
        String peerId = Rules.id(proposed, "peer id");
        if (peers.contains(peerId)) {
            throw CommandRejected.conflict("peer " + peerId + " already exists");
        }
        return peerId;
    }

    private MeshIp freeAddress() {
        MeshIp ip = peers.nextAddress();
        if (ip == null) {
            throw CommandRejected.preconditionFailed("the account network " + peers.network() + " has no free address");
        }
        return ip;
    }

    /**
     * The extra DNS labels a registering device asks for, as NetBird decides them: refused unless its setup key
     * allows them (NetBird: "setup key doesn't allow extra DNS labels", PreconditionFailed); each a DNS label
     * (lower-cased, [a-z0-9-], at most 63 characters, no dash at either end), and unique in the account, so that
     * {@code label.<domain>} names one peer (a peer's own label is never shadowed).
     */
    private List<String> extraDnsLabels(List<String> asked, SetupKeyBook.SetupKey key) {
        if (asked.isEmpty()) {
            return List.of();
        }
        if (!key.allowExtraDnsLabels()) {
            throw CommandRejected.preconditionFailed("couldn't add peer: setup key doesn't allow extra DNS labels");
        }
        if (asked.size() > MAX_EXTRA_DNS_LABELS) {
            throw CommandRejected.invalid("at most " + MAX_EXTRA_DNS_LABELS + " extra DNS labels");
        }
        LinkedHashSet<String> labels = new LinkedHashSet<>();
        for (String raw : asked) {
            String label = raw.toLowerCase(Locale.ROOT);
            if (!EXTRA_DNS_LABEL.matcher(label).matches()) {
                throw CommandRejected.invalid("invalid extra DNS label '" + raw + "'");
            }
            if (peers.labelTaken(label)) {
                throw CommandRejected.conflict("extra DNS label '" + label + "' is already in use in the account");
            }
            labels.add(label);
        }
        return List.copyOf(labels);
    }

    /**
     * A registered device presenting a setup key again. While its login has not lapsed nothing happens, whatever
     * the key (idempotent, as NetBird ignores the key of a known peer; and a client repeating its key on every
     * login appends nothing). A peer whose login has lapsed logs in again with a usable key (not revoked, not
     * expired; the usage limit counts registrations, not logins), which starts a new login period; an unusable
     * key is refused.
     */
    private PeerRegistration logInAgain(PeerBook.Peer known, SetupKeyBook.SetupKey key, Instant now) {
        if (known.expired() && known.addedByUser()) {
            // only its user's JWT renews a user's peer (NetBird: a setup key does not renew an SSO peer)
            throw CommandRejected.forbidden(LOGIN_EXPIRED);
        }
        if (known.expired()) {
            String unusable = unusableReason(key, now);
            if (unusable != null) {
                throw CommandRejected.forbidden(unusable + "; the peer's login has expired and needs a valid setup key");
            }
            apply(new PeerLoginRenewed(accountId, known.id(), key.id(), now));
        }
        return new PeerRegistration(known.id(), known.meshIp(), known.dnsLabel(), false);
    }

    private static void requireUsable(SetupKeyBook.SetupKey key, Instant now) {
        String unusable = unusableReason(key, now);
        if (unusable != null) {
            throw CommandRejected.forbidden(unusable);
        }
    }

    private static String unusableReason(SetupKeyBook.SetupKey key, Instant now) {
        if (key.revoked()) {
            return "setup key '" + key.name() + "' is revoked";
        }
        if (key.expiresAtEpochMilli() <= now.toEpochMilli()) {
            return "setup key '" + key.name() + "' has expired";
        }
        return null;
    }

    @CommandHandler
    boolean handle(ExpirePeerLogin command) {
        PeerBook.Peer peer = requirePeer(command.peerId());
        PeerExpiry cause = Rules.present(command.cause(), "expiry cause");
        Instant now = now();
        if (peer.expired() || !expiryHolds(peer, cause, now)) {
            // the sweeper reads a read model that may lag a renewal or a settings change: not an error
            return false;
        }
        apply(new PeerLoginExpired(accountId, peer.id(), cause, now));
        return true;
    }

    /**
     * Whether the account's rules expire the peer for this cause now. Inactivity itself is observed by the sweeper
     * (connection state is not part of the account); the account checks that inactivity expiration applies and that
     * the peer has not logged in within the period.
     */
    private boolean expiryHolds(PeerBook.Peer peer, PeerExpiry cause, Instant now) {
        return switch (cause) {
            case LOGIN -> settings.peerLoginExpirationEnabled() && peer.loginExpirationEnabled()
                    && peer.lastLoginEpochMilli() + settings.peerLoginExpirationSeconds() * 1000 <= now.toEpochMilli();
            // a login (registration or renewal) is activity too: the period runs from it at the earliest
            case INACTIVITY -> settings.peerInactivityExpirationEnabled() && peer.inactivityExpirationEnabled()
                    && peer.lastLoginEpochMilli() + settings.peerInactivityExpirationSeconds() * 1000
                    <= now.toEpochMilli();
        };
    }

    /** After a settings or flag change: expired peers whose expiry rule no longer holds come back. */
    private void liftExpiriesThatNoLongerHold(List<PeerBook.Peer> candidates) {
        Instant now = now();
        for (PeerBook.Peer candidate : candidates) {
            PeerBook.Peer peer = peers.get(candidate.id());
            if (peer != null && peer.expired() && !expiryHolds(peer, peer.expiry(), now)) {
                apply(new PeerLoginExpiryLifted(accountId, peer.id()));
            }
        }
    }

    @CommandHandler
    void handle(UpdatePeer command) {
        PeerBook.Peer peer = requirePeer(command.peerId());
        String name = Rules.name(command.name(), "peer name");
        if (!name.equals(peer.name())) {
            apply(new PeerRenamed(accountId, peer.id(), peer.name(), name, peers.proposeLabel(name, peer.dnsLabel())));
        }
        if (command.sshEnabled() != peer.sshEnabled()) {
            apply(new PeerSshChanged(accountId, peer.id(), command.sshEnabled()));
        }
        if (command.loginExpirationEnabled() != peer.loginExpirationEnabled()) {
            apply(new PeerLoginExpirationChanged(accountId, peer.id(), command.loginExpirationEnabled()));
        }
        if (command.inactivityExpirationEnabled() != peer.inactivityExpirationEnabled()) {
            apply(new PeerInactivityExpirationChanged(accountId, peer.id(), command.inactivityExpirationEnabled()));
        }
        liftExpiriesThatNoLongerHold(List.of(peer));
    }

    @CommandHandler
    void handle(DeletePeer command) {
        PeerBook.Peer peer = requirePeer(command.peerId());
        String router = networks.routerOfPeer(peer.id());
        if (router != null) {
            // as NetBird: the router would route through nobody
            throw CommandRejected.preconditionFailed("peer is linked to a network router: " + router);
        }
        apply(new PeerDeleted(accountId, peer.id(), new WireGuardKey(peer.wgPubKey())));
    }

    @EventSourcingHandler
    void on(PeerExtraDnsLabelsSet event) {
        peers.setExtraDnsLabels(event.peerId(), event.labels());
    }

    @EventSourcingHandler
    void on(PeerRegistered event) {
        peers.add(new PeerBook.Peer(event.peerId(), event.wgPubKey().base64(), event.ip().address(), event.dnsLabel(),
                event.name(), event.setupKeyId(), false, event.loginExpirationEnabled(), false,
                event.registeredAt().toEpochMilli(), null, event.extraDnsLabels(),
                event.userId() == null || event.userId().isBlank() ? null : event.userId()));
        if (event.setupKeyId() != null && setupKeys.contains(event.setupKeyId())) {
            setupKeys.put(setupKeys.get(event.setupKeyId()).used());
        }
    }

    @EventSourcingHandler
    void on(PeerRenamed event) {
        peers.rename(event.peerId(), event.newName(), event.dnsLabel());
    }

    @EventSourcingHandler
    void on(PeerSshChanged event) {
        PeerBook.Peer p = peers.get(event.peerId());
        peers.replace(p.withFlags(event.enabled(), p.loginExpirationEnabled(), p.inactivityExpirationEnabled()));
    }

    @EventSourcingHandler
    void on(PeerLoginExpirationChanged event) {
        PeerBook.Peer p = peers.get(event.peerId());
        peers.replace(p.withFlags(p.sshEnabled(), event.enabled(), p.inactivityExpirationEnabled()));
    }

    @EventSourcingHandler
    void on(PeerInactivityExpirationChanged event) {
        PeerBook.Peer p = peers.get(event.peerId());
        peers.replace(p.withFlags(p.sshEnabled(), p.loginExpirationEnabled(), event.enabled()));
    }

    @EventSourcingHandler
    void on(PeerLoginExpired event) {
        peers.replace(peers.get(event.peerId()).withExpiry(event.cause()));
    }

    @EventSourcingHandler
    void on(PeerLoginExpiryLifted event) {
        peers.replace(peers.get(event.peerId()).withExpiry(null));
    }

    @EventSourcingHandler
    void on(PeerLoginRenewed event) {
        peers.replace(peers.get(event.peerId()).loggedIn(event.renewedAt().toEpochMilli()));
    }

    @EventSourcingHandler
    void on(PeerDeleted event) {
        peers.remove(event.peerId());
        groups.forgetPeer(event.peerId());
    }

    // ---------------------------------------------------------------- sign-in and invites (embedded provider)

    /** Reasons a refused sign-in may name; anything else would let free text into the audit trail. */
    private static final java.util.Set<String> SIGN_IN_FAILURES = java.util.Set.of("wrong_password", "wrong_code",
            "blocked");

    @CommandHandler
    void handle(RecordSignIn command) {
        UserBook.User user = requireUser(command.userId());
        if (command.succeeded()) {
            apply(new UserSignedIn(accountId, user.id()));
        } else if (SIGN_IN_FAILURES.contains(command.reason())) {
            apply(new UserSignInFailed(accountId, user.id(), command.reason()));
        } else {
            throw CommandRejected.invalid("unknown sign-in failure reason");
        }
    }

    @CommandHandler
    void handle(RecordUserInvite command) {
        if (command.change() == null || command.inviteId() == null || command.email() == null) {
            throw CommandRejected.invalid("invite change, id and e-mail are required");
        }
        switch (command.change()) {
            case CREATED -> {
                requireWriter(command.actingUserId());
                if (command.role() == null || command.role() == dev.tern.events.values.UserRole.OWNER) {
                    throw CommandRejected.invalid("an invite needs a role other than owner");
                }
                apply(new UserInviteCreated(accountId, command.inviteId(), command.email(), command.role()));
            }
            case REGENERATED -> {
                requireWriter(command.actingUserId());
                apply(new UserInviteRegenerated(accountId, command.inviteId(), command.email()));
            }
            case DELETED -> {
                requireWriter(command.actingUserId());
                apply(new UserInviteDeleted(accountId, command.inviteId(), command.email()));
            }
            case ACCEPTED -> apply(new UserInviteAccepted(accountId, command.inviteId(), command.email(),
                    requireUser(command.actingUserId()).id()));
        }
    }

    @CommandHandler
    void handle(RecordPasswordChange command) {
        UserBook.User user = requireUser(command.userId());
        if (!user.id().equals(command.actingUserId())) {
            throw CommandRejected.forbidden("users can only change their own password");
        }
        apply(new UserPasswordChanged(accountId, user.id()));
    }

    // Sign-ins, invites and password changes change nothing the account decides on; they are facts for the audit.

    @EventSourcingHandler
    void on(UserPasswordChanged event) {
    }

    @EventSourcingHandler
    void on(UserSignedIn event) {
    }

    @EventSourcingHandler
    void on(UserSignInFailed event) {
    }

    @EventSourcingHandler
    void on(UserInviteCreated event) {
    }

    @EventSourcingHandler
    void on(UserInviteRegenerated event) {
    }

    @EventSourcingHandler
    void on(UserInviteDeleted event) {
    }

    @EventSourcingHandler
    void on(UserInviteAccepted event) {
    }

    // ---------------------------------------------------------------- sign-in: identity providers, JWT users and groups

    private static final int MAX_PROVIDER_TYPE = 32;
    private static final int MAX_URL = 2048;
    private static final int MAX_CLIENT_ID = 1024;
    private static final int MAX_SEALED_SECRET = 8192;

    /** The identity book; null only in an account restored from a snapshot taken before sign-in existed. */
    private IdentityBook identity() {
        if (identity == null) {
            identity = new IdentityBook();
        }
        return identity;
    }

    @CommandHandler
    void handle(CreateIdentityProvider command) {
        requireWriter(command.actingUserId());
        String id = Rules.id(command.providerId(), "identity provider id");
        if (identity().get(id) != null) {
            throw CommandRejected.conflict("identity provider " + id + " already exists");
        }
        IdentityBook.Provider p = provider(id, command.type(), command.name(), command.issuer(), command.clientId(),
                command.sealedClientSecret());
        apply(new IdentityProviderCreated(accountId, id, p.type(), p.name(), p.issuer(), p.clientId(),
                p.sealedClientSecret()));
    }

    @CommandHandler
    void handle(UpdateIdentityProvider command) {
        requireWriter(command.actingUserId());
        IdentityBook.Provider current = require("identity provider", command.providerId(), identity()::get);
        String secret = command.sealedClientSecret() == null ? current.sealedClientSecret()
                : command.sealedClientSecret();
        IdentityBook.Provider p = provider(current.id(), command.type(), command.name(), command.issuer(),
                command.clientId(), secret);
        if (p.equals(current)) {
            return;
        }
        apply(new IdentityProviderUpdated(accountId, p.id(), p.type(), p.name(), p.issuer(), p.clientId(),
                p.sealedClientSecret()));
    }

    @CommandHandler
    void handle(DeleteIdentityProvider command) {
        requireWriter(command.actingUserId());
        IdentityBook.Provider current = require("identity provider", command.providerId(), identity()::get);
        apply(new IdentityProviderDeleted(accountId, current.id()));
    }

    /** A provider's fields checked: names and issuers unique in the account (one issuer, one audience to check). */
    private IdentityBook.Provider provider(String id, String type, String name, String issuer, String clientId,
                                           String sealedSecret) {
        String checkedName = Rules.name(name, "identity provider name");
        String sameName = identity().idOfName(checkedName);
        if (sameName != null && !sameName.equals(id)) {
            throw CommandRejected.conflict("an identity provider named " + checkedName + " already exists");
        }
        String checkedIssuer = required(issuer, "issuer", MAX_URL);
        for (IdentityBook.Provider other : identity().snapshot().providers()) {
            if (!other.id().equals(id) && other.issuer().equals(checkedIssuer)) {
                throw CommandRejected.conflict("identity provider " + other.name() + " already has issuer "
                        + checkedIssuer);
            }
        }
        return new IdentityBook.Provider(id, required(type, "type", MAX_PROVIDER_TYPE), checkedName, checkedIssuer,
                required(clientId, "client_id", MAX_CLIENT_ID), Rules.text(sealedSecret, "client secret",
                MAX_SEALED_SECRET));
    }

    private static String required(String value, String what, int maxLength) {
        if (value == null || value.isBlank()) {
            throw CommandRejected.invalid(what + " is missing");
        }
        return Rules.text(value, what, maxLength);
    }

    @EventSourcingHandler
    void on(IdentityProviderCreated event) {
        identity().put(new IdentityBook.Provider(event.providerId(), event.type(), event.name(), event.issuer(),
                event.clientId(), event.sealedClientSecret()));
    }

    @EventSourcingHandler
    void on(IdentityProviderUpdated event) {
        identity().put(new IdentityBook.Provider(event.providerId(), event.type(), event.name(), event.issuer(),
                event.clientId(), event.sealedClientSecret()));
    }

    @EventSourcingHandler
    void on(IdentityProviderDeleted event) {
        identity().remove(event.providerId());
    }

    @CommandHandler
    void handle(UpdateJwtGroupSettings command) {
        requireWriter(command.actingUserId());
        JwtGroupSettings wanted = Rules.present(command.settings(), "JWT group settings");
        String claim = Rules.text(wanted.claimName(), "jwt_groups_claim_name", Names.MAX_NAME).trim();
        if (wanted.enabled() && claim.isEmpty()) {
            throw CommandRejected.invalid("jwt_groups_claim_name is required when jwt_groups_enabled is true");
        }
        if (wanted.allowGroups().size() > InputLimits.MAX_AUTO_GROUPS) {
            throw CommandRejected.invalid("jwt_allow_groups holds at most " + InputLimits.MAX_AUTO_GROUPS + " names");
        }
        List<String> allowed = new ArrayList<>(new LinkedHashSet<>(wanted.allowGroups().stream()
                .map(name -> Rules.name(name, "jwt_allow_groups entry")).toList()));
        JwtGroupSettings checked = new JwtGroupSettings(wanted.enabled(), claim, allowed);
        JwtGroupSettings current = identity().jwtGroups();
        if (checked.equals(current)) {
            return;
        }
        apply(new JwtGroupSettingsUpdated(accountId, current, checked));
    }

    @EventSourcingHandler
    void on(JwtGroupSettingsUpdated event) {
        identity().jwtGroups(event.after());
    }

    @CommandHandler
    void handle(SignInWithJwt command) {
        String userId = Rules.id(command.userId(), "user id");
        UserBook.User user = users.get(userId);
        if (user != null && user.blocked()) {
            throw CommandRejected.forbidden("user is blocked");
        }
        if (user == null && identity().wasDeleted(userId)) {
            throw CommandRejected.forbidden("user was deleted from this account");
        }
        JwtGroupSettings jwt = identity().jwtGroups();
        if (jwt.enabled() && !jwt.allowGroups().isEmpty()) {
            List<String> named = command.groupNames() == null ? List.of() : command.groupNames();
            if (jwt.allowGroups().stream().noneMatch(named::contains)) {
                throw CommandRejected.forbidden("user is not a member of any group allowed to sign in ("
                        + String.join(", ", jwt.allowGroups()) + ")");
            }
        }
        if (user != null) {
            return;
        }
        String email = Rules.email(command.email());
        if (users.humanByEmail(email) != null) {
            throw CommandRejected.forbidden("a user with e-mail " + email
                    + " already exists and did not sign in through this provider");
        }
        String name = command.name() == null || command.name().isBlank() ? email
                : Rules.name(command.name(), "user name");
        apply(new UserCreated(accountId, userId, email, name, UserRole.USER, false, List.of(), now()));
    }

    @CommandHandler
    void handle(SyncJwtGroups command) {
        UserBook.User user = requireUser(command.userId());
        if (!identity().jwtGroups().enabled() || command.groupNames() == null) {
            return;
        }
        List<String> named = new ArrayList<>();
        for (String raw : new LinkedHashSet<>(command.groupNames())) {
            if (named.size() == InputLimits.MAX_AUTO_GROUPS) {
                break;
            }
            String name;
            try {
                name = Rules.name(raw, "group name");
            } catch (CommandRejected unusable) {
                continue; // a claim value that cannot be a group name (empty, too long, control characters)
            }
            if (name.equals(AllGroup.NAME)) {
                continue;
            }
            String groupId = groups.idOfName(name);
            if (groupId == null) {
                groupId = Ids.newId();
                apply(new GroupCreated(accountId, groupId, name, GroupIssuer.JWT));
            }
            named.add(groupId);
        }
        // JWT-issued groups follow the token; groups the user was given otherwise stay.
        List<String> after = new ArrayList<>();
        for (String groupId : user.autoGroups()) {
            if (groups.get(groupId).issued() != GroupIssuer.JWT || named.contains(groupId)) {
                after.add(groupId);
            }
        }
        for (String groupId : named) {
            if (!after.contains(groupId)) {
                after.add(groupId);
            }
        }
        Diff diff = Diff.of(user.autoGroups(), after);
        if (diff.changed()) {
            apply(new UserAutoGroupsChanged(accountId, user.id(), diff.after(), diff.added(), diff.removed()));
        }
    }

    // ---------------------------------------------------------------- shared checks

    /** The acting user, who must be an unblocked owner or admin; null acting user id means the system itself. */
    private UserBook.User requireWriter(String actingUserId) {
        if (actingUserId == null) {
            return null;
        }
        UserBook.User acting = users.get(actingUserId);
        if (acting == null || acting.blocked()) {
            throw CommandRejected.forbidden("acting user " + actingUserId + " may not change this account");
        }
        if (!acting.role().canWrite()) {
            throw CommandRejected.forbidden("only owners and admins may change users");
        }
        return acting;
    }

    /** A token belongs to its user; besides them only owners and admins, and only for service users. */
    private void requireTokenManager(String actingUserId, UserBook.User target) {
        UserBook.User acting = actingUserId == null ? null : users.get(actingUserId);
        if (acting == null || acting.blocked()) {
            throw CommandRejected.forbidden("acting user " + actingUserId + " may not manage tokens here");
        }
        boolean own = acting.id().equals(target.id());
        if (!own && !(acting.role().canWrite() && target.serviceUser())) {
            throw CommandRejected.forbidden("tokens of user " + target.id() + " can only be managed by that user"
                    + (target.serviceUser() ? " or an owner or admin" : ""));
        }
    }

    // ---------------------------------------------------------------- private DNS (decided by DnsBook)

    @CommandHandler
    void handle(UpdateDnsSettings command) {
        dns.updateSettings(accountId, command.disabledManagementGroups(), groups::contains)
                .ifPresent(AggregateLifecycle::apply);
    }

    @CommandHandler
    void handle(CreateNameServerGroup command) {
        apply(dns.createNameServerGroup(accountId, command.nameServerGroupId(), command.definition(),
                groups::contains));
    }

    @CommandHandler
    void handle(UpdateNameServerGroup command) {
        apply(dns.updateNameServerGroup(accountId, command.nameServerGroupId(), command.definition(),
                groups::contains));
    }

    @CommandHandler
    void handle(DeleteNameServerGroup command) {
        apply(dns.deleteNameServerGroup(accountId, command.nameServerGroupId()));
    }

    @CommandHandler
    void handle(CreateDnsZone command) {
        apply(dns.createZone(accountId, command.zoneId(), command.definition(), dnsDomain, groups::contains));
    }

    @CommandHandler
    void handle(UpdateDnsZone command) {
        apply(dns.updateZone(accountId, command.zoneId(), command.definition(), dnsDomain, groups::contains));
    }

    @CommandHandler
    void handle(DeleteDnsZone command) {
        apply(dns.deleteZone(accountId, command.zoneId()));
    }

    @CommandHandler
    void handle(CreateDnsRecord command) {
        apply(dns.createRecord(accountId, command.zoneId(), command.recordId(), command.definition()));
    }

    @CommandHandler
    void handle(UpdateDnsRecord command) {
        apply(dns.updateRecord(accountId, command.zoneId(), command.recordId(), command.definition()));
    }

    @CommandHandler
    void handle(DeleteDnsRecord command) {
        apply(dns.deleteRecord(accountId, command.zoneId(), command.recordId()));
    }

    @EventSourcingHandler
    void on(DnsSettingsUpdated event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(NameServerGroupCreated event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(NameServerGroupUpdated event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(NameServerGroupDeleted event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(DnsZoneCreated event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(DnsZoneUpdated event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(DnsZoneDeleted event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(DnsRecordCreated event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(DnsRecordUpdated event) {
        dns.on(event);
    }

    @EventSourcingHandler
    void on(DnsRecordDeleted event) {
        dns.on(event);
    }

    private UserBook.User requireUser(String userId) {
        return require("user", userId, users::get);
    }

    private SetupKeyBook.SetupKey requireSetupKey(String keyId) {
        return require("setup key", keyId, setupKeys::get);
    }

    private GroupBook.Group requireGroup(String groupId) {
        return require("group", groupId, groups::get);
    }

    private PolicyBook.Policy requirePolicy(String policyId) {
        return require("policy", policyId, policies::get);
    }

    private PeerBook.Peer requirePeer(String peerId) {
        return require("peer", peerId, peers::get);
    }

    /** The thing a command names by id, or NOT_FOUND ("peer x not found") when the account has no such thing. */
    private static <T> T require(String kind, String id, Function<String, T> lookup) {
        T found = id == null ? null : lookup.apply(id);
        if (found == null) {
            throw CommandRejected.notFound(kind + " " + id + " not found");
        }
        return found;
    }

    private void requireFreeGroupName(String name, String groupId) {
        if (AllGroup.isReservedName(name)) {
            throw CommandRejected.conflict("the group name 'All' is reserved for the built-in group");
        }
        String holder = groups.idOfName(name);
        if (holder != null && !holder.equals(groupId)) {
            throw CommandRejected.conflict("a group named '" + name + "' already exists");
        }
    }

    /** Auto-groups (of users and setup keys): distinct, existing, never All. */
    private List<String> autoGroups(List<String> requested) {
        List<String> distinct = Rules.distinctIds(requested, "auto-groups", InputLimits.MAX_AUTO_GROUPS);
        for (String groupId : distinct) {
            if (!groups.contains(groupId)) {
                throw CommandRejected.invalid("auto-group " + groupId + " does not exist");
            }
            if (groupId.equals(allGroupId)) {
                throw CommandRejected.invalid("the All group holds every peer already; it cannot be an auto-group");
            }
        }
        return distinct;
    }

    /** Requested group members: distinct, each an existing peer. */
    private List<String> existingPeers(List<String> requested) {
        List<String> distinct = Rules.distinctIds(requested, "group peers", InputLimits.MAX_PEERS_PER_GROUP);
        for (String peerId : distinct) {
            if (!peers.contains(peerId)) {
                throw CommandRejected.invalid("peer " + peerId + " does not exist");
            }
        }
        return distinct;
    }

    private PolicyDefinition checkedDefinition(PolicyDefinition definition) {
        Rules.present(definition, "policy definition");
        if (!definition.sourcePostureChecks().isEmpty()) {
            throw CommandRejected.invalid("source posture checks are not supported yet");
        }
        // Every list here multiplies into the maps of the peers it names: bounded, so no map outgrows its peer.
        Rules.text(definition.description(), "policy description", InputLimits.MAX_DESCRIPTION);
        if (definition.rules().size() > InputLimits.MAX_RULES_PER_POLICY) {
            throw CommandRejected.invalid("policy '" + definition.name() + "' has " + definition.rules().size()
                    + " rules, more than the " + InputLimits.MAX_RULES_PER_POLICY + " allowed");
        }
        for (var rule : definition.rules()) {
            String where = "rule '" + rule.name() + "'";
            Rules.text(rule.description(), where + " description", InputLimits.MAX_DESCRIPTION);
            Rules.distinctIds(rule.sources(), where + " sources", InputLimits.MAX_GROUPS_PER_RULE_SIDE);
            Rules.distinctIds(rule.destinations(), where + " destinations", InputLimits.MAX_GROUPS_PER_RULE_SIDE);
            int portEntries = rule.ports().size() + rule.portRanges().size();
            if (portEntries > InputLimits.MAX_PORTS_PER_RULE) {
                throw CommandRejected.invalid(where + " lists " + portEntries + " ports and port ranges, more than the "
                        + InputLimits.MAX_PORTS_PER_RULE + " allowed (give consecutive ports as a range)");
            }
            for (String groupId : rule.groups()) {
                if (!groups.contains(groupId)) {
                    throw CommandRejected.invalid("rule '" + rule.name() + "' references unknown group " + groupId);
                }
            }
            if (rule.destinationResource() != null && !networks.containsResource(rule.destinationResource().id())) {
                throw CommandRejected.invalid("rule '" + rule.name() + "' references unknown network resource "
                        + rule.destinationResource().id());
            }
        }
        return definition;
    }

    /** Before/after of a list of ids: what an update added and removed, in a stable order. */
    record Diff(List<String> after, List<String> added, List<String> removed) {
        static Diff of(List<String> before, List<String> after) {
            Set<String> old = new LinkedHashSet<>(before);
            Set<String> now = new LinkedHashSet<>(after);
            return new Diff(List.copyOf(after), now.stream().filter(g -> !old.contains(g)).toList(),
                    old.stream().filter(g -> !now.contains(g)).toList());
        }

        boolean changed() {
            return !added.isEmpty() || !removed.isEmpty();
        }
    }
}
