package dev.tern.projector;

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
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.WireGuardKey;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One account's mesh as the network maps need it: peers, groups with their members, policies, the account network
 * and DNS domain. Fed event by event; {@link #apply} answers which peers' maps the event may have changed, so the
 * projector recomputes only those. Not thread-safe: the projector serialises access.
 */
final class AccountGraph {
    final String accountId;
    // volatile: read by other threads for a just-registered peer's config (NetworkMapProjector#newPeerConfig)
    private volatile Cidr network;
    private volatile String dnsDomain = "";
    private String allGroupId;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Map<String, Group> groups = new HashMap<>();
    private final Map<String, PolicyDefinition> policies = new LinkedHashMap<>();
    /** Group id to the ids of the policies whose rules name it; the index that keeps recomputation local. */
    private final Map<String, Set<String>> policiesByGroup = new HashMap<>();
    /** Settings, nameserver groups, custom zones: the DNS part of the maps. */
    private final AccountDns dns = new AccountDns();
    /** The account's routes and what they add to maps. */
    final RouteMaps routeMaps = new RouteMaps(this);
    /** The account's networks (resources and routers) and what they add to maps. */
    final NetworkResourceMaps networkMaps = new NetworkResourceMaps(this);

    /** NetBird's address for "any peer" in a firewall rule. */
    static final String ANY_PEER_IP = "0.0.0.0";

    /** Stands for every peer in rules towards the All group; only its rule cache is used. */
    final Peer anyPeer = new Peer("*", null, new MeshIp(ANY_PEER_IP), "*", "*");

    /**
     * The views of every peer whose login has not expired, sorted by mesh IP: the remote peers of the maps that see
     * every other peer (each leaves itself out by {@link Peer#sharedIndex}). Rebuilt lazily, together with
     * {@link #expiredSorted}, after anything that changes a peer, the peer set or who is expired.
     */
    private Object[] everyoneSorted;
    /** The views of the login-expired peers, sorted by mesh IP: the offline peers of those same maps. */
    private Object[] expiredSorted;

    /** Numbers map computations, for {@link Peer#seenBy}. */
    private long computations;
    /** Counts the events applied: what was derived from the graph (a network plan) holds while it stands still. */
    private long changes;

    long nextComputation() {
        return ++computations;
    }

    /** How many events this graph has applied; anything derived from it at one count holds until the next. */
    long changes() {
        return changes;
    }

    /** Whether {@code affected} collects peers, or is {@link #applyOnly}'s set that throws them away. */
    static boolean collects(Set<String> affected) {
        return affected != NOT_COLLECTED;
    }

    AccountGraph(String accountId) {
        this.accountId = accountId;
    }

    private static final int ACTIONS = dev.tern.events.values.RuleAction.values().length;
    private static final int PROTOCOLS = dev.tern.events.values.Protocol.values().length;
    private static final int RULE_SLOTS = FirewallRule.Direction.values().length * ACTIONS * PROTOCOLS;

    /** A peer node. Its {@link RemotePeer} view is built once per change and shared by every map that shows it. */
    static final class Peer {
        final String id;
        final WireGuardKey key;
        /** Changed only when the account network moves ({@link #readdress}). */
        MeshIp ip;
        String ipText;
        int ipBits;
        /** Marks the peer as already collected by the computation with this number; avoids a set per map. */
        long seenBy;
        /**
         * The peer's position in {@link #everyoneSorted}, or in {@link #expiredSorted} when its login expired, while
         * those are current.
         */
        int sharedIndex;
        String name;
        String dnsLabel;
        List<String> extraDnsLabels = List.of();
        boolean sshEnabled;
        /** From PeerLoginExpired until PeerLoginRenewed or PeerLoginExpiryLifted. */
        boolean loginExpired;
        /** Explicit memberships; the All group is implicit and not listed. */
        final Set<String> groups = new LinkedHashSet<>();
        private RemotePeer view;
        /**
         * Port-less rules about this peer by policy, indexed by direction, action and protocol: every map that shows
         * the peer under the same policy shares one instance (saves memory, and equal maps compare by identity).
         * Entries never go wrong (all their inputs are in the key or immutable), at worst unused.
         */
        private final Map<String, FirewallRule[]> rulesByPolicy = new HashMap<>();

        FirewallRule rule(FirewallRule.Direction direction, dev.tern.events.values.RuleAction action,
                          dev.tern.events.values.Protocol protocol, String policyId) {
            FirewallRule[] rules = rulesByPolicy.computeIfAbsent(policyId, k -> new FirewallRule[RULE_SLOTS]);
            int slot = (direction.ordinal() * ACTIONS + action.ordinal()) * PROTOCOLS + protocol.ordinal();
            FirewallRule rule = rules[slot];
            if (rule == null) {
                rule = new FirewallRule(ipText, ipBits, direction, action, protocol, null, policyId);
                rules[slot] = rule;
            }
            return rule;
        }

        Peer(String id, WireGuardKey key, MeshIp ip, String name, String dnsLabel) {
            this.id = id;
            this.key = key;
            this.name = name;
            this.dnsLabel = dnsLabel;
            readdress(ip);
        }

        /** The peer at a new address: its view and the rules about it, which carry the address, are made anew. */
        private void readdress(MeshIp newIp) {
            ip = newIp;
            ipText = newIp.address();
            ipBits = newIp.bits();
            view = null;
            rulesByPolicy.clear();
        }
    }

    static final class Group {
        final String id;
        String name;
        /** Member peers by id, so map computation walks peer nodes without a lookup per member. */
        final Map<String, Peer> members = new LinkedHashMap<>();

        Group(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    /**
     * Applies one event and returns the ids of the peers whose map it may have changed: a superset of the peers
     * whose map did change, never missing one. A deleted peer is in the set; it is then no longer in the graph.
     */
    Set<String> apply(AccountEvent event) {
        Change change = new Change(this, new HashSet<>());
        try {
            DISPATCH.apply(change, event);
        } finally {
            changes++; // after: whatever was derived while the event applied is stale too
        }
        return change.affected();
    }

    /**
     * Applies one event without working out which maps it may have changed: for a projector that computes a map only
     * when asked for ({@link NetworkMapProjector#computingOnDemand}), which would throw that set away. In a big account
     * it is most of the work: a membership change names every peer of every group a policy links to the group.
     */
    void applyOnly(AccountEvent event) {
        try {
            DISPATCH.apply(new Change(this, NOT_COLLECTED), event);
        } finally {
            changes++;
        }
    }

    /** Takes the affected peers {@link #applyOnly} does not want, without hashing or even walking them. */
    private static final Set<String> NOT_COLLECTED = new AbstractSet<>() {
        @Override
        public boolean add(String peerId) {
            return false;
        }

        @Override
        public boolean addAll(Collection<? extends String> peerIds) {
            return false;
        }

        @Override
        public Iterator<String> iterator() {
            return Collections.emptyIterator();
        }

        @Override
        public int size() {
            return 0;
        }
    };

    /** One event being applied: the graph, and the peers whose map it may change. */
    private record Change(AccountGraph graph, Set<String> affected) {
    }

    /**
     * What each event does to the graph. Users, setup keys, tokens and expiration settings show in no network map:
     * settings change maps only through the PeerLoginExpired / PeerLoginExpiryLifted events the account derives
     * from them.
     */
    private static final AccountEventDispatch<Change> DISPATCH = AccountEventDispatch.<Change>builder()
            .on(AccountCreated.class, (c, e) -> c.graph.accountCreated(e, c.affected))
            .on(GroupCreated.class, (c, e) -> c.graph.groupCreated(e, c.affected))
            .on(GroupRenamed.class, (c, e) -> c.graph.groupRenamed(e))
            .on(GroupDeleted.class, (c, e) -> c.graph.groupDeleted(e, c.affected))
            .on(PeerAddedToGroup.class, (c, e) -> c.graph.peerAddedToGroup(e, c.affected))
            .on(PeerRemovedFromGroup.class, (c, e) -> c.graph.peerRemovedFromGroup(e, c.affected))
            .on(PeerRegistered.class, (c, e) -> c.graph.peerRegistered(e, c.affected))
            .on(AccountNetworkRangeChanged.class, (c, e) -> c.graph.networkRangeChanged(e, c.affected))
            .on(PeerDeleted.class, (c, e) -> c.graph.peerDeleted(e, c.affected))
            .on(PeerRenamed.class, (c, e) -> c.graph.peerRenamed(e, c.affected))
            .on(PeerSshChanged.class, (c, e) -> c.graph.peerSshChanged(e, c.affected))
            .on(PeerExtraDnsLabelsSet.class, (c, e) -> c.graph.peerExtraDnsLabelsSet(e, c.affected))
            .on(PeerLoginExpired.class, (c, e) -> c.graph.setLoginExpired(e.peerId(), true, c.affected))
            .on(PeerLoginRenewed.class, (c, e) -> c.graph.setLoginExpired(e.peerId(), false, c.affected))
            .on(PeerLoginExpiryLifted.class, (c, e) -> c.graph.setLoginExpired(e.peerId(), false, c.affected))
            .on(PolicyCreated.class, (c, e) -> c.graph.putPolicy(e.policyId(), e.definition(), c.affected))
            .on(PolicyUpdated.class, (c, e) -> c.graph.putPolicy(e.policyId(), e.definition(), c.affected))
            .on(PolicyDeleted.class, (c, e) -> c.graph.policyDeleted(e, c.affected))
            .onEach(AccountEventDispatch.DNS_EVENTS, (c, e) -> c.graph.addMembers(c.graph.dns.apply(e), c.affected))
            .on(RouteCreated.class, (c, e) -> c.graph.routeMaps.put(e.routeId(), e.definition(), c.affected))
            .on(RouteUpdated.class, (c, e) -> c.graph.routeMaps.put(e.routeId(), e.definition(), c.affected))
            .on(RouteDeleted.class, (c, e) -> c.graph.routeMaps.delete(e.routeId(), c.affected))
            .ignore(AccountSettingsUpdated.class, PeerLoginExpirationChanged.class,
                    PeerInactivityExpirationChanged.class)
            .ignore(AccountEventDispatch.USER_EVENTS)
            .ignore(AccountEventDispatch.SETUP_KEY_EVENTS)
            .on(NetworkResourceCreated.class, (c, e) -> c.graph.networkMaps.putResource(e.networkId(),
                    e.resourceId(), e.definition(), c.affected))
            .on(NetworkResourceUpdated.class, (c, e) -> c.graph.networkMaps.putResource(e.networkId(),
                    e.resourceId(), e.definition(), c.affected))
            .on(NetworkResourceDeleted.class, (c, e) -> c.graph.networkMaps.deleteResource(e.resourceId(), c.affected))
            .on(NetworkRouterCreated.class, (c, e) -> c.graph.networkMaps.putRouter(e.networkId(), e.routerId(),
                    e.definition(), c.affected))
            .on(NetworkRouterUpdated.class, (c, e) -> c.graph.networkMaps.putRouter(e.networkId(), e.routerId(),
                    e.definition(), c.affected))
            .on(NetworkRouterDeleted.class, (c, e) -> c.graph.networkMaps.deleteRouter(e.routerId(), c.affected))
            // a network's name shows in no map, and it is deleted after its resources and routers
            .ignore(NetworkCreated.class, NetworkUpdated.class, NetworkDeleted.class)
            .build();

    /** The event types that can change a network map; for the completeness test. */
    static Set<Class<?>> handledEventTypes() {
        return DISPATCH.handledTypes();
    }

    /**
     * The peers in any of the groups (every peer for the All group); true when that was every peer, so a caller
     * collecting more groups can stop.
     */
    private boolean addMembers(Collection<String> groupIds, Set<String> affected) {
        for (String groupId : groupIds) {
            if (groupId.equals(allGroupId)) {
                affected.addAll(peers.keySet());
                return true;
            }
            Group group = groups.get(groupId);
            if (group != null) {
                affected.addAll(group.members.keySet());
            }
        }
        return false;
    }

    /** The account-managed DNS configuration of a peer, by the groups it is in. */
    PeerDns dnsOf(Peer peer) {
        return dns.configFor(peer.groups, groupId -> groupId.equals(allGroupId) || peer.groups.contains(groupId));
    }

    private void accountCreated(AccountCreated e, Set<String> affected) {
        network = e.network();
        dnsDomain = e.dnsDomain() == null ? "" : e.dnsDomain();
        peers.values().forEach(peer -> peer.view = null);
        forgetShared();
        affected.addAll(peers.keySet());
    }

    /** Every peer moves to its new address: every map changes (own address, remote peers, rules, DNS records). */
    private void networkRangeChanged(AccountNetworkRangeChanged e, Set<String> affected) {
        network = e.after();
        for (AccountNetworkRangeChanged.PeerAddress address : e.peerAddresses()) {
            Peer peer = peers.get(address.peerId());
            if (peer != null) {
                peer.readdress(address.ip());
            }
        }
        forgetShared();
        affected.addAll(peers.keySet());
    }

    private void groupCreated(GroupCreated e, Set<String> affected) {
        groups.putIfAbsent(e.groupId(), new Group(e.groupId(), e.name()));
        if (AllGroup.isCreatedBy(e, allGroupId != null)) {
            allGroupId = e.groupId();
        }
        addPeersOfPolicies(policiesByGroup.get(e.groupId()), affected);
    }

    private void groupRenamed(GroupRenamed e) {
        Group group = groups.get(e.groupId());
        if (group != null) {
            group.name = e.newName();
        }
    }

    private void groupDeleted(GroupDeleted e, Set<String> affected) {
        addPeersOfPolicies(policiesByGroup.get(e.groupId()), affected);
        if (dns.names(e.groupId())) {
            addMembers(Set.of(e.groupId()), affected);
        }
        networkMaps.addInvolvedPeers(affected);
        Group doomed = groups.get(e.groupId());
        if (doomed != null) {
            // the account refuses to delete a group a route names, but history written before it may hold one
            for (String peerId : doomed.members.keySet()) {
                routeMaps.membershipChanged(doomed.id, peerId, affected);
            }
        }
        Group group = groups.remove(e.groupId());
        if (group != null) {
            for (Peer peer : group.members.values()) {
                if (peer != null) {
                    peer.groups.remove(group.id);
                }
            }
        }
        if (e.groupId().equals(allGroupId)) {
            allGroupId = null;
        }
        networkMaps.addInvolvedPeers(affected);
    }

    private void peerAddedToGroup(PeerAddedToGroup e, Set<String> affected) {
        Peer peer = peers.get(e.peerId());
        Group group = groups.get(e.groupId());
        if (peer != null && group != null && !e.groupId().equals(allGroupId)) {
            networkMaps.addInvolvedPeers(affected);
            group.members.put(peer.id, peer);
            peer.groups.add(group.id);
            affected.add(peer.id);
            addPeersOfPolicies(policiesByGroup.get(group.id), affected);
            routeMaps.membershipChanged(group.id, peer.id, affected);
            networkMaps.addInvolvedPeers(affected);
        }
    }

    private void peerRemovedFromGroup(PeerRemovedFromGroup e, Set<String> affected) {
        Peer peer = peers.get(e.peerId());
        Group group = groups.get(e.groupId());
        if (peer != null && group != null && group.members.containsKey(peer.id)) {
            affected.add(peer.id);
            addPeersOfPolicies(policiesByGroup.get(group.id), affected);
            routeMaps.membershipChanged(group.id, peer.id, affected);
            networkMaps.addInvolvedPeers(affected);
            group.members.remove(peer.id);
            peer.groups.remove(group.id);
            networkMaps.addInvolvedPeers(affected);
        }
    }

    private void peerRegistered(PeerRegistered e, Set<String> affected) {
        if (!peers.containsKey(e.peerId())) {
            networkMaps.addInvolvedPeers(affected);
            Peer peer = new Peer(e.peerId(), e.wgPubKey(), e.ip(), e.name(), e.dnsLabel());
            peer.extraDnsLabels = e.extraDnsLabels();
            peers.put(e.peerId(), peer);
            forgetShared();
            affected.add(e.peerId());
            if (allGroupId != null) {
                addPeersOfPolicies(policiesByGroup.get(allGroupId), affected);
                routeMaps.membershipChanged(allGroupId, e.peerId(), affected);
            }
            networkMaps.addInvolvedPeers(affected);
        }
    }

    private void peerDeleted(PeerDeleted e, Set<String> affected) {
        Peer peer = peers.get(e.peerId());
        if (peer != null) {
            addLinkedPeers(peer, affected);
            for (String groupId : groupsOf(peer)) {
                routeMaps.membershipChanged(groupId, peer.id, affected);
            }
            networkMaps.addInvolvedPeers(affected);
            for (String groupId : peer.groups) {
                Group group = groups.get(groupId);
                if (group != null) {
                    group.members.remove(peer.id);
                }
            }
            peers.remove(peer.id);
            forgetShared();
            networkMaps.addInvolvedPeers(affected);
        }
    }

    private void peerRenamed(PeerRenamed e, Set<String> affected) {
        changeShownPeer(e.peerId(), peer -> {
            peer.name = e.newName();
            peer.dnsLabel = e.dnsLabel();
            return true;
        }, affected);
    }

    private void peerExtraDnsLabelsSet(PeerExtraDnsLabelsSet e, Set<String> affected) {
        changeShownPeer(e.peerId(), peer -> {
            boolean changed = !peer.extraDnsLabels.equals(e.labels());
            peer.extraDnsLabels = List.copyOf(e.labels());
            // its own zone names it too
            affected.add(peer.id);
            return changed;
        }, affected);
    }

    private void peerSshChanged(PeerSshChanged e, Set<String> affected) {
        changeShownPeer(e.peerId(), peer -> {
            boolean changed = peer.sshEnabled != e.enabled();
            peer.sshEnabled = e.enabled();
            return changed;
        }, affected);
    }

    /**
     * Changes what the maps show of a peer (when {@code change} says it changed anything): its shared view is
     * rebuilt and every map that shows it is recomputed.
     */
    private void changeShownPeer(String peerId, Predicate<Peer> change, Set<String> affected) {
        Peer peer = peers.get(peerId);
        if (peer != null && change.test(peer)) {
            peer.view = null;
            forgetShared();
            addLinkedPeers(peer, affected);
            networkMaps.peerShownChanged(peer, affected);
        }
    }

    private void policyDeleted(PolicyDeleted e, Set<String> affected) {
        networkMaps.addInvolvedPeers(affected);
        PolicyDefinition old = policies.remove(e.policyId());
        if (old != null) {
            addPeersOfDefinition(old, affected);
            routeMaps.policyChanged(old, affected);
            unindex(e.policyId(), old);
        }
    }

    /**
     * An expiry changes the peer's own map (its loginExpired flag) and moves it between the remote and the offline
     * peers of every map that shows it; firewall rules stay as they are. A renewal or lift of a peer that is not
     * expired changes nothing.
     */
    private void setLoginExpired(String peerId, boolean expired, Set<String> affected) {
        Peer peer = peers.get(peerId);
        if (peer != null && peer.loginExpired != expired) {
            peer.loginExpired = expired;
            forgetShared();
            addLinkedPeers(peer, affected);
            networkMaps.peerShownChanged(peer, affected);
        }
    }

    private void putPolicy(String policyId, PolicyDefinition written, Set<String> affected) {
        networkMaps.addInvolvedPeers(affected);
        PolicyDefinition definition = withMergedPorts(written);
        PolicyDefinition old = policies.put(policyId, definition);
        if (old != null) {
            addPeersOfDefinition(old, affected);
            routeMaps.policyChanged(old, affected);
            unindex(policyId, old);
        }
        for (String groupId : definition.groups()) {
            policiesByGroup.computeIfAbsent(groupId, g -> new LinkedHashSet<>()).add(policyId);
        }
        addPeersOfDefinition(definition, affected);
        routeMaps.policyChanged(definition, affected);
        networkMaps.addInvolvedPeers(affected);
    }

    /**
     * The policy as the maps need it: each rule's ports and port ranges as one list of disjoint ranges, merged once
     * here rather than at every map computation. A firewall rule is made per remote peer and range, so 65,535
     * single ports written into a rule (which the account no longer accepts, but history may hold) make one rule
     * per peer instead of 65,535.
     */
    static PolicyDefinition withMergedPorts(PolicyDefinition definition) {
        if (definition.rules().stream().noneMatch(PolicyRule::hasPorts)) {
            return definition;
        }
        List<PolicyRule> rules = new ArrayList<>(definition.rules().size());
        for (PolicyRule rule : definition.rules()) {
            if (!rule.hasPorts()) {
                rules.add(rule);
                continue;
            }
            List<PortRange> written = new ArrayList<>(rule.ports().size() + rule.portRanges().size());
            written.addAll(rule.ports());
            written.addAll(rule.portRanges());
            rules.add(new PolicyRule(rule.id(), rule.name(), rule.description(), rule.enabled(), rule.action(),
                    rule.bidirectional(), rule.protocol(), List.of(), PortRange.merge(written), rule.sources(),
                    rule.destinations(), rule.destinationResource()));
        }
        return new PolicyDefinition(definition.name(), definition.description(), definition.enabled(), rules,
                definition.sourcePostureChecks());
    }

    private void unindex(String policyId, PolicyDefinition definition) {
        for (String groupId : definition.groups()) {
            Set<String> ids = policiesByGroup.get(groupId);
            if (ids != null) {
                ids.remove(policyId);
                if (ids.isEmpty()) {
                    policiesByGroup.remove(groupId);
                }
            }
        }
    }

    /** The peer and every peer it shares an effective rule with: everyone whose map may show it. */
    private void addLinkedPeers(Peer peer, Set<String> affected) {
        affected.add(peer.id);
        for (String groupId : groupsOf(peer)) {
            addPeersOfPolicies(policiesByGroup.get(groupId), affected);
        }
    }

    private void addPeersOfPolicies(Collection<String> policyIds, Set<String> affected) {
        if (policyIds == null) {
            return;
        }
        for (String policyId : policyIds) {
            PolicyDefinition definition = policies.get(policyId);
            if (definition != null) {
                addPeersOfDefinition(definition, affected);
            }
        }
    }

    /** Members of every group an effective rule of the policy names; disabled policies and rules change no map. */
    private void addPeersOfDefinition(PolicyDefinition definition, Set<String> affected) {
        if (!definition.enabled()) {
            return;
        }
        for (PolicyRule rule : definition.rules()) {
            if (rule.enabled() && addMembers(rule.groups(), affected)) {
                return;
            }
        }
    }

    // --- read side, used by NetworkMapComputer ---

    Peer peer(String peerId) {
        return peers.get(peerId);
    }

    int peerCount() {
        return peers.size();
    }

    Set<String> policyIdsForGroup(String groupId) {
        Set<String> ids = policiesByGroup.get(groupId);
        return ids == null ? Set.of() : ids;
    }

    PolicyDefinition policy(String policyId) {
        return policies.get(policyId);
    }

    /** Every policy id, in the order the policies came. */
    Set<String> policyIds() {
        return policies.keySet();
    }

    String allGroupId() {
        return allGroupId;
    }

    /** The peer's groups including the implicit All group. */
    Set<String> groupsOf(Peer peer) {
        if (allGroupId == null) {
            return peer.groups;
        }
        Set<String> all = new LinkedHashSet<>(peer.groups.size() + 1);
        all.add(allGroupId);
        all.addAll(peer.groups);
        return all;
    }

    boolean isMember(Peer peer, String groupId) {
        return groupId.equals(allGroupId) ? groups.containsKey(groupId) : peer.groups.contains(groupId);
    }

    /** Members of a group; the All group's members are every peer. Unknown groups have none. */
    Collection<Peer> membersOf(String groupId) {
        if (groupId.equals(allGroupId)) {
            return peers.values();
        }
        Group group = groups.get(groupId);
        return group == null ? List.of() : group.members.values();
    }

    boolean isAllGroup(String groupId) {
        return groupId.equals(allGroupId);
    }

    List<String> extraFqdns(Peer peer) {
        return peer.extraDnsLabels.isEmpty() ? List.of() : peer.extraDnsLabels.stream().map(this::fqdn).toList();
    }

    String fqdn(String dnsLabel) {
        return dnsDomain.isEmpty() ? dnsLabel : dnsLabel + "." + dnsDomain;
    }

    /** Whether AccountCreated has been seen: addresses and FQDNs can be formed. */
    boolean hasNetwork() {
        return network != null;
    }

    String address(MeshIp ip) {
        return ip.address() + "/" + (network == null ? 32 : network.prefixLength());
    }

    RemotePeer view(Peer peer) {
        if (peer.view == null) {
            peer.view = new RemotePeer(peer.id, peer.name, peer.key, peer.ip, fqdn(peer.dnsLabel), peer.sshEnabled,
                    extraFqdns(peer));
        }
        return peer.view;
    }

    /** The view of every peer whose login has not expired, sorted by mesh IP; see {@link #everyoneSorted}. */
    Object[] everyoneSorted() {
        if (everyoneSorted == null) {
            sortShared();
        }
        return everyoneSorted;
    }

    /** The view of every login-expired peer, sorted by mesh IP; see {@link #expiredSorted}. */
    Object[] expiredSorted() {
        if (expiredSorted == null) {
            sortShared();
        }
        return expiredSorted;
    }

    private void sortShared() {
        List<Peer> sorted = new ArrayList<>(peers.values());
        sorted.sort(NetworkMapComputer.BY_IP);
        Object[][] split = viewsByLogin(sorted, true);
        everyoneSorted = split[0];
        expiredSorted = split[1];
    }

    /**
     * The views of the given peers (in their order), split into those of online peers ([0]) and of login-expired
     * ones ([1], the shared empty array when there are none). With {@code recordIndex}, each peer's
     * {@link Peer#sharedIndex} becomes its position in its list (only for the shared account-wide lists).
     */
    Object[][] viewsByLogin(List<Peer> ordered, boolean recordIndex) {
        int expired = 0;
        for (Peer peer : ordered) {
            if (peer.loginExpired) {
                expired++;
            }
        }
        Object[] online = new Object[ordered.size() - expired];
        Object[] offline = expired == 0 ? NO_VIEWS : new Object[expired];
        int onlineCount = 0;
        int offlineCount = 0;
        for (Peer peer : ordered) {
            if (peer.loginExpired) {
                if (recordIndex) {
                    peer.sharedIndex = offlineCount;
                }
                offline[offlineCount++] = view(peer);
            } else {
                if (recordIndex) {
                    peer.sharedIndex = onlineCount;
                }
                online[onlineCount++] = view(peer);
            }
        }
        return new Object[][]{online, offline};
    }

    private static final Object[] NO_VIEWS = new Object[0];

    /** Both shared lists go together: each peer's {@link Peer#sharedIndex} points into one of them. */
    private void forgetShared() {
        everyoneSorted = null;
        expiredSorted = null;
    }

    /** Every peer id, for full recomputation. */
    Set<String> peerIds() {
        return peers.keySet();
    }
}
