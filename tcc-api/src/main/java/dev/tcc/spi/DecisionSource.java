package dev.tcc.spi;

/**
 * How a participant learns the coordinator's decision for a transaction: in-process when the
 * coordinator runs in the same application, over HTTP when it does not.
 */
public interface DecisionSource {

    /**
     * Reads the decision without changing anything; {@link Decision#UNDECIDED} when there is
     * none or the transaction is unknown. Used to release holds early. It answers per transaction and
     * does not say whether a branch is listed: never confirm a branch on it, ask
     * {@link #decideCancelUnlessConfirmed(String, int)}.
     */
    Decision read(String xid) throws Exception;

    /**
     * The decision for one branch, asked before its hold expires. Guarantees:
     * <ul>
     *   <li>never {@link Decision#UNDECIDED}: when the transaction is undecided or unknown, a cancel
     *       decision (a tombstone for an unknown xid) is recorded before the answer, so no confirm can be
     *       decided after it (the fence);</li>
     *   <li>{@link Decision#CONFIRM} only when the recorded decision is confirm AND its branch list names
     *       {@code branchId}; a confirm decision without the branch (a try whose answer the initiator never
     *       got) answers {@link Decision#CANCEL} for it, changing nothing else about the transaction: the
     *       decision's branch list is fixed, so nothing can confirm that branch later;</li>
     *   <li>the same question asked again gets the same answer.</li>
     * </ul>
     *
     * @throws CoordinatorUnreachableException when the coordinator cannot be reached at all; any
     *         other exception means "ask again later" and never lets a hold expire unasked
     */
    Decision decideCancelUnlessConfirmed(String xid, int branchId) throws Exception;
}
