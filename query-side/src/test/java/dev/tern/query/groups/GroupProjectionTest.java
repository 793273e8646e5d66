package dev.tern.query.groups;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.UserCreated;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import dev.tern.query.peers.PeerView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Groups, memberships and policies as {@code GroupProjection} keeps them and {@code GroupReads} reads them. */
class GroupProjectionTest extends ReadModelTestBase {
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");

    @Test
    void groupsHoldTheirMembersAndAllHoldsEveryPeer() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String alpha = account.registerPeer("alpha", null);
        String beta = account.registerPeer("beta", null);
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha)); // redelivered: still one member
        awaitProjection();

        assertThat(groupReads.group(account.accountId, devs)).hasValue(new GroupView(devs, account.accountId, "devs",
                GroupIssuer.API, false, List.of(new GroupView.PeerRef(alpha, "alpha"))));
        assertThat(groupReads.group(account.accountId, account.allGroupId)).hasValueSatisfying(all ->
                assertThat(all.peers()).containsExactly(new GroupView.PeerRef(alpha, "alpha"),
                        new GroupView.PeerRef(beta, "beta")));
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(p -> assertThat(p.groups())
                .containsExactly(new PeerView.GroupRef(account.allGroupId, "All", 2),
                        new PeerView.GroupRef(devs, "devs", 1)));
        assertThat(peerReads.peer(account.accountId, beta)).hasValueSatisfying(p -> assertThat(p.groups())
                .containsExactly(new PeerView.GroupRef(account.allGroupId, "All", 2)));

        account.append(new GroupRenamed(account.accountId, devs, "devs", "developers"));
        account.append(new PeerAddedToGroup(account.accountId, devs, beta));
        account.append(new PeerRemovedFromGroup(account.accountId, devs, alpha));
        awaitProjection();
        assertThat(groupReads.group(account.accountId, devs)).hasValueSatisfying(g -> {
            assertThat(g.name()).isEqualTo("developers");
            assertThat(g.peers()).containsExactly(new GroupView.PeerRef(beta, "beta"));
        });
        assertThat(groupReads.groups(account.accountId)).extracting(GroupView::name)
                .containsExactly("All", "developers");
        assertThat(groupReads.group("other-account", devs)).isEmpty();
    }

    @Test
    void aDeletedGroupLeavesPeersAndAutoGroups() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        String userId = Ids.newId();
        account.append(new UserCreated(account.accountId, userId, "u@example.com", "U", UserRole.USER, false,
                List.of(devs, ops), T0));
        String keyId = Ids.newId();
        account.append(new SetupKeyCreated(account.accountId, keyId, "k", SetupKeyType.ONE_OFF,
                "d".repeat(40) + Ids.newId(), "K", null, 0, List.of(ops, devs), false, false, T0));
        String alpha = account.registerPeer("alpha", null);
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        account.append(new PeerAddedToGroup(account.accountId, ops, alpha));
        account.append(new GroupDeleted(account.accountId, devs, "devs"));
        awaitProjection();

        assertThat(groupReads.group(account.accountId, devs)).isEmpty();
        assertThat(peerReads.peer(account.accountId, alpha)).hasValueSatisfying(p -> assertThat(p.groups())
                .extracting(PeerView.GroupRef::id).containsExactly(account.allGroupId, ops));
        assertThat(userReads.user(account.accountId, userId).orElseThrow().autoGroups()).containsExactly(ops);
        assertThat(setupKeyReads.setupKey(account.accountId, keyId).orElseThrow().autoGroups()).containsExactly(ops);
    }

    @Test
    void policiesKeepTheirWholeDefinition() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        String policyId = Ids.newId();
        PolicyDefinition ssh = new PolicyDefinition("ssh", "devs reach ops on 22", true, List.of(
                new PolicyRule("r1", "ssh", "", true, RuleAction.ACCEPT, false, Protocol.TCP,
                        List.of(PortRange.single(22)), List.of(new PortRange(8000, 8100)), List.of(devs),
                        List.of(ops))), List.of());
        account.append(new PolicyCreated(account.accountId, policyId, ssh));
        awaitProjection();
        assertThat(groupReads.policy(account.accountId, policyId)).hasValue(new PolicyView(policyId,
                account.accountId, ssh));

        PolicyDefinition all = new PolicyDefinition("all", "", false, List.of(new PolicyRule("r2", "any", "d",
                true, RuleAction.DROP, true, Protocol.ALL, List.of(), List.of(), List.of(devs, ops), List.of(ops))),
                List.of());
        account.append(new PolicyUpdated(account.accountId, policyId, all));
        awaitProjection();
        assertThat(groupReads.policies(account.accountId)).containsExactly(new PolicyView(policyId, account.accountId,
                all));

        account.append(new PolicyDeleted(account.accountId, policyId, "all"));
        awaitProjection();
        assertThat(groupReads.policy(account.accountId, policyId)).isEmpty();
        assertThat(groupReads.policies(account.accountId)).isEmpty();
    }
}
