package dev.tcc.runtime.log;

import dev.tcc.api.operations.BranchRecord;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.BranchState;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.Statements;
import dev.tcc.spi.Decision;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The one place the log's rows become records: transactions, their branches, decisions and xids. */
final class LogRows {

    private LogRows() {
    }

    /** The decision recorded for {@code xid}; {@link Decision#UNDECIDED} when there is none or no row. */
    static Decision decisionOf(Connection c, String xid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_DECISION)) {
            ps.setString(1, xid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return Decision.UNDECIDED;
                }
                return Decision.valueOf(rs.getString(1));
            }
        }
    }

    /** The transaction row at the result set's cursor, without branches. */
    static TransactionRecord transaction(ResultSet rs) throws SQLException {
        String decision = rs.getString("decision");
        return new TransactionRecord(rs.getString("xid"), rs.getString("name"), TransactionState.fromCode(rs.getString("state")),
                decision == null ? Decision.UNDECIDED : Decision.valueOf(decision), rs.getString("cause"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "timeout_at"), Jdbc.getInstant(rs, "decided_at"),
                Jdbc.getInstant(rs, "finished_at"), rs.getInt("rounds"), Jdbc.getInstant(rs, "next_attempt_at"),
                rs.getString("lease_owner"), Jdbc.getInstant(rs, "lease_until"), List.of());
    }

    /** Every transaction row of the result set, without branches. */
    static List<TransactionRecord> transactions(ResultSet rs) throws SQLException {
        List<TransactionRecord> result = new ArrayList<>();
        while (rs.next()) {
            result.add(transaction(rs));
        }
        return result;
    }

    /** The first column of every row: xids. */
    static List<String> xids(ResultSet rs) throws SQLException {
        List<String> xids = new ArrayList<>();
        while (rs.next()) {
            xids.add(rs.getString(1));
        }
        return xids;
    }

    /**
     * The branches as recorded. {@link PhaseTwoStates#finishAll} leaves the rows of a transaction whose
     * branches were all done in their first attempt as the decision wrote them: in a CONFIRMED or
     * CANCELLED transaction a row still {@code TRIED} reads as done in one attempt.
     */
    static List<BranchRecord> branches(Connection c, String xid, TransactionState txState) throws SQLException {
        BranchState finalState = txState == TransactionState.CONFIRMED ? BranchState.CONFIRMED
                : txState == TransactionState.CANCELLED ? BranchState.CANCELLED : null;
        List<BranchRecord> result = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(Statements.BRANCHES_OF)) {
            ps.setString(1, xid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BranchState state = BranchState.fromCode(rs.getString(5));
                    int attempts = rs.getInt(6);
                    if (state == BranchState.TRIED && finalState != null) {
                        state = finalState;
                        attempts = Math.max(1, attempts);
                    }
                    result.add(new BranchRecord(rs.getInt(1), rs.getString(2), rs.getString(3), Jdbc.getInstant(rs, 4),
                            state, attempts, rs.getString(7)));
                }
            }
        }
        return result;
    }
}
