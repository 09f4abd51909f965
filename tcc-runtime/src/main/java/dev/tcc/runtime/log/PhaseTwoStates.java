package dev.tcc.runtime.log;

import dev.tcc.api.IllegalTransactionStateException;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.jdbc.Statements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state moves of phase two: the end of a round that finished every branch (one transaction, or
 * many in one commit) and the end of a round that left work. Each is conditional on the state before
 * it and on the driver's lease, so a driver that lost its lease writes nothing.
 */
public final class PhaseTwoStates {

    private final LogDatabase database;

    PhaseTwoStates(LogDatabase database) {
        this.database = database;
    }

    /**
     * Ends a round that finished every branch: moves {@code from} to the final {@code to}, only
     * while the transaction still carries {@code lease} (a driver that lost it writes nothing).
     */
    public boolean finish(String xid, TransactionState from, TransactionState to, String cause, Instant now,
                          List<BranchOutcome> outcomes, Lease lease) {
        requireLegal(from, to);
        return moveUnderLease("finish [" + xid + "]", to == TransactionState.CONFIRMED
                ? Statements.TRANSACTION_FINISH_CLEARING_CAUSE : Statements.TRANSACTION_FINISH, xid, from, to, now, cause,
                outcomes, lease);
    }

    /**
     * {@link #finish} for many transactions in one commit (phase two batched across
     * transactions): on PostgreSQL one statement per move and {@value SqlDialect#KEYS_PER_ARRAY} transactions,
     * always the same text (the xids and leases go as arrays), on H2 a batch of single updates. Element {@code i} of the result says whether transaction {@code i}
     * moved; each move is conditional on its own {@code from} state, as in {@link #finish}.
     */
    public boolean[] finishAll(List<Finish> finishes, Instant now) {
        if (finishes.isEmpty()) {
            return new boolean[0];
        }
        return database.run("finish " + finishes.size() + " transactions", c -> database.dialect().finishReturning() == null
                ? finishEach(c, finishes, now)
                : finishByMove(c, finishes, now));
    }

    /** A state change shared by several transactions of one {@link #finishAll}. */
    private record Move(TransactionState from, TransactionState to) {
    }

    /** One statement per move and {@value SqlDialect#KEYS_PER_ARRAY} transactions, returning the xids that moved. */
    private boolean[] finishByMove(Connection c, List<Finish> finishes, Instant now) throws SQLException {
        Map<String, Integer> positions = new HashMap<>();
        Map<Move, List<Integer>> byMove = new LinkedHashMap<>();
        for (int i = 0; i < finishes.size(); i++) {
            Finish f = finishes.get(i);
            positions.put(f.xid(), i);
            byMove.computeIfAbsent(new Move(f.from(), f.to()), k -> new ArrayList<>()).add(i);
        }
        boolean[] changed = new boolean[finishes.size()];
        for (Map.Entry<Move, List<Integer>> move : byMove.entrySet()) {
            List<Integer> members = move.getValue();
            for (int from = 0; from < members.size(); from += SqlDialect.KEYS_PER_ARRAY) {
                List<Integer> chunk = members.subList(from, Math.min(members.size(), from + SqlDialect.KEYS_PER_ARRAY));
                Object[] xids = new Object[chunk.size()];
                Object[] owners = new Object[chunk.size()];
                Object[] untils = new Object[chunk.size()];
                for (int k = 0; k < chunk.size(); k++) {
                    Finish f = finishes.get(chunk.get(k));
                    xids[k] = f.xid();
                    owners[k] = f.lease().owner();
                    untils[k] = OffsetDateTime.ofInstant(f.lease().until(), ZoneOffset.UTC);
                }
                try (PreparedStatement ps = c.prepareStatement(database.dialect().finishReturning())) {
                    ps.setString(1, move.getKey().to().code());
                    Jdbc.setInstant(ps, 2, now);
                    ps.setString(3, move.getKey().from().code());
                    ps.setArray(4, c.createArrayOf("varchar", xids));
                    ps.setArray(5, c.createArrayOf("varchar", owners));
                    ps.setArray(6, c.createArrayOf("timestamptz", untils));
                    try (ResultSet rs = ps.executeQuery()) {
                        for (String xid : LogRows.xids(rs)) {
                            changed[positions.get(xid)] = true;
                        }
                    }
                }
            }
        }
        return changed;
    }

    /** A batch of single conditional updates, one per transaction. */
    private static boolean[] finishEach(Connection c, List<Finish> finishes, Instant now) throws SQLException {
        boolean[] changed = new boolean[finishes.size()];
        try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_FINISH)) {
            for (Finish f : finishes) {
                ps.setString(1, f.to().code());
                Jdbc.setInstant(ps, 2, now);
                ps.setString(3, null);
                ps.setString(4, f.xid());
                ps.setString(5, f.from().code());
                ps.setString(6, f.lease().owner());
                Jdbc.setInstant(ps, 7, f.lease().until());
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                changed[i] = counts[i] == 1;
            }
        }
        return changed;
    }

    /**
     * Ends a round that left work: counts it and schedules the next, or moves to {@code to}
     * (FAILED); only while the transaction still carries {@code lease}, so a driver that lost its
     * lease neither counts a round nor clears the lease of the driver that took it over.
     */
    public boolean reschedule(String xid, TransactionState from, TransactionState to, Instant nextAttemptAt, String cause,
                              List<BranchOutcome> outcomes, Lease lease) {
        if (from != to) {
            requireLegal(from, to);
        }
        return moveUnderLease("reschedule [" + xid + "]", Statements.TRANSACTION_RESCHEDULE, xid, from, to, nextAttemptAt,
                cause, outcomes, lease);
    }

    /**
     * Ends a round that could call none of the participants it had left (their circuits were open) without
     * counting it: the budget of rounds is for calls that were made. Schedules the next round, under
     * {@code lease} as {@link #reschedule} does.
     */
    public boolean postpone(String xid, TransactionState state, Instant nextAttemptAt, String cause,
                            List<BranchOutcome> outcomes, Lease lease) {
        return moveUnderLease("postpone [" + xid + "]", Statements.TRANSACTION_POSTPONE, xid, state, state, nextAttemptAt,
                cause, outcomes, lease);
    }

    /**
     * Runs one of the lease-fenced moves ({@code sql} takes: to, an instant, cause, xid, from, lease
     * owner, lease end) and, when it changed the row, records the branch outcomes in the same commit.
     */
    private boolean moveUnderLease(String what, String sql, String xid, TransactionState from, TransactionState to,
                                   Instant instant, String cause, List<BranchOutcome> outcomes, Lease lease) {
        return database.run(what, c -> {
            boolean changed;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, to.code());
                Jdbc.setInstant(ps, 2, instant);
                ps.setString(3, Jdbc.truncate(cause, 1000));
                ps.setString(4, xid);
                ps.setString(5, from.code());
                ps.setString(6, lease.owner());
                Jdbc.setInstant(ps, 7, lease.until());
                changed = ps.executeUpdate() == 1;
            }
            if (changed) {
                updateBranches(c, xid, outcomes);
            }
            return changed;
        });
    }

    static void requireLegal(TransactionState from, TransactionState to) {
        if (!from.canBecome(to)) {
            throw new IllegalTransactionStateException("Illegal transaction state change [" + from + "] -> [" + to + "]: legal from ["
                    + from + "] are " + from.successors());
        }
    }

    private static void updateBranches(Connection c, String xid, List<BranchOutcome> outcomes) throws SQLException {
        if (outcomes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(Statements.BRANCH_UPDATE)) {
            for (BranchOutcome o : outcomes) {
                ps.setString(1, o.state().code());
                ps.setInt(2, o.attempts());
                ps.setString(3, Jdbc.truncate(o.error(), 1000));
                ps.setString(4, xid);
                ps.setInt(5, o.branchId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
