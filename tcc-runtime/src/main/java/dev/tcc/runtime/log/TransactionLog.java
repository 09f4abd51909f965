package dev.tcc.runtime.log;

import dev.tcc.api.TransactionLogException;
import dev.tcc.runtime.BranchState;
import dev.tcc.runtime.TransactionState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.jdbc.Statements;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import dev.tcc.spi.LocalTransactionRunner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The coordinator's transaction log on JDBC. Every state change is a conditional update from
 * the states allowed before it, so two deciders (an initiator and a recovery worker, or a
 * participant asking about an expiring hold) cannot both win; callers learn from the returned
 * boolean whether their change happened.
 */
public final class TransactionLog {

    private final LocalTransactionRunner database;
    private final SqlDialect dialect;
    private final Clock clock;

    public TransactionLog(LocalTransactionRunner database, SqlDialect dialect) {
        this(database, dialect, Clock.systemUTC());
    }

    /** @param clock read on the open connection right before a decision is written, for its time limit */
    public TransactionLog(LocalTransactionRunner database, SqlDialect dialect, Clock clock) {
        this.database = database;
        this.dialect = dialect;
        this.clock = clock;
    }

    /**
     * Makes a decision durable in one commit: the transaction row (inserted, or updated only
     * while still {@code TRYING}) and its branches. Returns false, writing nothing, when another
     * decision got there first, or when the time read on the open connection right before the
     * statement is not before {@code decideBefore}: the time limit (a confirm must leave every
     * hold its safety margin and come before the timeout) is part of the one conditional write, so
     * an initiator stalled between its own check and this write cannot decide late, whatever was
     * purged meanwhile. On PostgreSQL this is one statement in one round trip.
     *
     * @param decideBefore latest time this decision may be written; null for none (a cancel)
     */
    public boolean writeDecision(String xid, String name, Decision decision, String cause, Instant createdAt,
                                 Instant timeoutAt, Instant now, Lease lease, List<BranchReference> branches,
                                 Instant decideBefore) {
        String leaseOwner = lease.owner();
        Instant leaseUntil = lease.until();
        TransactionState state = decision == Decision.CONFIRM ? TransactionState.CONFIRMING : TransactionState.CANCELLING;
        String what = "write the decision of [" + xid + "]";
        String oneStatement = branches.isEmpty() ? null : dialect.writeDecisionWithBranches(branches.size());
        if (oneStatement != null) {
            return runSingleStatement(what, c -> {
                try (PreparedStatement ps = c.prepareStatement(oneStatement)) {
                    int i = setDecision(ps, xid, name, state, decision, cause, createdAt, timeoutAt, now, null, leaseOwner,
                            leaseUntil, decideBefore, clock.instant());
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
        return run(what, c -> {
            if (!upsertDecision(c, xid, name, state, decision, cause, createdAt, timeoutAt, now, null, leaseOwner, leaseUntil,
                    decideBefore)) {
                return false;
            }
            if (!branches.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(Statements.BRANCH_INSERT)) {
                    for (BranchReference b : branches) {
                        ps.setString(1, xid);
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

    /** Sets the parameters of {@link SqlDialect#writeDecision()}; returns the next parameter index. */
    private static int setDecision(PreparedStatement ps, String xid, String name, TransactionState state, Decision decision,
                                   String cause, Instant createdAt, Instant timeoutAt, Instant now, Instant finishedAt,
                                   String leaseOwner, Instant leaseUntil, Instant decideBefore, Instant writtenAt)
            throws SQLException {
        ps.setString(1, xid);
        ps.setString(2, Jdbc.truncate(name, 200));
        ps.setString(3, state.code());
        ps.setString(4, decision.name());
        ps.setString(5, Jdbc.truncate(cause, 1000));
        Jdbc.setInstant(ps, 6, createdAt);
        Jdbc.setInstant(ps, 7, timeoutAt);
        Jdbc.setInstant(ps, 8, now);
        Jdbc.setInstant(ps, 9, finishedAt);
        ps.setString(10, leaseOwner);
        Jdbc.setInstant(ps, 11, leaseUntil);
        Jdbc.setInstant(ps, 12, decideBefore);
        Jdbc.setInstant(ps, 13, writtenAt);
        Jdbc.setInstant(ps, 14, decideBefore);
        return 15;
    }

    /**
     * The transaction row of a decision: {@link SqlDialect#writeDecision()}, and where that is a
     * plain insert that met a duplicate key, the conditional update of a {@code TRYING} row.
     * True when this decision won.
     */
    private boolean upsertDecision(Connection c, String xid, String name, TransactionState state, Decision decision,
                                   String cause, Instant createdAt, Instant timeoutAt, Instant now, Instant finishedAt,
                                   String leaseOwner, Instant leaseUntil, Instant decideBefore) throws SQLException {
        Instant writtenAt = clock.instant(); // read on the open connection, right before the write
        try (PreparedStatement ps = c.prepareStatement(dialect.writeDecision())) {
            setDecision(ps, xid, name, state, decision, cause, createdAt, timeoutAt, now, finishedAt, leaseOwner, leaseUntil,
                    decideBefore, writtenAt);
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
            ps.setString(1, state.code());
            ps.setString(2, decision.name());
            ps.setString(3, Jdbc.truncate(cause, 1000));
            Jdbc.setInstant(ps, 4, now);
            Jdbc.setInstant(ps, 5, finishedAt);
            ps.setString(6, leaseOwner);
            Jdbc.setInstant(ps, 7, leaseUntil);
            ps.setString(8, xid);
            Jdbc.setInstant(ps, 9, decideBefore);
            Jdbc.setInstant(ps, 10, writtenAt);
            Jdbc.setInstant(ps, 11, decideBefore);
            return ps.executeUpdate() == 1;
        }
    }

    /** The decision recorded for {@code xid}; {@link Decision#UNDECIDED} when there is none or no row. */
    public Decision readDecision(String xid) {
        return run("read the decision of [" + xid + "]", c -> decisionOf(c, xid));
    }

    /**
     * Answers a participant about to expire a hold: the recorded decision, or, when there is
     * none, a cancel tombstone written before answering so no confirm can be decided afterwards.
     */
    public Decision decideCancelUnlessConfirmed(String xid, Instant now, String cause) {
        return run("decide cancel for [" + xid + "]", c -> {
            Decision recorded = decisionOf(c, xid);
            if (recorded != Decision.UNDECIDED) {
                return recorded;
            }
            upsertDecision(c, xid, "(expired hold)", TransactionState.CANCELLED, Decision.CANCEL, cause, now, now, now, now,
                    null, null, null);
            return decisionOf(c, xid);
        });
    }

    private static Decision decisionOf(Connection c, String xid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT decision FROM tcc_transaction WHERE xid = ?")) {
            ps.setString(1, xid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return Decision.UNDECIDED;
                }
                return Decision.valueOf(rs.getString(1));
            }
        }
    }

    /** The transaction with its branches. */
    public Optional<TransactionRecord> find(String xid) {
        return run("read [" + xid + "]", c -> {
            TransactionRecord record;
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_FIND)) {
                ps.setString(1, xid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    record = transaction(rs);
                }
            }
            return Optional.of(record.withBranches(branches(c, xid, record.state())));
        });
    }

    /**
     * The branches as recorded. {@link #finishAll} leaves the rows of a transaction whose branches
     * were all done in their first attempt as the decision wrote them: in a CONFIRMED or CANCELLED
     * transaction a row still {@code TRIED} reads as done in one attempt.
     */
    private static List<BranchRecord> branches(Connection c, String xid, TransactionState txState) throws SQLException {
        BranchState finalState = txState == TransactionState.CONFIRMED ? BranchState.CONFIRMED
                : txState == TransactionState.CANCELLED ? BranchState.CANCELLED : null;
        List<BranchRecord> result = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(Statements.BRANCHES_OF)) {
            ps.setString(1, xid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BranchState state = BranchState.ofCode(rs.getString(5));
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

    private static TransactionRecord transaction(ResultSet rs) throws SQLException {
        String decision = rs.getString("decision");
        return new TransactionRecord(rs.getString("xid"), rs.getString("name"), TransactionState.ofCode(rs.getString("state")),
                decision == null ? Decision.UNDECIDED : Decision.valueOf(decision), rs.getString("cause"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "timeout_at"), Jdbc.getInstant(rs, "decided_at"),
                Jdbc.getInstant(rs, "finished_at"), rs.getInt("rounds"), Jdbc.getInstant(rs, "next_attempt_at"),
                rs.getString("lease_owner"), Jdbc.getInstant(rs, "lease_until"), List.of());
    }

    /** Transactions in {@code CONFIRMING} or {@code CANCELLING} that are due and not leased. */
    public List<String> due(Instant now, int limit) {
        return run("find transactions to recover", c -> {
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_DUE)) {
                Jdbc.setInstant(ps, 1, now);
                Jdbc.setInstant(ps, 2, now);
                ps.setInt(3, limit);
                List<String> xids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        xids.add(rs.getString(1));
                    }
                }
                return xids;
            }
        });
    }

    /** Takes the lease of a transaction whose lease ended (or has none) to drive it; true for exactly one of several drivers. */
    public boolean claim(String xid, Lease lease, Instant now) {
        return claim(xid, lease, now, null);
    }

    /**
     * Takes the lease of a transaction to drive it: one that ended, or the lease {@code held}
     * (given with the decision, or by an earlier claim) when the transaction still carries it.
     * True for exactly one of several drivers.
     */
    public boolean claim(String xid, Lease lease, Instant now, Lease held) {
        return run("claim [" + xid + "]", c -> {
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_CLAIM)) {
                ps.setString(1, lease.owner());
                Jdbc.setInstant(ps, 2, lease.until());
                ps.setString(3, xid);
                Jdbc.setInstant(ps, 4, now);
                ps.setString(5, held == null ? null : held.owner());
                Jdbc.setInstant(ps, 6, held == null ? null : held.until());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Ends a round that finished every branch: moves {@code from} to the final {@code to}, only
     * while the transaction still carries {@code lease} (a driver that lost it writes nothing).
     */
    public boolean finish(String xid, TransactionState from, TransactionState to, String cause, Instant now,
                          List<BranchOutcome> outcomes, Lease lease) {
        requireLegal(from, to);
        return run("finish [" + xid + "]", c -> {
            boolean changed;
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_FINISH)) {
                ps.setString(1, to.code());
                Jdbc.setInstant(ps, 2, now);
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

    /**
     * One transaction's end for {@link #finishAll}: phase two did every branch in its first attempt,
     * so the branch rows keep the state the decision wrote and read as the final state.
     */
    public record Finish(String xid, TransactionState from, TransactionState to, Lease lease) {
        public Finish {
            requireLegal(from, to);
        }
    }

    /**
     * {@link #finish} for many transactions in one commit (phase two batched across
     * transactions): on PostgreSQL one statement per {@value #IN_LIST_CHUNK} transactions, on H2 a
     * batch of single updates. Element {@code i} of the result says whether transaction {@code i}
     * moved; each move is conditional on its own {@code from} state, as in {@link #finish}.
     */
    public boolean[] finishAll(List<Finish> finishes, Instant now) {
        if (finishes.isEmpty()) {
            return new boolean[0];
        }
        return run("finish " + finishes.size() + " transactions", c -> dialect.finishReturning(1) == null
                ? finishEach(c, finishes, now)
                : finishByMove(c, finishes, now));
    }

    /** One statement per move (from, to) and {@value #IN_LIST_CHUNK} transactions, returning the xids that moved. */
    private boolean[] finishByMove(Connection c, List<Finish> finishes, Instant now) throws SQLException {
        Map<String, Integer> positions = new HashMap<>();
        Map<List<TransactionState>, List<Integer>> byMove = new LinkedHashMap<>();
        for (int i = 0; i < finishes.size(); i++) {
            Finish f = finishes.get(i);
            positions.put(f.xid(), i);
            byMove.computeIfAbsent(List.of(f.from(), f.to()), k -> new ArrayList<>()).add(i);
        }
        boolean[] changed = new boolean[finishes.size()];
        for (Map.Entry<List<TransactionState>, List<Integer>> move : byMove.entrySet()) {
            List<Integer> members = move.getValue();
            for (int from = 0; from < members.size(); from += IN_LIST_CHUNK) {
                List<Integer> chunk = members.subList(from, Math.min(members.size(), from + IN_LIST_CHUNK));
                try (PreparedStatement ps = c.prepareStatement(dialect.finishReturning(chunk.size()))) {
                    ps.setString(1, move.getKey().get(1).code());
                    Jdbc.setInstant(ps, 2, now);
                    ps.setString(3, move.getKey().get(0).code());
                    int p = 4;
                    for (int member : chunk) {
                        Finish f = finishes.get(member);
                        ps.setString(p++, f.xid());
                        ps.setString(p++, f.lease().owner());
                        Jdbc.setInstant(ps, p++, f.lease().until());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            changed[positions.get(rs.getString(1))] = true;
                        }
                    }
                }
            }
        }
        return changed;
    }

    private static final int IN_LIST_CHUNK = 200;

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
        return run("reschedule [" + xid + "]", c -> {
            boolean changed;
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_RESCHEDULE)) {
                ps.setString(1, to.code());
                Jdbc.setInstant(ps, 2, nextAttemptAt);
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

    private static void requireLegal(TransactionState from, TransactionState to) {
        if (!from.canBecome(to)) {
            throw new IllegalStateException("Illegal transaction state change " + from + " -> " + to);
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

    /** An operator's retry of a FAILED transaction: back to phase two with a fresh budget. */
    public boolean retryFailed(String xid) {
        return run("retry [" + xid + "]", c -> {
            Decision decision = decisionOf(c, xid);
            TransactionState state = decision == Decision.CONFIRM ? TransactionState.CONFIRMING : TransactionState.CANCELLING;
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_OPERATOR_RETRY)) {
                ps.setString(1, state.code());
                ps.setString(2, xid);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** An operator's statement that a FAILED transaction was finished by hand. */
    public boolean forceFinish(String xid, TransactionState to, String note, Instant now) {
        if (!to.isFinal() || to == TransactionState.FAILED) {
            throw new IllegalArgumentException("A FAILED transaction can only be forced to CONFIRMED, CANCELLED or HEURISTIC, not [" + to + "]");
        }
        return run("force-finish [" + xid + "]", c -> {
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_FORCE_FINISH)) {
                ps.setString(1, to.code());
                Jdbc.setInstant(ps, 2, now);
                ps.setString(3, Jdbc.truncate(note, 1000));
                ps.setString(4, xid);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The newest transactions, in {@code state} or in any state when it is null, without branches. */
    public List<TransactionRecord> list(TransactionState state, int limit) {
        return run("list transactions", c -> {
            String sql = state == null ? Statements.TRANSACTION_LIST_RECENT : Statements.TRANSACTION_LIST_BY_STATE;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (state != null) {
                    ps.setString(i++, state.code());
                }
                ps.setInt(i, limit);
                List<TransactionRecord> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(transaction(rs));
                    }
                }
                return result;
            }
        });
    }

    /** How many transactions are in each state. */
    public Map<TransactionState, Long> countByState() {
        return run("count transactions", c -> {
            Map<TransactionState, Long> counts = new EnumMap<>(TransactionState.class);
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_COUNT_BY_STATE);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(TransactionState.ofCode(rs.getString(1)), rs.getLong(2));
                }
            }
            return counts;
        });
    }

    /** Transactions still in phase two that were decided before {@code before}. */
    public long countStuck(Instant before) {
        return run("count stuck transactions", c -> {
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_STUCK_COUNT)) {
                Jdbc.setInstant(ps, 1, before);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /**
     * Those of {@code xids} whose transaction the log holds in a state that is not final
     * ({@code TRYING}, {@code CONFIRMING}, {@code CANCELLING} or {@code FAILED}): phase two may
     * still deliver to their branches. An xid the log does not hold (any more) is not among them.
     */
    public java.util.Set<String> unfinishedAmong(java.util.Collection<String> xids) {
        List<String> distinct = xids.stream().distinct().toList();
        if (distinct.isEmpty()) {
            return java.util.Set.of();
        }
        return run("find unfinished transactions", c -> {
            java.util.Set<String> unfinished = new java.util.HashSet<>();
            for (int from = 0; from < distinct.size(); from += IN_LIST_CHUNK) {
                List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + IN_LIST_CHUNK));
                String sql = Statements.TRANSACTION_UNFINISHED_AMONG + "(" + "?, ".repeat(chunk.size() - 1) + "?)";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            unfinished.add(rs.getString(1));
                        }
                    }
                }
            }
            return unfinished;
        });
    }

    /** Deletes up to {@code limit} CONFIRMED or CANCELLED transactions finished before {@code before}; returns how many. */
    public int purge(Instant before, int limit) {
        return run("purge finished transactions", c -> {
            List<String> xids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_PURGEABLE)) {
                Jdbc.setInstant(ps, 1, before);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        xids.add(rs.getString(1));
                    }
                }
            }
            for (String sql : List.of(Statements.BRANCH_PURGE, Statements.TRANSACTION_PURGE)) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (String xid : xids) {
                        ps.setString(1, xid);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            return xids.size();
        });
    }

    private <T> T runSingleStatement(String what, LocalTransactionRunner.ConnectionWork<T> work) {
        return on(what, () -> database.inSingleStatement(work));
    }

    private <T> T run(String what, LocalTransactionRunner.ConnectionWork<T> work) {
        return on(what, () -> database.inNewTransaction(work));
    }

    /** Runs a call on the log's database, turning a checked failure into a {@link TransactionLogException}. */
    private <T> T on(String what, Callable<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new TransactionLogException("Could not " + what + " in the transaction log on '" + database.name()
                    + "': " + e.getMessage() + ". Recovery finishes decided transactions once the database answers again", e);
        }
    }
}
