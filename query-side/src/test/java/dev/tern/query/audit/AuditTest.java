package dev.tern.query.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tern.events.AccountSettingsUpdated;
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
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.SetupKeyDeleted;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.UserDeleted;
import dev.tern.events.UserRoleChanged;
import dev.tern.events.UserUnblocked;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.Ids;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.UserRole;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;

class AuditTest extends ReadModelTestBase {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @Autowired
    PlatformTransactionManager transactionManager;

    private List<AuditEntry> everything(String accountId) {
        return auditReads.audit(accountId, new AuditQuery(null, null, null, null, null, 0, AuditQuery.MAX_LIMIT))
                .entries();
    }

    @Test
    void everyEventBecomesItsNetBirdActivity() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        String userId = Ids.newId();
        account.append(new UserCreated(account.accountId, userId, "u@example.com", "Uma", UserRole.USER, false,
                List.of(), T0));
        String robotId = Ids.newId();
        account.append(new UserCreated(account.accountId, robotId, "", "robot", UserRole.ADMIN, true, List.of(), T0));
        account.append(new UserRoleChanged(account.accountId, userId, UserRole.USER, UserRole.ADMIN));
        account.append(new UserBlocked(account.accountId, userId));
        account.append(new UserUnblocked(account.accountId, userId));
        account.append(new UserAutoGroupsChanged(account.accountId, userId, List.of(devs, ops), List.of(devs, ops),
                List.of()));
        account.append(new UserAutoGroupsChanged(account.accountId, userId, List.of(ops), List.of(), List.of(devs)));
        String tokenId = Ids.newId();
        account.append(new PersonalAccessTokenCreated(account.accountId, tokenId, userId, "ci",
                "e".repeat(40) + Ids.newId(), null, userId, T0));
        account.append(new PersonalAccessTokenDeleted(account.accountId, tokenId, userId));
        String keyId = account.createSetupKey("office", T0);
        account.append(new SetupKeyAutoGroupsChanged(account.accountId, keyId, List.of(devs), List.of(devs),
                List.of()));
        account.append(new SetupKeyAutoGroupsChanged(account.accountId, keyId, List.of(), List.of(), List.of(devs)));
        String peerId = account.registerPeer("alpha", keyId);
        String userPeerId = Ids.newId();
        account.append(new PeerRegistered(account.accountId, userPeerId, AccountHistory.randomKey(),
                new MeshIp("100.71.9.9"), "laptop", "laptop", PeerSystemMeta.ofHostname("laptop"), null, userId,
                false, true, T0));
        account.append(new SetupKeyRevoked(account.accountId, keyId));
        account.append(new SetupKeyDeleted(account.accountId, keyId));
        account.append(new GroupRenamed(account.accountId, ops, "ops", "operations"));
        account.append(new PeerAddedToGroup(account.accountId, devs, peerId));
        account.append(new PeerRemovedFromGroup(account.accountId, devs, peerId));
        String policyId = Ids.newId();
        PolicyDefinition policy = new PolicyDefinition("p", "", true, List.of(new PolicyRule("r", "r", "", true,
                RuleAction.ACCEPT, true, Protocol.ALL, List.of(), List.of(), List.of(devs), List.of(ops))), List.of());
        account.append(new PolicyCreated(account.accountId, policyId, policy));
        account.append(new PolicyUpdated(account.accountId, policyId, policy));
        account.append(new PolicyDeleted(account.accountId, policyId, "p"));
        account.append(new GroupDeleted(account.accountId, devs, "devs"));
        account.append(new PeerRenamed(account.accountId, peerId, "alpha", "alpha2", "alpha2"));
        account.append(new PeerSshChanged(account.accountId, peerId, true));
        account.append(new PeerSshChanged(account.accountId, peerId, false));
        account.append(new PeerLoginExpirationChanged(account.accountId, peerId, true));
        account.append(new PeerLoginExpirationChanged(account.accountId, peerId, false));
        account.append(new PeerInactivityExpirationChanged(account.accountId, peerId, true));
        account.append(new PeerInactivityExpirationChanged(account.accountId, peerId, false));
        account.append(new PeerDeleted(account.accountId, peerId, AccountHistory.randomKey()));
        account.append(new UserDeleted(account.accountId, userId));
        account.append(new UserDeleted(account.accountId, robotId));
        awaitProjection();

        List<AuditEntry> entries = everything(account.accountId);
        assertThat(entries).extracting(AuditEntry::activityCode).containsExactly(
                "service.user.delete", "user.delete",
                "user.peer.delete",
                "peer.inactivity.expiration.disable", "peer.inactivity.expiration.enable",
                "peer.login.expiration.disable", "peer.login.expiration.enable",
                "peer.ssh.disable", "peer.ssh.enable", "peer.rename",
                "group.delete",
                "policy.delete", "policy.update", "policy.add",
                "peer.group.delete", "peer.group.add",
                "group.update",
                "setupkey.delete", "setupkey.revoke",
                "peer.user.add", "peer.setupkey.add",
                "setupkey.group.delete", "setupkey.group.add", "setupkey.add",
                "personal.access.token.delete", "personal.access.token.create",
                "user.group.delete", "user.group.add", "user.group.add",
                "user.unblock", "user.block", "user.role.update",
                "service.user.create", "user.create",
                "group.add", "group.add", "group.add", "account.create");
        assertThat(entries).filteredOn(e -> e.activityCode().equals("user.peer.delete")).singleElement()
                .satisfies(e -> {
                    assertThat(e.activity()).isEqualTo("Peer deleted");
                    assertThat(e.targetId()).isEqualTo(peerId);
                    assertThat(e.meta()).containsEntry("name", "alpha2").containsEntry("ip", "100.71.0.1");
                    assertThat(e.initiatorId()).isEqualTo(AccountHistory.ADMIN.id());
                    assertThat(e.initiatorName()).isEqualTo(AccountHistory.ADMIN.name());
                    assertThat(e.initiatorEmail()).isEqualTo(AccountHistory.ADMIN.email());
                });
        assertThat(entries).filteredOn(e -> e.activityCode().equals("peer.group.add")).singleElement()
                .satisfies(e -> {
                    assertThat(e.activity()).isEqualTo("Group added to peer");
                    assertThat(e.targetId()).isEqualTo(peerId);
                    assertThat(e.meta()).containsEntry("group", devs).containsEntry("group_name", "devs")
                            .containsEntry("peer_name", "alpha").containsEntry("peer_ip", "100.71.0.1");
                });
        assertThat(entries).filteredOn(e -> e.activityCode().equals("peer.setupkey.add")).singleElement()
                .satisfies(e -> {
                    assertThat(e.meta()).containsEntry("setup_key_name", "office").containsEntry("name", "alpha");
                    // the peer registered itself: the actor is the peer
                    assertThat(e.initiatorId()).isEqualTo(peerId);
                });
        assertThat(entries).filteredOn(e -> e.activityCode().equals("group.delete")).singleElement()
                .satisfies(e -> assertThat(e.meta()).containsEntry("name", "devs"));
        assertThat(entries).filteredOn(e -> e.activityCode().equals("user.group.add"))
                .extracting(e -> e.meta().get("group_name")).containsExactly("ops", "devs");
        assertThat(entries).filteredOn(e -> e.activityCode().equals("account.create")).singleElement()
                .satisfies(e -> {
                    assertThat(e.initiatorId()).isEqualTo(Actor.SYSTEM.id());
                    assertThat(e.activity()).isEqualTo("Account created");
                });
        assertThat(entries).extracting(AuditEntry::id).doesNotHaveDuplicates();
    }

    @Test
    void accountSettingsChangesAreOneEntryPerChangedSetting() {
        AccountHistory account = newAccount();
        AccountSettings defaults = AccountSettings.defaults();
        // login off, its period and the inactivity switch unchanged, the inactivity period changed
        AccountSettings first = new AccountSettings(false, defaults.peerLoginExpirationSeconds(), false, 1200);
        account.append(new AccountSettingsUpdated(account.accountId, defaults, first));
        AccountSettings second = new AccountSettings(true, 7200, true, 1200);
        account.append(new AccountSettingsUpdated(account.accountId, first, second));
        awaitProjection();

        List<AuditEntry> settings = everything(account.accountId).stream()
                .filter(e -> e.activityCode().startsWith("account.") && !e.activityCode().equals("account.create"))
                .toList();
        assertThat(settings).extracting(AuditEntry::activityCode).containsExactly(
                "account.peer.inactivity.expiration.enable",
                "account.setting.peer.login.expiration.update",
                "account.setting.peer.login.expiration.enable",
                "account.peer.inactivity.expiration.update",
                "account.setting.peer.login.expiration.disable");
        assertThat(settings).extracting(AuditEntry::meta).containsExactly(
                Map.of("old", "false", "new", "true"),
                Map.of("old", "86400", "new", "7200"),
                Map.of("old", "false", "new", "true"),
                Map.of("old", "600", "new", "1200"),
                Map.of("old", "true", "new", "false"));
        assertThat(settings).allSatisfy(e -> {
            assertThat(e.targetId()).isEqualTo(account.accountId);
            assertThat(e.initiatorId()).isEqualTo(AccountHistory.ADMIN.id());
        });
        assertThat(settings).extracting(AuditEntry::activity).contains("Account peer login expiration disabled");
        assertThat(settings).extracting(AuditEntry::id).doesNotHaveDuplicates();
    }

    @Test
    void expiryAndRenewalAreAuditedButNotTheLiftedExpiry() {
        AccountHistory account = newAccount();
        String keyId = account.createSetupKey("office", T0);
        String alpha = account.registerPeer("alpha", keyId);
        String beta = account.registerPeer("beta", keyId);
        account.append(new PeerLoginExpired(account.accountId, alpha, PeerExpiry.LOGIN, T0), Actor.SYSTEM);
        account.append(new PeerLoginExpired(account.accountId, beta, PeerExpiry.INACTIVITY, T0), Actor.SYSTEM);
        Actor alphaItself = new Actor(Actor.Type.PEER, alpha, "alpha", "");
        account.append(new PeerLoginRenewed(account.accountId, alpha, keyId, T0.plusSeconds(60)), alphaItself);
        account.append(new PeerLoginExpiryLifted(account.accountId, beta));
        awaitProjection();

        List<AuditEntry> entries = everything(account.accountId);
        assertThat(entries).extracting(AuditEntry::activityCode).startsWith(
                "user.peer.login", "peer.login.expire", "peer.login.expire", "peer.setupkey.add");
        assertThat(entries.get(0)).satisfies(e -> {
            assertThat(e.activity()).isEqualTo("User logged in peer");
            assertThat(e.targetId()).isEqualTo(alpha);
            assertThat(e.initiatorId()).isEqualTo(alpha);
            assertThat(e.meta()).containsEntry("setup_key_id", keyId).containsEntry("setup_key_name", "office")
                    .containsEntry("name", "alpha").containsEntry("ip", "100.71.0.1");
        });
        assertThat(entries.get(1)).satisfies(e -> {
            assertThat(e.activity()).isEqualTo("Peer login expired");
            assertThat(e.targetId()).isEqualTo(beta);
            assertThat(e.initiatorId()).isEqualTo(Actor.SYSTEM.id());
            assertThat(e.meta()).containsEntry("cause", "inactivity").containsEntry("name", "beta");
        });
        assertThat(entries.get(2).meta()).containsEntry("cause", "login");
        assertThat(entries.get(2).targetId()).isEqualTo(alpha);
    }

    @Test
    void idIsTheEventsGlobalSequenceAndTimestampTheEventsTime() {
        AccountHistory account = newAccount();
        String groupId = Ids.newId();
        account.appendAt(new dev.tern.events.GroupCreated(account.accountId, groupId, "g",
                dev.tern.events.values.GroupIssuer.API), AccountHistory.ADMIN, T0);
        awaitProjection();

        Long globalIndex = jdbc.queryForObject("""
                SELECT global_index FROM domain_event_entry WHERE aggregate_identifier = ? AND sequence_number = 2""",
                Long.class, account.accountId);
        AuditEntry created = auditReads.audit(account.accountId, new AuditQuery(null, null, null, groupId, null, 0, 10))
                .entries().get(0);
        assertThat(created.id()).isEqualTo(Long.toString(globalIndex));
        assertThat(created.timestamp()).isEqualTo(T0);
    }

    /**
     * An event that commits after later ones reaches the processor when its gap fills, with the processor's token
     * standing at the newest index: its rows still carry its own global index, none is lost to a newer event's id.
     */
    @Test
    void anEventCommittedAfterLaterOnesIsAuditedUnderItsOwnGlobalIndex() throws Exception {
        AccountHistory account = newAccount();
        String user = account.createUser("Uma", UserRole.USER);
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        awaitProjection();
        String[] later = new String[2];
        long late = LateCommit.append(account,
                new UserAutoGroupsChanged(account.accountId, user, List.of(devs, ops), List.of(devs, ops), List.of()),
                transactionManager, jdbc, () -> {
                    later[0] = account.createGroup("later");
                    later[1] = account.createGroup("latest");
                }, () -> jdbc.queryForObject("SELECT count(*) FROM rm_audit WHERE account_id = ? AND target_id IN "
                        + "(?, ?)", Long.class, account.accountId, later[0], later[1]) == 2);
        awaitProjection();

        List<AuditEntry> entries = everything(account.accountId);
        assertThat(entries).filteredOn(e -> e.activityCode().equals("user.group.add"))
                .extracting(AuditEntry::id, e -> e.meta().get("group"))
                .containsExactlyInAnyOrder(tuple(Long.toString(late), devs), tuple(late + "-1", ops));
        assertThat(entries).filteredOn(e -> e.activityCode().equals("group.add"))
                .extracting(AuditEntry::targetId).startsWith(later[1], later[0]);
        assertThat(entries).extracting(AuditEntry::id).doesNotHaveDuplicates();
    }

    @Test
    void filtersAndPages() {
        AccountHistory account = newAccount();
        Actor alice = new Actor(Actor.Type.USER, "alice", "Alice", "alice@example.com");
        Actor bob = new Actor(Actor.Type.USER, "bob", "Bob", "bob@example.com");
        String[] groups = new String[10];
        for (int i = 0; i < 10; i++) {
            groups[i] = Ids.newId();
            account.appendAt(new dev.tern.events.GroupCreated(account.accountId, groups[i], "g" + i,
                    dev.tern.events.values.GroupIssuer.API), i % 2 == 0 ? alice : bob, T0.plusSeconds(60L * i));
        }
        account.appendAt(new GroupRenamed(account.accountId, groups[3], "g3", "three"), alice, T0.plusSeconds(3600));
        AccountHistory otherAccount = newAccount();
        otherAccount.appendAt(new dev.tern.events.GroupCreated(otherAccount.accountId, Ids.newId(), "foreign",
                dev.tern.events.values.GroupIssuer.API), alice, T0);
        awaitProjection();

        // 2 events at account creation + 10 groups + 1 rename
        AuditPage all = auditReads.audit(account.accountId, new AuditQuery(null, null, null, null, null, 0, 0));
        assertThat(all.total()).isEqualTo(13);
        assertThat(all.entries()).hasSize(13);
        assertThat(all.entries().get(0).activityCode()).isEqualTo("group.update");

        AuditPage byAlice = auditReads.audit(account.accountId, new AuditQuery(null, null, "alice", null, null, 0, 100));
        assertThat(byAlice.total()).isEqualTo(6);
        assertThat(byAlice.entries()).allSatisfy(e -> assertThat(e.initiatorId()).isEqualTo("alice"));

        AuditPage window = auditReads.audit(account.accountId,
                new AuditQuery(T0.plusSeconds(120), T0.plusSeconds(300), null, null, null, 0, 100));
        assertThat(window.entries()).extracting(e -> e.meta().get("name")).containsExactly("g4", "g3", "g2");

        AuditPage targeted = auditReads.audit(account.accountId,
                new AuditQuery(null, null, null, groups[3], null, 0, 100));
        assertThat(targeted.entries()).extracting(AuditEntry::activityCode).containsExactly("group.update",
                "group.add");

        AuditPage renames = auditReads.audit(account.accountId,
                new AuditQuery(null, null, null, null, "group.update", 0, 100));
        assertThat(renames.total()).isEqualTo(1);

        AuditPage combined = auditReads.audit(account.accountId,
                new AuditQuery(T0, T0.plusSeconds(600), "bob", null, "group.add", 0, 100));
        assertThat(combined.entries()).extracting(e -> e.meta().get("name")).containsExactly("g9", "g7", "g5", "g3",
                "g1");

        AuditPage page2 = auditReads.audit(account.accountId, new AuditQuery(null, null, null, null, "group.add", 4, 4));
        assertThat(page2.total()).isEqualTo(11); // 10 groups + All
        assertThat(page2.entries()).extracting(e -> e.meta().get("name")).containsExactly("g5", "g4", "g3", "g2");
        AuditPage beyond = auditReads.audit(account.accountId,
                new AuditQuery(null, null, null, null, "group.add", 50, 4));
        assertThat(beyond.entries()).isEmpty();
        assertThat(beyond.total()).isEqualTo(11);

        assertThat(auditReads.audit(otherAccount.accountId, new AuditQuery(null, null, null, null, null, 0, 100))
                .entries()).extracting(e -> e.meta().get("name")).containsExactly("foreign", "All", null);
    }

    @Test
    void limitIsCappedAndOffsetNeverNegative() {
        AccountHistory account = newAccount();
        for (int i = 0; i < 3; i++) {
            account.createGroup("g" + i);
        }
        awaitProjection();
        AuditPage page = auditReads.audit(account.accountId,
                new AuditQuery(null, null, null, null, null, -5, AuditQuery.MAX_LIMIT + 1));
        assertThat(page.entries()).hasSize(5);
        assertThat(page.total()).isEqualTo(5);
    }

}
