package dev.tcc.runtime.log;

import dev.tcc.api.operations.BranchState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.jdbc.Statements;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Decisions in the log: an initiator's, and the cancel tombstone a participant's question about an
 * expiring hold writes. Every write is conditional, so two deciders cannot both win; the returned
 * boolean says whether this one did.
 */
public final class Decisions {

    private final LogDatabase database;
    private final Clock clock;

    Decisions(LogDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * Makes a decision durable in one commit: the transaction row (inserted, or updated only
     * while still {@code TRYING}) and its branches. Returns false, writing nothing, when another
     * decision got there first, or when the time read on the open connection right before the
     * statement is not before {@link NewDecision#decideBefore()}: the time limit (a confirm must leave
     * every hold its safety margin and come before the timeout) is part of the one conditional write, so
     * an initiator stalled between its own check and this write cannot decide late, whatever was
     * purged meanwhile. On PostgreSQL this is one statement in one round trip.
     */
    public boolean write(NewDecision decision) {
        DecisionRow row = DecisionRow.of(decision);
        List<BranchReference> branches = decision.branches();
        String what = "write the decision of [" + decision.xid() + "]";
        String oneStatement = branches.isEmpty() ? null : database.dialect().writeDecisionWithBranches(branches.size());
        if (oneStatement != null) {
            return database.runSingleStatement(what, c -> {
                try (PreparedStatement ps = c.prepareStatement(oneStatement)) {
                    int i = row.setInsert(ps, clock.instant());
                    for (BranchReference b : branches) {
                        ps.setInt(i++, b.branchId());
                        ps.setString(i++, b.participant());
                        ps.setString(i++, b.action());
                        Jdbc.setInstant(ps, i++, b.holdDeadline());
                    }
                    return ps.executeUpdate() == branches.size();
                }
            });
        }
        return database.run(what, c -> {
            if (!upsert(c, row)) {
                return false;
            }
            if (!branches.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(Statements.BRANCH_INSERT)) {
                    for (BranchReference b : branches) {
                        ps.setString(1, decision.xid());
                        ps.setInt(2, b.branchId());
                        ps.setString(3, b.participant());
                        ps.setString(4, b.action());
                        Jdbc.setInstant(ps, 5, b.holdDeadline());
                        ps.setString(6, BranchState.TRIED.code());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            return true;
        });
    }

    /** The decision recorded for {@code xid}; {@link Decision#UNDECIDED} when there is none or no row. */
    public Decision read(String xid) {
        return database.run("read the decision of [" + xid + "]", c -> LogRows.decisionOf(c, xid));
    }

    /**
     * Answers a participant about to expire the hold of one branch: the recorded decision, or, when
     * there is none, a cancel tombstone written before answering so no confirm can be decided afterwards.
     * A confirm decision whose branch list lacks {@code branchId} answers cancel for that branch and
     * writes nothing: the list is fixed with the decision, so nothing can confirm the branch later.
     */
    public Answer decideCancelUnlessConfirmed(String xid, int branchId, Instant now, String cause) {
        return database.run("decide cancel for branch " + branchId + " of [" + xid + "]", c -> {
            Decision recorded = LogRows.decisionOf(c, xid);
            if (recorded == Decision.UNDECIDED) {
                upsert(c, DecisionRow.cancelTombstone(xid, now, cause));
                recorded = LogRows.decisionOf(c, xid);
            }
            if (recorded == Decision.CONFIRM && !listed(c, xid, branchId)) {
                return new Answer(Decision.CANCEL, true);
            }
            return new Answer(recorded, false);
        });
    }

    /**
     * The answer to a branch's question.
     *
     * @param unlisted true when the transaction was decided confirm without this branch (its cancel answer
     *        is about the branch only)
     */
    public record Answer(Decision decision, boolean unlisted) {
    }

    private static boolean listed(Connection c, String xid, int branchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.BRANCH_LISTED)) {
            ps.setString(1, xid);
            ps.setInt(2, branchId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The transaction row of a decision: {@link SqlDialect#writeDecision()}, and where that is a
     * plain insert that met a duplicate key, the conditional update of a {@code TRYING} row.
     * True when this decision won.
     */
    private boolean upsert(Connection c, DecisionRow row) throws SQLException {
        Instant writtenAt = clock.instant(); // read on the open connection, right before the write
        SqlDialect dialect = database.dialect();
        try (PreparedStatement ps = c.prepareStatement(dialect.writeDecision())) {
            row.setInsert(ps, writtenAt);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if (!Jdbc.isDuplicateKey(e)) {
                throw e;
            }
            if (!dialect.survivesFailedStatement()) {
                return false; // an upsert that still met a duplicate: a concurrent insert for the same xid won
            }
        }
        try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_DECIDE_IF_TRYING)) {
            row.setUpdateIfTrying(ps, writtenAt);
            return ps.executeUpdate() == 1;
        }
    }
}
