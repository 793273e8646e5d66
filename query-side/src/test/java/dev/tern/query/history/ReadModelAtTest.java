package dev.tern.query.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.GroupCreated;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRegistered;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import dev.tern.query.groups.GroupView;
import dev.tern.query.peers.PeerView;
import dev.tern.query.setupkeys.SetupKeyView;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The read model at an instant: the live projections replayed into temporary tables, read by the live reads,
 * and nothing of it left behind in the live tables.
 */
class ReadModelAtTest extends ReadModelTestBase {
    /** TestDatabase's pool. */
    private static final int POOL_SIZE = 8;
    @Autowired
    DataSource dataSource;
    @Autowired
    AccountEventsAt events;
    @Autowired
    ReadModelAt readModelAt;

    private record Snapshot(Optional<GroupView> group, Optional<SetupKeyView> key, Optional<PeerView> peer,
                            List<GroupView> groups, List<SetupKeyView> keys, List<PeerView> peers) {
    }

    private Snapshot read(AccountHistory account, String groupId, String keyId, String peerId) {
        return new Snapshot(groupReads.group(account.accountId, groupId),
                setupKeyReads.setupKey(account.accountId, keyId), peerReads.peer(account.accountId, peerId),
                groupReads.groups(account.accountId), setupKeyReads.setupKeys(account.accountId),
                peerReads.peers(account.accountId));
    }

    private Snapshot at(AccountHistory account, Instant at, String groupId, String keyId, String peerId) {
        var prefix = events.upTo(account.accountId, at).orElseThrow();
        return readModelAt.read(prefix.events(), () -> read(account, groupId, keyId, peerId));
    }

    /**
     * A pooled connection whose temporary schema outlived its transaction (a rebuild's staging table leaves one) and
     * that has the live read prepared and planned: the twins that appear in an as-of read must still be what it
     * reads (a cached plan kept reading the live table: AsOfApiTest failed after ReadModelRebuildApiTest).
     */
    @Test
    void aConnectionWithAnOlderTemporarySchemaAndCachedPlansStillReadsTheTablesAtTheInstant() throws SQLException {
        AccountHistory account = newAccount();
        Instant t = Instant.now().plusSeconds(7200);
        String dev = Ids.newId();
        account.appendAt(new GroupCreated(account.accountId, dev, "dev", GroupIssuer.API), AccountHistory.ADMIN,
                t.plusSeconds(1));
        account.appendAt(new GroupRenamed(account.accountId, dev, "dev", "developers"), AccountHistory.ADMIN,
                t.plusSeconds(2));
        awaitProjection();
        List<Connection> pool = new ArrayList<>();
        try {
            for (int i = 0; i < POOL_SIZE; i++) {
                Connection connection = dataSource.getConnection();
                pool.add(connection);
                try (Statement statement = connection.createStatement()) {
                    // committed at once: the table goes, the session's temporary schema stays
                    statement.execute("CREATE TEMPORARY TABLE older_temporary_schema (x int) ON COMMIT DROP");
                }
            }
        } finally {
            for (Connection connection : pool) {
                connection.close();
            }
        }
        // often enough for the driver to prepare the read on the server, whose plan PostgreSQL then caches
        for (int i = 0; i < 10; i++) {
            assertThat(groupReads.group(account.accountId, dev).map(GroupView::name)).contains("developers");
        }

        var prefix = events.upTo(account.accountId, t.plusMillis(1500)).orElseThrow();
        assertThat(readModelAt.read(prefix.events(), () -> groupReads.group(account.accountId, dev))
                .map(GroupView::name)).contains("dev");
    }

    @Test
    void eachInstantReadsTheTablesAsTheEventsUpToItMadeThemAndTheLiveTablesStayAsTheyAre() {
        AccountHistory account = newAccount();
        Instant t = Instant.now().plusSeconds(3600);
        String dev = Ids.newId();
        String keyId = Ids.newId();
        String peerId = Ids.newId();
        WireGuardKey peerKey = AccountHistory.randomKey();
        account.appendAt(new GroupCreated(account.accountId, dev, "dev", GroupIssuer.API), AccountHistory.ADMIN,
                t.plusSeconds(1));
        account.appendAt(new SetupKeyCreated(account.accountId, keyId, "laptops", SetupKeyType.REUSABLE,
                "b".repeat(40) + Ids.newId(), "ABCD", null, 0, List.of(dev), false, false, t.plusSeconds(2)),
                AccountHistory.ADMIN, t.plusSeconds(2));
        account.appendAt(new PeerRegistered(account.accountId, peerId, peerKey, new MeshIp("100.71.0.9"), "alpha",
                "alpha", PeerSystemMeta.ofHostname("alpha"), keyId, null, false, false, t.plusSeconds(3)),
                AccountHistory.ADMIN, t.plusSeconds(3));
        account.appendAt(new PeerAddedToGroup(account.accountId, dev, peerId), AccountHistory.ADMIN,
                t.plusSeconds(4));
        account.appendAt(new GroupRenamed(account.accountId, dev, "dev", "developers"), AccountHistory.ADMIN,
                t.plusSeconds(5));
        account.appendAt(new SetupKeyRevoked(account.accountId, keyId), AccountHistory.ADMIN, t.plusSeconds(6));
        account.appendAt(new PeerDeleted(account.accountId, peerId, peerKey), AccountHistory.ADMIN,
                t.plusSeconds(7));
        awaitProjection();
        Snapshot live = read(account, dev, keyId, peerId);

        Snapshot registered = at(account, t.plusSeconds(4).plusMillis(500), dev, keyId, peerId);
        assertThat(registered.group().orElseThrow().name()).isEqualTo("dev");
        assertThat(registered.group().orElseThrow().peers()).extracting(GroupView.PeerRef::id)
                .containsExactly(peerId);
        assertThat(registered.key().orElseThrow().usedTimes()).isEqualTo(1);
        assertThat(registered.key().orElseThrow().revoked()).isFalse();
        assertThat(registered.peer().orElseThrow().name()).isEqualTo("alpha");

        Snapshot beforePeer = at(account, t.plusSeconds(2), dev, keyId, peerId);
        assertThat(beforePeer.peer()).isEmpty();
        assertThat(beforePeer.key().orElseThrow().usedTimes()).isZero();

        Snapshot revoked = at(account, t.plusSeconds(6), dev, keyId, peerId);
        assertThat(revoked.group().orElseThrow().name()).isEqualTo("developers");
        assertThat(revoked.key().orElseThrow().revoked()).isTrue();
        assertThat(revoked.peer()).isPresent();

        // at the last event the replayed tables read exactly as the live ones
        assertThat(at(account, t.plusSeconds(7), dev, keyId, peerId)).isEqualTo(live);
        // and the live tables are untouched by the replays
        assertThat(read(account, dev, keyId, peerId)).isEqualTo(live);
        assertThat(live.peer()).isEmpty();
        assertThat(live.key().orElseThrow().revoked()).isTrue();
    }

    @Test
    void theTablesAtAnInstantHoldThePeersAddressesAndTheNetworkOfThatInstant() {
        AccountHistory account = newAccount();
        Instant t = Instant.now().plusSeconds(3600);
        String peerId = Ids.newId();
        account.appendAt(new PeerRegistered(account.accountId, peerId, AccountHistory.randomKey(),
                new MeshIp("100.71.3.4"), "alpha", "alpha", PeerSystemMeta.ofHostname("alpha"), null, null, false,
                false, t.plusSeconds(1)), AccountHistory.ADMIN, t.plusSeconds(1));
        account.appendAt(new AccountNetworkRangeChanged(account.accountId, Cidr.parse("100.71.0.0/16"),
                Cidr.parse("10.5.0.0/16"), List.of(new AccountNetworkRangeChanged.PeerAddress(peerId,
                new MeshIp("10.5.3.4")))), AccountHistory.ADMIN, t.plusSeconds(2));
        awaitProjection();

        for (var expected : List.of(List.of(t.plusSeconds(1), "100.71.3.4", "100.71.0.0/16"),
                List.of(t.plusSeconds(2), "10.5.3.4", "10.5.0.0/16"))) {
            var prefix = events.upTo(account.accountId, (Instant) expected.get(0)).orElseThrow();
            List<String> read = readModelAt.read(prefix.events(), () -> List.of(
                    peerReads.peer(account.accountId, peerId).orElseThrow().ip(),
                    userReads.account(account.accountId).orElseThrow().network()));
            assertThat(read).as("at %s", expected.get(0)).containsExactly((String) expected.get(1),
                    (String) expected.get(2));
        }
        assertThat(peerReads.peer(account.accountId, peerId).orElseThrow().ip()).isEqualTo("10.5.3.4");
    }

    @Test
    void beforeTheAccountExistedThereAreNoEvents() {
        AccountHistory account = newAccount();
        assertThat(events.upTo(account.accountId, Instant.parse("2000-01-01T00:00:00Z"))).isEmpty();
        assertThat(events.upTo("no-such-account", Instant.now())).isEmpty();
        assertThat(events.all(account.accountId)).hasSizeGreaterThanOrEqualTo(2);
    }
}
