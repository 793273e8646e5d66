package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.DnsRecordCreated;
import dev.tern.events.DnsRecordDeleted;
import dev.tern.events.DnsRecordUpdated;
import dev.tern.events.DnsSettingsUpdated;
import dev.tern.events.DnsZoneCreated;
import dev.tern.events.DnsZoneDeleted;
import dev.tern.events.IdentityProviderCreated;
import dev.tern.events.IdentityProviderUpdated;
import dev.tern.events.JwtGroupSettingsUpdated;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.NetworkCreated;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkResourceUpdated;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkUpdated;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.GroupDeleted;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.RouteCreated;
import dev.tern.events.RouteDeleted;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyDeleted;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.UserDeleted;
import dev.tern.events.UserSignInFailed;
import dev.tern.events.UserSignedIn;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.Ids;
import dev.tern.events.values.JwtGroupSettings;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.NameServerGroupDefinition;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import dev.tern.query.peers.PeerStatusStore;
import dev.tern.testsupport.time.SettableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ReadModelRebuildTest extends ReadModelTestBase {
    /** Tables of the schema that are no read model: Axon's event, token and saga store, Flyway's history. */
    private static final List<String> NOT_READ_TABLES = List.of("domain_event_entry", "snapshot_event_entry",
            "token_entry", "saga_entry", "association_value_entry", "flyway_schema_history");

    @Autowired
    ReadModelRebuild rebuild;
    @Autowired
    PeerStatusStore peerStatus;

    @Autowired
    SettableClock clock;
    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactionManager;
    @Autowired
    org.springframework.context.ApplicationContext context;
    @Autowired
    javax.sql.DataSource dataSource;

    @AfterEach
    void clockBackToSystemTime() {
        clock.followSystem();
    }

    @Test
    void replayRebuildsIdenticalTables() {
        AccountHistory account = newAccount();
        account.createUser("Owner", UserRole.OWNER);
        String devs = account.createGroup("devs");
        String keyId = Ids.newId();
        account.append(new SetupKeyCreated(account.accountId, keyId, "k", SetupKeyType.REUSABLE,
                "9".repeat(40) + Ids.newId(), "K", null, 0, List.of(devs), false, false, Instant.now()));
        String alpha = account.registerPeer("alpha", keyId);
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        account.append(new GroupRenamed(account.accountId, devs, "devs", "developers"));
        // Settings changes, an expiry renewed by a login and one lifted by a settings change.
        String beta = account.registerPeer("beta", keyId);
        String gamma = account.registerPeer("gamma", keyId);
        AccountSettings shorter = new AccountSettings(true, 3600, true, 900);
        account.append(new AccountSettingsUpdated(account.accountId, AccountSettings.defaults(), shorter));
        account.append(new PeerLoginExpired(account.accountId, alpha, PeerExpiry.LOGIN, Instant.now()),
                Actor.SYSTEM);
        account.append(new PeerLoginExpired(account.accountId, beta, PeerExpiry.INACTIVITY, Instant.now()),
                Actor.SYSTEM);
        account.append(new PeerLoginExpired(account.accountId, gamma, PeerExpiry.LOGIN, Instant.now()),
                Actor.SYSTEM);
        account.append(new PeerLoginRenewed(account.accountId, alpha, keyId, Instant.parse("2026-04-02T00:00:00Z")));
        account.append(new AccountSettingsUpdated(account.accountId, shorter, new AccountSettings(true, 3600, false,
                900)));
        account.append(new PeerLoginExpiryLifted(account.accountId, beta));
        awaitProjection();
        assertThat(peerReads.peer(account.accountId, gamma).orElseThrow().loginExpired()).isTrue();
        assertThat(peerReads.peer(account.accountId, beta).orElseThrow().loginExpired()).isFalse();
        Instant seen = Instant.parse("2026-04-01T00:00:00Z");
        clock.set(seen.plusSeconds(5));
        peerStatus.markConnected(account.accountId, alpha, seen, "198.51.100.1");
        Map<String, List<String>> before = dump();

        // Damage the read tables the way a bug or a hand edit would; the rebuild must not care.
        jdbc.update("UPDATE rm_peers SET name = 'tampered' WHERE id = ?", alpha);
        jdbc.update("UPDATE rm_peers SET login_expired = FALSE, login_expiry_cause = NULL WHERE id = ?", gamma);
        jdbc.update("UPDATE rm_accounts SET peer_login_expiration = 1 WHERE id = ?", account.accountId);
        jdbc.update("UPDATE rm_setup_keys SET used_times = 99 WHERE id = ?", keyId);
        jdbc.update("DELETE FROM rm_audit WHERE account_id = ?", account.accountId);
        jdbc.update("INSERT INTO rm_groups (id, account_id, name, issued, is_all) VALUES ('stray', ?, 'x', 'API', "
                + "FALSE)", account.accountId);
        assertThat(dump()).isNotEqualTo(before);

        rebuild.rebuild();
        awaitProjection();

        assertThat(dump()).isEqualTo(before);
        assertThat(peerReads.peer(account.accountId, alpha).orElseThrow().connected())
                .as("live session status survives a rebuild").isTrue();
    }

    /**
     * A full rebuild names things in the audit from what it saw of the events (the tables' writes are held): every
     * name as it stood before each event, after renames, deletions and ids used again, the same as live.
     */
    @Test
    void fullRebuildNamesTheAuditAsLiveProjectionDid() {
        AccountHistory account = newAccount();
        String owner = account.createUser("Owner", UserRole.OWNER);
        String robot = Ids.newId();
        account.append(new UserCreated(account.accountId, robot, null, "robot", UserRole.ADMIN, true, List.of(),
                Instant.parse("2026-01-02T00:00:00Z")));
        account.append(new UserSignedIn(account.accountId, owner));
        account.append(new UserSignInFailed(account.accountId, robot, "bad password"));
        String devs = account.createGroup("devs");
        String keyId = account.createSetupKey("O'Brien's key", Instant.parse("2026-01-02T00:00:00Z"));
        String alpha = account.registerPeer("alpha", keyId);
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        account.append(new PeerRenamed(account.accountId, alpha, "alpha", "alpha-2", "alpha-two"));
        account.append(new PeerSshChanged(account.accountId, alpha, true));
        account.append(new GroupRenamed(account.accountId, devs, "devs", "developers"));
        account.append(new PeerRemovedFromGroup(account.accountId, devs, alpha));
        account.append(new PeerLoginRenewed(account.accountId, alpha, keyId, Instant.parse("2026-02-01T00:00:00Z")));
        account.append(new UserAutoGroupsChanged(account.accountId, owner, List.of(devs), List.of(devs), List.of()));
        RouteDefinition route = new RouteDefinition("the lab", "lab", true, alpha, List.of(), null, List.of(), 100,
                false, List.of(devs), false, List.of(), false);
        String routeId = Ids.newId();
        account.append(new RouteCreated(account.accountId, routeId, route));
        account.append(new RouteDeleted(account.accountId, routeId, "lab"));
        account.append(new RouteDeleted(account.accountId, Ids.newId(), "never-created"));
        account.append(new PeerDeleted(account.accountId, alpha, null));
        account.append(new PeerSshChanged(account.accountId, alpha, false));
        account.append(new SetupKeyRevoked(account.accountId, keyId));
        account.append(new SetupKeyDeleted(account.accountId, keyId));
        account.append(new GroupDeleted(account.accountId, devs, "developers"));
        account.append(new UserDeleted(account.accountId, robot));
        account.append(new UserBlocked(account.accountId, robot));
        awaitProjection();
        Map<String, List<String>> before = dump();
        assertThat(before.get("rm_audit")).anyMatch(row -> row.contains("alpha-two") && row.contains("peer.ssh.enable"))
                .anyMatch(row -> row.contains("developers") && row.contains("peer.group.delete"))
                .anyMatch(row -> row.contains("O'Brien's key") && row.contains("setupkey.revoke"))
                .anyMatch(row -> row.contains("service.user.delete"));

        jdbc.update("DELETE FROM rm_audit WHERE account_id = ?", account.accountId);
        rebuild.rebuild();
        awaitProjection();

        assertThat(dump()).isEqualTo(before);
    }

    /**
     * Every projection's statements go through the rebuild's held writes (prepared once, arguments as literals):
     * DNS, networks, identity providers, tokens and policies come back as live projection wrote them, text with
     * quotes and backslashes included.
     */
    @Test
    void fullRebuildWritesEveryProjectionsTablesAsLiveDid() {
        AccountHistory account = newAccount();
        String acc = account.accountId;
        String owner = account.createUser("Owner", UserRole.OWNER);
        String dev = account.createGroup("dev's \\ group");
        account.append(new DnsSettingsUpdated(acc, List.of(), List.of(dev)));
        String nameServers = Ids.newId();
        NameServerGroupDefinition corp = new NameServerGroupDefinition("corp", "d", List.of(new NameServer("10.9.0.53",
                "udp", 53)), true, List.of(dev), false, List.of("corp.example"), true);
        account.append(new NameServerGroupCreated(acc, nameServers, corp));
        account.append(new NameServerGroupUpdated(acc, nameServers, new NameServerGroupDefinition("corp-2", "d",
                List.of(new NameServer("10.9.0.54", "tcp", 5353)), false, List.of(dev), false, List.of(), false)));
        String zone = Ids.newId();
        account.append(new DnsZoneCreated(acc, zone, new DnsZoneDefinition("office", "office.example", true, false,
                List.of(dev))));
        String record = Ids.newId();
        account.append(new DnsRecordCreated(acc, zone, record, new DnsRecordDefinition("registry.office.example",
                DnsRecordType.A, "10.10.10.5", 300)));
        account.append(new DnsRecordUpdated(acc, zone, record, new DnsRecordDefinition("www.office.example",
                DnsRecordType.CNAME, "registry.office.example", 60)));
        String gone = Ids.newId();
        account.append(new DnsRecordCreated(acc, zone, gone, new DnsRecordDefinition("old.office.example",
                DnsRecordType.A, "10.10.10.6", 300)));
        account.append(new DnsRecordDeleted(acc, zone, gone, "old.office.example"));
        String router = account.registerPeer("router", null);
        String network = Ids.newId();
        account.append(new NetworkCreated(acc, network, "site", "the 'main' site"));
        account.append(new NetworkUpdated(acc, network, "site-a", null));
        String resource = Ids.newId();
        NetworkResourceDefinition lab = new NetworkResourceDefinition("lab", "", "10.10.10.0/24",
                NetworkResourceDefinition.SUBNET, Cidr.parse("10.10.10.0/24"), null, true, List.of(dev));
        account.append(new NetworkResourceCreated(acc, network, resource, lab));
        account.append(new NetworkResourceUpdated(acc, network, resource, new NetworkResourceDefinition("lab-2", "",
                "10.10.11.0/24", NetworkResourceDefinition.SUBNET, Cidr.parse("10.10.11.0/24"), null, false,
                List.of())));
        account.append(new NetworkRouterCreated(acc, network, Ids.newId(), new NetworkRouterDefinition(router,
                List.of(), 10, true, true)));
        String provider = Ids.newId();
        account.append(new IdentityProviderCreated(acc, provider, "oidc", "Corp SSO", "https://sso.example",
                "client", "sealed:abc"));
        account.append(new IdentityProviderUpdated(acc, provider, "oidc", "Corp SSO 2", "https://sso.example",
                "client-2", "sealed:def"));
        account.append(new JwtGroupSettingsUpdated(acc, null, new JwtGroupSettings(true, "groups", List.of(dev))));
        String token = Ids.newId();
        account.append(new PersonalAccessTokenCreated(acc, token, owner, "ci", "b".repeat(64),
                Instant.parse("2027-01-01T00:00:00.123456Z"), owner, Instant.parse("2026-01-05T00:00:00Z")));
        account.append(new PersonalAccessTokenCreated(acc, Ids.newId(), owner, "laptop", "c".repeat(64), null, owner,
                Instant.parse("2026-01-05T00:00:00Z")));
        account.append(new PersonalAccessTokenDeleted(acc, token, owner));
        account.append(new DnsZoneDeleted(acc, zone, "office", "office.example"));
        awaitProjection();
        Map<String, List<String>> before = dump();
        assertThat(before.get("rm_network_resources")).anyMatch(row -> row.contains("lab-2"));
        assertThat(before.get("rm_identity_providers")).anyMatch(row -> row.contains("sealed:def"));

        jdbc.update("DELETE FROM rm_audit WHERE account_id = ?", acc);
        rebuild.rebuild();
        awaitProjection();

        assertThat(dump()).isEqualTo(before);
    }

    @Test
    void eachProjectionRebuildsAloneToTheSameTables() {
        AccountHistory account = newAccount();
        account.createUser("Owner", UserRole.OWNER);
        String devs = account.createGroup("devs");
        String keyId = Ids.newId();
        account.append(new SetupKeyCreated(account.accountId, keyId, "k", SetupKeyType.REUSABLE,
                "8".repeat(40) + Ids.newId(), "K", null, 0, List.of(devs), false, false, Instant.now()));
        String alpha = account.registerPeer("alpha", keyId);
        account.registerPeer("beta", keyId);
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        awaitProjection();
        Map<String, List<String>> before = dump();

        assertThat(rebuild.projectionNames()).contains("users", "setupkeys", "groups", "peers", "dns", "routes",
                "networks").doesNotContain(ReadModelRebuild.AUDIT);
        for (String projection : rebuild.projectionNames()) {
            List<String> progressTotals = new ArrayList<>();
            ReadModelRebuild.Result result = rebuild.rebuild(Optional.of(projection),
                    progress -> progressTotals.add(progress.done() + "/" + progress.total()));
            awaitProjection();
            assertThat(result.projections()).contains(projection);
            assertThat(result.events()).isPositive();
            assertThat(progressTotals).last().isEqualTo(result.events() + "/" + result.events());
            assertThat(dump()).as("tables after rebuilding %s alone", projection).isEqualTo(before);
        }
    }

    /**
     * A rebuild folds peers and memberships in memory and writes the final rows once (TableWrites): the rows, the
     * setup keys' usage and the deleted peers' session rows come out as the statements in order wrote them, through
     * re-registrations (an id or a WireGuard key already there counts nothing), renames, toggles, expiry, deletion
     * with memberships and session, a key used again after another peer freed it, and a group deleted with members.
     */
    @Test
    void rebuildFoldsPeerAndMembershipChurnToTheRowsLiveWrote() {
        AccountHistory account = newAccount();
        String acc = account.accountId;
        account.createUser("Owner", UserRole.OWNER);
        String devs = account.createGroup("devs");
        String ops = account.createGroup("ops");
        String keyId = account.createSetupKey("k\tab\n", Instant.parse("2026-01-02T00:00:00Z"));
        String otherKey = account.createSetupKey("other", Instant.parse("2026-01-02T00:00:00Z"));
        dev.tern.events.values.WireGuardKey reused = AccountHistory.randomKey();
        String alpha = Ids.newId();
        PeerRegistered alphaRegistered = new PeerRegistered(acc, alpha, reused, new dev.tern.events.values.MeshIp(
                "100.71.9.1"), "alpha", "alpha\t\"x\"\n", dev.tern.events.values.PeerSystemMeta.ofHostname("a"),
                keyId, null, false, true, Instant.parse("2026-01-04T00:00:00Z"));
        account.append(alphaRegistered);
        account.append(alphaRegistered); // the same id again: no second row, no second use of the key
        account.append(new PeerRegistered(acc, Ids.newId(), reused, new dev.tern.events.values.MeshIp("100.71.9.2"),
                "clash", "clash", dev.tern.events.values.PeerSystemMeta.ofHostname("c"), otherKey, null, false, true,
                Instant.parse("2026-01-05T00:00:00Z"))); // the same key of the account: refused by the unique key
        String beta = account.registerPeer("beta", keyId);
        String gamma = account.registerPeer("gamma", otherKey);
        account.append(new PeerAddedToGroup(acc, devs, alpha));
        account.append(new PeerAddedToGroup(acc, devs, alpha));
        account.append(new PeerAddedToGroup(acc, ops, alpha));
        account.append(new PeerAddedToGroup(acc, devs, beta));
        account.append(new PeerAddedToGroup(acc, ops, beta));
        account.append(new PeerAddedToGroup(acc, ops, gamma));
        account.append(new PeerRenamed(acc, alpha, "alpha", "alpha-2", "alpha-two"));
        account.append(new PeerSshChanged(acc, alpha, true));
        account.append(new PeerLoginExpired(acc, beta, PeerExpiry.INACTIVITY, Instant.now()), Actor.SYSTEM);
        account.append(new PeerLoginExpired(acc, gamma, PeerExpiry.LOGIN, Instant.now()), Actor.SYSTEM);
        account.append(new PeerLoginRenewed(acc, gamma, otherKey, Instant.parse("2026-03-01T00:00:00Z")));
        account.append(new PeerRemovedFromGroup(acc, ops, beta));
        account.append(new PeerDeleted(acc, alpha, null));
        account.append(new PeerSshChanged(acc, alpha, false)); // a deleted peer: changes nothing
        account.append(new PeerAddedToGroup(acc, ops, beta));
        // alpha's WireGuard key is free again: a new peer takes it and counts its key
        String delta = Ids.newId();
        account.append(new PeerRegistered(acc, delta, reused, new dev.tern.events.values.MeshIp("100.71.9.3"),
                "delta", "delta", dev.tern.events.values.PeerSystemMeta.ofHostname("d"), keyId, null, true, false,
                Instant.parse("2026-02-01T00:00:00Z")));
        account.append(new PeerAddedToGroup(acc, devs, delta));
        account.append(new GroupDeleted(acc, ops, "ops"));
        awaitProjection();
        Instant seen = Instant.parse("2026-04-01T00:00:00Z");
        clock.set(seen.plusSeconds(5));
        peerStatus.markConnected(acc, beta, seen, "198.51.100.2");
        Map<String, List<String>> before = dump();
        assertThat(jdbc.queryForList("SELECT peer_id FROM rm_group_members WHERE group_id IN (?, ?)", String.class,
                devs, ops)).containsExactlyInAnyOrder(beta, delta);
        assertThat(jdbc.queryForObject("SELECT used_times FROM rm_setup_keys WHERE id = ?", Integer.class, keyId))
                .isEqualTo(3);
        // alpha was connected when deleted: its session row must not come back, nor stay
        jdbc.update("INSERT INTO peer_status (peer_id, account_id, connected, last_seen) VALUES (?, ?, TRUE, now())",
                alpha, acc);

        rebuild.rebuild();
        awaitProjection();
        assertThat(dump()).isEqualTo(before);
        for (String projection : List.of("peers", "groups")) {
            rebuild.rebuild(Optional.of(projection), progress -> { });
            awaitProjection();
            assertThat(dump()).as("tables after rebuilding %s alone", projection).isEqualTo(before);
        }
    }

    /**
     * The first replay of a history (rm_audit empty as the rebuild begins) copies the rows straight in; the same
     * rows, numbers and meta as live wrote them.
     */
    @Test
    void fullRebuildIntoAnEmptyAuditTrailWritesTheRowsLiveWrote() {
        AccountHistory account = newAccount();
        String owner = account.createUser("Owner", UserRole.OWNER);
        account.append(new UserSignedIn(account.accountId, owner));
        String devs = account.createGroup("tab\there \\ \"quoted\"\nnewline");
        String alpha = account.registerPeer("alpha", null);
        account.append(new PeerAddedToGroup(account.accountId, devs, alpha));
        account.append(new UserSignInFailed(account.accountId, owner, "bad\tpassword"));
        // events whose audit reads a table during the rebuild: the streaming COPY ends before each read
        String token = Ids.newId();
        account.append(new PersonalAccessTokenCreated(account.accountId, token, owner, "ci", "d".repeat(64), null,
                owner, Instant.parse("2026-01-05T00:00:00Z")));
        account.append(new PersonalAccessTokenDeleted(account.accountId, token, owner));
        String network = Ids.newId();
        account.append(new NetworkCreated(account.accountId, network, "site", null));
        String resource = Ids.newId();
        account.append(new NetworkResourceCreated(account.accountId, network, resource, new NetworkResourceDefinition(
                "lab", "", "10.10.10.0/24", NetworkResourceDefinition.SUBNET, Cidr.parse("10.10.10.0/24"), null,
                true, List.of(devs))));
        account.append(new NetworkResourceUpdated(account.accountId, network, resource, new NetworkResourceDefinition(
                "lab", "", "10.10.10.0/24", NetworkResourceDefinition.SUBNET, Cidr.parse("10.10.10.0/24"), null,
                true, List.of())));
        account.append(new UserSignedIn(account.accountId, owner));
        awaitProjection();
        Map<String, List<String>> before = dump();
        assertThat(before.get("rm_audit")).anyMatch(row -> row.contains("resource") && row.contains(devs));

        jdbc.update("DELETE FROM rm_audit");
        rebuild.rebuild();
        awaitProjection();

        assertThat(dump()).isEqualTo(before);
    }

    /**
     * Readers keep reading while a rebuild runs: every projection's reset deletes its rows in the rebuild's
     * transaction without locking the table (TRUNCATE would make a reader wait until the rebuild commits).
     */
    @Test
    void resetsLeaveEveryReadTableReadableToOthersUntilTheRebuildCommits() throws Exception {
        List<String> readTables = new ArrayList<>(dump().keySet());
        org.springframework.transaction.support.TransactionTemplate transaction =
                new org.springframework.transaction.support.TransactionTemplate(transactionManager);
        transaction.executeWithoutResult(status -> {
            for (Object projection : context.getBeansWithAnnotation(
                    org.axonframework.config.ProcessingGroup.class).values()) {
                new org.axonframework.eventhandling.AnnotationEventHandlerAdapter(projection).prepareReset();
            }
            try (java.sql.Connection reader = dataSource.getConnection();
                 java.sql.Statement statement = reader.createStatement()) {
                statement.execute("SET lock_timeout = '2s'");
                for (String table : readTables) {
                    statement.executeQuery("SELECT count(*) FROM " + table).close();
                }
            } catch (java.sql.SQLException e) {
                throw new AssertionError("a reader was locked out during a reset: " + e.getMessage(), e);
            } finally {
                status.setRollbackOnly();
            }
        });
    }

    @Test
    void unknownProjectionIsRefusedListingTheKnownOnes() {
        assertThatThrownBy(() -> rebuild.rebuild(Optional.of("peerz"), progress -> { }))
                .isInstanceOf(ReadModelRebuild.UnknownProjectionException.class)
                .hasMessageContaining("peerz").hasMessageContaining("peers, routes");
        assertThatThrownBy(() -> rebuild.rebuild(Optional.of(ReadModelRebuild.AUDIT), progress -> { }))
                .isInstanceOf(ReadModelRebuild.UnknownProjectionException.class)
                .hasMessageContaining("every projection");
    }

    /**
     * Every row of every table the schema holds besides the event store's own, as text, in a stable order. A rebuild
     * re-inserts audit rows, which draw new stream cursors (V170): a SIEM resuming after an old cursor gets
     * the trail again (each entry keeps its id), never less; the cursor column is left out of the comparison.
     */
    private Map<String, List<String>> dump() {
        List<String> readTables = jdbc.queryForList("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1""", String.class);
        readTables.removeAll(NOT_READ_TABLES);
        assertThat(readTables).contains("rm_peers", "rm_audit", "rm_dns_records", "rm_network_routers");
        Map<String, List<String>> tables = new LinkedHashMap<>();
        for (String table : readTables) {
            tables.put(table, jdbc.queryForList("SELECT (to_jsonb(t) - 'stream_cursor')::text FROM " + table + " t ORDER BY 1", String.class));
        }
        return tables;
    }
}
