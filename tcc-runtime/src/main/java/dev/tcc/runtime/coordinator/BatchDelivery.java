package dev.tcc.runtime.coordinator;

import dev.tcc.spi.BranchReference;
import java.util.List;

/**
 * A participant that takes many branches of one phase in one request: a participant endpoint in another service with
 * batches (docs/protocol.md, "Batches"). {@link BatchedPhaseTwo} sends it all of a batch's branches of one position
 * at once; a branch it does not report done goes through the one-by-one path, with its retries and refusals.
 */
public interface BatchDelivery {

    /**
     * Whether {@code branch} may go in a batch now: false for a branch that only a single request may deliver (a lost
     * call's range cancel), and once the endpoint answered that it has no batches.
     */
    boolean batchable(BranchReference branch, boolean confirming);

    /**
     * Confirms ({@code confirming}) or cancels every branch from the calling thread, in list order, in as few requests
     * as the protocol allows, without retrying. Returns, per branch, whether the participant answered it done; a branch
     * refused, not answered or answered anything else is reported not done.
     */
    boolean[] deliverAll(List<BranchReference> branches, boolean confirming) throws InterruptedException;
}
