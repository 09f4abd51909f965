package dev.tcc.runtime.coordinator;

import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.api.operations.BranchState;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.log.BranchOutcome;
import dev.tcc.api.TccDefinitionException;
import dev.tcc.api.operations.BranchRecord;
import dev.tcc.runtime.log.Lease;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.support.Ticker;
import dev.tcc.spi.BranchParticipant;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import dev.tcc.spi.TccEvent;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One transaction's round of phase two (the batch across transactions is {@link BatchedPhaseTwo}).
 * Drives one decided transaction through one round: confirms every branch in try
 * order, or cancels them in reverse order. A failing branch does not stop the others (like a
 * saga's compensations); the round then ends rescheduled with exponential backoff, or
 * {@code FAILED} once the budget of rounds is spent. The caller must hold the transaction's
 * lease; every log write is conditional on the state the round started from and on that lease, so
 * a caller that lost its lease meanwhile writes nothing (its deliveries were idempotent anyway).
 */
public final class PhaseTwo {

    private static final Logger log = LoggerFactory.getLogger(PhaseTwo.class);

    private final TransactionLog transactionLog;
    private final ParticipantRegistry participants;
    private final PhaseTwoCalls calls;
    private final TccSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final Ticker ticker;
    private final Events events;

    public PhaseTwo(TransactionLog transactionLog, ParticipantRegistry participants, PhaseTwoCalls calls,
                    TccSettings settings, Clock clock, RandomGenerator random, Events events) {
        this(transactionLog, participants, calls, settings, clock, random, events, Ticker.SYSTEM);
    }

    /** @param ticker times phase two for its events (see {@link Ticker}) */
    public PhaseTwo(TransactionLog transactionLog, ParticipantRegistry participants, PhaseTwoCalls calls,
                    TccSettings settings, Clock clock, RandomGenerator random, Events events, Ticker ticker) {
        this.ticker = ticker;
        this.transactionLog = transactionLog;
        this.participants = participants;
        this.calls = calls;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.events = events;
    }

    /**
     * Runs one round; returns the state the transaction is in afterwards.
     *
     * @param round     rounds already spent on this transaction
     * @param createdAt when the transaction began, for its duration
     * @param lease     the lease the caller holds; the round's log write happens only while the transaction carries it
     */
    public TransactionState drive(String xid, String name, Decision decision, List<BranchReference> branches, int round,
                                  Instant createdAt, Lease lease) {
        return drive(xid, name, decision, branches, round, createdAt, Set.of(), false, lease);
    }

    /**
     * Runs one round of a claimed transaction as the log records it: continues its stored round
     * count, and skips the branches that earlier rounds recorded as done. Returns the state
     * afterwards, or null when the log has no such transaction.
     */
    public TransactionState driveRecorded(String xid, Lease lease) {
        Optional<TransactionRecord> found = transactionLog.queries().find(xid);
        if (found.isEmpty()) {
            return null;
        }
        TransactionRecord tx = found.get();
        if (tx.state() != TransactionState.CONFIRMING && tx.state() != TransactionState.CANCELLING) {
            return tx.state();
        }
        List<BranchReference> branches = tx.branches().stream().map(b -> b.reference(xid)).toList();
        BranchState done = tx.decision() == Decision.CONFIRM ? BranchState.CONFIRMED : BranchState.CANCELLED;
        Set<Integer> alreadyDone = tx.branches().stream()
                .filter(b -> b.state() == done || b.state() == BranchState.REFUSED)
                .map(BranchRecord::branchId)
                .collect(Collectors.toSet());
        boolean refusedBefore = tx.branches().stream().anyMatch(b -> b.state() == BranchState.REFUSED);
        return drive(xid, tx.name(), tx.decision(), branches, tx.rounds(), tx.createdAt(), alreadyDone, refusedBefore, lease);
    }

    /**
     * Runs one round of a transaction that earlier rounds already partly finished: branches in
     * {@code alreadyDone} are not delivered again, and {@code refusedBefore} says an earlier round
     * saw a confirm refused (the transaction then ends HEURISTIC).
     */
    public TransactionState drive(String xid, String name, Decision decision, List<BranchReference> branches, int round,
                                  Instant createdAt, Set<Integer> alreadyDone, boolean refusedBefore, Lease lease) {
        String previousXid = MDC.get("tcc.xid");
        MDC.put("tcc.xid", xid);
        long start = ticker.nanoTime();
        try {
            return runRound(xid, name, decision, branches, round, createdAt, start, alreadyDone, refusedBefore, lease);
        } finally {
            if (previousXid == null) {
                MDC.remove("tcc.xid");
            } else {
                MDC.put("tcc.xid", previousXid);
            }
        }
    }

    private TransactionState runRound(String xid, String name, Decision decision, List<BranchReference> branches, int round,
                                      Instant createdAt, long start, Set<Integer> alreadyDone, boolean refusedBefore,
                                      Lease lease) {
        boolean confirming = decision == Decision.CONFIRM;
        TransactionState from = confirming ? TransactionState.CONFIRMING : TransactionState.CANCELLING;
        List<BranchReference> ordered = ordered(branches, confirming);
        List<BranchOutcome> outcomes = new ArrayList<>(ordered.size());
        boolean refused = refusedBefore;
        boolean called = false; // whether any participant was called (an open circuit calls nobody)
        String failure = null;
        for (BranchReference branch : ordered) {
            if (alreadyDone.contains(branch.branchId())) {
                continue; // finished in an earlier round: no call, no commit
            }
            AtomicInteger attempts = new AtomicInteger();
            try {
                deliver(branch, confirming, attempts);
                called = true;
                failedAttempts(xid, branch, from, attempts.get() - 1);
                outcomes.add(new BranchOutcome(branch.branchId(), confirming ? BranchState.CONFIRMED : BranchState.CANCELLED,
                        attempts.get(), null));
            } catch (ConfirmRefusedException e) {
                called = true;
                refused = true;
                log.error("TCC [{}] branch {} ('{}') refused its confirm: {}", xid, branch.branchId(), branch.action(), e.getMessage());
                outcomes.add(new BranchOutcome(branch.branchId(), BranchState.REFUSED, attempts.get(), e.getMessage()));
            } catch (Exception e) {
                failure = "branch " + branch.branchId() + " ('" + branch.action() + "'): " + describe(e);
                log.warn("TCC [{}] {} of branch {} ('{}') failed after {} attempt(s): {}", xid, confirming ? "confirm" : "cancel",
                        branch.branchId(), branch.action(), attempts.get(), describe(e));
                outcomes.add(new BranchOutcome(branch.branchId(), BranchState.TRIED, attempts.get(), describe(e)));
                failedAttempts(xid, branch, from, attempts.get());
                called |= attempts.get() > 0;
            }
        }
        Instant now = clock.instant();
        Duration took = Duration.ofNanos(ticker.nanoTime() - start);
        if (failure != null && !called) {
            // every participant left was skipped by its open circuit: nothing was tried, so no round of the budget is spent;
            // and none can be called before the circuit's open duration ends, so the round waits that long (or its
            // backoff, when longer): due at every recovery pass, it would take them from the other transactions
            transactionLog.phaseTwo().postpone(xid, from, now.plus(postponement(round)), failure, outcomes, lease);
            return from;
        }
        if (failure != null) {
            return reschedule(xid, name, from, round, failure, outcomes, now, lease);
        }
        TransactionState to = !confirming ? TransactionState.CANCELLED : refused ? TransactionState.HEURISTIC : TransactionState.CONFIRMED;
        String cause = to == TransactionState.HEURISTIC ? "a participant refused its confirm: its hold had expired" : null;
        if (transactionLog.phaseTwo().finish(xid, from, to, cause, now, outcomes, lease)) {
            if (to == TransactionState.HEURISTIC) {
                log.error("TCC [{}] '{}' ended HEURISTIC: {}", xid, name, cause);
            }
            events.publish(TccEvent.Type.PHASE_TWO_COMPLETED, xid, name, from.code(), took);
            events.publish(TccEvent.Type.TRANSACTION_FINISHED, xid, name, to.code(),
                    createdAt == null ? took : Duration.between(createdAt, now));
            return to;
        }
        return from;
    }

    /** One {@link TccEvent.Type#BRANCH_RETRY} per failed attempt of a delivery. */
    private void failedAttempts(String xid, BranchReference branch, TransactionState from, int failed) {
        for (int i = 0; i < failed; i++) {
            events.publish(TccEvent.Type.BRANCH_RETRY, xid, branch.action(), from.code(), Duration.ZERO);
        }
    }

    static List<BranchReference> ordered(List<BranchReference> branches, boolean confirming) {
        if (confirming) {
            return branches;
        }
        List<BranchReference> reversed = new ArrayList<>(branches);
        Collections.reverse(reversed);
        return reversed;
    }

    /**
     * Cancels branches whose transaction another decider cancelled first, without writing to
     * the log (it holds no branches for it). A failure here is left to the participants' own
     * recovery: they ask the coordinator, hear cancel, and release the hold.
     */
    public void cancelUnlogged(String xid, List<BranchReference> branches) {
        for (BranchReference branch : ordered(branches, false)) {
            try {
                deliver(branch, false, new AtomicInteger());
            } catch (Exception e) {
                log.warn("TCC [{}] cancel of branch {} ('{}') failed; its participant releases it at recovery: {}", xid,
                        branch.branchId(), branch.action(), describe(e));
            }
        }
    }

    private void deliver(BranchReference branch, boolean confirming, AtomicInteger attempts) throws Exception {
        BranchParticipant participant = participants.find(branch.participant());
        if (participant == null) {
            attempts.incrementAndGet();
            throw new TccDefinitionException("No participant '" + branch.participant() + "' is registered in this instance:"
                    + " register it on every instance that runs recovery");
        }
        calls.call(branch.participant(), attempt -> {
            BranchReference delivery = branch.withAttempt(attempt);
            if (confirming) {
                participant.confirm(delivery);
            } else {
                participant.cancel(delivery);
            }
        }, attempts);
    }

    private TransactionState reschedule(String xid, String name, TransactionState from, int round, String failure,
                                        List<BranchOutcome> outcomes, Instant now, Lease lease) {
        int roundsDone = round + 1;
        boolean exhausted = roundsDone >= settings.recovery().maxRounds();
        TransactionState to = exhausted ? TransactionState.FAILED : from;
        Instant next = now.plus(backoff(roundsDone));
        if (transactionLog.phaseTwo().reschedule(xid, from, to, next, failure, outcomes, lease)) {
            if (exhausted) {
                log.error("TCC [{}] '{}' FAILED after {} rounds of phase two; last failure: {}. It needs an operator:"
                        + " retry it (actuator POST /actuator/tcc/{}) once the participant is back", xid, name, roundsDone, failure, xid);
                events.publish(TccEvent.Type.TRANSACTION_FINISHED, xid, name, TransactionState.FAILED.code(), Duration.ZERO);
            }
            return to;
        }
        return from;
    }

    /** The wait after a round that open circuits kept from calling anyone: their open duration, or the backoff when longer. */
    private Duration postponement(int roundsDone) {
        Duration backoff = backoff(Math.max(1, roundsDone));
        Duration open = settings.circuitBreaker().openDuration();
        return open.compareTo(backoff) > 0 ? open : backoff;
    }

    /** Exponential, capped, with jitter: the wait before round {@code roundsDone + 1}. */
    Duration backoff(int roundsDone) {
        long initial = settings.recovery().initialBackoff().toMillis();
        long max = settings.recovery().maxBackoff().toMillis();
        double exponential = initial * Math.pow(2, Math.min(30, roundsDone - 1));
        long jittered = (long) (exponential * (0.75 + random.nextDouble() / 2));
        return Duration.ofMillis(Math.min(max, Math.max(1, jittered)));
    }

    static String describe(Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return "circuit breaker open: participant skipped until it recovers";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
