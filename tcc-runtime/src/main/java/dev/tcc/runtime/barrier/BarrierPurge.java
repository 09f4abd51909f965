package dev.tcc.runtime.barrier;

import dev.tcc.api.operations.BranchState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.Statements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Finds and deletes finished barrier rows for retention, page by page in key order. Which of the
 * rows found may really go is retention's decision ({@code Retention}), not this class's.
 */
public final class BarrierPurge {

    /** A finished barrier row; also the cursor after which the next page starts. */
    public record FinishedRow(String xid, int branchId, String action, Instant holdDeadline) {
    }

    /** The states a barrier row ends in; only rows in one of them are purged ({@code TRIED} ones never). */
    static final List<BranchState> FINAL_STATES = List.of(BranchState.CONFIRMED, BranchState.CANCELLED);

    /** The cursor before every row. */
    public static final FinishedRow START = new FinishedRow("", Integer.MIN_VALUE, "", Instant.parse("1970-01-01T00:00:00Z"));

    private BarrierPurge() {
    }

    /**
     * Up to {@code limit} rows of {@code actions} in a final state ({@link #FINAL_STATES}) whose hold deadline is
     * before {@code before}, in key order after {@code after}. Rows of other actions (a renamed action,
     * another service's rows) are never read, so they cannot fill the pages. One page per final state, merged
     * by the database in one statement (see {@link Statements#BARRIER_FINISHED_AFTER} for why).
     */
    public static List<FinishedRow> finishedAfter(Connection c, Instant before, FinishedRow after, Collection<String> actions,
                                                  int limit) throws SQLException {
        if (actions.isEmpty()) {
            return List.of();
        }
        String page = "(" + Statements.BARRIER_FINISHED_AFTER + "(" + "?, ".repeat(actions.size() - 1) + "?)"
                + Statements.BARRIER_FINISHED_ORDER + ")";
        String sql = Statements.BARRIER_FINISHED_MERGED + String.join(" UNION ALL ", Collections.nCopies(FINAL_STATES.size(), page))
                + Statements.BARRIER_FINISHED_MERGED_ORDER;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            for (BranchState state : FINAL_STATES) {
                ps.setString(p++, state.code());
                Jdbc.setInstant(ps, p++, before);
                Jdbc.setInstant(ps, p++, after.holdDeadline());
                Jdbc.setInstant(ps, p++, after.holdDeadline());
                ps.setString(p++, after.xid());
                ps.setString(p++, after.xid());
                ps.setInt(p++, after.branchId());
                for (String action : actions) {
                    ps.setString(p++, action);
                }
                ps.setInt(p++, limit);
            }
            ps.setInt(p, limit);
            List<FinishedRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new FinishedRow(rs.getString(1), rs.getInt(2), rs.getString(3), Jdbc.getInstant(rs, 4)));
                }
            }
            return rows;
        }
    }

    /** Deletes the given rows, only while they are still out of {@code TRIED}; returns how many went. */
    public static int delete(Connection c, List<FinishedRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return 0;
        }
        int deleted = 0;
        try (PreparedStatement ps = c.prepareStatement(Statements.BARRIER_DELETE_FINISHED)) {
            for (FinishedRow row : rows) {
                ps.setString(1, row.xid());
                ps.setInt(2, row.branchId());
                ps.addBatch();
            }
            for (int n : ps.executeBatch()) {
                deleted += Math.max(0, n);
            }
        }
        return deleted;
    }
}
