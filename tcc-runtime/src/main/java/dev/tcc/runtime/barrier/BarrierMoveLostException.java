package dev.tcc.runtime.barrier;

import java.sql.SQLTransactionRollbackException;

/**
 * A phase-two body returned normally, but the barrier move made before it is no longer in its
 * local transaction: the database rolled that transaction back underneath the body (H2 does so on
 * a deadlock, PostgreSQL aborts it on any error) and the body caught the error and carried on.
 * Treated like a transaction rollback (SQLState class 40): the whole local transaction is rolled
 * back and the branch is not done, so its body runs again later instead of a barrier row staying
 * {@code TRIED} behind effects that committed.
 */
public final class BarrierMoveLostException extends SQLTransactionRollbackException {

    public BarrierMoveLostException(String xid, int branchId, String movedTo) {
        super("The barrier row of branch " + branchId + " of [" + xid + "] is no longer " + movedTo + " after its body returned:"
                + " the local transaction was rolled back underneath the body (a caught deadlock or database error?)."
                + " Everything of this local transaction is rolled back and the branch is delivered again;"
                + " let database errors propagate out of the body", "40000");
    }

    /** Of {@code rows} rows moved together, {@code lost} are no longer {@code movedTo} after their bodies returned. */
    public BarrierMoveLostException(long lost, int rows, String movedTo) {
        super(lost + " of the " + rows + " barrier rows moved together are no longer " + movedTo + " after their bodies"
                + " returned: the local transaction was rolled back underneath a body (a caught deadlock or database"
                + " error?). Everything of this local transaction is rolled back; let database errors propagate out of"
                + " the body", "40000");
    }
}
