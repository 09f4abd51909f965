package dev.tcc.runtime.jdbc;

/**
 * Standard SQL shared by every {@link SqlDialect}.
 *
 * <p>A statement that changes one row by its key and checks the row's state compares the state as
 * {@code state || '' = ...}, which no index serves, so the primary key is the only way in: on PostgreSQL a plain
 * {@code state = ...} lets the (state, ...) index compete, and once stale statistics make the state look rare (a
 * burst of rows since the last {@code ANALYZE}) the planner walks every row of that state to find the one key.
 * The statements that look rows up by state keep {@code state = ...} and its index.
 */
public final class Statements {

    private Statements() {
    }

    /** Reads nothing from {@code table} but fails when the connection cannot see it (start-up check). */
    public static String tableProbe(String table) {
        // the barrier's newest column too: a table created before it fails the probe (its script adds the column)
        return "tcc_barrier".equals(table) ? "SELECT coordinator FROM tcc_barrier WHERE 1 = 0" : "SELECT 1 FROM " + table + " WHERE 1 = 0";
    }

    // ---- branch barrier (participant side) ----
    public static final String BARRIER_FIND =
            "SELECT action, state, hold_deadline, arguments, result FROM tcc_barrier WHERE xid = ? AND branch_id = ?";
    /** The rows of one xid with a branch id in a range (a range cancel): xid, first, last. */
    public static final String BARRIER_FIND_RANGE =
            "SELECT branch_id, action, state, hold_deadline FROM tcc_barrier WHERE xid = ? AND branch_id BETWEEN ? AND ?"
                    + " ORDER BY branch_id";
    /** The rows of the xids in one array parameter: one text for any number of xids, read by the primary key's first column. */
    public static final String BARRIER_FIND_BY_XIDS =
            "SELECT xid, branch_id, action, state, hold_deadline, arguments, result FROM tcc_barrier WHERE xid = ANY(?)";
    /** The try's result, only onto a row still {@code TRIED}: never onto a branch a cancel already finished. */
    public static final String BARRIER_SET_RESULT =
            "UPDATE tcc_barrier SET result = ? WHERE xid = ? AND branch_id = ? AND state || '' = 'TRIED'";
    /**
     * Locks a row that is still {@code TRIED} for the rest of the local transaction (a try body with
     * external effects runs behind it): a concurrent cancel waits for that transaction, or has already
     * won and this updates nothing.
     */
    public static final String BARRIER_LOCK_TRIED =
            "UPDATE tcc_barrier SET updated_at = ? WHERE xid = ? AND branch_id = ? AND state || '' = 'TRIED'";
    public static final String BARRIER_TRANSITION =
            "UPDATE tcc_barrier SET state = ?, updated_at = ? WHERE xid = ? AND branch_id = ? AND state || '' = 'TRIED'";
    /**
     * Rows still {@code TRIED} past their hold deadline or transaction timeout, of the listed actions
     * only (rows of actions this instance does not know must not fill the batch), in key order after
     * a cursor (so holds that stay, their body or question failing, do not hide the ones behind them):
     * parameters before twice, the cursor's hold_deadline twice, xid twice and branch_id, the action
     * names, the limit. Followed by the parenthesised list of action names and {@link #BARRIER_DUE_ORDER}.
     */
    public static final String BARRIER_DUE =
            "SELECT xid, branch_id, action, hold_deadline, timeout_at, coordinator FROM tcc_barrier WHERE state = 'TRIED'"
                    + " AND (hold_deadline < ? OR timeout_at < ?)"
                    + " AND (hold_deadline > ? OR (hold_deadline = ? AND (xid > ? OR (xid = ? AND branch_id > ?))))"
                    + " AND action IN ";
    /** The state first, though fixed: H2 then reads the (state, hold_deadline) index in order and stops at the limit. */
    public static final String BARRIER_DUE_ORDER = " ORDER BY state, hold_deadline, xid, branch_id LIMIT ?";
    /**
     * Barrier rows of one final state old enough to purge, of the listed actions only, in key order
     * after a cursor (so rows that must stay do not hide the others): the state, the time before, then
     * the cursor's hold_deadline twice, xid twice and branch_id, then the action names, then the limit.
     * Followed by the parenthesised list of action names and {@link #BARRIER_FINISHED_ORDER}. One
     * state per query, not {@code state IN (...)}: with one state the (state, hold_deadline) index
     * returns the rows in key order and the scan stops at the limit (PostgreSQL, and H2 with the state
     * named first in the order); with a list PostgreSQL sorts every due row for each page (a sequential scan once
     * many are due) and H2 walks every row of both states, due or not.
     */
    public static final String BARRIER_FINISHED_AFTER =
            "SELECT xid, branch_id, action, hold_deadline FROM tcc_barrier WHERE state = ? AND hold_deadline < ?"
                    + " AND (hold_deadline > ? OR (hold_deadline = ? AND (xid > ? OR (xid = ? AND branch_id > ?))))"
                    + " AND action IN ";
    public static final String BARRIER_FINISHED_ORDER = " ORDER BY state, hold_deadline, xid, branch_id LIMIT ?";
    /**
     * The first rows in key order of the pages of each final state: followed by the parenthesised pages joined
     * with {@code UNION ALL}, then {@link #BARRIER_FINISHED_MERGED_ORDER}. The database orders them, so the
     * order agrees with its collation of xids, which the cursor compares with.
     */
    public static final String BARRIER_FINISHED_MERGED = "SELECT xid, branch_id, action, hold_deadline FROM (";
    public static final String BARRIER_FINISHED_MERGED_ORDER = ") finished ORDER BY hold_deadline, xid, branch_id LIMIT ?";
    /**
     * Checks, after a phase-two body returned, that the row is still as the move before the body left
     * it (1 row), i.e. that the local transaction was not rolled back underneath the body: updated_at,
     * xid, branch_id, the state moved to, the updated_at the move wrote.
     */
    public static final String BARRIER_STILL_MOVED =
            "UPDATE tcc_barrier SET updated_at = ? WHERE xid = ? AND branch_id = ? AND state || '' = ? AND updated_at = ?";
    /**
     * The key, state and updated_at of every row of the xids in one array parameter (a {@code String[]}):
     * where {@link SqlDialect#countAsMoved()} is null (H2), the caller compares them key by key. One text for
     * any number of xids, and H2 finds the rows by the primary key's first column.
     */
    public static final String BARRIER_OF_XIDS =
            "SELECT xid, branch_id, state, updated_at FROM tcc_barrier WHERE xid = ANY(?)";
    /** Undoes a batch's move of one row whose body failed (rolled back to its savepoint): xid, branch_id, the state it was moved to. */
    public static final String BARRIER_RETURN_TO_TRIED =
            "UPDATE tcc_barrier SET state = 'TRIED' WHERE xid = ? AND branch_id = ? AND state || '' = ?";
    public static final String BARRIER_DELETE_FINISHED =
            "DELETE FROM tcc_barrier WHERE xid = ? AND branch_id = ? AND state <> 'TRIED'";

    // ---- transaction log (coordinator side) ----
    /**
     * The transaction row of a decision, inserted only while the decision is still in time: the
     * last three parameters are the latest time the decision may be written (null: any time), the
     * time of the write, and that latest time again. The margin check is part of this one write,
     * never a check followed by a write.
     */
    public static final String TRANSACTION_DECIDE_IF_IN_TIME =
            "INSERT INTO tcc_transaction (xid, name, state, decision, cause, created_at, timeout_at, decided_at, finished_at,"
                    + " lease_owner, lease_until, rounds) SELECT CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(200)),"
                    + " CAST(? AS VARCHAR(16)), CAST(? AS VARCHAR(8)), CAST(? AS VARCHAR(1000)), CAST(? AS TIMESTAMP WITH TIME ZONE),"
                    + " CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS TIMESTAMP WITH TIME ZONE),"
                    + " CAST(? AS VARCHAR(64)), CAST(? AS TIMESTAMP WITH TIME ZONE), 0"
                    + " WHERE CAST(? AS TIMESTAMP WITH TIME ZONE) IS NULL"
                    + " OR CAST(? AS TIMESTAMP WITH TIME ZONE) < CAST(? AS TIMESTAMP WITH TIME ZONE)";

    /** The decision over a row that exists, only while it is {@code TRYING} (after {@link SqlDialect#writeDecision()} met a duplicate key). */
    public static final String TRANSACTION_DECIDE_IF_TRYING =
            "UPDATE tcc_transaction SET state = ?, decision = ?, cause = ?, decided_at = ?, finished_at = ?, lease_owner = ?,"
                    + " lease_until = ? WHERE xid = ? AND state || '' = 'TRYING'"
                    + " AND (CAST(? AS TIMESTAMP WITH TIME ZONE) IS NULL OR CAST(? AS TIMESTAMP WITH TIME ZONE) < CAST(? AS TIMESTAMP WITH TIME ZONE))";
    public static final String BRANCH_INSERT =
            "INSERT INTO tcc_branch (xid, branch_id, participant, action, hold_deadline, state, attempts) VALUES (?, ?, ?, ?, ?, ?, 0)";
    public static final String BRANCHES_OF =
            "SELECT branch_id, participant, action, hold_deadline, state, attempts, last_error FROM tcc_branch WHERE xid = ?"
                    + " ORDER BY branch_id";
    public static final String BRANCH_UPDATE =
            "UPDATE tcc_branch SET state = ?, attempts = attempts + ?, last_error = ? WHERE xid = ? AND branch_id = ?";
    public static final String TRANSACTION_DECISION = "SELECT decision FROM tcc_transaction WHERE xid = ?";
    /** Whether a decision's branch list names a branch. */
    public static final String BRANCH_LISTED = "SELECT 1 FROM tcc_branch WHERE xid = ? AND branch_id = ?";

    public static final String TRANSACTION_FIND =
            "SELECT xid, name, state, decision, cause, created_at, timeout_at, decided_at, finished_at, rounds, next_attempt_at,"
                    + " lease_owner, lease_until FROM tcc_transaction WHERE xid = ?";
    /** A cancel keeps the cause of its decision unless a new one is given. */
    public static final String TRANSACTION_FINISH =
            "UPDATE tcc_transaction SET state = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL, cause = COALESCE(?, cause)"
                    + " WHERE xid = ? AND state || '' = ? AND lease_owner = ? AND lease_until = ?";
    /** A confirm ends without a cause: the failures of earlier rounds no longer describe it (its branches keep theirs). */
    public static final String TRANSACTION_FINISH_CLEARING_CAUSE =
            "UPDATE tcc_transaction SET state = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL, cause = ?"
                    + " WHERE xid = ? AND state || '' = ? AND lease_owner = ? AND lease_until = ?";
    public static final String TRANSACTION_RESCHEDULE =
            "UPDATE tcc_transaction SET state = ?, rounds = rounds + 1, next_attempt_at = ?, cause = ?, lease_owner = NULL,"
                    + " lease_until = NULL WHERE xid = ? AND state || '' = ? AND lease_owner = ? AND lease_until = ?";
    /** {@link #TRANSACTION_RESCHEDULE} of a round that called nobody (every circuit it needed was open): no round counted. */
    public static final String TRANSACTION_POSTPONE =
            "UPDATE tcc_transaction SET state = ?, next_attempt_at = ?, cause = ?, lease_owner = NULL,"
                    + " lease_until = NULL WHERE xid = ? AND state || '' = ? AND lease_owner = ? AND lease_until = ?";
    /** Takes an ended lease, or renews the one given last (owner and end): parameters owner, until, xid, now, held owner, held until. */
    public static final String TRANSACTION_CLAIM =
            "UPDATE tcc_transaction SET lease_owner = ?, lease_until = ? WHERE xid = ? AND state IN ('CONFIRMING', 'CANCELLING')"
                    + " AND (lease_until IS NULL OR lease_until < ? OR (lease_owner = ? AND lease_until = ?))";
    public static final String TRANSACTION_DUE =
            "SELECT xid FROM tcc_transaction WHERE state IN ('CONFIRMING', 'CANCELLING')"
                    + " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (lease_until IS NULL OR lease_until < ?)"
                    + " ORDER BY decided_at LIMIT ?";
    public static final String TRANSACTION_FORCE_FINISH =
            "UPDATE tcc_transaction SET state = ?, finished_at = ?, cause = ? WHERE xid = ? AND state || '' = 'FAILED'";
    /** Followed by the parenthesised list of xids: those still in the log and not final, whose barrier rows must stay. */
    public static final String TRANSACTION_UNFINISHED_AMONG =
            "SELECT xid FROM tcc_transaction WHERE state IN ('TRYING', 'CONFIRMING', 'CANCELLING', 'FAILED') AND xid IN ";
    public static final String TRANSACTION_PURGE =
            "DELETE FROM tcc_transaction WHERE xid = ?";
    public static final String BRANCH_PURGE =
            "DELETE FROM tcc_branch WHERE xid = ?";
    public static final String TRANSACTION_OPERATOR_RETRY =
            "UPDATE tcc_transaction SET state = ?, rounds = 0, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL"
                    + " WHERE xid = ? AND state || '' = 'FAILED'";
    public static final String TRANSACTION_LIST_BY_STATE =
            "SELECT xid, name, state, decision, cause, created_at, timeout_at, decided_at, finished_at, rounds, next_attempt_at,"
                    + " lease_owner, lease_until FROM tcc_transaction WHERE state = ? ORDER BY created_at DESC LIMIT ?";
    public static final String TRANSACTION_LIST_RECENT =
            "SELECT xid, name, state, decision, cause, created_at, timeout_at, decided_at, finished_at, rounds, next_attempt_at,"
                    + " lease_owner, lease_until FROM tcc_transaction ORDER BY created_at DESC LIMIT ?";
    public static final String TRANSACTION_COUNT_BY_STATE =
            "SELECT state, COUNT(*) FROM tcc_transaction GROUP BY state";
    public static final String TRANSACTION_STUCK_COUNT =
            "SELECT COUNT(*) FROM tcc_transaction WHERE state IN ('CONFIRMING', 'CANCELLING') AND decided_at < ?";
    /**
     * Finished transactions to purge: only final states have a finished_at, and HEURISTIC ones wait
     * for an operator. Written so that H2 walks the finished_at index instead of every row of a state.
     */
    public static final String TRANSACTION_PURGEABLE =
            "SELECT xid FROM tcc_transaction WHERE finished_at < ? AND state <> 'HEURISTIC' LIMIT ?";
}
