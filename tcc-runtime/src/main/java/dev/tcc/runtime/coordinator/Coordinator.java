package dev.tcc.runtime.coordinator;

import dev.tcc.api.NoTccTransactionException;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TransactionCancelledException;
import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.TccSettings;
import dev.tcc.runtime.TransactionOptions;
import dev.tcc.runtime.TransactionState;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.TryBody;
import dev.tcc.runtime.log.Lease;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import dev.tcc.spi.TccEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The initiator side of the protocol, in the role of Spring's {@code TransactionAspectSupport}:
 * begins (or joins) a global transaction, runs tries as branches, makes the decision durable in
 * one write and hands the decided transaction to phase two. Interceptors and templates stay
 * thin and call {@link #execute} and {@link #tryBranch}.
 *
 * <p>On the caller's path a transaction with N tries costs N participant commits plus one
 * decision commit; with {@link TccSettings#asynchronousPhaseTwo()} phase two runs afterwards.
 */
public final class Coordinator {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final TransactionLog transactionLog;
    private final PhaseTwo phaseTwo;
    private final TccSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final Executor phaseTwoExecutor;
    private final String instanceId;
    private final Events events;
    private final PhaseTwoBatcher batcher;
    private final LeftToRecovery leftToRecovery;

    public Coordinator(TransactionLog transactionLog, PhaseTwo phaseTwo, TccSettings settings, Clock clock,
                       RandomGenerator random, Executor phaseTwoExecutor, String instanceId, Events events) {
        this(transactionLog, phaseTwo, settings, clock, random, phaseTwoExecutor, instanceId, events, null,
                new LeftToRecovery());
    }

    /**
     * @param batcher where asynchronous phase two of logged decisions goes, batched across
     *                transactions; null runs one task per transaction on {@code phaseTwoExecutor}
     * @param leftToRecovery counts the decided transactions whose phase two could not be scheduled
     */
    public Coordinator(TransactionLog transactionLog, PhaseTwo phaseTwo, TccSettings settings, Clock clock,
                       RandomGenerator random, Executor phaseTwoExecutor, String instanceId, Events events,
                       PhaseTwoBatcher batcher, LeftToRecovery leftToRecovery) {
        this.batcher = batcher;
        this.leftToRecovery = leftToRecovery;
        this.transactionLog = transactionLog;
        this.phaseTwo = phaseTwo;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.phaseTwoExecutor = phaseTwoExecutor;
        this.instanceId = instanceId;
        this.events = events;
    }

    /**
     * Runs {@code body} as a global transaction, or inside the one already in progress on this
     * thread (then only the outermost call decides). Returns what the body returned once the
     * confirm decision is durable; rethrows the body's exception once the cancel decision is.
     *
     * @throws TransactionCancelledException when the body returned but the transaction had to cancel
     */
    public <T> T execute(TransactionOptions options, Callable<T> body) throws Exception {
        if (TransactionContextHolder.current() != null) {
            return body.call();
        }
        GlobalTransaction tx = begin(options);
        T result;
        try (TransactionContextHolder.Scope ignored = TransactionContextHolder.bind(tx);
             TccContextHolder.Scope xidScope = TccContextHolder.bindXid(tx.xid())) {
            MDC.put("tcc.xid", tx.xid());
            result = body.call();
        } catch (Throwable failure) {
            completeAfterFailure(tx, options, failure);
            throw failure;
        } finally {
            MDC.remove("tcc.xid");
        }
        confirm(tx);
        return result;
    }

    private GlobalTransaction begin(TransactionOptions options) {
        Instant now = clock.instant();
        Duration timeout = options.timeout() == null ? settings.defaultTimeout() : options.timeout();
        return new GlobalTransaction(newXid(), options.name(), now, now.plus(timeout), System.nanoTime());
    }

    private String newXid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private void completeAfterFailure(GlobalTransaction tx, TransactionOptions options, Throwable failure) {
        try {
            if (options.confirmsDespite(failure)) {
                confirm(tx);
            } else {
                cancel(tx, "the initiator threw " + failure);
            }
        } catch (Throwable completionFailure) {
            // keep the caller's exception; the completion failure travels with it and recovery finishes the work
            log.warn("TCC [{}] could not complete after the initiator threw {}: {}", tx.xid(), failure, completionFailure.toString());
            failure.addSuppressed(completionFailure);
        }
    }

    /**
     * Runs a try of {@code participant} as the next branch of the transaction on this thread.
     *
     * @throws NoTccTransactionException when no transaction is in progress: the try does not run
     * @throws TryRefusedException       when the transaction has timed out: the try does not run
     */
    public Object tryBranch(LocalParticipant participant, Object[] args, TryBody body) throws Exception {
        GlobalTransaction tx = TransactionContextHolder.current();
        String action = participant.action().name();
        if (tx == null) {
            throw new NoTccTransactionException("@Try '" + action + "' (" + participant.action().owner()
                    + ") was called outside a TCC transaction and did not run. Call it from a @TccTransactional method"
                    + " or inside TccTemplate.execute(...)");
        }
        Instant now = clock.instant();
        if (!now.isBefore(tx.timeoutAt())) {
            throw new TryRefusedException("Try of '" + action + "' was refused: transaction '" + tx.name() + "' [" + tx.xid()
                    + "] timed out at " + tx.timeoutAt() + ". Nothing changed; raise the timeout if the work needs longer");
        }
        int branchId = tx.nextBranchId();
        Instant holdDeadline = now.plus(participant.action().hold());
        BranchReference branch = new BranchReference(tx.xid(), branchId, participant.id(), action, holdDeadline, 1);
        BodyWatch watch = new BodyWatch(body);
        try {
            Object result = participant.tryBranch(tx.xid(), branchId, holdDeadline, tx.timeoutAt(), args, watch);
            tx.addTried(branch);
            events.publish(TccEvent.Type.BRANCH_TRIED, tx.xid(), action, "TRY", Duration.ZERO);
            return result;
        } catch (Throwable failure) {
            if (participant.action().externalEffects() || !watch.bodyFailed) {
                // the barrier row may have committed (a database failure after the body, or a try with
                // external effects): the cancel decision must cover this branch too
                tx.addInDoubt(branch);
            }
            throw failure;
        }
    }

    /** Remembers whether a failure came from the body itself (then the local transaction rolled back). */
    private static final class BodyWatch implements TryBody {
        private final TryBody body;
        private boolean bodyFailed;

        BodyWatch(TryBody body) {
            this.body = body;
        }

        @Override
        public Object proceed(dev.tcc.api.TccContext context) throws Exception {
            try {
                return body.proceed(context);
            } catch (Throwable t) {
                bodyFailed = true;
                throw t;
            }
        }
    }

    private void confirm(GlobalTransaction tx) {
        List<BranchReference> branches = tx.branches();
        Instant now = clock.instant();
        String blocker = confirmBlocker(tx, now);
        if (blocker != null) {
            cancel(tx, blocker);
            throw new TransactionCancelledException("Transaction '" + tx.name() + "' [" + tx.xid() + "] was cancelled instead of"
                    + " confirmed: " + blocker + ". Every branch tried is cancelled");
        }
        if (branches.isEmpty()) {
            // nothing was tried: nothing to decide, nothing written
            events.publish(TccEvent.Type.TRANSACTION_FINISHED, tx.xid(), tx.name(), TransactionState.CONFIRMED.code(), elapsed(tx));
            return;
        }
        // The decision is one conditional write: it wins only while no other decision exists (a
        // participant asking about an expiring hold records a cancel first) and only while it is in
        // time at the write itself, so a stall after the check above cannot confirm late.
        Lease lease = new Lease(instanceId, now.plus(settings.recoveryLease()));
        if (!transactionLog.writeDecision(tx.xid(), tx.name(), Decision.CONFIRM, null, tx.createdAt(), tx.timeoutAt(), now,
                lease, branches, confirmBefore(tx))) {
            dispatch(tx, Decision.CANCEL, branches, false, null);
            throw new TransactionCancelledException("Transaction '" + tx.name() + "' [" + tx.xid() + "] was cancelled before it"
                    + " could confirm: a participant's hold expired or the transaction timed out while it ran");
        }
        events.publish(TccEvent.Type.DECIDED, tx.xid(), tx.name(), Decision.CONFIRM.name(), elapsed(tx));
        dispatch(tx, Decision.CONFIRM, branches, true, lease);
    }

    /** The latest time a confirm decision may be written: before the timeout, with the safety margin left on every hold. */
    private Instant confirmBefore(GlobalTransaction tx) {
        Instant earliest = tx.earliestHoldDeadline();
        if (earliest == null) {
            return tx.timeoutAt();
        }
        Instant marginLeft = earliest.minus(settings.safetyMargin());
        return marginLeft.isBefore(tx.timeoutAt()) ? marginLeft : tx.timeoutAt();
    }

    /** Why the transaction may not confirm at {@code now}, or null when it may. */
    private String confirmBlocker(GlobalTransaction tx, Instant now) {
        if (!now.isBefore(tx.timeoutAt())) {
            return "it timed out at " + tx.timeoutAt();
        }
        if (tx.hasInDoubtBranches()) {
            return "a try failed after it may have committed, so its branch cannot be confirmed";
        }
        Instant earliest = tx.earliestHoldDeadline();
        if (earliest != null && earliest.isBefore(now.plus(settings.safetyMargin()))) {
            return "a hold expires at " + earliest + ", within the safety margin of " + settings.safetyMargin();
        }
        return null;
    }

    private void cancel(GlobalTransaction tx, String cause) {
        List<BranchReference> branches = tx.branches();
        if (branches.isEmpty()) {
            // no try committed: nothing to release, nothing written
            events.publish(TccEvent.Type.TRANSACTION_FINISHED, tx.xid(), tx.name(), TransactionState.CANCELLED.code(), elapsed(tx));
            return;
        }
        Instant now = clock.instant();
        Lease lease = new Lease(instanceId, now.plus(settings.recoveryLease()));
        boolean logged = transactionLog.writeDecision(tx.xid(), tx.name(), Decision.CANCEL, cause, tx.createdAt(),
                tx.timeoutAt(), now, lease, branches, null);
        if (logged) {
            events.publish(TccEvent.Type.DECIDED, tx.xid(), tx.name(), Decision.CANCEL.name(), elapsed(tx));
        }
        dispatch(tx, Decision.CANCEL, branches, logged, lease);
    }

    /**
     * Runs phase two now or on the phase-two executor. {@code logged} is false when another
     * decider's cancel won: the branches are still cancelled here (idempotently) because only
     * this initiator knows them, but nothing is written to the log.
     */
    private void dispatch(GlobalTransaction tx, Decision decision, List<BranchReference> branches, boolean logged,
                          Lease lease) {
        Runnable round = logged
                ? () -> phaseTwo.drive(tx.xid(), tx.name(), decision, branches, 0, tx.createdAt(), lease)
                : () -> phaseTwo.cancelUnlogged(tx.xid(), branches);
        if (!settings.asynchronousPhaseTwo()) {
            round.run();
            return;
        }
        if (logged && batcher != null) {
            batcher.submit(new PhaseTwo.Decided(tx.xid(), tx.name(), decision, branches, tx.createdAt(), lease));
            return;
        }
        try {
            phaseTwoExecutor.execute(round);
        } catch (RejectedExecutionException e) {
            // executor shut down: recovery takes the transaction over when the lease ends
            if (logged) {
                leftToRecovery.add(1, "phase two of [" + tx.xid() + "] could not be scheduled (" + e.getMessage() + ")");
            } else {
                log.warn("TCC [{}] cancel of its branches could not be scheduled ({}); its participants release them at"
                        + " hold expiry", tx.xid(), e.getMessage());
            }
        }
    }

    private static Duration elapsed(GlobalTransaction tx) {
        return Duration.ofNanos(System.nanoTime() - tx.startNanos());
    }
}
