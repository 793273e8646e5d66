package dev.tern.query.audit;

import static dev.tern.query.jdbc.Rows.listOrEmpty;

import dev.tern.events.AccountCreated;
import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.IdentityProviderCreated;
import dev.tern.events.IdentityProviderDeleted;
import dev.tern.events.IdentityProviderUpdated;
import dev.tern.events.JwtGroupSettingsUpdated;
import dev.tern.events.values.JwtGroupSettings;
import dev.tern.events.GroupCreated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.UserInviteAccepted;
import dev.tern.events.UserPasswordChanged;
import dev.tern.events.UserInviteCreated;
import dev.tern.events.UserInviteDeleted;
import dev.tern.events.UserInviteRegenerated;
import dev.tern.events.UserSignInFailed;
import dev.tern.events.UserSignedIn;
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
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.events.values.RouteDefinition;
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
import dev.tern.events.DnsRecordCreated;
import dev.tern.events.DnsRecordDeleted;
import dev.tern.events.DnsRecordUpdated;
import dev.tern.events.DnsSettingsUpdated;
import dev.tern.events.DnsZoneCreated;
import dev.tern.events.DnsZoneDeleted;
import dev.tern.events.DnsZoneUpdated;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupDeleted;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.AccountSettings;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.RebuildHeldWrites;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The audit trail (rm_audit): the one place where events become NetBird activities, with the codes of
 * openapi.yml's {@code Event.activity_code} and the meta NetBird shows. An event yields none, one or several rows
 * (one per setting changed, per group added or removed); a row's id is the event's position in the store, with a
 * suffix for the further rows of one event.
 *
 * <p>First in the read-model group ({@link Order}): Axon hands each event to the group's handlers in this order,
 * so the audit reads the other read tables as they stood before the event, and names that are about to disappear
 * (a deleted peer's name, a removed group's name) still reach the meta. A rebuild keeps the rows: replaying yields
 * the same ids, which {@code ON CONFLICT} keeps, and restores rows that went missing; it numbers every row of an
 * account afresh (account_seq, V230), the same numbers the processor gave them. During a full rebuild the tables'
 * writes are held ({@link WriteBehind}), so the names of users, peers, groups and setup keys come from
 * {@link RebuildNames}, kept from the events; the rarer look-ups flush the held writes and read the table.
 */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
@Order(Ordered.HIGHEST_PRECEDENCE)
class AuditProjection implements RebuildHeldWrites {
    private final JdbcTemplate jdbc;
    /** Rows are held during a rebuild ({@link RebuildHeldWrites}): nothing reads rm_audit while it replays. */
    private final HeldAuditRows rows;
    /** Flushes the projections' held writes before a table the audit reads during a rebuild. */
    private final WriteBehind tables;
    /** While a full rebuild replays on this thread: the names the audit shows, kept from the events. */
    private final ThreadLocal<RebuildNames> rebuildNames = new ThreadLocal<>();
    /**
     * While a rebuild replays (on its thread only), each account's last account_seq so far. A rebuild hands every
     * event from the store's first up to the processor's position, gaps left out as the processor left them out, in
     * global order: counting the rows as they come numbers them as the processor's rows are numbered.
     */
    private final ThreadLocal<Map<String, Long>> rebuildNumbering = new ThreadLocal<>();

    AuditProjection(JdbcTemplate jdbc, Environment environment) {
        this.jdbc = jdbc;
        this.rows = new HeldAuditRows(jdbc,
                environment.getProperty(QuerySideConfiguration.OFFLINE_REBUILD_PROPERTY, Boolean.class, false));
        this.tables = new WriteBehind(jdbc);
    }

    // ---- accounts and users

    @EventHandler
    void on(AccountCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.ACCOUNT_CREATED, e.accountId(),
                meta("network", e.network().toString(), "dns_domain", e.dnsDomain()));
    }

    /**
     * One audit entry per setting that actually changed, as NetBird records them: the switch turned on or off,
     * the period updated (seconds), each with its old and new value.
     */
    @EventHandler
    void on(AccountSettingsUpdated e, EventMessage<?> message, TrackingToken token) {
        AccountSettings before = e.before() == null ? AccountSettings.defaults() : e.before();
        AccountSettings after = e.after();
        List<AuditedChange> changes = List.of(
                switched(before.peerLoginExpirationEnabled(), after.peerLoginExpirationEnabled(),
                        Activity.ACCOUNT_PEER_LOGIN_EXPIRATION_ENABLED,
                        Activity.ACCOUNT_PEER_LOGIN_EXPIRATION_DISABLED),
                new AuditedChange(Activity.ACCOUNT_PEER_LOGIN_EXPIRATION_UPDATED,
                        before.peerLoginExpirationSeconds(), after.peerLoginExpirationSeconds()),
                switched(before.peerInactivityExpirationEnabled(), after.peerInactivityExpirationEnabled(),
                        Activity.ACCOUNT_PEER_INACTIVITY_EXPIRATION_ENABLED,
                        Activity.ACCOUNT_PEER_INACTIVITY_EXPIRATION_DISABLED),
                new AuditedChange(Activity.ACCOUNT_PEER_INACTIVITY_EXPIRATION_UPDATED,
                        before.peerInactivityExpirationSeconds(), after.peerInactivityExpirationSeconds()));
        int sub = 0;
        for (AuditedChange change : changes) {
            if (!change.oldValue().equals(change.newValue())) {
                record(message, token, sub++, e.accountId(), change.activity(), e.accountId(),
                        meta("old", change.oldValue().toString(), "new", change.newValue().toString()));
            }
        }
    }

    /** NetBird's entry with its meta names; the peers' new addresses show in the peers themselves. */
    @EventHandler
    void on(AccountNetworkRangeChanged e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.ACCOUNT_NETWORK_RANGE_UPDATED, e.accountId(),
                meta("old_network_range", e.before().toString(), "new_network_range", e.after().toString()));
    }

    private record AuditedChange(Activity activity, Object oldValue, Object newValue) {
    }

    private static AuditedChange switched(boolean before, boolean after, Activity enabled, Activity disabled) {
        return new AuditedChange(after ? enabled : disabled, before, after);
    }

    @EventHandler
    void on(UserCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(),
                e.serviceUser() ? Activity.SERVICE_USER_CREATED : Activity.USER_CREATED, e.userId(),
                meta("name", e.name(), "email", e.email(), "role", e.role().wireName()));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            // as UserProjection stores them
            names.users.putIfAbsent(e.userId(), new RebuildNames.User(e.name() == null ? "" : e.name(),
                    e.email() == null ? "" : e.email(), e.serviceUser()));
        }
    }

    @EventHandler
    void on(UserRoleChanged e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_ROLE_UPDATED, e.userId(),
                withUser(e.userId(), meta("role", e.newRole().wireName(), "old_role",
                        e.oldRole() == null ? null : e.oldRole().wireName())));
    }

    @EventHandler
    void on(UserBlocked e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_BLOCKED, e.userId(), withUser(e.userId(), meta()));
    }

    @EventHandler
    void on(UserUnblocked e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_UNBLOCKED, e.userId(), withUser(e.userId(), meta()));
    }

    @EventHandler
    void on(UserAutoGroupsChanged e, EventMessage<?> message, TrackingToken token) {
        recordGroupChanges(message, token, e.accountId(), e.userId(), e.added(), Activity.GROUP_ADDED_TO_USER,
                e.removed(), Activity.GROUP_REMOVED_FROM_USER,
                groupId -> withUser(e.userId(), meta("group", groupId, "group_name", groupName(groupId))));
    }

    @EventHandler
    void on(UserDeleted e, EventMessage<?> message, TrackingToken token) {
        RebuildNames names = rebuildNames.get();
        boolean serviceUser = names != null
                ? Optional.ofNullable(names.users.get(e.userId())).map(RebuildNames.User::serviceUser).orElse(false)
                : Boolean.TRUE.equals(jdbc.queryForList("SELECT service_user FROM rm_users WHERE id = ?",
                        Boolean.class, e.userId()).stream().findFirst().orElse(false));
        record(message, token, e.accountId(),
                serviceUser ? Activity.SERVICE_USER_DELETED : Activity.USER_DELETED, e.userId(),
                withUser(e.userId(), meta()));
        if (names != null) {
            names.users.remove(e.userId());
        }
    }

    @EventHandler
    void on(PersonalAccessTokenCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.PERSONAL_ACCESS_TOKEN_CREATED, e.tokenId(),
                withUser(e.userId(), meta("name", e.name(), "user_id", e.userId())));
    }

    @EventHandler
    void on(PersonalAccessTokenDeleted e, EventMessage<?> message, TrackingToken token) {
        String name = single("SELECT name FROM rm_tokens WHERE id = ?", e.tokenId()).orElse(null);
        record(message, token, e.accountId(), Activity.PERSONAL_ACCESS_TOKEN_DELETED, e.tokenId(),
                withUser(e.userId(), meta("name", name, "user_id", e.userId())));
    }

    // ---- sign-in and invites (the embedded OpenID Provider)

    @EventHandler
    void on(UserSignedIn e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_SIGNED_IN, e.userId(), withUser(e.userId(), meta()));
    }

    @EventHandler
    void on(UserSignInFailed e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_SIGN_IN_FAILED, e.userId(),
                withUser(e.userId(), meta("reason", e.reason())));
    }

    @EventHandler
    void on(UserInviteCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_INVITE_LINK_CREATED, e.inviteId(),
                meta("email", e.email(), "role", e.role().wireName()));
    }

    @EventHandler
    void on(UserInviteRegenerated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_INVITE_LINK_REGENERATED, e.inviteId(),
                meta("email", e.email()));
    }

    @EventHandler
    void on(UserInviteDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_INVITE_LINK_DELETED, e.inviteId(),
                meta("email", e.email()));
    }

    @EventHandler
    void on(UserPasswordChanged e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_PASSWORD_CHANGED, e.userId(), withUser(e.userId(), meta()));
    }

    @EventHandler
    void on(UserInviteAccepted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.USER_INVITE_LINK_ACCEPTED, e.userId(),
                withUser(e.userId(), meta("email", e.email(), "invite_id", e.inviteId())));
    }

    // ---- setup keys

    @EventHandler
    void on(SetupKeyCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.SETUP_KEY_CREATED, e.setupKeyId(),
                meta("name", e.name(), "type", e.type().wireName(), "key", e.keyPrefix()));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.setupKeys.putIfAbsent(e.setupKeyId(), e.name());
        }
    }

    @EventHandler
    void on(SetupKeyRevoked e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.SETUP_KEY_REVOKED, e.setupKeyId(),
                meta("name", setupKeyName(e.setupKeyId())));
    }

    @EventHandler
    void on(SetupKeyAutoGroupsChanged e, EventMessage<?> message, TrackingToken token) {
        String keyName = setupKeyName(e.setupKeyId());
        recordGroupChanges(message, token, e.accountId(), e.setupKeyId(), e.added(), Activity.GROUP_ADDED_TO_SETUP_KEY,
                e.removed(), Activity.GROUP_REMOVED_FROM_SETUP_KEY,
                groupId -> meta("group", groupId, "group_name", groupName(groupId), "setupkey", keyName));
    }

    @EventHandler
    void on(SetupKeyDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.SETUP_KEY_DELETED, e.setupKeyId(),
                meta("name", setupKeyName(e.setupKeyId())));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.setupKeys.remove(e.setupKeyId());
        }
    }

    // ---- groups and policies

    @EventHandler
    void on(GroupCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.GROUP_CREATED, e.groupId(), meta("name", e.name()));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.groups.putIfAbsent(e.groupId(), e.name());
        }
    }

    @EventHandler
    void on(GroupRenamed e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.GROUP_UPDATED, e.groupId(),
                meta("name", e.newName(), "old_name", e.oldName()));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.groupRenamed(e.groupId(), e.newName());
        }
    }

    @EventHandler
    void on(GroupDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.GROUP_DELETED, e.groupId(), meta("name", e.name()));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.groups.remove(e.groupId());
        }
    }

    @EventHandler
    void on(PeerAddedToGroup e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.GROUP_ADDED_TO_PEER, e.peerId(), membershipMeta(e.groupId(),
                e.peerId()));
    }

    @EventHandler
    void on(PeerRemovedFromGroup e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.GROUP_REMOVED_FROM_PEER, e.peerId(),
                membershipMeta(e.groupId(), e.peerId()));
    }

    @EventHandler
    void on(PolicyCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.POLICY_ADDED, e.policyId(),
                meta("name", e.definition().name()));
    }

    @EventHandler
    void on(PolicyUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.POLICY_UPDATED, e.policyId(),
                meta("name", e.definition().name()));
    }

    @EventHandler
    void on(PolicyDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.POLICY_DELETED, e.policyId(), meta("name", e.name()));
    }

    // ---- peers (PeerLoginExpiryLifted is not audited: the settings or flag change that lifted the expiry is,
    // in the same command)

    @EventHandler
    void on(PeerRegistered e, EventMessage<?> message, TrackingToken token) {
        boolean byUser = e.userId() != null && !e.userId().isBlank();
        record(message, token, e.accountId(),
                byUser ? Activity.PEER_ADDED_BY_USER : Activity.PEER_ADDED_WITH_SETUP_KEY, e.peerId(),
                meta("name", e.name(), "ip", e.ip().address(), "dns_label", e.dnsLabel(),
                        "setup_key_id", e.setupKeyId(), "setup_key_name", setupKeyName(e.setupKeyId()),
                        "user_id", byUser ? e.userId() : null));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.peers.putIfAbsent(e.peerId(), new RebuildNames.Peer(e.name(), e.ip().address(), e.dnsLabel()));
        }
    }

    @EventHandler
    void on(PeerRenamed e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.PEER_RENAMED, e.peerId(),
                withPeer(e.peerId(), meta("name", e.newName(), "old_name", e.oldName(), "dns_label", e.dnsLabel())));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.peerRenamed(e.peerId(), e.newName(), e.dnsLabel());
        }
    }

    @EventHandler
    void on(PeerSshChanged e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(),
                e.enabled() ? Activity.PEER_SSH_ENABLED : Activity.PEER_SSH_DISABLED, e.peerId(),
                withPeer(e.peerId(), meta()));
    }

    @EventHandler
    void on(PeerLoginExpirationChanged e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), e.enabled()
                        ? Activity.PEER_LOGIN_EXPIRATION_ENABLED : Activity.PEER_LOGIN_EXPIRATION_DISABLED,
                e.peerId(), withPeer(e.peerId(), meta()));
    }

    @EventHandler
    void on(PeerInactivityExpirationChanged e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), e.enabled()
                        ? Activity.PEER_INACTIVITY_EXPIRATION_ENABLED : Activity.PEER_INACTIVITY_EXPIRATION_DISABLED,
                e.peerId(), withPeer(e.peerId(), meta()));
    }

    @EventHandler
    void on(PeerLoginExpired e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.PEER_LOGIN_EXPIRED, e.peerId(),
                withPeer(e.peerId(), meta("cause", e.cause().wireName())));
    }

    @EventHandler
    void on(PeerLoginRenewed e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.PEER_LOGGED_IN, e.peerId(),
                withPeer(e.peerId(), meta("setup_key_id", e.setupKeyId(),
                        "setup_key_name", setupKeyName(e.setupKeyId()))));
    }

    @EventHandler
    void on(PeerDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.PEER_DELETED, e.peerId(),
                withPeer(e.peerId(), meta("wg_pub_key", e.wgPubKey() == null ? null : e.wgPubKey().base64())));
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.peers.remove(e.peerId());
        }
    }

    // ---- routes (NetBird's Route.EventMeta: net id, network or domains, routing peer or peer groups)

    @EventHandler
    void on(RouteCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.ROUTE_CREATED, e.routeId(), routeMeta(e.definition()));
        routeWritten(e.routeId(), e.definition());
    }

    @EventHandler
    void on(RouteUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.ROUTE_UPDATED, e.routeId(), routeMeta(e.definition()));
        routeWritten(e.routeId(), e.definition());
    }

    /** As RouteProjection upserts it. */
    private void routeWritten(String routeId, RouteDefinition definition) {
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            names.routes.put(routeId, Json.write(definition));
        }
    }

    @EventHandler
    void on(RouteDeleted e, EventMessage<?> message, TrackingToken token) {
        // the route's row is still there: the audit runs before the table projections
        RebuildNames names = rebuildNames.get();
        Optional<String> definition = names != null ? Optional.ofNullable(names.routes.remove(e.routeId()))
                : jdbc.queryForList("SELECT definition FROM rm_routes WHERE id = ?", String.class, e.routeId())
                        .stream().findFirst();
        Map<String, String> meta = definition.map(json -> routeMeta(Json.read(json, RouteDefinition.class)))
                .orElseGet(() -> meta("name", e.netId()));
        record(message, token, e.accountId(), Activity.ROUTE_REMOVED, e.routeId(), meta);
    }

    private static Map<String, String> routeMeta(RouteDefinition d) {
        return meta("name", d.netId(), "network_range", d.networkText(), "domains", String.join(", ", d.domains()),
                "peer_id", d.peer() == null ? "" : d.peer(), "peer_groups", String.join(",", d.peerGroups()));
    }

    // ---- networks, resources and routers (NetBird's meta: names, the resource's address and type, the router's
    // peer or peer groups, and the network they belong to)

    @EventHandler
    void on(NetworkCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_CREATED, e.networkId(), meta("name", e.name()));
    }

    @EventHandler
    void on(NetworkUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_UPDATED, e.networkId(), meta("name", e.name()));
    }

    @EventHandler
    void on(NetworkDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_DELETED, e.networkId(), meta("name", e.name()));
    }

    @EventHandler
    void on(NetworkResourceCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_RESOURCE_CREATED, e.resourceId(),
                resourceMeta(e.networkId(), e.definition()));
        recordResourceGroups(message, token, e.accountId(), e.resourceId(), e.definition(), List.of(),
                e.definition().groups());
    }

    @EventHandler
    void on(NetworkResourceUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_RESOURCE_UPDATED, e.resourceId(),
                resourceMeta(e.networkId(), e.definition()));
        recordResourceGroups(message, token, e.accountId(), e.resourceId(), e.definition(),
                resourceGroups(e.resourceId()), e.definition().groups());
    }

    @EventHandler
    void on(NetworkResourceDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_RESOURCE_DELETED, e.resourceId(),
                meta("name", e.name(), "network_id", e.networkId(), "network_name", networkName(e.networkId())));
    }

    /**
     * NetBird's resource.group.add / resource.group.delete, one row per group the resource joined or left (rows 1,
     * 2, ... of the event; row 0 is the resource's own activity).
     */
    private void recordResourceGroups(EventMessage<?> message, TrackingToken token, String accountId,
                                      String resourceId, NetworkResourceDefinition resource, List<String> before,
                                      List<String> after) {
        int sub = 1;
        for (String groupId : after) {
            if (!before.contains(groupId)) {
                record(message, token, sub++, accountId, Activity.RESOURCE_ADDED_TO_GROUP, resourceId,
                        meta("group", groupId, "group_name", groupName(groupId), "resource_name", resource.name()));
            }
        }
        for (String groupId : before) {
            if (!after.contains(groupId)) {
                record(message, token, sub++, accountId, Activity.RESOURCE_REMOVED_FROM_GROUP, resourceId,
                        meta("group", groupId, "group_name", groupName(groupId), "resource_name", resource.name()));
            }
        }
    }

    /** The groups the resource is in before this event: the audit runs before the table projections. */
    private List<String> resourceGroups(String resourceId) {
        tables.flush();
        return jdbc.queryForList("SELECT definition FROM rm_network_resources WHERE id = ?", String.class, resourceId)
                .stream().findFirst().map(json -> Json.read(json, NetworkResourceDefinition.class).groups())
                .orElse(List.of());
    }

    @EventHandler
    void on(NetworkRouterCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_ROUTER_CREATED, e.routerId(),
                routerMeta(e.networkId(), e.definition()));
    }

    @EventHandler
    void on(NetworkRouterUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_ROUTER_UPDATED, e.routerId(),
                routerMeta(e.networkId(), e.definition()));
    }

    @EventHandler
    void on(NetworkRouterDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NETWORK_ROUTER_DELETED, e.routerId(),
                meta("network_id", e.networkId(), "network_name", networkName(e.networkId())));
    }

    private Map<String, String> resourceMeta(String networkId, NetworkResourceDefinition d) {
        return meta("name", d.name(), "type", d.type(), "address", d.address(), "network_id", networkId,
                "network_name", networkName(networkId));
    }

    private Map<String, String> routerMeta(String networkId, NetworkRouterDefinition d) {
        return meta("peer", d.peer() == null ? "" : d.peer(), "peer_groups", String.join(",", d.peerGroups()),
                "network_id", networkId, "network_name", networkName(networkId));
    }

    private String networkName(String networkId) {
        return single("SELECT name FROM rm_networks WHERE id = ?", networkId).orElse(null);
    }

    // ---- rows and meta

    /** The first (usually only) row an event yields. */
    private void record(EventMessage<?> message, TrackingToken token, String accountId, Activity activity,
                        String targetId, Map<String, String> meta) {
        record(message, token, 0, accountId, activity, targetId, meta);
    }

    /** Row {@code sub} of an event that yields several (one per added group, ...). */
    private void record(EventMessage<?> message, TrackingToken token, int sub, String accountId, Activity activity,
                        String targetId, Map<String, String> meta) {
        long position = position(token);
        Actor actor = Actor.fromMetadata(message.getMetaData());
        Timestamp occurredAt = Timestamp.from(message.getTimestamp());
        String target = targetId == null ? "" : targetId;
        String metaJson = Json.write(meta);
        Map<String, Long> numbering = rebuildNumbering.get();
        if (numbering != null) {
            // a rebuild reads the store in global order: the token's position is the event's own global index
            long accountSeq = numbering.merge(accountId, 1L, Long::sum);
            rows.rebuilt(position, sub, accountId, occurredAt, activity.text, activity.code, actor.id(), actor.name(),
                    actor.email(), target, metaJson, accountSeq);
            return;
        }
        rows.insert(message.getIdentifier(), position, sub, accountId, occurredAt, activity.text, activity.code,
                actor.id(), actor.name(), actor.email(), target, metaJson);
    }

    @Override
    public void holdWrites() {
        rows.hold();
        rebuildNames.set(new RebuildNames());
        rebuildNumbering.set(new HashMap<>());
    }

    @Override
    public void flushHeldWrites() {
        rows.flush();
    }

    @Override
    public void finishHeldWrites() {
        rows.finish();
    }

    @Override
    public void stopHoldingWrites() {
        rows.stop();
        rebuildNames.remove();
        rebuildNumbering.remove();
    }

    /** One row per group added, then one per group removed (rows 0, 1, ... of the event). */
    private void recordGroupChanges(EventMessage<?> message, TrackingToken token, String accountId, String targetId,
                                    List<String> added, Activity addedActivity, List<String> removed,
                                    Activity removedActivity, Function<String, Map<String, String>> metaOfGroup) {
        int sub = 0;
        for (String groupId : listOrEmpty(added)) {
            record(message, token, sub++, accountId, addedActivity, targetId, metaOfGroup.apply(groupId));
        }
        for (String groupId : listOrEmpty(removed)) {
            record(message, token, sub++, accountId, removedActivity, targetId, metaOfGroup.apply(groupId));
        }
    }

    // ---- private DNS

    /** One entry per group that entered or left the disabled management groups, as NetBird records them. */
    @EventHandler
    void on(DnsSettingsUpdated e, EventMessage<?> message, TrackingToken token) {
        List<String> before = e.disabledManagementGroupsBefore();
        List<String> after = e.disabledManagementGroups();
        recordGroupChanges(message, token, e.accountId(), e.accountId(),
                after.stream().filter(g -> !before.contains(g)).toList(), Activity.DNS_MANAGEMENT_DISABLED_FOR_GROUP,
                before.stream().filter(g -> !after.contains(g)).toList(), Activity.DNS_MANAGEMENT_ENABLED_FOR_GROUP,
                groupId -> meta("group", groupId, "group_name", groupName(groupId)));
    }

    @EventHandler
    void on(NameServerGroupCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NAMESERVER_GROUP_CREATED, e.nameServerGroupId(),
                meta("name", e.definition().name()));
    }

    @EventHandler
    void on(NameServerGroupUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NAMESERVER_GROUP_UPDATED, e.nameServerGroupId(),
                meta("name", e.definition().name()));
    }

    @EventHandler
    void on(NameServerGroupDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.NAMESERVER_GROUP_DELETED, e.nameServerGroupId(),
                meta("name", e.name()));
    }

    @EventHandler
    void on(DnsZoneCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.DNS_ZONE_CREATED, e.zoneId(),
                meta("name", e.definition().name(), "domain", e.definition().domain()));
    }

    @EventHandler
    void on(DnsZoneUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.DNS_ZONE_UPDATED, e.zoneId(),
                meta("name", e.definition().name(), "domain", e.definition().domain()));
    }

    @EventHandler
    void on(DnsZoneDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.DNS_ZONE_DELETED, e.zoneId(),
                meta("name", e.name(), "domain", e.domain()));
    }

    @EventHandler
    void on(DnsRecordCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.DNS_RECORD_CREATED, e.recordId(), recordMeta(e.zoneId(),
                e.definition()));
    }

    @EventHandler
    void on(DnsRecordUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.DNS_RECORD_UPDATED, e.recordId(), recordMeta(e.zoneId(),
                e.definition()));
    }

    @EventHandler
    void on(DnsRecordDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.DNS_RECORD_DELETED, e.recordId(),
                meta("name", e.name(), "zone_id", e.zoneId()));
    }

    private static Map<String, String> recordMeta(String zoneId, DnsRecordDefinition record) {
        return meta("name", record.name(), "type", record.type().name(), "content", record.content(),
                "zone_id", zoneId);
    }

    /** Meta with the null values dropped, in insertion order. */
    private static Map<String, String> meta(String... keysAndValues) {
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                meta.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return meta;
    }

    /** Adds the user's name and email, which the audit shows for the target user. */
    private Map<String, String> withUser(String userId, Map<String, String> meta) {
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            RebuildNames.User user = names.users.get(userId);
            if (user != null) {
                meta.putIfAbsent("user_name", user.name());
                meta.putIfAbsent("user_email", user.email());
            }
            return meta;
        }
        jdbc.query("SELECT name, email FROM rm_users WHERE id = ?", rs -> {
            meta.putIfAbsent("user_name", rs.getString("name"));
            meta.putIfAbsent("user_email", rs.getString("email"));
        }, userId);
        return meta;
    }

    /** Adds the peer's current name and mesh IP, as NetBird's peer activities carry them. */
    private Map<String, String> withPeer(String peerId, Map<String, String> meta) {
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            RebuildNames.Peer peer = names.peers.get(peerId);
            if (peer != null) {
                meta.putIfAbsent("name", peer.name());
                meta.putIfAbsent("ip", peer.ip());
                meta.putIfAbsent("dns_label", peer.dnsLabel());
            }
            return meta;
        }
        jdbc.query("SELECT name, ip, dns_label FROM rm_peers WHERE id = ?", rs -> {
            meta.putIfAbsent("name", rs.getString("name"));
            meta.putIfAbsent("ip", rs.getString("ip"));
            meta.putIfAbsent("dns_label", rs.getString("dns_label"));
        }, peerId);
        return meta;
    }

    /** The group's name and the peer's name and IP in one round trip: membership changes are the commonest events. */
    private Map<String, String> membershipMeta(String groupId, String peerId) {
        Map<String, String> meta = meta("group", groupId);
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            String groupName = names.groupName(groupId);
            if (groupName != null) {
                meta.put("group_name", groupName);
            }
            RebuildNames.Peer peer = peerId == null ? null : names.peers.get(peerId);
            if (peer != null) {
                meta.put("peer_name", peer.name());
                meta.put("peer_ip", peer.ip());
            }
            return meta;
        }
        jdbc.query("""
                SELECT g.name AS group_name, p.id AS peer_id, p.name AS peer_name, p.ip AS peer_ip
                FROM (SELECT 1) AS one LEFT JOIN rm_groups g ON g.id = ? LEFT JOIN rm_peers p ON p.id = ?""", rs -> {
            if (rs.getString("group_name") != null) {
                meta.put("group_name", rs.getString("group_name"));
            }
            if (rs.getString("peer_id") != null) {
                meta.put("peer_name", rs.getString("peer_name"));
                meta.put("peer_ip", rs.getString("peer_ip"));
            }
        }, groupId, peerId);
        return meta;
    }

    private String groupName(String groupId) {
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            return names.groupName(groupId);
        }
        return single("SELECT name FROM rm_groups WHERE id = ?", groupId).orElse(null);
    }

    private String setupKeyName(String setupKeyId) {
        RebuildNames names = rebuildNames.get();
        if (names != null) {
            return names.setupKeyName(setupKeyId);
        }
        return single("SELECT name FROM rm_setup_keys WHERE id = ?", setupKeyId).orElse(null);
    }

    private Optional<String> single(String sql, String id) {
        if (id == null) {
            return Optional.empty();
        }
        tables.flush();
        return jdbc.queryForList(sql, String.class, id).stream().findFirst();
    }

    /** The processor's position at the event: the event's own global index unless the event came late. */
    private static long position(TrackingToken token) {
        if (token == null || token.position().isEmpty()) {
            // The audit id is the event's position in the store; only a streaming processor hands events over by it.
            throw new IllegalStateException("audit rows need the event's tracking token; run the "
                    + QuerySideConfiguration.READ_MODEL + " group on a streaming processor");
        }
        return token.position().getAsLong();
    }

    // ---- sign-in: identity providers and JWT group settings (never the client secret, sealed or not)

    @EventHandler
    void on(IdentityProviderCreated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.IDENTITY_PROVIDER_CREATED, e.providerId(),
                meta("name", e.name(), "issuer", e.issuer(), "type", e.type()));
    }

    @EventHandler
    void on(IdentityProviderUpdated e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.IDENTITY_PROVIDER_UPDATED, e.providerId(),
                meta("name", e.name(), "issuer", e.issuer(), "type", e.type()));
    }

    @EventHandler
    void on(IdentityProviderDeleted e, EventMessage<?> message, TrackingToken token) {
        record(message, token, e.accountId(), Activity.IDENTITY_PROVIDER_DELETED, e.providerId(), meta());
    }

    @EventHandler
    void on(JwtGroupSettingsUpdated e, EventMessage<?> message, TrackingToken token) {
        JwtGroupSettings after = e.after();
        record(message, token, e.accountId(), Activity.JWT_GROUP_SETTINGS_UPDATED, e.accountId(),
                meta("jwt_groups_enabled", String.valueOf(after.enabled()), "jwt_groups_claim_name",
                        after.claimName(), "jwt_allow_groups", String.join(",", after.allowGroups())));
    }
}
