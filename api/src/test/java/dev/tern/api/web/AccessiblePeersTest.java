package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.query.GroupView;
import dev.tern.query.PeerView;
import dev.tern.query.PolicyView;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessiblePeersTest {
    final List<PeerView> peers = List.of(peer("a"), peer("b"), peer("c"), peer("d"));
    final GroupView all = new GroupView("all", "acc", "All", GroupIssuer.API, true, List.of());
    final GroupView dev = group("dev", "a", "b");
    final GroupView prod = group("prod", "c");
    final List<GroupView> groups = List.of(all, dev, prod);

    static PeerView peer(String id) {
        return new PeerView(id, "acc", id, null, "100.64.0.1", id, null, "", "", List.of(), false, false, false,
                false, null, null, false, null, "");
    }

    static GroupView group(String id, String... members) {
        return new GroupView(id, "acc", id, GroupIssuer.API, false,
                Arrays.stream(members).map(m -> new GroupView.PeerRef(m, m)).toList());
    }

    static PolicyView policy(boolean enabled, PolicyRule... rules) {
        return new PolicyView("p" + System.nanoTime(), "acc", new PolicyDefinition("p", "", enabled, List.of(rules),
                List.of()));
    }

    static PolicyRule rule(String src, String dst, boolean bidirectional, RuleAction action, boolean enabled) {
        return new PolicyRule("r", "r", "", enabled, action, bidirectional, Protocol.TCP, List.of(PortRange.single(22)),
                List.of(), List.of(src), List.of(dst));
    }

    List<String> accessible(String peerId, PolicyView... policies) {
        return AccessiblePeers.of(peerId, peers, groups, List.of(policies)).stream().map(PeerView::id).toList();
    }

    @Test
    void noPolicyNoPeers() {
        assertThat(accessible("a")).isEmpty();
    }

    @Test
    void membersOfAGroupLinkedToItselfSeeEachOtherButNotThemselves() {
        PolicyView devDev = policy(true, rule("dev", "dev", true, RuleAction.ACCEPT, true));
        assertThat(accessible("a", devDev)).containsExactly("b");
        assertThat(accessible("b", devDev)).containsExactly("a");
        assertThat(accessible("c", devDev)).isEmpty();
    }

    @Test
    void oneWayRulesPutBothEndsInEachOthersMapAsNetBirdDoes() {
        PolicyView devToProd = policy(true, rule("dev", "prod", false, RuleAction.ACCEPT, true));
        assertThat(accessible("a", devToProd)).containsExactly("c");
        assertThat(accessible("c", devToProd)).containsExactlyInAnyOrder("a", "b");
        assertThat(accessible("d", devToProd)).isEmpty();
    }

    @Test
    void allGroupHoldsEveryPeer() {
        PolicyView allAll = policy(true, rule("all", "all", true, RuleAction.ACCEPT, true));
        assertThat(accessible("d", allAll)).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void disabledPoliciesDisabledRulesAndDropRulesGrantNothing() {
        assertThat(accessible("a", policy(false, rule("dev", "prod", true, RuleAction.ACCEPT, true)))).isEmpty();
        assertThat(accessible("a", policy(true, rule("dev", "prod", true, RuleAction.ACCEPT, false)))).isEmpty();
        assertThat(accessible("a", policy(true, rule("dev", "prod", true, RuleAction.DROP, true)))).isEmpty();
    }

    @Test
    void countsForEveryPeerMatchTheSinglePeerAnswer() {
        PolicyView[] policies = {policy(true, rule("dev", "dev", true, RuleAction.ACCEPT, true)),
                policy(true, rule("dev", "prod", false, RuleAction.ACCEPT, true)),
                policy(true, rule("prod", "all", true, RuleAction.DROP, true))};
        var counts = new AccessiblePeers(peers, groups, List.of(policies)).counts();
        assertThat(counts).containsExactly(java.util.Map.entry("a", 2), java.util.Map.entry("b", 2),
                java.util.Map.entry("c", 2), java.util.Map.entry("d", 0));
        for (PeerView p : peers) {
            assertThat(counts.get(p.id())).isEqualTo(accessible(p.id(), policies).size());
        }
    }

    @Test
    void unknownPeerSeesNothing() {
        assertThat(accessible("zz", policy(true, rule("all", "all", true, RuleAction.ACCEPT, true)))).isEmpty();
    }

    @Test
    void unknownGroupsAreEmpty() {
        assertThat(accessible("a", policy(true, rule("dev", "gone", true, RuleAction.ACCEPT, true)))).isEmpty();
    }
}
