package dev.tern.query.history;

import dev.tern.events.AccountCreated;
import dev.tern.events.AccountEvent;
import dev.tern.events.AccountEventDispatch;
import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.AllGroup;
import dev.tern.events.GroupCreated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerExtraDnsLabelsSet;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.query.groups.GroupView;
import dev.tern.query.groups.PolicyView;
import dev.tern.query.peers.PeerView;
import dev.tern.query.users.AccountView;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The network of one account as it stood at a past instant: groups, peers and policies folded from the
 * account's own event stream up to that instant ({@link AccountEventsAt}). For auditors'
 * questions like "who was in group dev, and which policies applied, at 03:00?". Connection status is not
 * history and is left out (every peer reads as not connected).
 */
@Component
public class PointInTimeReads {
    private final AccountEventsAt events;
    private final JdbcTemplate jdbc;

    public PointInTimeReads(AccountEventsAt events, JdbcTemplate jdbc) {
        this.events = events;
        this.jdbc = jdbc;
    }

    /**
     * The account's peers after exactly these events as {@link dev.tern.query.peers.PeerReads#peers} lists them from
     * the read tables at that state, with the account's DNS domain: same rows, same order (name, then id, as the
     * database collates them), same group refs and member counts, timestamps as the tables store them (to the
     * microsecond), every peer not connected (connection state is not history). Folded from the events alone, so an
     * as-of peers list needs no read tables built as of the instant; {@code AsOfWithoutReadTablesApiTest} pins that
     * both answer alike.
     */
    public PeersAt peers(AccountEventsAt.AccountEvents prefix) {
        Fold fold = new Fold();
        prefix.events().forEach(event -> fold.apply(event.getPayload()));
        List<Peer> peers = inDatabaseOrder(new ArrayList<>(fold.peers.values()), p -> p.name, p -> p.id);
        // the All group first, then explicit memberships by group name and id, as the database orders them
        List<Group> groups = inDatabaseOrder(new ArrayList<>(fold.groups.values()), g -> g.name, g -> g.id);
        Map<String, List<PeerView.GroupRef>> explicit = new HashMap<>();
        for (Group group : groups) {
            if (!group.all) {
                PeerView.GroupRef ref = new PeerView.GroupRef(group.id, group.name, group.members.size());
                group.members.forEach(peerId -> explicit.computeIfAbsent(peerId, k -> new ArrayList<>()).add(ref));
            }
        }
        List<PeerView.GroupRef> allGroups = groups.stream().filter(g -> g.all)
                .map(g -> new PeerView.GroupRef(g.id, g.name, fold.peers.size())).toList();
        List<PeerView> views = new ArrayList<>(peers.size());
        for (Peer peer : peers) {
            List<PeerView.GroupRef> refs = new ArrayList<>(allGroups);
            refs.addAll(explicit.getOrDefault(peer.id, List.of()));
            views.add(peer.view(fold.account.id(), List.copyOf(refs), asStored(peer.registeredAt),
                    asStored(peer.lastLogin)));
        }
        return new PeersAt(fold.account.dnsDomain(), List.copyOf(views));
    }

    /** An account's peers at one state and its DNS domain (what their FQDNs end in). */
    public record PeersAt(String dnsDomain, List<PeerView> peers) {
    }

    /** Sorted by name, then id, in the database's collation (one round trip), as the read tables' ORDER BY sorts. */
    private <T> List<T> inDatabaseOrder(List<T> items, Function<T, String> name, Function<T, String> id) {
        if (items.size() < 2) {
            return items;
        }
        Map<String, T> byId = new HashMap<>();
        items.forEach(item -> byId.put(id.apply(item), item));
        return jdbc.queryForList("SELECT i FROM unnest(?::text[], ?::text[]) AS t(n, i) ORDER BY n, i",
                        String.class, items.stream().map(name).toArray(String[]::new),
                        items.stream().map(id).toArray(String[]::new))
                .stream().map(byId::get).toList();
    }

    /** An instant as a {@code timestamptz} column gives it back: rounded to the microsecond, half up. */
    static Instant asStored(Instant instant) {
        if (instant == null) {
            return null;
        }
        Instant down = instant.truncatedTo(ChronoUnit.MICROS);
        return instant.getNano() % 1_000 >= 500 ? down.plus(1, ChronoUnit.MICROS) : down;
    }

    /** The account's network at {@code at} (events stamped at or before it), or empty if it did not exist yet. */
    public Optional<AccountState> at(String accountId, Instant at) {
        return events.upTo(accountId, at).map(prefix -> {
            Fold fold = new Fold();
            prefix.events().forEach(event -> fold.apply(event.getPayload()));
            return fold.state(at);
        });
    }

    /** The event types that change a point-in-time state; for the completeness test. */
    static Set<Class<?>> handledEventTypes() {
        return Fold.DISPATCH.handledTypes();
    }

    /** The account's network at one instant, in the read model's shapes and orders. */
    public record AccountState(Instant at, AccountView account, List<GroupView> groups, List<PeerView> peers,
                               List<PolicyView> policies) {
    }

    private static final class Fold {
        private AccountView account;
        private final Map<String, Group> groups = new LinkedHashMap<>();
        private final Map<String, Peer> peers = new LinkedHashMap<>();
        private final Map<String, PolicyDefinition> policies = new LinkedHashMap<>();

        void apply(Object event) {
            // the store holds only account events; anything else (an upcaster's leftover) has no place in the state
            if (event instanceof AccountEvent accountEvent) {
                DISPATCH.apply(this, accountEvent);
            }
        }

        /** What each event does to the account's network; users, tokens and setup keys are not part of it. */
        private static final AccountEventDispatch<Fold> DISPATCH = AccountEventDispatch.<Fold>builder()
                .on(AccountCreated.class, (f, e) -> f.account = new AccountView(e.accountId(), e.network().toString(),
                        e.dnsDomain(), e.createdAt(), AccountSettings.defaults()))
                .on(AccountSettingsUpdated.class, (f, e) -> f.account = new AccountView(f.account.id(),
                        f.account.network(), f.account.dnsDomain(), f.account.createdAt(), e.after()))
                .on(GroupCreated.class, (f, e) -> {
                    boolean all = AllGroup.isCreatedBy(e, f.groups.values().stream().anyMatch(g -> g.all));
                    f.groups.putIfAbsent(e.groupId(), new Group(e.groupId(), e.name(),
                            e.issued() == null ? GroupIssuer.API : e.issued(), all));
                })
                .on(GroupRenamed.class, (f, e) -> f.group(e.groupId()).ifPresent(g -> g.name = e.newName()))
                .on(GroupDeleted.class, (f, e) -> f.groups.remove(e.groupId()))
                .on(PeerAddedToGroup.class, (f, e) -> f.group(e.groupId()).ifPresent(g -> g.members.add(e.peerId())))
                .on(PeerRemovedFromGroup.class,
                        (f, e) -> f.group(e.groupId()).ifPresent(g -> g.members.remove(e.peerId())))
                .on(PeerRegistered.class, (f, e) -> f.peers.putIfAbsent(e.peerId(), new Peer(e)))
                .on(PeerRenamed.class, (f, e) -> f.peer(e.peerId()).ifPresent(p -> {
                    p.name = e.newName();
                    p.dnsLabel = e.dnsLabel();
                }))
                .on(PeerSshChanged.class, (f, e) -> f.peer(e.peerId()).ifPresent(p -> p.sshEnabled = e.enabled()))
                .on(PeerLoginExpirationChanged.class,
                        (f, e) -> f.peer(e.peerId()).ifPresent(p -> p.loginExpirationEnabled = e.enabled()))
                .on(PeerInactivityExpirationChanged.class,
                        (f, e) -> f.peer(e.peerId()).ifPresent(p -> p.inactivityExpirationEnabled = e.enabled()))
                .on(PeerLoginExpired.class, (f, e) -> f.peer(e.peerId()).ifPresent(p -> p.loginExpiry = e.cause()))
                .on(PeerLoginExpiryLifted.class, (f, e) -> f.peer(e.peerId()).ifPresent(p -> p.loginExpiry = null))
                .on(PeerLoginRenewed.class, (f, e) -> f.peer(e.peerId()).ifPresent(p -> {
                    p.lastLogin = e.renewedAt();
                    p.loginExpiry = null;
                }))
                .on(PeerDeleted.class, (f, e) -> {
                    f.peers.remove(e.peerId());
                    f.groups.values().forEach(g -> g.members.remove(e.peerId()));
                })
                .on(PolicyCreated.class, (f, e) -> f.policies.put(e.policyId(), e.definition()))
                .on(PolicyUpdated.class, (f, e) -> f.policies.put(e.policyId(), e.definition()))
                .on(PolicyDeleted.class, (f, e) -> f.policies.remove(e.policyId()))
                .ignore(AccountEventDispatch.USER_EVENTS)
                .ignore(AccountEventDispatch.SETUP_KEY_EVENTS)
                .ignore(AccountEventDispatch.DNS_EVENTS)
                .ignore(AccountEventDispatch.NETWORK_EVENTS)
                .ignore(AccountEventDispatch.ROUTE_EVENTS)
                .on(PeerExtraDnsLabelsSet.class, (f, e) -> f.peer(e.peerId())
                        .ifPresent(p -> p.extraDnsLabels = List.copyOf(e.labels())))
                .on(AccountNetworkRangeChanged.class, (f, e) -> {
                    f.account = new AccountView(f.account.id(), e.after().toString(), f.account.dnsDomain(),
                            f.account.createdAt(), f.account.settings());
                    e.peerAddresses().forEach(moved -> f.peer(moved.peerId()).ifPresent(p -> p.ip = moved.ip().address()));
                })
                .build();

        AccountState state(Instant at) {
            Comparator<Peer> byName = Comparator.comparing((Peer p) -> p.name).thenComparing(p -> p.id);
            List<Peer> sortedPeers = peers.values().stream().sorted(byName).toList();
            List<GroupView> groupViews = groups.values().stream()
                    .sorted(Comparator.comparing((Group g) -> g.name).thenComparing(g -> g.id))
                    .map(g -> new GroupView(g.id, account.id(), g.name, g.issued, g.all,
                            sortedPeers.stream().filter(p -> g.all || g.members.contains(p.id))
                                    .map(p -> new GroupView.PeerRef(p.id, p.name)).toList()))
                    .toList();
            List<PeerView> peerViews = sortedPeers.stream().map(p -> p.view(account.id(), groupRefs(p.id))).toList();
            List<PolicyView> policyViews = policies.entrySet().stream()
                    .sorted(Comparator.comparing((Map.Entry<String, PolicyDefinition> e) -> e.getValue().name())
                            .thenComparing(Map.Entry::getKey))
                    .map(e -> new PolicyView(e.getKey(), account.id(), e.getValue())).toList();
            return new AccountState(at, account, groupViews, peerViews, policyViews);
        }

        /** As the read model orders them: the All group first, then explicit memberships by name. */
        private List<PeerView.GroupRef> groupRefs(String peerId) {
            List<PeerView.GroupRef> refs = new ArrayList<>();
            groups.values().stream().filter(g -> g.all)
                    .forEach(g -> refs.add(new PeerView.GroupRef(g.id, g.name, peers.size())));
            groups.values().stream().filter(g -> !g.all && g.members.contains(peerId))
                    .sorted(Comparator.comparing((Group g) -> g.name).thenComparing(g -> g.id))
                    .forEach(g -> refs.add(new PeerView.GroupRef(g.id, g.name, g.members.size())));
            return List.copyOf(refs);
        }

        private Optional<Group> group(String id) {
            return Optional.ofNullable(groups.get(id));
        }

        private Optional<Peer> peer(String id) {
            return Optional.ofNullable(peers.get(id));
        }
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
        List<String> extraDnsLabels = List.of();
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
            return view(accountId, groups, registeredAt, lastLogin);
        }

        PeerView view(String accountId, List<PeerView.GroupRef> groups, Instant createdAt, Instant lastLoginAt) {
            return new PeerView(id, accountId, name, wgPubKey, ip, dnsLabel, meta, userId, setupKeyId, groups,
                    sshEnabled, loginExpirationEnabled, inactivityExpirationEnabled, ephemeral, createdAt,
                    lastLoginAt, loginExpiry, false, null, null, extraDnsLabels);
        }
    }
}
