package dev.tern.command;

import dev.tern.events.GroupDeleted;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.commands.CreatePolicy;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.DeletePolicy;
import dev.tern.events.commands.UpdatePolicy;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static dev.tern.command.GroupCommandsTest.policyBetween;
import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;

class PolicyCommandsTest extends AccountFixtureSupport {

    @Test
    void creatingAPolicyBetweenExistingGroups() {
        PolicyDefinition definition = policyBetween("dev-ops", "g1", "g2");
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", definition))
                .expectEvents(new PolicyCreated(ACC, "pol1", definition));
    }

    @Test
    void aRuleReferencingAnUnknownGroupIsInvalid() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(new CreatePolicy(ACC, "pol1", policyBetween("dev-ops", "g1", "ghost")))
                .expectException(rejected(INVALID, "unknown group ghost"))
                .expectNoEvents();
    }

    @Test
    void postureChecksAreNotSupportedYet() {
        PolicyDefinition base = policyBetween("dev", "g1", "g1");
        PolicyDefinition withChecks = new PolicyDefinition(base.name(), "", true, base.rules(), List.of("check-1"));
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(new CreatePolicy(ACC, "pol1", withChecks))
                .expectException(rejected(INVALID, "posture checks are not supported"))
                .expectNoEvents();
    }

    @Test
    void anExistingPolicyIdIsAConflict() {
        fixture.givenCurrentTime(NOW).andGiven(account(new PolicyCreated(ACC, "pol1", policyBetween("a", ALL, ALL))))
                .when(new CreatePolicy(ACC, "pol1", policyBetween("b", ALL, ALL)))
                .expectException(rejected(CONFLICT, "policy pol1 already exists"))
                .expectNoEvents();
    }

    @Test
    void updatingReplacesTheDefinitionAndItsGroupReferences() {
        // after the update the policy no longer references g1, so g1 can be deleted
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops"),
                        new PolicyCreated(ACC, "pol1", policyBetween("p", "g1", "g2")),
                        new PolicyUpdated(ACC, "pol1", policyBetween("p", "g2", "g2"))))
                .when(new DeleteGroup(ACC, "g1"))
                .expectEvents(new GroupDeleted(ACC, "g1", "dev"));
    }

    @Test
    void anUpdateChecksGroupsToo() {
        fixture.givenCurrentTime(NOW).andGiven(account(new PolicyCreated(ACC, "pol1", policyBetween("p", ALL, ALL))))
                .when(new UpdatePolicy(ACC, "pol1", policyBetween("p", ALL, "ghost")))
                .expectException(rejected(INVALID, "unknown group ghost"))
                .expectNoEvents();
    }

    @Test
    void updateEmitsPolicyUpdated() {
        PolicyDefinition changed = policyBetween("renamed", ALL, ALL);
        fixture.givenCurrentTime(NOW).andGiven(account(new PolicyCreated(ACC, "pol1", policyBetween("p", ALL, ALL))))
                .when(new UpdatePolicy(ACC, "pol1", changed))
                .expectEvents(new PolicyUpdated(ACC, "pol1", changed));
    }

    @Test
    void deletingEmitsPolicyDeletedWithItsName() {
        fixture.givenCurrentTime(NOW).andGiven(account(new PolicyCreated(ACC, "pol1", policyBetween("p", ALL, ALL))))
                .when(new DeletePolicy(ACC, "pol1"))
                .expectEvents(new PolicyDeleted(ACC, "pol1", "p"));
    }

    /** A policy with one tcp rule from g1 to g2 with the given ports, ranges, sources and description. */
    private static PolicyDefinition tcpPolicy(List<PortRange> ports, List<PortRange> ranges, List<String> sources,
                                              String description) {
        return new PolicyDefinition("web", "", true, List.of(new PolicyRule("r1", "web", description, true,
                RuleAction.ACCEPT, false, Protocol.TCP, ports, ranges, sources, List.of("g2"))), List.of());
    }

    private static List<PortRange> singlePorts(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(PortRange::single).toList();
    }

    @Test
    void aRuleWithAsManyPortEntriesAsAllowedIsCreated() {
        PolicyDefinition definition = tcpPolicy(singlePorts(1000, InputLimits.MAX_PORTS_PER_RULE - 1),
                List.of(new PortRange(8000, 8100)), List.of("g1"), "");
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", definition))
                .expectEvents(new PolicyCreated(ACC, "pol1", definition));
    }

    @Test
    void everySinglePortIsRefusedOnCreateAndUpdate() {
        PolicyDefinition everyPort = tcpPolicy(singlePorts(1, 65_535), List.of(), List.of("g1"), "");
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", everyPort))
                .expectException(rejected(INVALID, "65535 ports and port ranges, more than the "
                        + InputLimits.MAX_PORTS_PER_RULE + " allowed"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops"),
                        new PolicyCreated(ACC, "pol1", policyBetween("p", "g1", "g2"))))
                .when(new UpdatePolicy(ACC, "pol1", everyPort))
                .expectException(rejected(INVALID, "65535 ports and port ranges"))
                .expectNoEvents();
    }

    @Test
    void portsAndRangesCountTogether() {
        PolicyDefinition definition = tcpPolicy(singlePorts(1000, InputLimits.MAX_PORTS_PER_RULE),
                List.of(new PortRange(8000, 8100)), List.of("g1"), "");
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", definition))
                .expectException(rejected(INVALID, (InputLimits.MAX_PORTS_PER_RULE + 1) + " ports and port ranges"))
                .expectNoEvents();
    }

    @Test
    void aGroupNamedTwiceOnOneSideIsRefused() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", tcpPolicy(List.of(), List.of(), List.of("g1", "g1"), "")))
                .expectException(rejected(INVALID, "rule 'web' sources lists g1 more than once"))
                .expectNoEvents();
    }

    @Test
    void tooManyGroupsOnOneSideAreRefused() {
        List<String> sources = IntStream.rangeClosed(0, InputLimits.MAX_GROUPS_PER_RULE_SIDE)
                .mapToObj(i -> "g" + i).toList();
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", tcpPolicy(List.of(), List.of(), sources, "")))
                .expectException(rejected(INVALID, "rule 'web' sources lists "
                        + (InputLimits.MAX_GROUPS_PER_RULE_SIDE + 1) + " ids"))
                .expectNoEvents();
    }

    @Test
    void overlongDescriptionsAreRefused() {
        String overlong = "d".repeat(InputLimits.MAX_DESCRIPTION + 1);
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", tcpPolicy(List.of(), List.of(), List.of("g1"), overlong)))
                .expectException(rejected(INVALID, "rule 'web' description is longer than"))
                .expectNoEvents();
        PolicyDefinition base = policyBetween("p", "g1", "g2");
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", new PolicyDefinition("p", overlong, true, base.rules(), List.of())))
                .expectException(rejected(INVALID, "policy description is longer than"))
                .expectNoEvents();
    }

    @Test
    void tooManyRulesAreRefused() {
        List<PolicyRule> rules = IntStream.rangeClosed(0, InputLimits.MAX_RULES_PER_POLICY)
                .mapToObj(i -> new PolicyRule("r" + i, "rule", "", true, RuleAction.ACCEPT, true, Protocol.ALL,
                        List.of(), List.of(), List.of("g1"), List.of("g2"))).toList();
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new CreatePolicy(ACC, "pol1", new PolicyDefinition("p", "", true, rules, List.of())))
                .expectException(rejected(INVALID, "has " + (InputLimits.MAX_RULES_PER_POLICY + 1)
                        + " rules, more than the " + InputLimits.MAX_RULES_PER_POLICY + " allowed"))
                .expectNoEvents();
    }

    @Test
    void unknownPoliciesAreNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdatePolicy(ACC, "nope", policyBetween("p", ALL, ALL)))
                .expectException(rejected(NOT_FOUND, "policy nope not found"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new DeletePolicy(ACC, "nope"))
                .expectException(rejected(NOT_FOUND, "policy nope not found"))
                .expectNoEvents();
    }
}
