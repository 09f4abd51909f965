package dev.tcc.runtime.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The SQL that differs between the supported databases, and the name of the schema file for
 * each. Everything else is standard SQL shared by both (see {@link Statements}).
 */
public enum SqlDialect {

    /** H2 2.x. A failed statement does not abort the surrounding transaction here. */
    H2("META-INF/tcc/schema-h2.sql",
            // insert-if-absent: a plain insert whose duplicate key (SQLState 23505) means "present"
            "INSERT INTO tcc_barrier (xid, branch_id, action, state, hold_deadline, timeout_at, arguments, result, created_at, updated_at,"
                    + " coordinator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            // a plain conditional insert; on a duplicate key the caller decides with the conditional update of a TRYING row
            Statements.TRANSACTION_DECIDE_IF_IN_TIME),

    /** PostgreSQL 12 or later. A failed statement aborts the transaction, so conflicts are avoided, not caught. */
    POSTGRESQL("META-INF/tcc/schema-postgresql.sql",
            "INSERT INTO tcc_barrier (xid, branch_id, action, state, hold_deadline, timeout_at, arguments, result, created_at, updated_at,"
                    + " coordinator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (xid, branch_id) DO NOTHING",
            Statements.TRANSACTION_DECIDE_IF_IN_TIME + " ON CONFLICT (xid) DO UPDATE SET state = EXCLUDED.state, decision = EXCLUDED.decision, cause = EXCLUDED.cause,"
                    + " decided_at = EXCLUDED.decided_at, finished_at = EXCLUDED.finished_at, lease_owner = EXCLUDED.lease_owner,"
                    + " lease_until = EXCLUDED.lease_until WHERE tcc_transaction.state = 'TRYING'");

    /** Most keys one statement takes as arrays (see {@link #takesKeyArrays()}). */
    public static final int KEYS_PER_ARRAY = 1000;

    private final String schemaResource;
    private final String insertBarrierIfAbsent;
    private final String writeDecision;

    SqlDialect(String schemaResource, String insertBarrierIfAbsent, String writeDecision) {
        this.schemaResource = schemaResource;
        this.insertBarrierIfAbsent = insertBarrierIfAbsent;
        this.writeDecision = writeDecision;
    }

    /**
     * Whether a transaction rollback error (SQLState class 40: deadlock, serialization failure)
     * leaves the transaction restorable to a savepoint taken before it. PostgreSQL only aborts the
     * transaction, and a rollback to the savepoint restores it; H2 rolls back the whole transaction,
     * savepoints included.
     */
    public boolean savepointSurvivesTransactionRollback() {
        return this == POSTGRESQL;
    }

    /** Class-path resource of the schema script (shipped in the jar for Flyway or Liquibase users). */
    public String schemaResource() {
        return schemaResource;
    }

    /**
     * Inserts a barrier row unless one exists for (xid, branch_id). Parameters: xid, branch_id,
     * action, state, hold_deadline, timeout_at, arguments, result, created_at, updated_at. Updates 1 row
     * when inserted; when a row exists it inserts nothing and leaves the transaction usable (PostgreSQL:
     * {@code ON CONFLICT DO NOTHING}, updates 0 rows; H2: a duplicate key, SQLState 23505, which H2
     * survives).
     */
    public String insertBarrierIfAbsent() {
        return insertBarrierIfAbsent;
    }

    /**
     * Writes a decision: inserts the transaction row, or updates it only while it is still
     * {@code TRYING}, and either only while the write is in time. Updates 1 row when the decision
     * won. Parameters: xid, name, state, decision, cause, created_at, timeout_at, decided_at,
     * finished_at, lease_owner, lease_until, then decide_before, now, decide_before. Where a
     * failed statement leaves the transaction usable (H2) it is a plain insert, and a duplicate key
     * is followed by {@link Statements#TRANSACTION_DECIDE_IF_TRYING}.
     */
    public String writeDecision() {
        return writeDecision;
    }

    /**
     * The whole decision of a transaction with {@code branches} branches as ONE statement, or null
     * when this database cannot do that (then the row and the branches are written one after the
     * other in one local transaction). Parameters: those of {@link #writeDecision()} (14), then per
     * branch: branch_id, participant, action, hold_deadline. Updates {@code branches} rows when the
     * decision won, none when another decision got there first.
     */
    public String writeDecisionWithBranches(int branches) {
        if (this != POSTGRESQL) {
            return null;
        }
        return "WITH decided AS (" + writeDecision + " RETURNING xid)"
                + " INSERT INTO tcc_branch (xid, branch_id, participant, action, hold_deadline, state, attempts)"
                + " SELECT decided.xid, b.branch_id, b.participant, b.action, b.hold_deadline, 'TRIED', 0 FROM decided, (VALUES "
                + "(CAST(? AS INTEGER), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS TIMESTAMP WITH TIME ZONE)), ".repeat(branches - 1)
                + "(CAST(? AS INTEGER), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS TIMESTAMP WITH TIME ZONE))"
                + ") AS b(branch_id, participant, action, hold_deadline)";
    }

    /**
     * Whether the batched statements ({@link #leaveTriedReturning()}, {@link #countAsMoved()},
     * {@link #finishReturning()}) take their keys as array parameters: then each is ONE statement text
     * whatever the number of keys, which the driver prepares on the server once and the database plans
     * once, as a primary-key lookup per key. The keys are bound with {@link Connection#createArrayOf}
     * (element types {@code varchar}, {@code integer}, {@code timestamptz}).
     *
     * <p>Where a statement filters on a state as well as on keys, the state is compared as
     * {@code state || '' = ...}, as in the single-key statements of {@link Statements}: the rows are found
     * by primary key, never by walking every row of the state and matching each against the keys.
     */
    public boolean takesKeyArrays() {
        return this == POSTGRESQL;
    }

    /**
     * Moves the barrier rows of the keys (xid, branch_id pairs) that are still {@code TRIED} to a new
     * state and returns the moved rows: xid, branch_id, action, state, hold_deadline, arguments, result.
     * Only the pairs asked for move (never another branch of an asked xid), each row once however often
     * its key is asked. Parameters: state, updated_at, then on PostgreSQL the keys as two arrays (xids,
     * branch ids; see {@link #takesKeyArrays()}), at most {@link #keysPerStatement()} of them; on H2,
     * which compares a list of row values element by element, one key (xid, branch_id), which in-process
     * costs no round trip.
     */
    public String leaveTriedReturning() {
        if (this == POSTGRESQL) {
            return "UPDATE tcc_barrier SET state = ?, updated_at = ? WHERE state || '' = 'TRIED'"
                    + " AND (xid, branch_id) IN (SELECT * FROM unnest(CAST(? AS VARCHAR[]), CAST(? AS INTEGER[])))"
                    + " RETURNING xid, branch_id, action, state, hold_deadline, arguments, result";
        }
        return "SELECT xid, branch_id, action, state, hold_deadline, arguments, result FROM FINAL TABLE (UPDATE tcc_barrier"
                + " SET state = ?, updated_at = ? WHERE xid = ? AND branch_id = ? AND state = 'TRIED')";
    }

    /**
     * Most keys {@link #leaveTriedReturning()} takes in one statement (PostgreSQL: the length of its arrays,
     * a bound on memory only; the statement text is the same for any number).
     */
    public int keysPerStatement() {
        return this == POSTGRESQL ? KEYS_PER_ARRAY : 1;
    }

    /**
     * Counts the barrier rows of the keys (xid, branch_id pairs) that are in a state with an
     * {@code updated_at} as one move left them, each row once however often its key is asked: one
     * statement text for any number of keys, or null where the rows of the keys' xids are read and
     * compared by the caller instead (H2, {@link Statements#BARRIER_OF_XIDS}). Parameters: state,
     * updated_at, then the keys as two arrays (xids, branch ids). The state and stamp are compared in
     * the count, not in the {@code WHERE}: the rows are found by key alone, so no statistics about
     * states can lead the planner away from the primary key.
     */
    public String countAsMoved() {
        if (this != POSTGRESQL) {
            return null;
        }
        return "SELECT COUNT(*) FILTER (WHERE state = ? AND updated_at = ?) FROM tcc_barrier"
                + " WHERE (xid, branch_id) IN (SELECT * FROM unnest(CAST(? AS VARCHAR[]), CAST(? AS INTEGER[])))";
    }

    /**
     * Ends many transactions in ONE statement, or null where a batch of single updates is cheaper
     * (H2): those of the xids still in the given state and under the given lease move to the final one;
     * returns the xids that moved. Only an xid with its own lease moves. Parameters: to, finished_at,
     * from, then the xids, lease owners and lease ends as three arrays (see {@link #takesKeyArrays()}; a
     * lease end is millisecond-exact, {@code dev.tcc.runtime.log.Lease}, so its text in the array is the
     * value stored).
     */
    public String finishReturning() {
        if (this != POSTGRESQL) {
            return null;
        }
        return "UPDATE tcc_transaction SET state = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL"
                + " WHERE state || '' = ? AND (xid, lease_owner, lease_until) IN (SELECT * FROM unnest(CAST(? AS VARCHAR[]),"
                + " CAST(? AS VARCHAR[]), CAST(? AS TIMESTAMP WITH TIME ZONE[]))) RETURNING xid";
    }

    /** Whether a failed statement leaves the surrounding transaction usable. */
    public boolean survivesFailedStatement() {
        return this == H2;
    }

    /** Detects the dialect of the database behind {@code connection}. */
    public static SqlDialect of(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("h2")) {
            return H2;
        }
        if (product.contains("postgres")) {
            return POSTGRESQL;
        }
        throw new SQLException("TCC supports H2 and PostgreSQL but the database is [" + product
                + "]: use one of them for the transaction log and the branch barrier");
    }
}
