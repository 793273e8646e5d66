package dev.tern.query.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Conversions every read table's projection and queries share: instants to and from columns, single rows. */
public final class Rows {
    private Rows() {
    }

    /** The instant as a column value; null stays null. */
    public static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    /** The column as an instant; SQL NULL is null. */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    /** The first row, if there is one. */
    public static <T> Optional<T> first(List<T> list) {
        return list.isEmpty() ? Optional.empty() : Optional.ofNullable(list.get(0));
    }

    /** A list an event left null reads as empty. */
    public static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
