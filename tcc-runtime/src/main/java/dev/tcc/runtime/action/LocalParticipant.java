package dev.tcc.runtime.action;

import dev.tcc.api.CancelRefusedException;
import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.api.Phase;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TryRefusedException;
import dev.tcc.api.operations.BranchState;
import dev.tcc.runtime.barrier.BarrierRow;
import dev.tcc.runtime.barrier.BranchBarrier;
import dev.tcc.runtime.barrier.BranchBarrier.TryAdmission;
import dev.tcc.runtime.codec.JsonCodec;
import dev.tcc.spi.BranchParticipant;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.LocalTransactionRunner;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.MDC;

/**
 * One action of this process, as a {@link BranchParticipant}: runs its try, confirm and cancel
 * bodies behind the branch barrier, each in a local transaction of its participant database.
 */
public final class LocalParticipant implements BranchParticipant {

    private static final String MDC_XID = "tcc.xid";

    private final ActionDefinition action;
    private final ParticipantDatabase database;
    private final JsonCodec codec;
    private final Clock clock;

    public LocalParticipant(ActionDefinition action, ParticipantDatabase database, JsonCodec codec, Clock clock) {
        this.action = action;
        this.database = database;
        this.codec = codec;
        this.clock = clock;
    }

    @Override
    public String id() {
        return action.name();
    }

    public ActionDefinition action() {
        return action;
    }

    public ParticipantDatabase database() {
        return database;
    }

    /**
     * Encodes the arguments (failing before anything runs when one cannot be stored), then runs
     * the try body in a local transaction together with the barrier row. A duplicate try returns
     * the stored result (its body's writes, if it ran again, roll back); a try after a cancel is
     * refused and changes nothing.
     *
     * <p>Without external effects (the default) the body runs first and the barrier row is
     * inserted after it, with the result, in the same local transaction: one statement for the row
     * and the result. An existing row (an earlier try, or a cancel tombstone that got there first)
     * makes that insert insert nothing; the whole local transaction then rolls back, body included,
     * so a hanging try never takes effect. With external effects the row commits first (see
     * {@link #tryBarrierFirst}).
     */
    public Object tryBranch(String xid, int branchId, Instant holdDeadline, Instant timeoutAt, Object[] args,
                            TryBody body) throws Exception {
        return tryBranch(xid, branchId, holdDeadline, timeoutAt, null, args, body).result();
    }

    /** What a try answered: its result (decoded) and the hold deadline its barrier row has. */
    public record Recorded(Object result, Instant holdDeadline) {
    }

    /**
     * As {@link #tryBranch(String, int, Instant, Instant, Object[], TryBody)}, for a branch of a transaction whose
     * coordinator is {@code coordinator}: the endpoint of a caller in another service, which this service's hold
     * expiry asks for the decision (docs/protocol.md); null for a transaction of this service. A repeated delivery of
     * a caller's call (a retrying client or gateway) takes the same body-first path as any try: its body runs again
     * and is rolled back, and it gets the recorded try's result and hold deadline. When its body fails instead (it met
     * the first delivery's writes: a natural key, a stock the first delivery used up), the row is read after the
     * rollback and a recorded try answers the same way. A try reads its row only after its insert met one or its body
     * failed, never before its body.
     */
    public Recorded tryBranch(String xid, int branchId, Instant holdDeadline, Instant timeoutAt, String coordinator,
                              Object[] args, TryBody body) throws Exception {
        String arguments = codec.encodeArguments(action.owner(), action.parameterTypes(), action.parameterNames(), args);
        if (action.externalEffects()) {
            return tryBarrierFirst(xid, branchId, holdDeadline, timeoutAt, coordinator, arguments, body);
        }
        // the action's own runner: on the participant database's, but it may carry the try's own
        // transaction settings (isolation, timeout)
        LocalTransactionRunner runner = action.runner();
        AtomicBoolean bodyFailed = new AtomicBoolean();
        try {
            Object result = runner.inNewTransaction(c -> {
                Object value = runBodyNotingFailure(xid, branchId, holdDeadline, body, bodyFailed);
                String json = codec.encodeValue(action.owner(), action.returnType(), value);
                if (!database.barrier().insertTriedAfterBody(c, xid, branchId, action.name(), holdDeadline, timeoutAt, arguments,
                        json, clock.instant(), coordinator)) {
                    throw new BarrierRowExists(); // rolls the body back with the transaction
                }
                return value;
            });
            return new Recorded(result, holdDeadline);
        } catch (BarrierRowExists seen) {
            // the body's writes are rolled back; what the earlier delivery left decides, read after its commit
            return runner.inNewTransaction(c -> {
                BarrierRow existing = database.barrier().find(c, xid, branchId);
                return new Recorded(alreadySeen(existing, BranchBarrier.admissionOf(existing), xid, branchId),
                        existing == null ? holdDeadline : existing.holdDeadline());
            });
        } catch (Exception failure) {
            if (coordinator == null || !bodyFailed.get()) {
                throw failure;
            }
            return answerIfRepeated(runner, xid, branchId, failure);
        }
    }

    /**
     * A caller's try whose body failed (its local transaction rolled back): when its branch is already recorded here,
     * this is a repeated delivery whose body met the first delivery's writes, answered as the duplicate it is (a body
     * that failed the first time left no row: body-first rows commit only with a body that returned). Otherwise the
     * body's own failure.
     */
    private Recorded answerIfRepeated(LocalTransactionRunner runner, String xid, int branchId, Exception bodyFailure)
            throws Exception {
        BarrierRow existing;
        try {
            existing = runner.inNewTransaction(c -> database.barrier().find(c, xid, branchId));
        } catch (Exception unread) {
            bodyFailure.addSuppressed(unread);
            throw bodyFailure;
        }
        if (existing == null) {
            throw bodyFailure;
        }
        try {
            return new Recorded(alreadySeen(existing, BranchBarrier.admissionOf(existing), xid, branchId),
                    existing.holdDeadline());
        } catch (TryRefusedException refused) {
            refused.addSuppressed(bodyFailure);
            throw refused;
        }
    }

    private Object runBodyNotingFailure(String xid, int branchId, Instant holdDeadline, TryBody body,
                                        AtomicBoolean bodyFailed) throws Exception {
        try {
            return runBody(xid, branchId, holdDeadline, body);
        } catch (Exception failure) {
            bodyFailed.set(true);
            throw failure;
        }
    }

    /**
     * A try with external effects: the barrier row commits before the body runs, so the cancel can
     * replay the arguments even when the try's own transaction rolls back after an external call.
     */
    private Recorded tryBarrierFirst(String xid, int branchId, Instant holdDeadline, Instant timeoutAt, String coordinator,
                                     String arguments, TryBody body) throws Exception {
        LocalTransactionRunner runner = action.runner(); // the try's own settings, as above
        BranchBarrier barrier = database.barrier();
        TryAdmission admission = runner.inNewTransaction(c ->
                barrier.insertTried(c, xid, branchId, action.name(), holdDeadline, timeoutAt, arguments, clock.instant(),
                        coordinator));
        if (admission == TryAdmission.DUPLICATE && coordinator != null) {
            // a repeated delivery of a caller's call: the row committed before the first body ran, so it cannot tell
            // a body that failed (or still runs) from one that succeeded; refusing makes the caller cancel
            throw new TryRefusedException("Try of '" + action.name() + "' for branch " + branchId + " of [" + xid + "] was"
                    + " refused: it was delivered again, and a try with external effects cannot tell whether its first"
                    + " delivery's body succeeded. Nothing ran; the caller's transaction cancels");
        }
        if (admission != TryAdmission.ADMITTED) {
            return runner.inNewTransaction(c -> {
                BarrierRow existing = barrier.find(c, xid, branchId);
                return new Recorded(alreadySeen(existing, admission, xid, branchId),
                        existing == null ? holdDeadline : existing.holdDeadline());
            });
        }
        // The body's transaction must still find the row TRIED, and keeps it locked until it
        // commits: a cancel (or hold expiry) that got there first wins and the body never runs;
        // one that comes later waits, then finds the body's effects and releases them.
        Object tried = runner.inNewTransaction(c -> {
            if (!barrier.lockTried(c, xid, branchId, clock.instant())) {
                throw new TryRefusedException("Try of '" + action.name() + "' for branch " + branchId + " of [" + xid
                        + "] was refused: the branch was cancelled (a cancel or hold expiry got there first) before its"
                        + " body ran. Nothing changed");
            }
            Object result = runBody(xid, branchId, holdDeadline, body);
            String json = codec.encodeValue(action.owner(), action.returnType(), result);
            if (json != null && !barrier.storeResult(c, xid, branchId, json)) {
                // cannot happen while the row is locked by this transaction; never write onto a finished branch
                throw new IllegalStateException("The result of the try of '" + action.name() + "' for branch " + branchId
                        + " of [" + xid + "] found its barrier row no longer TRIED; the try is rolled back. Report this with"
                        + " the xid");
            }
            return result;
        });
        return new Recorded(tried, holdDeadline);
    }

    private Object runBody(String xid, int branchId, Instant holdDeadline, TryBody body) throws Exception {
        try (TccContextHolder.Scope ignored = TccContextHolder.bindBranch(
                new BranchContext(xid, branchId, action.name(), Phase.TRY, holdDeadline, 1, null, codec))) {
            return body.proceed(TccContextHolder.currentBranch());
        }
    }

    private Object alreadySeen(BarrierRow existing, TryAdmission admission, String xid, int branchId) throws Exception {
        if (existing != null && !existing.action().equals(action.name())) {
            // not a duplicate of this try: another action holds the id (a redelivered call whose tries ran in another order)
            throw new TryRefusedException("Try of '" + action.name() + "' for branch " + branchId + " of [" + xid
                    + "] was refused: the branch id already holds a try of '" + existing.action() + "'. Nothing changed;"
                    + " a repeated delivery must run the same tries in the same order");
        }
        if (admission == TryAdmission.REFUSED) {
            String why = existing == null
                    ? "its barrier row is gone (purged after its hold, or an earlier delivery rolled back while this one ran)"
                    : existing.state() == BranchState.CONFIRMED
                    ? "the branch was already confirmed (this try was delivered after its confirm)"
                    : "the branch was already cancelled (a cancel or hold expiry got there first)";
            throw new TryRefusedException("Try of '" + action.name() + "' for branch " + branchId + " of [" + xid
                    + "] was refused: " + why + ". Nothing changed");
        }
        return codec.decodeValue(action.owner(), action.returnType(), existing == null ? null : existing.result());
    }

    /**
     * Thrown inside the try's local transaction when its barrier row already exists, so that the
     * transaction rolls back (body included); caught right outside it. Carries no stack trace.
     */
    private static final class BarrierRowExists extends Exception {
        private static final long serialVersionUID = 1L;

        BarrierRowExists() {
            super("the barrier row already exists", null, false, false);
        }
    }

    /** What a confirm or cancel delivery did. */
    public enum Outcome {
        /** This delivery moved the branch (ran the body, or recorded an empty cancel). */
        DONE,
        /** An earlier delivery had already done it; nothing ran. */
        ALREADY
    }

    @Override
    public void confirm(BranchReference branch) throws Exception {
        confirmOnce(branch);
    }

    /**
     * Confirms the branch, saying whether this delivery did it or an earlier one had.
     *
     * @throws ConfirmRefusedException when no try is recorded for it, it was tried by another action, or it is cancelled
     */
    public Outcome confirmOnce(BranchReference branch) throws Exception {
        return database.runner().inNewTransaction(c -> {
            BranchBarrier barrier = database.barrier();
            // the move and the row in one statement; only the delivery whose update changed the row runs the body
            Instant movedAt = BranchBarrier.moveStamp(clock);
            BarrierRow moved = barrier.leaveTriedReturning(c, branch.xid(), branch.branchId(), BranchState.CONFIRMED, movedAt);
            if (moved != null) {
                requireOwnRow(moved, branch); // throws, and the move rolls back with the transaction
                runPhase(Phase.CONFIRM, action.confirm(), moved, branch);
                barrier.requireStillMoved(c, branch.xid(), branch.branchId(), BranchState.CONFIRMED, movedAt, clock.instant());
                return Outcome.DONE;
            }
            BarrierRow row = barrier.find(c, branch.xid(), branch.branchId());
            if (row == null) {
                throw new NoTryRecordedException("Confirm of branch " + branch.branchId() + " ('" + action.name() + "') of ["
                        + branch.xid() + "] was refused: no try was recorded for it");
            }
            requireOwnRow(row, branch);
            return switch (row.state()) {
                case CONFIRMED -> Outcome.ALREADY;
                case TRIED -> throw new IllegalStateException("Branch " + branch.branchId() + " of [" + branch.xid()
                        + "] became TRIED while its confirm ran (its try committed late); the confirm is retried");
                default -> throw new ConfirmRefusedException("Confirm of branch " + branch.branchId() + " ('" + action.name()
                        + "') of [" + branch.xid() + "] was refused: its hold was already cancelled (expired at "
                        + row.holdDeadline() + ")");
            };
        });
    }

    /** A phase-two delivery for a branch whose row another action tried: nothing ran (the call was misrouted). */
    public static final class OtherActionException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        OtherActionException(String message) {
            super(message);
        }
    }

    /** A confirm refused because no try of the branch is recorded here at all. */
    public static final class NoTryRecordedException extends ConfirmRefusedException {
        private static final long serialVersionUID = 1L;

        NoTryRecordedException(String message) {
            super(message);
        }
    }

    /** A branch tried by another action: its stored arguments are not this action's, so no body may run on them. */
    private void requireOwnRow(BarrierRow row, BranchReference branch) {
        if (!row.action().equals(action.name())) {
            throw new OtherActionException("Branch " + branch.branchId() + " of [" + branch.xid() + "] was tried by the"
                    + " action '" + row.action() + "', not '" + action.name() + "': nothing ran. The phase-two call was"
                    + " routed to the wrong action");
        }
    }

    @Override
    public void cancel(BranchReference branch) throws Exception {
        cancelOnce(branch);
    }

    /**
     * Cancels the branch, saying whether this delivery did it (ran the cancel body, or recorded an empty cancel
     * for a branch never tried here) or an earlier one had.
     *
     * @throws CancelRefusedException when the branch is already confirmed
     */
    public Outcome cancelOnce(BranchReference branch) throws Exception {
        return database.runner().inNewTransaction(c -> {
            BranchBarrier barrier = database.barrier();
            BarrierRow row = barrier.find(c, branch.xid(), branch.branchId());
            if (row == null) {
                if (barrier.insertCancelled(c, branch.xid(), branch.branchId(), action.name(), branch.holdDeadline(),
                        clock.instant())) {
                    return Outcome.DONE; // empty cancel: the try never ran here, and now it never will
                }
                row = barrier.find(c, branch.xid(), branch.branchId());
            }
            if (row.state() == BranchState.TRIED) {
                requireOwnRow(row, branch);
                // the row as moved: a try body that committed while this update waited for the row has stored its result
                Instant movedAt = BranchBarrier.moveStamp(clock);
                BarrierRow moved = barrier.leaveTriedReturning(c, branch.xid(), branch.branchId(), BranchState.CANCELLED,
                        movedAt);
                if (moved != null) {
                    runPhase(Phase.CANCEL, action.cancel(), moved, branch);
                    barrier.requireStillMoved(c, branch.xid(), branch.branchId(), BranchState.CANCELLED, movedAt,
                            clock.instant());
                    return Outcome.DONE;
                }
                row = barrier.find(c, branch.xid(), branch.branchId()); // lost the race: report what the winner did
            }
            if (row.state() == BranchState.CONFIRMED) {
                throw new CancelRefusedException("Cancel of branch " + branch.branchId() + " ('" + action.name() + "') of ["
                        + branch.xid() + "] was refused: the branch is already CONFIRMED, so the cancel body did not run and"
                        + " the hold stands. A confirm and a cancel were both delivered for one transaction: check its"
                        + " decision with the xid");
            }
            return Outcome.ALREADY; // CANCELLED: by an earlier delivery, or by another driver just now
        });
    }

    private boolean leaveTried(Connection c, BranchReference branch, BranchState target) throws Exception {
        return database.barrier().leaveTried(c, branch.xid(), branch.branchId(), target, clock.instant());
    }

    void runPhase(Phase phase, PhaseInvoker body, BarrierRow row, BranchReference branch) throws Exception {
        Object[] args = codec.decodeArguments(action.owner(), action.parameterTypes(), row.arguments());
        BranchContext context = new BranchContext(branch.xid(), branch.branchId(), action.name(), phase, row.holdDeadline(),
                branch.attempt(), row.result(), codec);
        String previousXid = MDC.get(MDC_XID);
        MDC.put(MDC_XID, branch.xid()); // phase-two threads drive many transactions: each body logs under its own
        try (TccContextHolder.Scope ignored = TccContextHolder.bindBranch(context)) {
            body.invoke(args, context);
        } finally {
            if (previousXid == null) {
                MDC.remove(MDC_XID);
            } else {
                MDC.put(MDC_XID, previousXid);
            }
        }
    }

    @Override
    public String toString() {
        return "LocalParticipant[" + action.owner() + " on " + database.runner().name() + "]";
    }
}
