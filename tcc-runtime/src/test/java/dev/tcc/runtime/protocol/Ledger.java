package dev.tcc.runtime.protocol;

import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A participant's business table for tests: one row per hold with its state, and a counter
 * of how often each body ran, so a test sees what happened and how often.
 */
final class Ledger {

    private final DataSource dataSource;

    Ledger(DataSource dataSource) {
        this.dataSource = dataSource;
        TestDatabases.execute(dataSource, "CREATE TABLE IF NOT EXISTS hold_row (xid VARCHAR(64), action VARCHAR(64),"
                + " amount BIGINT, state VARCHAR(16), PRIMARY KEY (xid, action))");
        TestDatabases.execute(dataSource, "CREATE TABLE IF NOT EXISTS body_run (xid VARCHAR(64), action VARCHAR(64),"
                + " phase VARCHAR(16), seq BIGINT)");
    }

    DataSource dataSource() {
        return dataSource;
    }

    static void hold(Connection c, String xid, String action, long amount) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO hold_row VALUES (?, ?, ?, 'PENDING')")) {
            ps.setString(1, xid);
            ps.setString(2, action);
            ps.setLong(3, amount);
            ps.executeUpdate();
        }
        ran(c, xid, action, "TRY");
    }

    static void settle(Connection c, String xid, String action, String phase, String state) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hold_row SET state = ? WHERE xid = ? AND action = ?")) {
            ps.setString(1, state);
            ps.setString(2, xid);
            ps.setString(3, action);
            ps.executeUpdate();
        }
        ran(c, xid, action, phase);
    }

    static void ran(Connection c, String xid, String action, String phase) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO body_run VALUES (?, ?, ?, ?)")) {
            ps.setString(1, xid);
            ps.setString(2, action);
            ps.setString(3, phase);
            ps.setLong(4, System.nanoTime());
            ps.executeUpdate();
        }
    }

    /** How often each body ran, per xid and phase ("CONFIRM", "CANCEL"), in one query. */
    Map<String, Map<String, Long>> runsByXid() {
        Map<String, Map<String, Long>> runs = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT xid, phase, COUNT(*) FROM body_run GROUP BY xid, phase");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                runs.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return runs;
    }

    long runs(String xid, String action, String phase) {
        return TestDatabases.queryLong(dataSource, "SELECT COUNT(*) FROM body_run WHERE xid = '" + xid + "' AND action = '"
                + action + "' AND phase = '" + phase + "'");
    }

    String holdState(String xid, String action) {
        return TestDatabases.queryString(dataSource, "SELECT state FROM hold_row WHERE xid = '" + xid + "' AND action = '"
                + action + "'");
    }

    String barrierState(String xid, int branchId) {
        return TestDatabases.queryString(dataSource, "SELECT state FROM tcc_barrier WHERE xid = '" + xid + "' AND branch_id = "
                + branchId);
    }
}
