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
     * Moves the barrier rows of {@code keys} (xid, branch_id pairs) that are still {@code TRIED} to a
     * new state and returns the moved rows: xid, branch_id, action, state, hold_deadline, arguments,
     * result. Parameters: state, updated_at, then the pairs. On PostgreSQL one statement for all
     * the keys (one round trip); on H2, which compares a list of row values element by element,
     * one statement per key ({@code keys} must be 1), which in-process costs no round trip.
     */
    public String leaveTriedReturning(int keys) {
        if (this == POSTGRESQL) {
            return "UPDATE tcc_barrier SET state = ?, updated_at = ? WHERE state = 'TRIED' AND (xid, branch_id) IN ("
                    + "(?, ?), ".repeat(keys - 1) + "(?, ?)) RETURNING xid, branch_id, action, state, hold_deadline, arguments, result";
        }
        if (keys != 1) {
            throw new IllegalArgumentException("H2 moves one barrier row per statement");
        }
        return "SELECT xid, branch_id, action, state, hold_deadline, arguments, result FROM FINAL TABLE (UPDATE tcc_barrier"
                + " SET state = ?, updated_at = ? WHERE xid = ? AND branch_id = ? AND state = 'TRIED')";
    }

    /** Most keys {@link #leaveTriedReturning} takes in one statement. */
    public int keysPerStatement() {
        return this == POSTGRESQL ? 200 : 1;
    }

    /**
     * Ends many transactions in ONE statement, or null where a batch of single updates is cheaper
     * (H2): those of {@code xids} xids still in the given state and under the given lease move to the
     * final one; returns the xids that moved. Parameters: to, finished_at, from, then per xid: xid,
     * lease owner, lease end.
     */
    public String finishReturning(int xids) {
        if (this != POSTGRESQL) {
            return null;
        }
        String lease = "(?, ?, CAST(? AS TIMESTAMP WITH TIME ZONE))";
        return "UPDATE tcc_transaction SET state = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL"
                + " WHERE state = ? AND (xid, lease_owner, lease_until) IN (" + (lease + ", ").repeat(xids - 1) + lease
                + ") RETURNING xid";
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
