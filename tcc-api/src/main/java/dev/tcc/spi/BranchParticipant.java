package dev.tcc.spi;

/**
 * The side of a branch that the coordinator talks to in phase two: a local bean in this process
 * or, later, a remote participant endpoint. The coordinator knows a branch only by the
 * {@link #id()} stored with it, so the same branch can be confirmed by any instance.
 *
 * <p>Both operations must be idempotent: delivered any number of times, concurrently or after
 * a crash, the confirm or cancel body runs at most once. A confirm that finds the branch
 * cancelled (its hold expired) throws {@link dev.tcc.api.ConfirmRefusedException}; a cancel of a
 * branch that never tried succeeds (an empty cancel) and blocks a late try.
 */
public interface BranchParticipant {

    /** Identifier stored with every branch of this participant; for a local action, its action name. */
    String id();

    /** Makes the hold of the branch final. */
    void confirm(BranchReference branch) throws Exception;

    /** Releases the hold of the branch. */
    void cancel(BranchReference branch) throws Exception;
}
