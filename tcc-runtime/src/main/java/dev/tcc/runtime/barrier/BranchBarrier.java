package dev.tcc.runtime.barrier;

import dev.tcc.api.operations.BranchState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.jdbc.Statements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The branch barrier: one row per (xid, branch id) in the participant's own database, written
 * on the connection of the participant's local transaction so it commits with the business
 * change. It never locks a row that may not exist: rows are created with insert-if-absent and
 * changed only by conditional updates ({@code ... WHERE state = 'TRIED'}), so a duplicate,
 * late or concurrent delivery finds out what happened instead of doing it again.
 */
public final class BranchBarrier {

    /** What {@link #insertTried} found. */
    public enum TryAdmission {
        /** The row was created: run the try body. */
        ADMITTED,
        /** The row was already {@code TRIED}: a duplicate try, do not run the body again. */
        DUPLICATE,
        /** The row was already {@code CANCELLED} (or confirmed): a hanging try, refuse it. */
        REFUSED
    }

    private final SqlDialect dialect;

    public BranchBarrier(SqlDialect dialect) {
        this.dialect = dialect;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /**
     * Inserts the row as {@code TRIED} unless one exists, and says which case it was (a try with
     * external effects: the row commits before its body runs, the result is stored later).
     */
    public TryAdmission insertTried(Connection c, String xid, int branchId, String action, Instant holdDeadline,
                                    Instant timeoutAt, String arguments, Instant now) throws SQLException {
        return insertTried(c, xid, branchId, action, holdDeadline, timeoutAt, arguments, now, null);
    }

    /**
     * {@link #insertTried(Connection, String, int, String, Instant, Instant, String, Instant)} for a branch of a
     * caller's transaction: {@code coordinator} is its coordinator endpoint, which hold expiry asks (null: this service's).
     */
    public TryAdmission insertTried(Connection c, String xid, int branchId, String action, Instant holdDeadline,
                                    Instant timeoutAt, String arguments, Instant now, String coordinator) throws SQLException {
        if (insertIfAbsent(c, xid, branchId, action, BranchState.TRIED, holdDeadline, timeoutAt, arguments, null, now, coordinator)) {
            return TryAdmission.ADMITTED;
        }
        return admissionOf(find(c, xid, branchId));
    }

    /**
     * Inserts the row as {@code TRIED} with the try's result, after its body ran in this same local
     * transaction; false when a row already exists (an earlier try, or a cancel that got there first).
     * Then nothing was inserted, the transaction is still usable on every database (the conflict is
     * an insert-if-absent, never a failed statement on PostgreSQL), and the caller must roll it back,
     * body included, and read the existing row in a new transaction ({@link #admissionOf}).
     */
    public boolean insertTriedAfterBody(Connection c, String xid, int branchId, String action, Instant holdDeadline,
                                        Instant timeoutAt, String arguments, String result, Instant now) throws SQLException {
        return insertTriedAfterBody(c, xid, branchId, action, holdDeadline, timeoutAt, arguments, result, now, null);
    }

    /** As above, for a branch of a caller's transaction whose coordinator endpoint is {@code coordinator} (null: this service's). */
    public boolean insertTriedAfterBody(Connection c, String xid, int branchId, String action, Instant holdDeadline,
                                        Instant timeoutAt, String arguments, String result, Instant now, String coordinator)
            throws SQLException {
        return insertIfAbsent(c, xid, branchId, action, BranchState.TRIED, holdDeadline, timeoutAt, arguments, result, now,
                coordinator);
    }

    /**
     * What a try that found {@code existing} (its insert met a row) must do: {@code TRIED} is a
     * duplicate (return the stored result), anything else, or no row any more, is refused.
     */
    public static TryAdmission admissionOf(BarrierRow existing) {
        return existing != null && existing.state() == BranchState.TRIED ? TryAdmission.DUPLICATE : TryAdmission.REFUSED;
    }

    /** Inserts the row as {@code CANCELLED} unless one exists (an empty cancel); true when inserted. */
    public boolean insertCancelled(Connection c, String xid, int branchId, String action, Instant holdDeadline,
                                   Instant now) throws SQLException {
        return insertIfAbsent(c, xid, branchId, action, BranchState.CANCELLED, holdDeadline, holdDeadline, null, null, now, null);
    }

    private boolean insertIfAbsent(Connection c, String xid, int branchId, String action, BranchState state,
                                   Instant holdDeadline, Instant timeoutAt, String arguments, String result, Instant now,
                                   String coordinator) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(dialect.insertBarrierIfAbsent())) {
            ps.setString(1, xid);
            ps.setInt(2, branchId);
            ps.setString(3, action);
            ps.setString(4, state.code());
            Jdbc.setInstant(ps, 5, holdDeadline);
            Jdbc.setInstant(ps, 6, timeoutAt);
            ps.setString(7, arguments);
            ps.setString(8, result);
            Jdbc.setInstant(ps, 9, now);
            Jdbc.setInstant(ps, 10, now);
            ps.setString(11, coordinator);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if (Jdbc.isDuplicateKey(e) && dialect.survivesFailedStatement()) {
                return false;
            }
            throw e;
        }
    }

    /** Stores the try's result on its row while the row is still {@code TRIED}; false when it no longer is. */
    public boolean storeResult(Connection c, String xid, int branchId, String result) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.BARRIER_SET_RESULT)) {
            ps.setString(1, result);
            ps.setString(2, xid);
            ps.setInt(3, branchId);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Locks the row for the rest of the local transaction if it is still {@code TRIED}; false when it
     * is not (a cancel or hold expiry finished the branch first). A concurrent {@link #leaveTried}
     * waits for this transaction to end, so nothing the transaction commits can land on a branch
     * that is already cancelled.
     */
    public boolean lockTried(Connection c, String xid, int branchId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.BARRIER_LOCK_TRIED)) {
            Jdbc.setInstant(ps, 1, now);
            ps.setString(2, xid);
            ps.setInt(3, branchId);
            return ps.executeUpdate() == 1;
        }
    }

    /** The row, or null when none exists. */
    public BarrierRow find(Connection c, String xid, int branchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.BARRIER_FIND)) {
            ps.setString(1, xid);
            ps.setInt(2, branchId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new BarrierRow(rs.getString(1), BranchState.fromCode(rs.getString(2)), Jdbc.getInstant(rs, 3),
                        rs.getString(4), rs.getString(5));
            }
        }
    }

    /** A row as a range cancel reads it. */
    public record RangeRow(int branchId, String action, BranchState state, Instant holdDeadline) {
    }

    /** The rows of {@code xid} with a branch id from {@code first} to {@code last} (inclusive), by branch id. */
    public List<RangeRow> findRange(Connection c, String xid, int first, int last) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.BARRIER_FIND_RANGE)) {
            ps.setString(1, xid);
            ps.setInt(2, first);
            ps.setInt(3, last);
            List<RangeRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new RangeRow(rs.getInt(1), rs.getString(2), BranchState.fromCode(rs.getString(3)),
                            Jdbc.getInstant(rs, 4)));
                }
            }
            return rows;
        }
    }

    /**
     * Moves the row from {@code TRIED} to {@code target}; true only for the one caller whose update
     * changed the row (that caller runs the phase body, in the same local transaction).
     */
    public boolean leaveTried(Connection c, String xid, int branchId, BranchState target, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.BARRIER_TRANSITION)) {
            ps.setString(1, target.code());
            Jdbc.setInstant(ps, 2, now);
            ps.setString(3, xid);
            ps.setInt(4, branchId);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * The {@code updated_at} for a move out of {@code TRIED}: now, to the millisecond, which every
     * {@code TIMESTAMP(3)} or finer column keeps exactly, so that the check after the body
     * ({@link #requireStillMoved}, {@link #requireAllStillMoved}) finds this move's own value again. (A
     * driver that moved the row again in the same millisecond after a rollback underneath the body would
     * go unnoticed, as every such driver did before the check compared more than the state.)
     */
    public static Instant moveStamp(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Throws {@link BarrierMoveLostException} unless the row is still {@code movedTo} with the
     * {@code updated_at} its move wrote ({@code movedAt}, a {@link #moveStamp}): called after a
     * phase-two body returned, so a body that swallowed the rollback of its local transaction (and
     * then ran more statements in a fresh one) is never counted as done, not even when another driver
     * moved the row to the same state and committed after that rollback.
     */
    public void requireStillMoved(Connection c, String xid, int branchId, BranchState movedTo, Instant movedAt, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.BARRIER_STILL_MOVED)) {
            Jdbc.setInstant(ps, 1, now);
            ps.setString(2, xid);
            ps.setInt(3, branchId);
            ps.setString(4, movedTo.code());
            Jdbc.setInstant(ps, 5, movedAt);
            if (ps.executeUpdate() != 1) {
                throw new BarrierMoveLostException(xid, branchId, movedTo.code());
            }
        }
    }

    /**
     * {@link #requireStillMoved} for many rows, without writing, in the caller's local transaction: on
     * PostgreSQL one count per {@value SqlDialect#KEYS_PER_ARRAY} keys ({@link SqlDialect#countAsMoved()}),
     * on H2 one read of the rows of the keys' xids per {@value #XIDS_PER_STATEMENT} xids, compared here; either
     * way one statement text whatever the number of keys. Throws {@link BarrierMoveLostException} unless
     * every row of the keys (distinct: a key asked twice counts once, and then the check fails) is still
     * {@code movedTo} with the {@code updated_at} its move wrote ({@code movedAt}, a {@link #moveStamp}).
     * Only the rows of the pairs asked count: another branch of an asked xid never stands in for a
     * missing one. The state alone would not do: once the local transaction was rolled back underneath a
     * body, its moves are gone and another driver (a repeated delivery, recovery, hold expiry) may have
     * moved the rows to the same state and committed, and the bodies run after the rollback would then
     * commit their effects a second time.
     */
    public void requireAllStillMoved(Connection c, List<String> xids, List<Integer> branchIds, BranchState movedTo,
                                     Instant movedAt) throws SQLException {
        long found;
        if (dialect.takesKeyArrays()) {
            // each key once: every statement counts its own keys, so a key repeated in two of them would count twice
            List<String> distinctXids = new ArrayList<>();
            List<Integer> distinctIds = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < xids.size(); i++) {
                if (seen.add(key(xids.get(i), branchIds.get(i)))) {
                    distinctXids.add(xids.get(i));
                    distinctIds.add(branchIds.get(i));
                }
            }
            found = countAsMoved(c, distinctXids, distinctIds, movedTo, movedAt);
        } else {
            found = asMovedAmongRowsOfXids(c, xids, branchIds, movedTo, movedAt);
        }
        if (found != xids.size()) {
            throw new BarrierMoveLostException(xids.size() - found, xids.size(), movedTo.code());
        }
    }

    /** The rows of the keys as {@code movedTo} at {@code movedAt}, counted by the database with the keys as arrays. */
    private long countAsMoved(Connection c, List<String> xids, List<Integer> branchIds, BranchState movedTo, Instant movedAt)
            throws SQLException {
        long found = 0;
        for (int from = 0; from < xids.size(); from += SqlDialect.KEYS_PER_ARRAY) {
            int to = Math.min(xids.size(), from + SqlDialect.KEYS_PER_ARRAY);
            try (PreparedStatement ps = c.prepareStatement(dialect.countAsMoved())) {
                ps.setString(1, movedTo.code());
                Jdbc.setInstant(ps, 2, movedAt);
                bindKeys(c, ps, 3, xids.subList(from, to), branchIds.subList(from, to));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    found += rs.getLong(1);
                }
            }
        }
        return found;
    }

    /**
     * The distinct keys whose row is {@code movedTo} at {@code movedAt}, found among the rows of their xids
     * (by the primary key's first column, one array parameter) and compared by key here.
     */
    private static long asMovedAmongRowsOfXids(Connection c, List<String> xids, List<Integer> branchIds, BranchState movedTo,
                                               Instant movedAt) throws SQLException {
        Set<String> asMoved = new HashSet<>();
        forEachRowOfKeys(c, Statements.BARRIER_OF_XIDS, xids, branchIds, (key, rs) -> {
            if (movedTo.code().equals(rs.getString(3)) && movedAt.equals(Jdbc.getInstant(rs, 4))) {
                asMoved.add(key);
            }
        });
        return asMoved.size();
    }

    /** A row of {@link #forEachRowOfKeys}, by its {@link #key(String, int)}. */
    private interface RowOfKey {
        void accept(String key, ResultSet rs) throws SQLException;
    }

    /**
     * Runs {@code sql} (xid and branch_id first, the xids as its one array parameter) once per
     * {@value #XIDS_PER_STATEMENT} distinct xids, and hands on the rows of the keys asked only: never
     * another branch of an asked xid.
     */
    private static void forEachRowOfKeys(Connection c, String sql, List<String> xids, List<Integer> branchIds, RowOfKey row)
            throws SQLException {
        Set<String> asked = new HashSet<>();
        for (int i = 0; i < xids.size(); i++) {
            asked.add(key(xids.get(i), branchIds.get(i)));
        }
        List<String> distinct = xids.stream().distinct().toList();
        for (int from = 0; from < distinct.size(); from += XIDS_PER_STATEMENT) {
            List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + XIDS_PER_STATEMENT));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setArray(1, c.createArrayOf("varchar", chunk.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String key = key(rs.getString(1), rs.getInt(2));
                        if (asked.contains(key)) {
                            row.accept(key, rs);
                        }
                    }
                }
            }
        }
    }

    /** Binds the keys as two arrays (xids, then branch ids) from parameter {@code index} on. */
    private static void bindKeys(Connection c, PreparedStatement ps, int index, List<String> xids, List<Integer> branchIds)
            throws SQLException {
        ps.setArray(index, c.createArrayOf("varchar", xids.toArray()));
        ps.setArray(index + 1, c.createArrayOf("integer", branchIds.toArray()));
    }

    /**
     * {@link #leaveTried} that returns the row as it is after the move (with the result a try that
     * committed while this update waited for its lock stored), or null when the row was not
     * {@code TRIED}.
     */
    public BarrierRow leaveTriedReturning(Connection c, String xid, int branchId, BranchState target, Instant now)
            throws SQLException {
        return leaveTriedAll(c, List.of(xid), List.of(branchId), target, now).get(key(xid, branchId));
    }

    /**
     * The rows of {@code keys} (xid and branch id) in one query per {@value #XIDS_PER_STATEMENT} xids (the same
     * text for any number), by {@link #key(String, int)}; a key without a row is absent from the map, and
     * another branch of an asked xid is never in it.
     */
    public Map<String, BarrierRow> findAll(Connection c, List<String> xids, List<Integer> branchIds) throws SQLException {
        Map<String, BarrierRow> rows = new HashMap<>();
        forEachRowOfKeys(c, Statements.BARRIER_FIND_BY_XIDS, xids, branchIds, (key, rs) -> rows.put(key,
                new BarrierRow(rs.getString(3), BranchState.fromCode(rs.getString(4)), Jdbc.getInstant(rs, 5), rs.getString(6),
                        rs.getString(7))));
        return rows;
    }

    /** Keys of {@link #findAll}. */
    public static String key(String xid, int branchId) {
        return xid + '#' + branchId;
    }

    private static final int XIDS_PER_STATEMENT = 200;

    /**
     * {@link #leaveTried} for many rows, as few statements as the database does best: moves the
     * rows of the given keys that are still {@code TRIED} to {@code target} and returns the moved
     * rows by {@link #key(String, int)} (their callers then run the bodies). A key absent from the
     * result was not {@code TRIED}, or has no row; a key given twice moves its row once. On PostgreSQL
     * one statement per {@link SqlDialect#keysPerStatement()} keys, always the same text (the keys go
     * as arrays); on H2 one per key.
     */
    public Map<String, BarrierRow> leaveTriedAll(Connection c, List<String> xids, List<Integer> branchIds, BranchState target,
                                                 Instant now) throws SQLException {
        Map<String, BarrierRow> moved = new HashMap<>();
        int perStatement = dialect.keysPerStatement();
        String sql = dialect.leaveTriedReturning();
        for (int from = 0; from < xids.size(); from += perStatement) {
            int to = Math.min(xids.size(), from + perStatement);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, target.code());
                Jdbc.setInstant(ps, 2, now);
                if (dialect.takesKeyArrays()) {
                    bindKeys(c, ps, 3, xids.subList(from, to), branchIds.subList(from, to));
                } else {
                    ps.setString(3, xids.get(from));
                    ps.setInt(4, branchIds.get(from));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        moved.put(key(rs.getString(1), rs.getInt(2)), new BarrierRow(rs.getString(3),
                                BranchState.fromCode(rs.getString(4)), Jdbc.getInstant(rs, 5), rs.getString(6), rs.getString(7)));
                    }
                }
            }
        }
        return moved;
    }

    /**
     * Rows of {@code actions} still {@code TRIED} whose hold deadline or transaction timeout is before
     * {@code before}: their transaction can no longer be decided confirm unless it already was.
     * Rows of other actions (a renamed action, a database shared with another service) are not read,
     * so they cannot fill the batch and keep the holds behind them from expiring. In key order
     * (hold deadline, xid, branch id) after {@code after} ({@link PendingHold#START} for the first page).
     */
    public List<PendingHold> due(Connection c, Instant before, PendingHold after, Collection<String> actions, int limit)
            throws SQLException {
        if (actions.isEmpty()) {
            return List.of();
        }
        String sql = Statements.BARRIER_DUE + "(" + "?, ".repeat(actions.size() - 1) + "?)" + Statements.BARRIER_DUE_ORDER;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Jdbc.setInstant(ps, 1, before);
            Jdbc.setInstant(ps, 2, before);
            Jdbc.setInstant(ps, 3, after.holdDeadline());
            Jdbc.setInstant(ps, 4, after.holdDeadline());
            ps.setString(5, after.xid());
            ps.setString(6, after.xid());
            ps.setInt(7, after.branchId());
            int p = 8;
            for (String action : actions) {
                ps.setString(p++, action);
            }
            ps.setInt(p, limit);
            List<PendingHold> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new PendingHold(rs.getString(1), rs.getInt(2), rs.getString(3), Jdbc.getInstant(rs, 4),
                            Jdbc.getInstant(rs, 5), rs.getString(6)));
                }
            }
            return rows;
        }
    }
}
