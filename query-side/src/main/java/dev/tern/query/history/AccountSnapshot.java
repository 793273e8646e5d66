package dev.tern.query.history;

import dev.tern.events.AccountCreated;
import dev.tern.events.AccountEvent;
import dev.tern.events.AccountEventDispatch;
import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.AllGroup;
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
import dev.tern.events.IdentityProviderCreated;
import dev.tern.events.IdentityProviderDeleted;
import dev.tern.events.IdentityProviderUpdated;
import dev.tern.events.JwtGroupSettingsUpdated;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupDeleted;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.NetworkCreated;
import dev.tern.events.NetworkDeleted;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkResourceDeleted;
import dev.tern.events.NetworkResourceUpdated;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkRouterDeleted;
import dev.tern.events.NetworkRouterUpdated;
import dev.tern.events.NetworkUpdated;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerExtraDnsLabelsSet;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
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
import dev.tern.events.UserInviteAccepted;
import dev.tern.events.UserInviteCreated;
import dev.tern.events.UserInviteDeleted;
import dev.tern.events.UserInviteRegenerated;
import dev.tern.events.UserPasswordChanged;
import dev.tern.events.UserRoleChanged;
import dev.tern.events.UserSignInFailed;
import dev.tern.events.UserSignedIn;
import dev.tern.events.UserUnblocked;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.JwtGroupSettings;
import dev.tern.events.values.NameServerGroupDefinition;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import dev.tern.query.dns.DnsReads;
import dev.tern.query.groups.GroupReads;
import dev.tern.query.groups.GroupView;
import dev.tern.query.groups.PolicyView;
import dev.tern.query.identity.IdentityProviderReads;
import dev.tern.query.jdbc.Json;
import dev.tern.query.networks.NetworkReads;
import dev.tern.query.networks.NetworkView;
import dev.tern.query.peers.PeerReads;
import dev.tern.query.peers.PeerView;
import dev.tern.query.routes.RouteReads;
import dev.tern.query.routes.RouteView;
import dev.tern.query.setupkeys.SetupKeyReads;
import dev.tern.query.setupkeys.SetupKeyView;
import dev.tern.query.users.AccountView;
import dev.tern.query.users.TokenView;
import dev.tern.query.users.UserReads;
import dev.tern.query.users.UserView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.axonframework.eventhandling.EventMessage;

/**
 * One account's read model after a prefix of its events, folded in memory: what every read table shows of the
 * account then, answered through the tables' own read classes ({@link dev.tern.query.AsOfScope}), so an as-of GET
 * needs no read tables built as of the instant (temporary tables, the account's events replayed through the
 * projections: seconds for a big account).
 *
 * <p>Each event does here what its projection's statements do to the rows (same conflicts ignored, same cascades,
 * a definition read back as its table stores it); the views come in the tables' orders ({@link TableOrder}),
 * timestamps as the tables store them (to the microsecond). Connection state and token use are not history: every
 * peer reads as not connected, no token as used. {@code AsOfWithoutReadTablesApiTest} compares every as-of GET
 * answered from here with the same GET through the read tables, byte for byte, at every instant of scripted
 * histories. Views are built when first asked for; a snapshot may serve several reads at once.
 */
public final class AccountSnapshot implements UserReads.AsOf, PeerReads.AsOf, GroupReads.AsOf, SetupKeyReads.AsOf,
        RouteReads.AsOf, NetworkReads.AsOf, DnsReads.AsOf, IdentityProviderReads.AsOf {

    private final TableOrder order;
    private String accountId;
    private AccountView account;
    private JwtGroupSettings jwtGroups = JwtGroupSettings.defaults();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Map<String, PolicyDefinition> policies = new LinkedHashMap<>();
    private final Map<String, SetupKey> setupKeys = new LinkedHashMap<>();
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, PersonalAccessTokenCreated> tokens = new LinkedHashMap<>();
    private final Map<String, RouteDefinition> routes = new LinkedHashMap<>();
    private final Map<String, Network> networks = new LinkedHashMap<>();
    private final Map<String, Placed<NetworkResourceDefinition>> resources = new LinkedHashMap<>();
    private final Map<String, Placed<NetworkRouterDefinition>> routers = new LinkedHashMap<>();
    private List<String> dnsDisabledGroups = List.of();
    private final Map<String, NameServerGroupDefinition> nameServerGroups = new LinkedHashMap<>();
    private final Map<String, DnsZoneDefinition> zones = new LinkedHashMap<>();
    private final Map<String, Placed<DnsRecordDefinition>> records = new LinkedHashMap<>();
    /** The timestamp of the event being folded: what a projection's {@code updated_at = ?} takes from its message. */
    private Instant eventTime;

    private List<PeerView> peerViews;
    private List<Group> groupsByName;
    private List<GroupView> groupViews;
    private List<PolicyView> policyViews;
    private List<SetupKeyView> setupKeyViews;
    private List<UserView> userViews;
    private Map<String, List<TokenView>> tokenViews;
    private List<RouteView> routeViews;
    private List<NetworkView> networkViews;
    private List<NetworkView.Resource> resourceViews;
    private List<NetworkView.Router> routerViews;
    private List<DnsReads.NameServerGroupView> nameServerGroupViews;
    private List<DnsReads.ZoneView> zoneViews;

    private AccountSnapshot(TableOrder order) {
        this.order = order;
    }

    /** The account's read model after exactly these events (its own, in stream order). */
    public static AccountSnapshot of(List<? extends EventMessage<?>> events, TableOrder order) {
        AccountSnapshot snapshot = new AccountSnapshot(order);
        for (EventMessage<?> event : events) {
            // the store holds only account events; anything else (an upcaster's leftover) has no place in the state
            if (event.getPayload() instanceof AccountEvent accountEvent) {
                snapshot.eventTime = event.getTimestamp();
                DISPATCH.apply(snapshot, accountEvent);
            }
        }
        snapshot.eventTime = null;
        return snapshot;
    }

    /** The event types that change what the snapshot shows; for the completeness test. */
    static Set<Class<?>> handledEventTypes() {
        return DISPATCH.handledTypes();
    }

    /** What each event does to the rows, as its projection's statements do. */
    private static final AccountEventDispatch<AccountSnapshot> DISPATCH = AccountEventDispatch.<AccountSnapshot>builder()
            // accounts, users, tokens (UserProjection; rm_accounts ON CONFLICT DO NOTHING)
            .on(AccountCreated.class, (s, e) -> {
                if (s.account == null) {
                    s.accountId = e.accountId();
                    s.account = new AccountView(e.accountId(), e.network().toString(), e.dnsDomain(),
                            PointInTimeReads.asStored(e.createdAt()), AccountSettings.defaults());
                }
            })
            .on(AccountSettingsUpdated.class, (s, e) -> s.account = new AccountView(s.account.id(),
                    s.account.network(), s.account.dnsDomain(), s.account.createdAt(), e.after()))
            .on(AccountNetworkRangeChanged.class, (s, e) -> {
                s.account = new AccountView(s.account.id(), e.after().toString(), s.account.dnsDomain(),
                        s.account.createdAt(), s.account.settings());
                e.peerAddresses().forEach(moved -> s.peer(moved.peerId()).ifPresent(p -> p.ip = moved.ip().address()));
            })
            .on(UserCreated.class, (s, e) -> s.users.putIfAbsent(e.userId(), new User(e)))
            .on(UserRoleChanged.class, (s, e) -> s.user(e.userId()).ifPresent(u -> u.role = e.newRole()))
            .on(UserBlocked.class, (s, e) -> s.user(e.userId()).ifPresent(u -> u.blocked = true))
            .on(UserUnblocked.class, (s, e) -> s.user(e.userId()).ifPresent(u -> u.blocked = false))
            .on(UserAutoGroupsChanged.class,
                    (s, e) -> s.user(e.userId()).ifPresent(u -> u.autoGroups = listOrEmpty(e.autoGroups())))
            .on(UserDeleted.class, (s, e) -> {
                s.tokens.values().removeIf(t -> t.userId().equals(e.userId()));
                s.users.remove(e.userId());
            })
            .on(PersonalAccessTokenCreated.class, (s, e) -> s.tokens.putIfAbsent(e.tokenId(), e))
            .on(PersonalAccessTokenDeleted.class, (s, e) -> s.tokens.remove(e.tokenId()))
            // setup keys (SetupKeyProjection; their usage counted by PeerProjection)
            .on(SetupKeyCreated.class, (s, e) -> s.setupKeys.putIfAbsent(e.setupKeyId(), new SetupKey(e)))
            .on(SetupKeyRevoked.class, (s, e) -> s.setupKey(e.setupKeyId()).ifPresent(k -> {
                k.revoked = true;
                k.updatedAt = s.eventTime;
            }))
            .on(SetupKeyAutoGroupsChanged.class, (s, e) -> s.setupKey(e.setupKeyId()).ifPresent(k -> {
                k.autoGroups = listOrEmpty(e.autoGroups());
                k.updatedAt = s.eventTime;
            }))
            .on(SetupKeyDeleted.class, (s, e) -> s.setupKeys.remove(e.setupKeyId()))
            // groups, memberships, policies (GroupProjection)
            .on(GroupCreated.class, (s, e) -> {
                boolean all = AllGroup.isCreatedBy(e, s.groups.values().stream().anyMatch(g -> g.all));
                s.groups.putIfAbsent(e.groupId(), new Group(e.groupId(), e.name(),
                        e.issued() == null ? GroupIssuer.API : e.issued(), all));
            })
            .on(GroupRenamed.class, (s, e) -> s.group(e.groupId()).ifPresent(g -> g.name = e.newName()))
            .on(GroupDeleted.class, (s, e) -> {
                s.groups.remove(e.groupId());
                // a deleted group cannot stay an auto-group (every occurrence goes, as jsonb's '-' removes them)
                s.users.values().forEach(u -> u.autoGroups = without(u.autoGroups, e.groupId()));
                s.setupKeys.values().forEach(k -> k.autoGroups = without(k.autoGroups, e.groupId()));
            })
            .on(PeerAddedToGroup.class, (s, e) -> s.group(e.groupId()).ifPresent(g -> g.members.add(e.peerId())))
            .on(PeerRemovedFromGroup.class,
                    (s, e) -> s.group(e.groupId()).ifPresent(g -> g.members.remove(e.peerId())))
            .on(PolicyCreated.class, (s, e) -> s.policies.put(e.policyId(), e.definition()))
            .on(PolicyUpdated.class, (s, e) -> s.policies.put(e.policyId(), e.definition()))
            .on(PolicyDeleted.class, (s, e) -> s.policies.remove(e.policyId()))
            // peers (PeerProjection)
            .on(PeerRegistered.class, (s, e) -> {
                if (s.peers.putIfAbsent(e.peerId(), new Peer(e)) == null && e.setupKeyId() != null) {
                    // a key's use counted only for a peer that is new here
                    s.setupKey(e.setupKeyId()).ifPresent(k -> {
                        k.usedTimes++;
                        k.lastUsed = e.registeredAt();
                    });
                }
            })
            .on(PeerRenamed.class, (s, e) -> s.peer(e.peerId()).ifPresent(p -> {
                p.name = e.newName();
                p.dnsLabel = e.dnsLabel();
            }))
            .on(PeerExtraDnsLabelsSet.class,
                    (s, e) -> s.peer(e.peerId()).ifPresent(p -> p.extraDnsLabels = List.copyOf(e.labels())))
            .on(PeerSshChanged.class, (s, e) -> s.peer(e.peerId()).ifPresent(p -> p.sshEnabled = e.enabled()))
            .on(PeerLoginExpirationChanged.class,
                    (s, e) -> s.peer(e.peerId()).ifPresent(p -> p.loginExpirationEnabled = e.enabled()))
            .on(PeerInactivityExpirationChanged.class,
                    (s, e) -> s.peer(e.peerId()).ifPresent(p -> p.inactivityExpirationEnabled = e.enabled()))
            .on(PeerLoginExpired.class, (s, e) -> s.peer(e.peerId()).ifPresent(p -> p.loginExpiry = e.cause()))
            .on(PeerLoginExpiryLifted.class, (s, e) -> s.peer(e.peerId()).ifPresent(p -> p.loginExpiry = null))
            .on(PeerLoginRenewed.class, (s, e) -> s.peer(e.peerId()).ifPresent(p -> {
                p.lastLogin = e.renewedAt();
                p.loginExpiry = null;
            }))
            .on(PeerDeleted.class, (s, e) -> {
                s.peers.remove(e.peerId());
                s.groups.values().forEach(g -> g.members.remove(e.peerId()));
            })
            // routes (RouteProjection)
            .on(RouteCreated.class, (s, e) -> s.routes.put(e.routeId(), e.definition()))
            .on(RouteUpdated.class, (s, e) -> s.routes.put(e.routeId(), e.definition()))
            .on(RouteDeleted.class, (s, e) -> s.routes.remove(e.routeId()))
            // networks (NetworkProjection: a resource or router keeps the network it was created in; deleting a
            // network deletes only its row)
            .on(NetworkCreated.class, (s, e) -> s.networks.put(e.networkId(), new Network(e.name(), e.description())))
            .on(NetworkUpdated.class, (s, e) -> s.networks.put(e.networkId(), new Network(e.name(), e.description())))
            .on(NetworkDeleted.class, (s, e) -> s.networks.remove(e.networkId()))
            .on(NetworkResourceCreated.class,
                    (s, e) -> upsert(s.resources, e.resourceId(), e.networkId(), e.definition()))
            .on(NetworkResourceUpdated.class,
                    (s, e) -> upsert(s.resources, e.resourceId(), e.networkId(), e.definition()))
            .on(NetworkResourceDeleted.class, (s, e) -> s.resources.remove(e.resourceId()))
            .on(NetworkRouterCreated.class, (s, e) -> upsert(s.routers, e.routerId(), e.networkId(), e.definition()))
            .on(NetworkRouterUpdated.class, (s, e) -> upsert(s.routers, e.routerId(), e.networkId(), e.definition()))
            .on(NetworkRouterDeleted.class, (s, e) -> s.routers.remove(e.routerId()))
            // DNS (DnsProjection: a record keeps the zone it was created in)
            .on(DnsSettingsUpdated.class, (s, e) -> s.dnsDisabledGroups = List.copyOf(e.disabledManagementGroups()))
            .on(NameServerGroupCreated.class, (s, e) -> s.nameServerGroups.put(e.nameServerGroupId(), e.definition()))
            .on(NameServerGroupUpdated.class, (s, e) -> s.nameServerGroups.put(e.nameServerGroupId(), e.definition()))
            .on(NameServerGroupDeleted.class, (s, e) -> s.nameServerGroups.remove(e.nameServerGroupId()))
            .on(DnsZoneCreated.class, (s, e) -> s.zones.put(e.zoneId(), e.definition()))
            .on(DnsZoneUpdated.class, (s, e) -> s.zones.put(e.zoneId(), e.definition()))
            .on(DnsZoneDeleted.class, (s, e) -> {
                s.records.values().removeIf(r -> r.parentId().equals(e.zoneId()));
                s.zones.remove(e.zoneId());
            })
            .on(DnsRecordCreated.class, (s, e) -> upsert(s.records, e.recordId(), e.zoneId(), e.definition()))
            .on(DnsRecordUpdated.class, (s, e) -> upsert(s.records, e.recordId(), e.zoneId(), e.definition()))
            .on(DnsRecordDeleted.class, (s, e) -> s.records.remove(e.recordId()))
            // JWT group settings (IdentityProviderProjection); identity providers themselves have no as-of reads
            .on(JwtGroupSettingsUpdated.class, (s, e) -> s.jwtGroups = e.after())
            .ignore(IdentityProviderCreated.class, IdentityProviderUpdated.class,
                    IdentityProviderDeleted.class)
            // sign-ins, passwords and invitations change no read table
            .ignore(UserSignedIn.class, UserSignInFailed.class, UserPasswordChanged.class,
                    UserInviteCreated.class, UserInviteRegenerated.class, UserInviteAccepted.class,
                    UserInviteDeleted.class)
            .build();

    // ---- the reads ----

    @Override
    public Optional<AccountView> account() {
        return Optional.ofNullable(account);
    }

    @Override
    public JwtGroupSettings jwtGroupSettings() {
        return jwtGroups;
    }

    @Override
    public synchronized List<PeerView> peers() {
        if (peerViews == null) {
            List<Peer> sorted = order.byText(List.copyOf(peers.values()), p -> p.name, p -> p.id);
            // the All group first, then explicit memberships by group name and id, each with its member count
            List<Group> byName = groupsByName();
            Map<String, List<PeerView.GroupRef>> explicit = new HashMap<>();
            List<PeerView.GroupRef> allGroups = new ArrayList<>();
            for (Group group : byName) {
                if (group.all) {
                    allGroups.add(new PeerView.GroupRef(group.id, group.name, peers.size()));
                } else {
                    PeerView.GroupRef ref = new PeerView.GroupRef(group.id, group.name, group.members.size());
                    group.members.forEach(peerId -> explicit.computeIfAbsent(peerId, k -> new ArrayList<>()).add(ref));
                }
            }
            List<PeerView> views = new ArrayList<>(sorted.size());
            for (Peer peer : sorted) {
                List<PeerView.GroupRef> refs = new ArrayList<>(allGroups);
                refs.addAll(explicit.getOrDefault(peer.id, List.of()));
                views.add(peer.view(accountId, List.copyOf(refs)));
            }
            peerViews = List.copyOf(views);
        }
        return peerViews;
    }

    @Override
    public synchronized List<GroupView> groups() {
        if (groupViews == null) {
            // members in the peers' order (name, id); a membership of a peer that is gone shows no member
            List<GroupView.PeerRef> everyPeer = peers().stream().map(p -> new GroupView.PeerRef(p.id(), p.name()))
                    .toList();
            groupViews = groupsByName().stream()
                    .map(g -> new GroupView(g.id, accountId, g.name, g.issued, g.all, g.all ? everyPeer
                            : everyPeer.stream().filter(p -> g.members.contains(p.id())).toList()))
                    .toList();
        }
        return groupViews;
    }

    @Override
    public synchronized List<PolicyView> policies() {
        if (policyViews == null) {
            policyViews = order.byText(List.copyOf(policies.entrySet()), e -> e.getValue().name(), Map.Entry::getKey)
                    .stream().map(e -> new PolicyView(e.getKey(), accountId, stored(e.getValue(), PolicyDefinition.class)))
                    .toList();
        }
        return policyViews;
    }

    @Override
    public synchronized List<SetupKeyView> setupKeys() {
        if (setupKeyViews == null) {
            setupKeyViews = order.byTime(List.copyOf(setupKeys.values()), k -> k.createdAt, k -> k.id).stream()
                    .map(k -> k.view(accountId)).toList();
        }
        return setupKeyViews;
    }

    @Override
    public synchronized List<UserView> users() {
        if (userViews == null) {
            userViews = order.byTime(List.copyOf(users.values()), u -> u.createdAt, u -> u.id).stream()
                    .map(u -> u.view(accountId)).toList();
        }
        return userViews;
    }

    @Override
    public synchronized List<TokenView> tokens(String userId) {
        if (tokenViews == null) {
            tokenViews = order.byTime(List.copyOf(tokens.values()), PersonalAccessTokenCreated::createdAt,
                            PersonalAccessTokenCreated::tokenId).stream()
                    .map(t -> new TokenView(t.tokenId(), accountId, t.userId(), t.name(),
                            PointInTimeReads.asStored(t.expiresAt()), t.createdBy(),
                            PointInTimeReads.asStored(t.createdAt()), null))
                    .collect(Collectors.groupingBy(TokenView::userId));
        }
        return tokenViews.getOrDefault(userId, List.of());
    }

    @Override
    public synchronized List<RouteView> routes() {
        if (routeViews == null) {
            routeViews = order.byText(List.copyOf(routes.entrySet()), e -> e.getValue().netId(), Map.Entry::getKey)
                    .stream().map(e -> new RouteView(e.getKey(), accountId, stored(e.getValue(), RouteDefinition.class)))
                    .toList();
        }
        return routeViews;
    }

    @Override
    public synchronized List<NetworkView> networks() {
        if (networkViews == null) {
            Map<String, List<String>> resourceIds = new HashMap<>();
            allResources().forEach(r -> resourceIds.computeIfAbsent(r.networkId(), k -> new ArrayList<>()).add(r.id()));
            Map<String, List<String>> routerIds = new HashMap<>();
            // by network, then id: each network's by id, as the table's ORDER BY id gives them
            allRouters().forEach(r -> routerIds.computeIfAbsent(r.networkId(), k -> new ArrayList<>()).add(r.id()));
            networkViews = order.byText(List.copyOf(networks.entrySet()), e -> e.getValue().name(), Map.Entry::getKey)
                    .stream().map(e -> new NetworkView(e.getKey(), accountId, e.getValue().name(),
                            e.getValue().description() == null ? "" : e.getValue().description(),
                            List.copyOf(resourceIds.getOrDefault(e.getKey(), List.of())),
                            List.copyOf(routerIds.getOrDefault(e.getKey(), List.of()))))
                    .toList();
        }
        return networkViews;
    }

    @Override
    public synchronized List<NetworkView.Resource> allResources() {
        if (resourceViews == null) {
            resourceViews = order.byText(List.copyOf(resources.entrySet()), Map.Entry::getKey, Map.Entry::getKey)
                    .stream().map(e -> new NetworkView.Resource(e.getKey(), e.getValue().parentId(),
                            stored(e.getValue().definition(), NetworkResourceDefinition.class)))
                    .toList();
        }
        return resourceViews;
    }

    @Override
    public synchronized List<NetworkView.Router> allRouters() {
        if (routerViews == null) {
            routerViews = order.byText(List.copyOf(routers.entrySet()), e -> e.getValue().parentId(), Map.Entry::getKey)
                    .stream().map(e -> new NetworkView.Router(e.getKey(), e.getValue().parentId(),
                            stored(e.getValue().definition(), NetworkRouterDefinition.class)))
                    .toList();
        }
        return routerViews;
    }

    @Override
    public List<String> disabledManagementGroups() {
        return dnsDisabledGroups;
    }

    @Override
    public synchronized List<DnsReads.NameServerGroupView> nameServerGroups() {
        if (nameServerGroupViews == null) {
            nameServerGroupViews = order.byText(List.copyOf(nameServerGroups.entrySet()), e -> e.getValue().name(),
                            Map.Entry::getKey).stream()
                    .map(e -> new DnsReads.NameServerGroupView(e.getKey(),
                            stored(e.getValue(), NameServerGroupDefinition.class)))
                    .toList();
        }
        return nameServerGroupViews;
    }

    @Override
    public synchronized List<DnsReads.ZoneView> zones() {
        if (zoneViews == null) {
            Map<String, List<DnsReads.RecordView>> byZone = new HashMap<>();
            order.byText(List.copyOf(records.entrySet()), e -> e.getValue().definition().name(), Map.Entry::getKey)
                    .forEach(e -> byZone.computeIfAbsent(e.getValue().parentId(), k -> new ArrayList<>())
                            .add(new DnsReads.RecordView(e.getKey(), e.getValue().parentId(),
                                    stored(e.getValue().definition(), DnsRecordDefinition.class))));
            zoneViews = order.byText(List.copyOf(zones.entrySet()), e -> e.getValue().name(), Map.Entry::getKey)
                    .stream().map(e -> new DnsReads.ZoneView(e.getKey(), stored(e.getValue(), DnsZoneDefinition.class),
                            List.copyOf(byZone.getOrDefault(e.getKey(), List.of()))))
                    .toList();
        }
        return zoneViews;
    }

    /** The groups in the table's order (name, then id): the peers' group refs and the groups list both need it. */
    private synchronized List<Group> groupsByName() {
        if (groupsByName == null) {
            groupsByName = order.byText(List.copyOf(groups.values()), g -> g.name, g -> g.id);
        }
        return groupsByName;
    }

    // ---- the fold's rows ----

    private Optional<Group> group(String id) {
        return Optional.ofNullable(groups.get(id));
    }

    private Optional<Peer> peer(String id) {
        return Optional.ofNullable(peers.get(id));
    }

    private Optional<SetupKey> setupKey(String id) {
        return Optional.ofNullable(setupKeys.get(id));
    }

    private Optional<User> user(String id) {
        return Optional.ofNullable(users.get(id));
    }

    /** A definition as its table gives it back: written as JSON, read again. */
    private static <T> T stored(T definition, Class<T> type) {
        return Json.read(Json.write(definition), type);
    }

    private static <T> void upsert(Map<String, Placed<T>> rows, String id, String parentId, T definition) {
        // ON CONFLICT (id) DO UPDATE SET definition: the row keeps the parent it was inserted with
        Placed<T> existing = rows.get(id);
        rows.put(id, new Placed<>(existing == null ? parentId : existing.parentId(), definition));
    }

    private static List<String> listOrEmpty(List<String> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    private static List<String> without(List<String> list, String element) {
        return list.contains(element) ? list.stream().filter(x -> !x.equals(element)).toList() : list;
    }

    /** A row that belongs to another (a resource or router to its network, a record to its zone). */
    private record Placed<T>(String parentId, T definition) {
    }

    private record Network(String name, String description) {
    }

    private static final class Group {
        final String id;
        final GroupIssuer issued;
        final boolean all;
        final Set<String> members = new LinkedHashSet<>();
        String name;

        Group(String id, String name, GroupIssuer issued, boolean all) {
            this.id = id;
            this.name = name;
            this.issued = issued;
            this.all = all;
        }
    }

    private static final class SetupKey {
        final String id;
        final String name;
        final SetupKeyType type;
        final String keyPrefix;
        final Instant expiresAt;
        final int usageLimit;
        final boolean ephemeral;
        final boolean allowExtraDnsLabels;
        final Instant createdAt;
        boolean revoked;
        int usedTimes;
        Instant lastUsed;
        List<String> autoGroups;
        Instant updatedAt;

        SetupKey(SetupKeyCreated e) {
            id = e.setupKeyId();
            name = e.name();
            type = e.type();
            keyPrefix = e.keyPrefix();
            expiresAt = e.expiresAt();
            usageLimit = e.usageLimit();
            ephemeral = e.ephemeral();
            allowExtraDnsLabels = e.allowExtraDnsLabels();
            createdAt = e.createdAt();
            autoGroups = listOrEmpty(e.autoGroups());
            updatedAt = e.createdAt();
        }

        SetupKeyView view(String accountId) {
            return new SetupKeyView(id, accountId, name, type, keyPrefix, PointInTimeReads.asStored(expiresAt),
                    revoked, usedTimes, PointInTimeReads.asStored(lastUsed), autoGroups,
                    PointInTimeReads.asStored(updatedAt), usageLimit, ephemeral, allowExtraDnsLabels);
        }
    }

    private static final class User {
        final String id;
        final String email;
        final String name;
        final boolean serviceUser;
        final Instant createdAt;
        UserRole role;
        boolean blocked;
        List<String> autoGroups;

        User(UserCreated e) {
            id = e.userId();
            email = e.email() == null ? "" : e.email();
            name = e.name() == null ? "" : e.name();
            serviceUser = e.serviceUser();
            createdAt = e.createdAt();
            role = e.role();
            autoGroups = listOrEmpty(e.autoGroups());
        }

        UserView view(String accountId) {
            // rm_users.last_login: no event sets it
            return new UserView(id, accountId, email, name, role, serviceUser, blocked, autoGroups,
                    PointInTimeReads.asStored(createdAt), null);
        }
    }

    private static final class Peer {
        final String id;
        final String wgPubKey;
        String ip;
        final PeerSystemMeta meta;
        final String userId;
        final String setupKeyId;
        final boolean ephemeral;
        final Instant registeredAt;
        String name;
        String dnsLabel;
        List<String> extraDnsLabels;
        boolean sshEnabled;
        boolean loginExpirationEnabled;
        boolean inactivityExpirationEnabled;
        Instant lastLogin;
        PeerExpiry loginExpiry;

        Peer(PeerRegistered e) {
            id = e.peerId();
            wgPubKey = e.wgPubKey().base64();
            ip = e.ip().address();
            meta = e.meta();
            userId = e.userId();
            setupKeyId = e.setupKeyId();
            ephemeral = e.ephemeral();
            registeredAt = e.registeredAt();
            name = e.name();
            dnsLabel = e.dnsLabel();
            loginExpirationEnabled = e.loginExpirationEnabled();
            lastLogin = e.registeredAt();
            extraDnsLabels = e.extraDnsLabels();
        }

        PeerView view(String accountId, List<PeerView.GroupRef> groups) {
            return new PeerView(id, accountId, name, wgPubKey, ip, dnsLabel, meta, userId, setupKeyId, groups,
                    sshEnabled, loginExpirationEnabled, inactivityExpirationEnabled, ephemeral,
                    PointInTimeReads.asStored(registeredAt), PointInTimeReads.asStored(lastLogin), loginExpiry, false,
                    null, null, extraDnsLabels);
        }
    }
}
