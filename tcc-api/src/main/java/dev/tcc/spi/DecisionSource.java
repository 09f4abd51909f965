package dev.tcc.spi;

/**
 * How a participant learns the coordinator's decision for a transaction: in-process when the
 * coordinator runs in the same application, over HTTP when it does not.
 */
public interface DecisionSource {

    /**
     * Reads the decision without changing anything; {@link Decision#UNDECIDED} when there is
     * none or the transaction is unknown. Used to release holds early.
     */
    Decision read(String xid) throws Exception;

    /**
     * Returns the decision, and when the transaction is undecided or unknown first records a
     * cancel decision (a tombstone for an unknown xid) so that no confirm can be decided after
     * this answer. Never returns {@link Decision#UNDECIDED}. Used before a hold expires.
     *
     * @throws CoordinatorUnreachableException when the coordinator cannot be reached at all; any
     *         other exception means "ask again later" and never lets a hold expire unasked
     */
    Decision decideCancelUnlessConfirmed(String xid) throws Exception;
}
