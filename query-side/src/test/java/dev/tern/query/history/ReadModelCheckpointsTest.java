package dev.tern.query.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountSettingsUpdated;
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
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.UserDeleted;
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
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelRebuild;
import dev.tern.query.ReadModelTestBase;
import dev.tern.query.upcasting.PeerRegisteredUpcasterTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Read-model checkpoints of as-of reads: a read that starts from a checkpoint sees, table by table and row by row,
 * what a replay of the whole history sees, at every instant of a history with renames, deletions, an upcasted
 * event and a clock that went back; only the newest are kept; a rebuild drops them.
 */
class ReadModelCheckpointsTest extends ReadModelTestBase {
    @Autowired
    ReadModelCheckpoints checkpoints;
    @Autowired
    ReadModelAt readModelAt;
    @Autowired
    AccountEventsAt events;
    @Autowired
    ReadModelRebuild rebuild;

    /** Every row of every shadowed table as this read sees them, sorted per table. */
    private Map<String, List<String>> tablesAt(String accountId, Instant at, boolean fromCheckpoint) {
        ReadModelCheckpoints.Replay replay = checkpoints.replayFor(accountId, at, fromCheckpoint).orElseThrow();
        return readModelAt.read(replay.start(), replay.events(), () -> {
            Map<String, List<String>> rows = new LinkedHashMap<>();
            for (String table : jdbc.queryForList("""
                    SELECT relname::text FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r'
                    ORDER BY 1""", String.class)) {
                rows.put(table, jdbc.queryForList("SELECT to_jsonb(t)::text FROM pg_temp." + table + " t ORDER BY 1",
                        String.class));
            }
            return rows;
        });
    }

    /**
     * The instants worth comparing (a read replays the account's events, so not every one): each checkpoint's
     * newest event time and the microsecond before it, the next event's time, and every third event's time.
     */
    private List<Instant> instantsOf(String accountId) {
        TreeSet<Instant> instants = new TreeSet<>();
        List<DomainEventMessage<?>> all = events.all(accountId);
        for (ReadModelCheckpoints.Checkpoint checkpoint : checkpoints.of(accountId)) {
            instants.add(checkpoint.newestEventAt());
            instants.add(checkpoint.newestEventAt().minusNanos(1000));
            all.stream().filter(e -> e.getSequenceNumber() == checkpoint.lastSequence() + 1).findFirst()
                    .ifPresent(next -> instants.add(next.getTimestamp()));
        }
        for (int i = 0; i < all.size(); i += 3) {
            instants.add(all.get(i).getTimestamp());
        }
        return new ArrayList<>(instants);
    }

    private static PolicyDefinition policy(String name, String source, String destination, boolean enabled) {
        return new PolicyDefinition(name, "", enabled, List.of(new PolicyRule("r1", name, "", true, RuleAction.ACCEPT,
                true, Protocol.TCP, List.of(), List.of(), List.of(source), List.of(destination))), List.of());
    }

    /** Appends one phase of a rich history; each phase changes, renames or deletes what the last one made. */
    private void phase(AccountHistory account, int phase, List<String> peers, List<String> groups) {
        String user = account.createUser("User" + phase, UserRole.USER);
        String key = account.createSetupKey("key-" + phase, Instant.parse("2026-01-02T00:00:00Z"));
        String group = account.createGroup("group-" + phase);
        groups.add(group);
        for (int i = 0; i < 4; i++) {
            String peer = account.registerPeer("peer-" + phase + "-" + i, key);
            peers.add(peer);
            account.append(new PeerAddedToGroup(account.accountId, group, peer));
        }
        String policyId = Ids.newId();
        account.append(new PolicyCreated(account.accountId, policyId, policy("p" + phase, group, group, true)));
        account.append(new PolicyUpdated(account.accountId, policyId,
                policy("p" + phase, group, account.allGroupId, phase % 2 == 0)));
        account.append(new GroupRenamed(account.accountId, group, "group-" + phase, "renamed-" + phase));
        String peer = peers.get(peers.size() - 1);
        account.append(new PeerRenamed(account.accountId, peer, "peer", "renamed-" + phase, "renamed-" + phase));
        account.append(new PeerSshChanged(account.accountId, peer, true));
        account.append(new PeerLoginExpired(account.accountId, peers.get(peers.size() - 2), PeerExpiry.LOGIN,
                Instant.parse("2026-01-04T00:00:00Z")), Actor.SYSTEM);
        account.append(new PeerLoginRenewed(account.accountId, peers.get(peers.size() - 2), key,
                Instant.parse("2026-01-05T00:00:00Z")));
        account.append(new PeerRemovedFromGroup(account.accountId, group, peers.get(peers.size() - 3)));
        account.append(new SetupKeyRevoked(account.accountId, key));
        account.append(new AccountSettingsUpdated(account.accountId, AccountSettings.defaults(),
                new AccountSettings(true, 3600 + phase, phase % 2 == 1, 900)));
        if (phase > 0) { // what an earlier phase made is deleted: a checkpoint's rows must not bring it back
            account.append(new PeerDeleted(account.accountId, peers.get(0), WireGuardKey.of(new byte[32])));
            peers.remove(0);
            account.append(new PolicyDeleted(account.accountId, policyId, "p" + phase));
            String old = groups.remove(0);
            account.append(new GroupDeleted(account.accountId, old, "renamed-" + (phase - 1)));
            account.append(new UserDeleted(account.accountId, user));
        }
    }

    /** A PeerRegistered of revision 1, as the store holds those from before the upcaster; read as revision 2. */
    private String storeRevision1Registration(AccountHistory account) {
        String peerId = Ids.newId();
        jdbc.update("""
                INSERT INTO domain_event_entry (event_identifier, aggregate_identifier, sequence_number, type,
                                                time_stamp, payload_type, payload_revision, payload, meta_data)
                SELECT ?, aggregate_identifier, ?, type, ?, ?, NULL, ?, meta_data
                FROM domain_event_entry WHERE aggregate_identifier = ? ORDER BY sequence_number DESC LIMIT 1""",
                Ids.newId(), account.reserveSequence(), Instant.now().toString(), PeerRegistered.class.getName(),
                PeerRegisteredUpcasterTest.revision1Payload(account.accountId, peerId,
                        AccountHistory.randomKey().base64(), "100.71.9.9", "old-laptop")
                        .getBytes(StandardCharsets.UTF_8), account.accountId);
        return peerId;
    }

    @Test
    void readsFromCheckpointsSeeExactlyTheTablesOfAFullReplayAtEveryInstant() {
        AccountHistory account = newAccount();
        List<String> peers = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        phase(account, 0, peers, groups);
        String upcast = storeRevision1Registration(account);
        Optional<ReadModelCheckpoints.Checkpoint> first = checkpoints.take(account.accountId, 10);
        assertThat(first).isPresent();
        phase(account, 1, peers, groups);
        account.append(new PeerAddedToGroup(account.accountId, groups.get(0), upcast));
        // a node whose clock is behind: an event stamped before the one before it
        account.appendAt(new PeerSshChanged(account.accountId, upcast, true), AccountHistory.ADMIN,
                events.all(account.accountId).get(events.all(account.accountId).size() - 1).getTimestamp()
                        .minusMillis(300));
        Optional<ReadModelCheckpoints.Checkpoint> second = checkpoints.take(account.accountId, 10);
        phase(account, 2, peers, groups);
        Optional<ReadModelCheckpoints.Checkpoint> third = checkpoints.take(account.accountId, 10);
        phase(account, 3, peers, groups);
        awaitProjection();

        assertThat(checkpoints.of(account.accountId)).containsExactly(first.orElseThrow(), second.orElseThrow(),
                third.orElseThrow());
        // a checkpoint is not taken twice at the same event
        assertThat(checkpoints.take(account.accountId, 10)).isPresent();
        assertThat(checkpoints.take(account.accountId, 10)).isEmpty();

        int fromCheckpoint = 0;
        for (Instant at : instantsOf(account.accountId)) {
            if (checkpoints.replayFor(account.accountId, at, true).isEmpty()) {
                continue; // before the account existed
            }
            ReadModelCheckpoints.Replay replay = checkpoints.replayFor(account.accountId, at, true).orElseThrow();
            if (replay.start().isPresent()) {
                fromCheckpoint++;
                assertThat(replay.start().get().newestEventAt()).isBeforeOrEqualTo(at);
                assertThat(replay.lastSequence()).isEqualTo(
                        checkpoints.replayFor(account.accountId, at, false).orElseThrow().lastSequence());
            }
            assertThat(tablesAt(account.accountId, at, true)).as("as of %s", at)
                    .isEqualTo(tablesAt(account.accountId, at, false));
        }
        assertThat(fromCheckpoint).as("instants read from a checkpoint").isGreaterThan(20);
        // at the newest event, both are the live tables' rows of the account
        Map<String, List<String>> now = tablesAt(account.accountId, Instant.now(), true);
        assertThat(now.get("rm_peers")).anySatisfy(row -> assertThat(row).contains(upcast, "old-laptop"));
        assertThat(now.get("rm_peers")).noneSatisfy(row -> assertThat(row).contains("peer-0-0"));
        assertThat(now.get("rm_groups")).noneSatisfy(row -> assertThat(row).contains("renamed-1\""));
    }

    @Test
    void theClockGoingBackMakesACheckpointWaitForItsNewestEvent() {
        AccountHistory account = newAccount();
        String group = account.createGroup("dev");
        Instant late = Instant.now().plusSeconds(600);
        account.appendAt(new GroupRenamed(account.accountId, group, "dev", "future"), AccountHistory.ADMIN, late);
        // stamped before the rename by a node whose clock is behind
        account.append(new GroupRenamed(account.accountId, group, "future", "present"));
        ReadModelCheckpoints.Checkpoint checkpoint = checkpoints.take(account.accountId, 10).orElseThrow();
        late = events.all(account.accountId).get(3).getTimestamp(); // as stored
        assertThat(checkpoint.newestEventAt()).isEqualTo(late);
        Instant between = Instant.now();
        // as of now the rename stamped later has not happened, and neither has what follows it in the stream
        assertThat(checkpoints.replayFor(account.accountId, between, true).orElseThrow().start()).isEmpty();
        assertThat(tablesAt(account.accountId, between, true).get("rm_groups"))
                .anySatisfy(row -> assertThat(row).contains("\"dev\""));
        assertThat(checkpoints.replayFor(account.accountId, late, true).orElseThrow().start()).contains(checkpoint);
    }

    @Test
    void onlyTheNewestAreKeptAndARebuildDropsThemAll() {
        AccountHistory account = newAccount();
        List<ReadModelCheckpoints.Checkpoint> taken = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            account.createGroup("g" + i);
            taken.add(checkpoints.take(account.accountId, 3).orElseThrow());
        }
        assertThat(checkpoints.of(account.accountId)).containsExactlyElementsOf(taken.subList(2, 5));
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT last_sequence) FROM as_of_checkpoint_rows"
                + " WHERE account_id = ?", Integer.class, account.accountId)).isEqualTo(3);
        assertThat(checkpoints.eventsSinceNewest(account.accountId)).isZero();
        account.createGroup("after");
        assertThat(checkpoints.eventsSinceNewest(account.accountId)).isEqualTo(1);

        awaitProjection();
        rebuild.rebuild();
        assertThat(checkpoints.of(account.accountId)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM as_of_checkpoint_rows WHERE account_id = ?",
                Integer.class, account.accountId)).isZero();
        assertThat(checkpoints.eventsSinceNewest(account.accountId)).isEqualTo(events.all(account.accountId).size());
    }

    @Test
    void checkpointsOfAnotherTableShapeAreNeverRestored() {
        AccountHistory account = newAccount();
        account.createGroup("dev");
        ReadModelCheckpoints.Checkpoint checkpoint = checkpoints.take(account.accountId, 10).orElseThrow();
        assertThat(checkpoints.replayFor(account.accountId, Instant.now(), true).orElseThrow().start())
                .contains(checkpoint);
        jdbc.update("UPDATE as_of_checkpoint SET fingerprint = 'taken-before-an-upgrade' WHERE account_id = ?",
                account.accountId);
        assertThat(checkpoints.replayFor(account.accountId, Instant.now(), true).orElseThrow().start()).isEmpty();
        assertThat(checkpoints.of(account.accountId)).isEmpty();
        // the next checkpoint replaces it
        ReadModelCheckpoints.Checkpoint retaken = checkpoints.take(account.accountId, 10).orElseThrow();
        assertThat(jdbc.queryForList("SELECT fingerprint FROM as_of_checkpoint WHERE account_id = ?", String.class,
                account.accountId)).hasSize(1).doesNotContain("taken-before-an-upgrade");
        assertThat(retaken.lastSequence()).isEqualTo(checkpoint.lastSequence());
    }
}
