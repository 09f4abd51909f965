package dev.tcc.runtime.coordinator;

import dev.tcc.spi.BranchReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A global transaction while its initiator runs: the branches tried so far live here, in
 * memory, until the decision writes them to the log together with the decision.
 *
 * <p>Thread-safe: tries on worker threads that carry the transaction (see
 * {@link TransactionContextSnapshot}) register their branches here concurrently. Branch ids are
 * allocated in the order tries begin, and that order is the try order (cancels run in reverse).
 * Once the initiator decides, no further try may begin.
 */
public final class GlobalTransaction {

    private final String xid;
    private final String name;
    private final Instant createdAt;
    private final Instant timeoutAt;
    private final long startNanos;
    private final BranchIds branchIds;
    /** The coordinator endpoint of the caller whose transaction this service joined; null in the initiator. */
    private final String coordinator;
    private final List<BranchReference> branches = new ArrayList<>();
    private final List<BranchReference> inDoubt = new ArrayList<>();
    private CancelOnly cancelOnly;
    private int triesRunning;
    private boolean decided;

    GlobalTransaction(String xid, String name, Instant createdAt, Instant timeoutAt, long startNanos) {
        this(xid, name, createdAt, timeoutAt, startNanos, 1, Integer.MAX_VALUE, null);
    }

    private GlobalTransaction(String xid, String name, Instant createdAt, Instant timeoutAt, long startNanos, int firstId,
                              int lastId, String coordinator) {
        this.branchIds = new BranchIds(xid, firstId, lastId);
        this.coordinator = coordinator;
        this.xid = xid;
        this.name = name;
        this.createdAt = createdAt;
        this.timeoutAt = timeoutAt;
        this.startNanos = startNanos;
    }

    public String xid() {
        return xid;
    }

    public String name() {
        return name;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant timeoutAt() {
        return timeoutAt;
    }

    long startNanos() {
        return startNanos;
    }

    /**
     * A caller's transaction joined by this service for one incoming request (docs/protocol.md): its tries
     * take ids in {@code firstId-lastId}, their barrier rows name {@code coordinator}, and their branches go
     * back to the caller in the answer; this service never decides it.
     */
    public static GlobalTransaction joined(String xid, Instant now, Instant timeoutAt, long startNanos, int firstId,
                                           int lastId, String coordinator) {
        return new GlobalTransaction(xid, "joined from " + coordinator, now, timeoutAt, startNanos, firstId, lastId,
                java.util.Objects.requireNonNull(coordinator, "coordinator"));
    }

    /** The coordinator endpoint of the caller whose transaction this is, or null when this service began it. */
    public String coordinator() {
        return coordinator;
    }

    /**
     * Allocates the id of the next branch, in try order from the bottom of this service's range (from 1 in the
     * initiator).
     *
     * @throws dev.tcc.api.TryRefusedException when the range is used up
     */
    public int nextBranchId() {
        return branchIds.nextLocal();
    }

    /**
     * Takes the block of branch ids for an outbound call (docs/protocol.md, "Branch ids").
     *
     * @throws dev.tcc.api.TryRefusedException when the range is used up
     */
    public CallBlock nextCallBlock() {
        return branchIds.nextCall();
    }

    /** Records a branch whose try committed. */
    public synchronized void addTried(BranchReference branch) {
        branches.add(branch);
    }

    /**
     * Records a branch whose try may or may not have committed (its database failed mid-way, or
     * it has external effects): it cannot be confirmed, so the transaction will cancel it.
     */
    public synchronized void addInDoubt(BranchReference branch) {
        inDoubt.add(branch);
    }

    /** Every branch the decision covers, in try order. */
    public synchronized List<BranchReference> branches() {
        List<BranchReference> all = new ArrayList<>(branches.size() + inDoubt.size());
        all.addAll(branches);
        all.addAll(inDoubt);
        all.sort((a, b) -> Integer.compare(a.branchId(), b.branchId()));
        return all;
    }

    /**
     * Marks the transaction cancel-only: an exception escaped a try or a joined
     * {@code @TccTransactional} method, or a try still ran when the initiator decided. The first
     * mark is kept; the outermost method then cancels even when it returns normally.
     *
     * @param reason why, for the message, e.g. {@code "@Try 'holdSeats' threw [...]"}
     * @param advice what the developer should do about it
     */
    public synchronized void markCancelOnly(String reason, String advice, Throwable failure) {
        if (cancelOnly == null) {
            cancelOnly = new CancelOnly(reason, advice, failure);
        }
    }

    /** Why the transaction is cancel-only, or null when it is not. */
    public synchronized String cancelOnlyReason() {
        return cancelOnly == null ? null : cancelOnly.reason();
    }

    /** What marked the transaction cancel-only, or null when nothing did. */
    synchronized CancelOnly cancelOnly() {
        return cancelOnly;
    }

    /** Counts a try that begins; false when the transaction is already decided (the try must not run). */
    public synchronized boolean beginTry() {
        if (decided) {
            return false;
        }
        triesRunning++;
        return true;
    }

    public synchronized void endTry() {
        triesRunning--;
    }

    /** Refuses every try from now on; returns how many tries are still running on other threads. */
    public synchronized int closeForDecision() {
        decided = true;
        return triesRunning;
    }

    synchronized boolean hasInDoubtBranches() {
        return !inDoubt.isEmpty();
    }

    /** The earliest hold deadline of the branches tried, or null when there is none. */
    synchronized Instant earliestHoldDeadline() {
        Instant earliest = null;
        for (BranchReference b : branches) {
            if (earliest == null || b.holdDeadline().isBefore(earliest)) {
                earliest = b.holdDeadline();
            }
        }
        return earliest;
    }

    /**
     * The first reason that made the transaction cancel-only.
     *
     * @param reason  why, e.g. {@code "joined @TccTransactional 'Payments.pay' threw [...]"}
     * @param advice  what the developer should do about it
     * @param failure the exception that escaped, the cause the caller gets
     */
    record CancelOnly(String reason, String advice, Throwable failure) {
    }

    @Override
    public String toString() {
        return "GlobalTransaction[" + name + " " + xid + "]";
    }
}
