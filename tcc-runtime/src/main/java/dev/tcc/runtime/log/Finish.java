package dev.tcc.runtime.log;

import dev.tcc.api.operations.TransactionState;

/**
 * One transaction's end for {@link PhaseTwoStates#finishAll}: phase two did every branch in its first
 * attempt, so the branch rows keep the state the decision wrote and read as the final state.
 */
public record Finish(String xid, TransactionState from, TransactionState to, Lease lease) {

    public Finish {
        PhaseTwoStates.requireLegal(from, to);
    }
}
