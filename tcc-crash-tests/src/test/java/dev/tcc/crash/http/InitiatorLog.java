package dev.tcc.crash.http;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Reads the initiator's transaction log while no initiator runs (an H2 file has one user at a time). */
final class InitiatorLog {

    /** The log's row of a transaction: written by a decision, or by the coordinator's answer to a question (the fence). */
    record Row(String name, String state, String decision) {
    }

    private InitiatorLog() {
    }

    static Optional<Row> transaction(HttpCrashDatabases databases, String xid) throws SQLException {
        try (Connection c = DriverManager.getConnection(databases.initiatorUrl(), databases.user(), "");
             PreparedStatement ps = c.prepareStatement("SELECT name, state, decision FROM tcc_transaction WHERE xid = ?")) {
            ps.setString(1, xid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        }
    }
}
