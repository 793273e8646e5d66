package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.RouteCreated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.RuleAction;
import dev.tern.projector.ReachExplainer.Direction;
import dev.tern.projector.ReachExplainer.Grant;
import dev.tern.projector.ReachExplainer.Kind;
import dev.tern.projector.ReachExplainer.Reach;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Why A could reach B: dev (a, b), ops (o), routers (r); policies between them, a route through r. */
class ReachExplainerTest {
    private NetworkMapProjector projector;

    @BeforeEach
    void account() {
        projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        for (String g : List.of("dev", "ops", "routers")) {
            projector.apply(group(g));
        }
        projector.apply(peer("a", 1));
        projector.apply(peer("b", 2));
        projector.apply(peer("o", 3));
        projector.apply(peer("r", 4));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "a"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "b"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "ops", "o"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "routers", "r"));
    }

    private Reach explain(String from, String to) {
        return ReachExplainer.explain(projector, ACCOUNT, from, to, id -> "name-" + id).orElseThrow();
    }

    @Test
    void aBidirectionalTcpRuleBetweenTheirGroupsAllowsItBothWaysWithItsPorts() {
        projector.apply(new PolicyCreated(ACCOUNT, "p-ssh", policy("ssh", rule("r1", RuleAction.ACCEPT, true,
                Protocol.TCP, List.of(PortRange.single(22)), List.of("dev"), List.of("dev")))));

        Reach reach = explain("a", "b");

        assertThat(reach.allowed()).isTrue();
        assertThat(reach.inMap()).isTrue();
        assertThat(reach.grants()).containsExactly(new Grant(Kind.POLICY, "p-ssh", "ssh", "r1", "rule-r1",
                RuleAction.ACCEPT, Direction.BOTH, Protocol.TCP, List.of(PortRange.single(22)), null, null));
    }

    @Test
    void aOneWayRuleNamesTheDirectionItAllows() {
        projector.apply(new PolicyCreated(ACCOUNT, "p-ops", policy("ops-to-dev",
                accept("r1", false, List.of("ops"), List.of("dev")))));

        assertThat(explain("o", "a").grants()).extracting(Grant::direction).containsExactly(Direction.A_TO_B);
        Reach back = explain("a", "o");
        assertThat(back.grants()).extracting(Grant::direction).containsExactly(Direction.B_TO_A);
        assertThat(back.allowed()).isTrue();
    }

    @Test
    void withoutAMatchingRuleTheAnswerNamesTheMissingGroupMembership() {
        projector.apply(new PolicyCreated(ACCOUNT, "p-dev", policy("dev-dev",
                accept("r1", true, List.of("dev"), List.of("dev")))));

        Reach reach = explain("o", "a");

        assertThat(reach.allowed()).isFalse();
        assertThat(reach.inMap()).isFalse();
        assertThat(reach.grants()).isEmpty();
        assertThat(reach.reasons()).containsExactly("peer name-o is not in any source group of rule 'rule-r1' of "
                + "policy 'dev-dev' (groups: name-dev) nor in any of its destination groups (groups: name-dev)");
        assertThat(explain("a", "o").reasons()).containsExactly("peer name-o is not in any destination group of "
                + "rule 'rule-r1' of policy 'dev-dev' (groups: name-dev)");
    }

    @Test
    void aDisabledPolicyThatWouldMatchIsTheReason() {
        PolicyDefinition enabled = policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")));
        projector.apply(new PolicyCreated(ACCOUNT, "p-dev", enabled));
        projector.apply(new PolicyUpdated(ACCOUNT, "p-dev", new PolicyDefinition("dev-dev", "", false,
                enabled.rules(), List.of())));

        Reach reach = explain("a", "b");

        assertThat(reach.allowed()).isFalse();
        assertThat(reach.inMap()).isFalse();
        assertThat(reach.reasons()).containsExactly("policy 'dev-dev' is disabled (its rule 'rule-r1' would match)");
    }

    @Test
    void anExpiredLoginDeniesWhatThePoliciesAllow() {
        projector.apply(new PolicyCreated(ACCOUNT, "p-dev", policy("dev-dev",
                accept("r1", true, List.of("dev"), List.of("dev")))));
        projector.apply(new PeerLoginExpired(ACCOUNT, "b", PeerExpiry.LOGIN, Instant.EPOCH));

        Reach reach = explain("a", "b");

        assertThat(reach.allowed()).isFalse();
        assertThat(reach.toLoginExpired()).isTrue();
        assertThat(reach.grants()).hasSize(1);
        assertThat(reach.reasons()).containsExactly("peer name-b's login had expired");
    }

    @Test
    void aDropRuleIsListedAndDenies() {
        projector.apply(new PolicyCreated(ACCOUNT, "p-dev", policy("dev-dev",
                accept("r1", true, List.of("dev"), List.of("dev")))));
        projector.apply(new PolicyCreated(ACCOUNT, "p-block", policy("block",
                rule("r2", RuleAction.DROP, false, Protocol.ALL, List.of(), List.of("dev"), List.of("dev")))));

        Reach reach = explain("a", "b");

        assertThat(reach.allowed()).isFalse();
        assertThat(reach.grants()).extracting(Grant::action).containsExactly(RuleAction.DROP, RuleAction.ACCEPT);
        assertThat(reach.reasons()).containsExactly("rule 'rule-r2' of policy 'block' drops this traffic");
    }

    @Test
    void aRouteThroughTheOtherPeerIsAGrant() {
        projector.apply(new PolicyCreated(ACCOUNT, "p-r", policy("dev-routers",
                accept("r1", false, List.of("dev"), List.of("routers")))));
        projector.apply(new RouteCreated(ACCOUNT, "site", new RouteDefinition("lab", "lab", true, "r", List.of(),
                Cidr.parse("10.10.10.0/24"), List.of(), 100, true, List.of("dev"), false, List.of(), false)));

        Reach reach = explain("a", "r");

        assertThat(reach.allowed()).isTrue();
        assertThat(reach.grants()).extracting(Grant::kind).containsExactly(Kind.POLICY, Kind.ROUTE);
        Grant route = reach.grants().get(1);
        assertThat(route.routeId()).isEqualTo("site");
        assertThat(route.network()).isEqualTo("10.10.10.0/24");
        assertThat(route.direction()).isEqualTo(Direction.A_TO_B);
        assertThat(explain("o", "r").grants()).isEmpty();
    }

    @Test
    void unknownPeersAndAccountsHaveNoExplanation() {
        assertThat(ReachExplainer.explain(projector, ACCOUNT, "a", "nobody", id -> id)).isEmpty();
        assertThat(ReachExplainer.explain(projector, "other-account", "a", "b", id -> id)).isEmpty();
    }
}
