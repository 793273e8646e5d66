package dev.tern.command;

import dev.tern.events.GroupDeleted;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.commands.CreatePolicy;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.DeletePolicy;
import dev.tern.events.commands.UpdatePolicy;
import dev.tern.events.values.PolicyDefinition;
import org.junit.jupiter.api.Test;

import java.util.List;

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
