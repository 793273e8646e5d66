package dev.tern.query.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.values.Cidr;
import dev.tern.events.GroupCreated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import dev.tern.query.groups.GroupView;
import dev.tern.query.groups.PolicyView;
import dev.tern.query.peers.PeerView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class PointInTimeReadsTest extends ReadModelTestBase {
    private static final Instant T = Instant.parse("2026-06-01T03:00:00Z");

    @Autowired
    PointInTimeReads history;

    @Test
    void theNetworkAsItStoodAtEachInstant() {
        AccountHistory account = newAccount(); // created "now": its first two events are after T
        String dev = Ids.newId();
        String alpha = Ids.newId();
        String beta = Ids.newId();
        String policyId = Ids.newId();
        WireGuardKey alphaKey = AccountHistory.randomKey();
        PolicyDefinition devToDev = policy("dev-dev", dev);
        PolicyDefinition disabled = new PolicyDefinition("dev-dev", "", false, devToDev.rules(), List.of());
        Instant later = Instant.now().plusSeconds(3600);
        account.appendAt(new GroupCreated(account.accountId, dev, "dev", GroupIssuer.API), AccountHistory.ADMIN,
                later.plusSeconds(1));
        account.appendAt(register(account, alpha, alphaKey, "alpha", "100.71.0.1"), AccountHistory.ADMIN,
                later.plusSeconds(2));
        account.appendAt(register(account, beta, AccountHistory.randomKey(), "beta", "100.71.0.2"),
                AccountHistory.ADMIN, later.plusSeconds(3));
        account.appendAt(new PeerAddedToGroup(account.accountId, dev, alpha), AccountHistory.ADMIN,
                later.plusSeconds(4));
        account.appendAt(new PeerAddedToGroup(account.accountId, dev, beta), AccountHistory.ADMIN,
                later.plusSeconds(5));
        account.appendAt(new PolicyCreated(account.accountId, policyId, devToDev), AccountHistory.ADMIN,
                later.plusSeconds(6));
        account.appendAt(new PeerRenamed(account.accountId, alpha, "alpha", "Alpha", "alpha-2"),
                AccountHistory.ADMIN, later.plusSeconds(7));
        account.appendAt(new PeerSshChanged(account.accountId, alpha, true), AccountHistory.ADMIN,
                later.plusSeconds(8));
        account.appendAt(new PolicyUpdated(account.accountId, policyId, disabled), AccountHistory.ADMIN,
                later.plusSeconds(9));
        account.appendAt(new PeerRemovedFromGroup(account.accountId, dev, beta), AccountHistory.ADMIN,
                later.plusSeconds(10));
        account.appendAt(new GroupRenamed(account.accountId, dev, "dev", "developers"), AccountHistory.ADMIN,
                later.plusSeconds(11));
        account.appendAt(new PeerDeleted(account.accountId, alpha, alphaKey), AccountHistory.ADMIN,
                later.plusSeconds(12));
        account.appendAt(new PolicyDeleted(account.accountId, policyId, "dev-dev"), AccountHistory.ADMIN,
                later.plusSeconds(13));
        account.appendAt(new GroupDeleted(account.accountId, dev, "developers"), AccountHistory.ADMIN,
                later.plusSeconds(14));

        assertThat(history.at(account.accountId, T)).as("before the account existed").isEmpty();

        PointInTimeReads.AccountState atFive = history.at(account.accountId, later.plusSeconds(5)).orElseThrow();
        assertThat(atFive.groups()).extracting(GroupView::name).containsExactly("All", "dev");
        assertThat(atFive.groups().get(1).peers()).extracting(GroupView.PeerRef::name).containsExactly("alpha",
                "beta");
        assertThat(atFive.groups().get(0).peers()).hasSize(2);
        assertThat(atFive.policies()).isEmpty();
        assertThat(atFive.peers()).first().satisfies(p -> {
            assertThat(p.groups()).containsExactly(new PeerView.GroupRef(account.allGroupId, "All", 2),
                    new PeerView.GroupRef(dev, "dev", 2));
            assertThat(p.wgPubKey()).isEqualTo(alphaKey.base64());
        });

        PointInTimeReads.AccountState atEight = history.at(account.accountId, later.plusSeconds(8)).orElseThrow();
        assertThat(atEight.policies()).containsExactly(new PolicyView(policyId, account.accountId, devToDev));
        assertThat(atEight.peers()).extracting(PeerView::name).containsExactly("Alpha", "beta");
        assertThat(atEight.peers().get(0).sshEnabled()).isTrue();
        assertThat(atEight.peers().get(0).dnsLabel()).isEqualTo("alpha-2");

        PointInTimeReads.AccountState atEleven = history.at(account.accountId, later.plusSeconds(11)).orElseThrow();
        assertThat(atEleven.policies()).singleElement().satisfies(p -> assertThat(p.definition().enabled())
                .isFalse());
        assertThat(atEleven.groups()).extracting(GroupView::name).containsExactly("All", "developers");
        assertThat(atEleven.groups().get(1).peers()).extracting(GroupView.PeerRef::name).containsExactly("Alpha");

        PointInTimeReads.AccountState atEnd = history.at(account.accountId, later.plusSeconds(60)).orElseThrow();
        assertThat(atEnd.peers()).extracting(PeerView::name).containsExactly("beta");
        assertThat(atEnd.groups()).extracting(GroupView::name).containsExactly("All");
        assertThat(atEnd.policies()).isEmpty();
    }

    @Test
    void theStateNowEqualsTheLiveReadModel() {
        AccountHistory account = newAccount();
        String dev = account.createGroup("dev");
        String ops = account.createGroup("ops");
        String alpha = account.registerPeer("alpha", null);
        String beta = account.registerPeer("beta", null);
        account.registerPeer("gamma", null);
        account.append(new PeerAddedToGroup(account.accountId, dev, alpha));
        account.append(new PeerAddedToGroup(account.accountId, ops, alpha));
        account.append(new PeerAddedToGroup(account.accountId, ops, beta));
        account.append(new PolicyCreated(account.accountId, Ids.newId(), policy("ops", ops)));
        account.append(new PeerRenamed(account.accountId, beta, "beta", "b", "b"));
        AccountSettings changed = new AccountSettings(true, 7200, true, 120);
        account.append(new AccountSettingsUpdated(account.accountId, AccountSettings.defaults(), changed));
        account.append(new PeerLoginExpired(account.accountId, alpha, PeerExpiry.LOGIN,
                Instant.parse("2026-01-04T00:00:00Z")));
        account.append(new PeerLoginExpired(account.accountId, beta, PeerExpiry.INACTIVITY,
                Instant.parse("2026-01-04T00:00:00Z")));
        account.append(new PeerLoginRenewed(account.accountId, alpha, null,
                Instant.parse("2026-01-05T00:00:00Z")));
        awaitProjection();

        PointInTimeReads.AccountState now = history.at(account.accountId, Instant.now()).orElseThrow();
        assertThat(now.account()).isEqualTo(userReads.account(account.accountId).orElseThrow());
        assertThat(now.groups()).isEqualTo(groupReads.groups(account.accountId));
        assertThat(now.peers()).isEqualTo(peerReads.peers(account.accountId));
        assertThat(now.policies()).isEqualTo(groupReads.policies(account.accountId));
        assertThat(now.account().settings()).isEqualTo(changed);
        assertThat(now.peers()).filteredOn(PeerView::loginExpired).extracting(PeerView::id).containsExactly(beta);
        assertThat(now.peers()).filteredOn(p -> p.id().equals(alpha)).singleElement()
                .satisfies(p -> assertThat(p.lastLogin()).isEqualTo(Instant.parse("2026-01-05T00:00:00Z")));
    }

    @Test
    void peersStandAtTheAddressesOfTheNetworkOfTheirInstant() {
        AccountHistory account = newAccount();
        String alpha = Ids.newId();
        String beta = Ids.newId();
        Instant later = Instant.now().plusSeconds(3600);
        account.appendAt(register(account, alpha, AccountHistory.randomKey(), "alpha", "100.71.0.1"),
                AccountHistory.ADMIN, later.plusSeconds(1));
        account.appendAt(register(account, beta, AccountHistory.randomKey(), "beta", "100.71.1.9"),
                AccountHistory.ADMIN, later.plusSeconds(2));
        account.appendAt(new AccountNetworkRangeChanged(account.accountId, Cidr.parse("100.71.0.0/16"),
                Cidr.parse("10.9.0.0/24"), List.of(new AccountNetworkRangeChanged.PeerAddress(alpha,
                new MeshIp("10.9.0.1")), new AccountNetworkRangeChanged.PeerAddress(beta, new MeshIp("10.9.0.2")))),
                AccountHistory.ADMIN, later.plusSeconds(3));
        awaitProjection();

        PointInTimeReads.AccountState before = history.at(account.accountId, later.plusSeconds(2)).orElseThrow();
        assertThat(before.account().network()).isEqualTo("100.71.0.0/16");
        assertThat(before.peers()).extracting(PeerView::ip).containsExactly("100.71.0.1", "100.71.1.9");
        PointInTimeReads.AccountState after = history.at(account.accountId, later.plusSeconds(3)).orElseThrow();
        assertThat(after.account().network()).isEqualTo("10.9.0.0/24");
        assertThat(after.peers()).extracting(PeerView::ip).containsExactly("10.9.0.1", "10.9.0.2");
        // the live tables (PeerProjection, UserProjection) say the same
        assertThat(after.account()).isEqualTo(userReads.account(account.accountId).orElseThrow());
        assertThat(after.peers()).isEqualTo(peerReads.peers(account.accountId));
    }

    private static PeerRegistered register(AccountHistory account, String peerId, WireGuardKey key, String name,
                                           String ip) {
        return new PeerRegistered(account.accountId, peerId, key, new MeshIp(ip), name, name,
                PeerSystemMeta.ofHostname(name), null, null, false, true, Instant.parse("2026-01-03T00:00:00Z"));
    }

    private static PolicyDefinition policy(String name, String group) {
        return new PolicyDefinition(name, "", true, List.of(new PolicyRule("r1", name, "", true, RuleAction.ACCEPT,
                true, Protocol.ALL, List.of(), List.of(), List.of(group), List.of(group))), List.of());
    }
}
