package dev.tcc.runtime.coordinator;

import dev.tcc.api.NoTccTransactionException;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TccException;
import dev.tcc.api.TransactionCancelledException;
import dev.tcc.api.TransactionLogException;
import dev.tcc.api.TransactionMarkedCancelOnlyException;
import dev.tcc.api.TryRefusedException;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.TryBody;
import dev.tcc.runtime.log.Lease;
import dev.tcc.runtime.log.NewDecision;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.support.Ticker;
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
 * decision commit; with {@link TccSettings.PhaseTwo#asynchronous()} phase two runs afterwards.
 */
public final class Coordinator {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final TransactionLog transactionLog;
    private final PhaseTwo phaseTwo;
    private final TccSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final Ticker ticker;
    private final Executor phaseTwoExecutor;
    private final String instanceId;
    private final Events events;
    private final PhaseTwoBatcher batcher;
    private final PhaseTwoBatcher remoteBatcher;
    private final NoBranchWarning noBranchWarning;

    private static final String CAUGHT_ADVICE = "An exception that escapes a @Try or a joined @TccTransactional method"
            + " cancels the whole transaction even when it is caught: let it reach the outermost @TccTransactional method,"
            + " or, if the transaction may confirm without that work, list its type in noCancelFor of the @TccTransactional"
            + " method it escapes (for a try: the innermost one around it)";

    private static final String RUNNING_ADVICE = "Wait for every task that calls a @Try (join its future) before the"
            + " @TccTransactional method returns";
    private final LeftToRecovery leftToRecovery;

    public Coordinator(TransactionLog transactionLog, PhaseTwo phaseTwo, TccSettings settings, Clock clock,
                       RandomGenerator random, Executor phaseTwoExecutor, String instanceId, Events events) {
        this(transactionLog, phaseTwo, settings, clock, random, phaseTwoExecutor, instanceId, events, null, null,
                new LeftToRecovery(), Ticker.SYSTEM);
    }

    /**
     * @param batcher where asynchronous phase two of logged decisions whose branches are all local goes, batched
     *                across transactions; null runs one task per transaction on {@code phaseTwoExecutor}
     * @param remoteBatcher the same for logged decisions with a branch in another service; null runs one task per
     *                transaction on {@code phaseTwoExecutor}
     * @param leftToRecovery counts the decided transactions whose phase two could not be scheduled
     * @param ticker times transactions for their events (see {@link Ticker})
     */
    public Coordinator(TransactionLog transactionLog, PhaseTwo phaseTwo, TccSettings settings, Clock clock,
                       RandomGenerator random, Executor phaseTwoExecutor, String instanceId, Events events,
                       PhaseTwoBatcher batcher, PhaseTwoBatcher remoteBatcher, LeftToRecovery leftToRecovery, Ticker ticker) {
        this.ticker = ticker;
        this.batcher = batcher;
        this.remoteBatcher = remoteBatcher;
        this.leftToRecovery = leftToRecovery;
        this.transactionLog = transactionLog;
        this.phaseTwo = phaseTwo;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.phaseTwoExecutor = phaseTwoExecutor;
        this.instanceId = instanceId;
        this.events = events;
        this.noBranchWarning = new NoBranchWarning(clock, Duration.ofMinutes(1));
    }

    /**
     * Runs {@code body} as a global transaction, or inside the one already in progress on this
     * thread (then only the outermost call decides). Returns what the body returned once the
     * confirm decision is durable; rethrows the body's exception once the cancel decision is.
     *
     * <p>An exception that escapes a joined call (unless its {@code noCancelFor} lists it) or a
     * try (unless the innermost call's {@code noCancelFor} lists it) marks the transaction
     * cancel-only, as {@code @Transactional} marks a transaction rollback-only: the outermost call
     * then cancels even when it returns normally.
     *
     * @throws TransactionMarkedCancelOnlyException when the body returned (or threw an exception
     *         that confirms) after the transaction was marked cancel-only; its cause is the exception that marked it
     * @throws TransactionCancelledException when the body returned but the transaction had to cancel
     */
    public <T> T execute(TransactionOptions options, Callable<T> body) throws Exception {
        GlobalTransaction joined = TransactionContextHolder.current();
        if (joined != null) {
            return join(joined, options, body);
        }
        GlobalTransaction tx = begin(options);
        T result;
        try (TransactionContextHolder.Scope ignored = TransactionContextHolder.bind(tx, options);
             TccContextHolder.Scope xidScope = TccContextHolder.bindXid(tx.xid())) {
            MDC.put("tcc.xid", tx.xid());
            result = body.call();
        } catch (Throwable failure) {
            TransactionMarkedCancelOnlyException overridden = completeAfterFailure(tx, options, failure);
            if (overridden != null) {
                throw overridden;
            }
            throw failure;
        } finally {
            MDC.remove("tcc.xid");
        }
        confirm(tx);
        return result;
    }

    /**
     * Binds a caller's transaction, joined for an incoming request, to this thread until the scope closes:
     * tries and {@code @TccTransactional} methods run meanwhile join it (docs/protocol.md).
     */
    public static TransactionContextHolder.Scope joinRemote(GlobalTransaction tx) {
        TransactionContextHolder.Scope bound = TransactionContextHolder.bindJoined(tx, TransactionOptions.named(tx.name()));
        TccContextHolder.Scope xidScope = TccContextHolder.bindXid(tx.xid());
        String previousXid = MDC.get("tcc.xid");
        MDC.put("tcc.xid", tx.xid());
        return () -> {
            if (previousXid == null) {
                MDC.remove("tcc.xid");
            } else {
                MDC.put("tcc.xid", previousXid);
            }
            xidScope.close();
            bound.close();
        };
    }

    private static <T> T join(GlobalTransaction tx, TransactionOptions options, Callable<T> body) throws Exception {
        try (TransactionContextHolder.Scope ignored = TransactionContextHolder.enter(options)) {
            return body.call();
        } catch (Throwable failure) {
            if (!options.confirmsDespite(failure)) {
                tx.markCancelOnly("joined @TccTransactional '" + options.name() + "' threw [" + failure + "]", CAUGHT_ADVICE, failure);
            }
            throw failure;
        }
    }

    private GlobalTransaction begin(TransactionOptions options) {
        Instant now = clock.instant();
        Duration timeout = options.timeout() == null ? settings.transaction().timeout() : options.timeout();
        return new GlobalTransaction(newXid(), options.name(), now, now.plus(timeout), ticker.nanoTime());
    }

    private String newXid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    /**
     * Decides after the initiator threw. Returns the exception that replaces the initiator's when
     * that exception would have confirmed but the transaction was cancel-only, else null.
     */
    private TransactionMarkedCancelOnlyException completeAfterFailure(GlobalTransaction tx, TransactionOptions options,
                                                                       Throwable failure) {
        try {
            closeForDecision(tx);
            GlobalTransaction.CancelOnly cancelOnly = tx.cancelOnly();
            if (!options.confirmsDespite(failure)) {
                cancel(tx, "the initiator threw " + failure);
                return null;
            }
            if (cancelOnly == null) {
                confirm(tx);
                return null;
            }
            cancel(tx, cancelOnlyCause(cancelOnly));
            TransactionMarkedCancelOnlyException replaced = cancelOnlyException(tx, cancelOnly);
            replaced.addSuppressed(failure);
            return replaced;
        } catch (Throwable completionFailure) {
            // keep the caller's exception; the completion failure travels with it and recovery finishes the work
            log.warn("TCC [{}] could not complete after the initiator threw {}: {}", tx.xid(), failure, completionFailure.toString());
            failure.addSuppressed(completionFailure);
            return null;
        }
    }

    /**
     * Stops new tries; a try still running on another thread when the initiator decides makes the
     * transaction cancel-only (its branch would not be in the decision).
     */
    private static void closeForDecision(GlobalTransaction tx) {
        int running = tx.closeForDecision();
        if (running > 0) {
            String reason = running + " try(s) were still running on other threads when it was decided";
            tx.markCancelOnly(reason, RUNNING_ADVICE, new IllegalStateException("Transaction '" + tx.name() + "' [" + tx.xid()
                    + "]: " + reason + ". " + RUNNING_ADVICE));
        }
    }

    private static String cancelOnlyCause(GlobalTransaction.CancelOnly cancelOnly) {
        return "marked cancel-only: " + cancelOnly.reason();
    }

    private static TransactionMarkedCancelOnlyException cancelOnlyException(GlobalTransaction tx, GlobalTransaction.CancelOnly cancelOnly) {
        return new TransactionMarkedCancelOnlyException("Transaction '" + tx.name() + "' [" + tx.xid() + "] was cancelled"
                + " instead of confirmed: it was marked cancel-only because " + cancelOnly.reason() + ". Every branch tried"
                + " is cancelled. " + cancelOnly.advice(), cancelOnly.failure());
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
            throw new NoTccTransactionException("@Try '" + action + "' (" + participant.action().owner() + ") was called"
                    + " outside a TCC transaction and did not run: none is in progress on thread ["
                    + Thread.currentThread().getName() + "]. The TCC context is bound to the thread that runs the"
                    + " @TccTransactional method (or TccTemplate.execute): call the try from there, or, from @Async or"
                    + " CompletableFuture tasks, run them on an executor decorated with TccContextTaskDecorator (plain Java:"
                    + " TransactionContextSnapshot) and wait for them before the transaction method returns");
        }
        Instant now = clock.instant();
        if (!now.isBefore(tx.timeoutAt())) {
            throw new TryRefusedException("Try of '" + action + "' was refused: transaction '" + tx.name() + "' [" + tx.xid()
                    + "] timed out at " + tx.timeoutAt() + ". Nothing changed; raise the timeout if the work needs longer");
        }
        if (!tx.beginTry()) {
            throw new TryRefusedException("Try of '" + action + "' was refused: transaction '" + tx.name() + "' [" + tx.xid()
                    + "] was already decided when it began. Nothing changed; a try on another thread must finish before the"
                    + " @TccTransactional method returns: wait for its task (join its future)");
        }
        try {
            return tryBranch(tx, participant, args, body, now);
        } finally {
            tx.endTry();
        }
    }

    private Object tryBranch(GlobalTransaction tx, LocalParticipant participant, Object[] args, TryBody body, Instant now)
            throws Exception {
        String action = participant.action().name();
        int branchId = tx.nextBranchId();
        // to the millisecond: what the barrier row stores and a repeated delivery reads back is what answers advertise
        Instant holdDeadline = now.plus(participant.action().hold()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        BranchReference branch = new BranchReference(tx.xid(), branchId, participant.id(), action, holdDeadline, 1);
        BodyWatch watch = new BodyWatch(body);
        try {
            // a caller's transaction: a repeated delivery of its call answers with the hold deadline recorded first
            LocalParticipant.Recorded recorded = participant.tryBranch(tx.xid(), branchId, holdDeadline, tx.timeoutAt(),
                    tx.coordinator(), args, watch);
            tx.addTried(recorded.holdDeadline().equals(holdDeadline) ? branch
                    : new BranchReference(tx.xid(), branchId, participant.id(), action, recorded.holdDeadline(), 1));
            events.publish(TccEvent.Type.BRANCH_TRIED, tx.xid(), action, "TRY", Duration.ZERO);
            return recorded.result();
        } catch (Throwable failure) {
            boolean inDoubt = participant.action().externalEffects() || !watch.bodyFailed;
            if (inDoubt) {
                // the barrier row may have committed (a database failure after the body, or a try with
                // external effects): the cancel decision must cover this branch too
                tx.addInDoubt(branch);
            }
            TransactionOptions innermost = TransactionContextHolder.innermostOptions();
            if (inDoubt || innermost == null || !innermost.confirmsDespite(failure)) {
                // like an exception escaping a joined method: even when the initiator catches it, the
                // transaction may not confirm the other branches without this one
                tx.markCancelOnly("@Try '" + action + "' threw [" + failure + "]", CAUGHT_ADVICE, failure);
            }
            if (!watch.bodyFailed && failure instanceof Exception e && !(e instanceof TccException)) {
                throw infrastructureFailure(participant, branch, e);
            }
            throw failure;
        }
    }

    /**
     * A failure outside the try's body (the barrier, the result, the local commit) as a {@link TccException} that says
     * what failed: a checked {@code SQLException} must not reach the caller, where a proxy would wrap it in a
     * message-less {@code UndeclaredThrowableException}. The body's own exceptions pass unchanged.
     */
    private static TransactionLogException infrastructureFailure(LocalParticipant participant, BranchReference branch,
                                                                 Exception failure) {
        return new TransactionLogException("Try of '" + branch.action() + "' (" + participant.action().owner() + ") for branch "
                + branch.branchId() + " of [" + branch.xid() + "] failed on participant database '"
                + participant.database().runner().name() + "' outside its body (branch barrier or local commit): " + failure
                + ". The transaction cancels; check that database", failure);
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
        closeForDecision(tx);
        GlobalTransaction.CancelOnly cancelOnly = tx.cancelOnly();
        if (cancelOnly != null) {
            cancel(tx, cancelOnlyCause(cancelOnly));
            throw cancelOnlyException(tx, cancelOnly);
        }
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
            noBranchWarning.transactionEndedWithoutBranch(tx.name());
            events.publish(TccEvent.Type.TRANSACTION_FINISHED, tx.xid(), tx.name(), TransactionState.CONFIRMED.code(), elapsed(tx));
            return;
        }
        // The decision is one conditional write: it wins only while no other decision exists (a
        // participant asking about an expiring hold records a cancel first) and only while it is in
        // time at the write itself, so a stall after the check above cannot confirm late.
        Lease lease = new Lease(instanceId, now.plus(settings.recovery().lease()));
        if (!transactionLog.decisions().write(new NewDecision(tx.xid(), tx.name(), Decision.CONFIRM, null,
                tx.createdAt(), tx.timeoutAt(), now, lease, branches, confirmBefore(tx)))) {
            // logged unless another decision exists, so recovery cancels the holds if this initiator stops now
            cancel(tx, "the confirm decision came too late: a hold was within its safety margin or the transaction"
                    + " timed out when it reached the log");
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
        Instant marginLeft = earliest.minus(settings.hold().safetyMargin());
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
        if (earliest != null && earliest.isBefore(now.plus(settings.hold().safetyMargin()))) {
            return "a hold expires at " + earliest + ", within the safety margin of " + settings.hold().safetyMargin();
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
        Lease lease = new Lease(instanceId, now.plus(settings.recovery().lease()));
        boolean logged = transactionLog.decisions().write(new NewDecision(tx.xid(), tx.name(), Decision.CANCEL, cause,
                tx.createdAt(), tx.timeoutAt(), now, lease, branches, null));
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
        Runnable round = new PhaseTwoRound(tx.xid(), logged, logged
                ? () -> phaseTwo.drive(tx.xid(), tx.name(), decision, branches, 0, tx.createdAt(), lease)
                : () -> phaseTwo.cancelUnlogged(tx.xid(), branches));
        if (!settings.phaseTwo().asynchronous()) {
            round.run();
            return;
        }
        PhaseTwoBatcher batching = anyRemote(branches) ? remoteBatcher : batcher;
        if (logged && batching != null) {
            batching.submit(new BatchedPhaseTwo.Decided(tx.xid(), tx.name(), decision, branches, tx.createdAt(), lease, ticker.nanoTime()));
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

    /**
     * Whether a branch lives in another service: its phase two is HTTP calls, so such a transaction goes to the
     * remote batcher, whose drainer waits for HTTP without holding up the local batches.
     */
    private static boolean anyRemote(List<BranchReference> branches) {
        for (BranchReference branch : branches) {
            if (ParticipantRegistry.isRemote(branch.participant())) {
                return true;
            }
        }
        return false;
    }

    private Duration elapsed(GlobalTransaction tx) {
        return Duration.ofNanos(ticker.nanoTime() - tx.startNanos());
    }
}
