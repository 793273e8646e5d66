package dev.tern.query.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory table a rebuild folds into behaves as the table does for the statements TableWrites makes. */
class FoldedTableTest {
    private static final TableWrites.Shape PEERS = TableWrites.Shape.of("t", List.of("id", "account", "key", "name"),
            List.of("id"), List.of(List.of("account", "key")), List.of("account"));
    private static final TableWrites.Shape MEMBERS = TableWrites.Shape.of("m", List.of("group_id", "peer_id"),
            List.of("group_id", "peer_id"), List.of(), List.of("group_id", "peer_id"));

    @Test
    void insertMeetingAnyUniqueKeyChangesNothingAsOnConflictDoNothing() {
        FoldedTable table = new FoldedTable(PEERS);
        assertThat(table.insert("p1", "a", "k1", "one")).isTrue();
        assertThat(table.insert("p1", "a", "k2", "again")).as("same primary key").isFalse();
        assertThat(table.insert("p2", "a", "k1", "clash")).as("same (account, key)").isFalse();
        assertThat(table.insert("p3", "b", "k1", "other account")).isTrue();
        assertThat(table.insert("p4", "a", null, "null never conflicts")).isTrue();
        assertThat(table.insert("p5", "a", null, "null never conflicts")).isTrue();
        assertThat(table.row("p1")).containsExactly("p1", "a", "k1", "one");

        assertThat(table.delete("p1")).isTrue();
        assertThat(table.insert("p2", "a", "k1", "freed")).as("the key is free once its row is gone").isTrue();
        assertThat(table.size()).isEqualTo(4);
    }

    @Test
    void updatesMoveRowsBetweenLookupValuesAndUniqueKeys() {
        FoldedTable table = new FoldedTable(PEERS);
        table.insert("p1", "a", "k1", "one");
        table.insert("p2", "a", "k2", "two");
        assertThat(table.update("p1", "account", "b", "name", "moved")).isTrue();
        assertThat(table.update("nobody", "name", "x")).isFalse();
        assertThat(table.insert("p3", "a", "k1", "k1 is free in a")).isTrue();
        assertThat(table.insert("p4", "b", "k1", "k1 is taken in b")).isFalse();

        assertThat(table.deleteWhere("account", "a")).isEqualTo(2);
        assertThat(table.rows()).containsExactly(new Object[] {"p1", "b", "k1", "moved"});
        assertThatThrownBy(() -> table.deleteWhere("name", "moved")).hasMessageContaining("no lookup column");
        assertThatThrownBy(() -> table.update("p1", "colour", "red")).hasMessageContaining("no column");
    }

    @Test
    void compositeKeysDeleteByEitherColumnOrBoth() {
        FoldedTable members = new FoldedTable(MEMBERS);
        members.insert("g1", "p1");
        members.insert("g1", "p2");
        members.insert("g2", "p1");
        assertThat(members.insert("g1", "p1")).isFalse();
        assertThat(members.delete(List.of("g1", "p2"))).isTrue();
        assertThat(members.deleteWhere("peer_id", "p1")).isEqualTo(2);
        assertThat(members.size()).isZero();
        members.insert("g1", "p1");
        assertThat(members.deleteWhere("group_id", "g1")).isEqualTo(1);
    }

    @Test
    void copyTextEscapesSeparatorsAndWritesNullsBooleansAndInstants() {
        StringBuilder text = new StringBuilder();
        for (Object value : new Object[] {"a\tb\nc\rd\\e", null, true, false, 42,
                Timestamp.from(Instant.parse("2026-01-02T03:04:05.123456Z"))}) {
            CopyRows.copyText(text, value);
            text.append('|');
        }
        assertThat(text).hasToString("a\\tb\\nc\\rd\\\\e|\\N|t|f|42|2026-01-02T03:04:05.123456Z|");
        assertThatThrownBy(() -> CopyRows.copyText(new StringBuilder(), new Object()))
                .hasMessageContaining("no COPY text");
    }
}
