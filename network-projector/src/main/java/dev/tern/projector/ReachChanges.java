package dev.tern.projector;

import dev.tern.events.AccountEvent;
import dev.tern.events.PeerRegistered;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which events of an account's history changed what one peer could reach: its map, recomputed after every event
 * that the account graph says may change it (as the live projector recomputes it), compared with the map before by
 * what reaching means — the peers it could reach or be reached from, online and login-expired, its firewall rules,
 * its routes and their firewall rules, and whether it had a map at all (registration, deletion) or its own login
 * had lapsed. Renames, SSH and DNS changes do not count. Work: one graph of the account and one map per event that
 * may touch the peer.
 */
public final class ReachChanges {
    private ReachChanges() {
    }

    /**
     * One event that changed the peer's reach: its index in the given list, the peers the peer could newly reach
     * (or be reached from) and no longer could, those of them whose login lapsed (still listed, offline) or came
     * back, and whether its rules or routes changed.
     */
    public record Change(int index, boolean hadMap, boolean hasMap, List<String> gained, List<String> lost,
                         List<String> wentOffline, List<String> cameOnline, boolean rulesChanged,
                         boolean routesChanged, boolean loginExpired) {
    }

    /** What reaching means; two maps with the same reach are the same to this history. */
    private record Reach(Set<String> online, Set<String> offline, List<FirewallRule> rules, List<PeerRoute> routes,
                         List<RouteFirewallRule> routeRules, boolean loginExpired) {
        static final Reach NONE = new Reach(Set.of(), Set.of(), List.of(), List.of(), List.of(), false);

        static Reach of(PeerNetworkMap map) {
            if (map == null) {
                return NONE;
            }
            Set<String> online = new LinkedHashSet<>();
            map.remotePeers().forEach(p -> online.add(p.peerId()));
            Set<String> offline = new LinkedHashSet<>();
            map.offlinePeers().forEach(p -> offline.add(p.peerId()));
            return new Reach(online, offline, List.copyOf(map.firewallRules()), map.routes(),
                    map.routeFirewallRules(), map.loginExpired());
        }
    }

    /** The changes to {@code peerId}'s reach, oldest first, over the account's events in stream order. */
    public static List<Change> of(String accountId, String peerId, List<? extends AccountEvent> events) {
        Tracker tracker = new Tracker(accountId, peerId);
        tracker.advanceTo(events);
        return tracker.changesWithin(events.size());
    }

    /**
     * The changes to one peer's reach over a history fed to it a part at a time: the events up to an instant, later
     * the events up to a later one, each time only the events not fed yet. A change at an event depends only on the
     * events up to it, so the changes among the first {@code n} events are those of a history of {@code n} events,
     * however many were fed since. Not thread-safe.
     */
    public static final class Tracker {
        private final String accountId;
        private final String peerId;
        private final AccountGraph graph;
        private final List<Change> changes = new ArrayList<>();
        private PeerNetworkMap before;
        private Reach reachBefore = Reach.NONE;
        private int fed;
        private int firstRegistration = -1;

        public Tracker(String accountId, String peerId) {
            this.accountId = accountId;
            this.peerId = peerId;
            this.graph = new AccountGraph(accountId);
        }

        /** How many events were fed: the first that many of every list given to {@link #advanceTo}. */
        public int fed() {
            return fed;
        }

        /** Whether the peer registered among the first {@code n} events. */
        public boolean registeredWithin(int n) {
            return firstRegistration >= 0 && firstRegistration < n;
        }

        /** The changes among the first {@code n} events fed, oldest first. */
        public List<Change> changesWithin(int n) {
            if (n > fed) {
                throw new IllegalArgumentException(n + " events asked for, " + fed + " fed");
            }
            int end = changes.size();
            while (end > 0 && changes.get(end - 1).index() >= n) {
                end--;
            }
            return List.copyOf(changes.subList(0, end));
        }

        /** Feeds the events of {@code events} after the first {@link #fed} (which must be those fed before). */
        public void advanceTo(List<? extends AccountEvent> events) {
            for (int i = fed; i < events.size(); i++) {
                AccountEvent event = events.get(i);
                fed = i + 1;
                if (!event.accountId().equals(accountId)) {
                    continue;
                }
                if (firstRegistration < 0 && event instanceof PeerRegistered registered
                        && registered.peerId().equals(peerId)) {
                    firstRegistration = i;
                }
                Set<String> affected = graph.apply(event);
                if (!affected.contains(peerId)) {
                    continue;
                }
                PeerNetworkMap after = NetworkMapComputer.compute(graph, peerId, i);
                Reach reachAfter = Reach.of(after);
                if (!reachAfter.equals(reachBefore) || (before == null) != (after == null)) {
                    changes.add(new Change(i, before != null, after != null,
                            minus(union(reachAfter.online(), reachAfter.offline()),
                                    union(reachBefore.online(), reachBefore.offline())),
                            minus(union(reachBefore.online(), reachBefore.offline()),
                                    union(reachAfter.online(), reachAfter.offline())),
                            minus(intersection(reachAfter.offline(), reachBefore.online()), Set.of()),
                            minus(intersection(reachAfter.online(), reachBefore.offline()), Set.of()),
                            !reachAfter.rules().equals(reachBefore.rules()),
                            !reachAfter.routes().equals(reachBefore.routes())
                                    || !reachAfter.routeRules().equals(reachBefore.routeRules()),
                            reachAfter.loginExpired()));
                }
                before = after;
                reachBefore = reachAfter;
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> both = new LinkedHashSet<>(a);
        both.retainAll(b);
        return both;
    }

    private static List<String> minus(Set<String> a, Set<String> b) {
        return a.stream().filter(id -> !b.contains(id)).sorted().toList();
    }
}
