package dev.tcc.runtime.coordinator;

import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.runtime.BranchState;
import dev.tcc.runtime.TccSettings;
import dev.tcc.runtime.TransactionState;
import dev.tcc.runtime.log.BranchOutcome;
import dev.tcc.runtime.log.BranchRecord;
import dev.tcc.runtime.log.Lease;
import dev.tcc.runtime.log.TransactionRecord;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.spi.BranchParticipant;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import dev.tcc.spi.TccEvent;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import dev.tcc.runtime.action.LocalBatch;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.function.BiConsumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Drives one decided transaction through one round of phase two: confirms every branch in try
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
    private final Events events;

    public PhaseTwo(TransactionLog transactionLog, ParticipantRegistry participants, PhaseTwoCalls calls,
                    TccSettings settings, Clock clock, RandomGenerator random, Events events) {
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
        Optional<TransactionRecord> found = transactionLog.find(xid);
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
        long start = System.nanoTime();
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
        String failure = null;
        for (BranchReference branch : ordered) {
            if (alreadyDone.contains(branch.branchId())) {
                continue; // finished in an earlier round: no call, no commit
            }
            AtomicInteger attempts = new AtomicInteger();
            try {
                deliver(branch, confirming, attempts);
                outcomes.add(new BranchOutcome(branch.branchId(), confirming ? BranchState.CONFIRMED : BranchState.CANCELLED,
                        attempts.get(), null));
            } catch (ConfirmRefusedException e) {
                refused = true;
                log.error("TCC [{}] branch {} ('{}') refused its confirm: {}", xid, branch.branchId(), branch.action(), e.getMessage());
                outcomes.add(new BranchOutcome(branch.branchId(), BranchState.REFUSED, attempts.get(), e.getMessage()));
            } catch (Exception e) {
                failure = "branch " + branch.branchId() + " ('" + branch.action() + "'): " + describe(e);
                log.warn("TCC [{}] {} of branch {} ('{}') failed after {} attempt(s): {}", xid, confirming ? "confirm" : "cancel",
                        branch.branchId(), branch.action(), attempts.get(), describe(e));
                outcomes.add(new BranchOutcome(branch.branchId(), BranchState.TRIED, attempts.get(), describe(e)));
                events.publish(TccEvent.Type.BRANCH_RETRY, xid, branch.action(), from.code(), Duration.ZERO);
            }
        }
        Instant now = clock.instant();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (failure != null) {
            return reschedule(xid, name, from, round, failure, outcomes, now, lease);
        }
        TransactionState to = !confirming ? TransactionState.CANCELLED : refused ? TransactionState.HEURISTIC : TransactionState.CONFIRMED;
        String cause = to == TransactionState.HEURISTIC ? "a participant refused its confirm: its hold had expired" : null;
        if (transactionLog.finish(xid, from, to, cause, now, outcomes, lease)) {
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

    /** A decided transaction waiting for phase two, with the lease its decision gave the initiator. */
    public record Decided(String xid, String name, Decision decision, List<BranchReference> branches, Instant createdAt,
                          Lease lease) {
    }

    /**
     * Phase two of many decided transactions at once, one local transaction per participant
     * database and decision instead of one per branch: for the transactions whose branches all
     * belong to local participants with a closed circuit, grouped by the sequence of databases they
     * touch (so each transaction still sees its confirms in try order and its cancels in reverse),
     * every database's branches are confirmed (or cancelled) together by {@link LocalBatch}. A
     * transaction any of whose branches could not be done that way (a failure, a refusal, an empty
     * cancel, a lost race, an open circuit, a remote participant) gets an ordinary round of
     * {@link #drive} afterwards, which is idempotent for the branches already done. The
     * transactions done completely are handed to {@code finished}, whose final log write the
     * caller batches too ({@link #finishAll}). The caller holds the leases, as for {@link #drive}.
     */
    public void driveBatch(List<Decided> batch, BiConsumer<TransactionLog.Finish, Decided> finished) {
        Map<List<Object>, List<Decided>> shapes = new LinkedHashMap<>();
        List<Decided> oneByOne = new ArrayList<>();
        for (Decided d : batch) {
            List<Object> shape = shape(d);
            if (shape == null) {
                oneByOne.add(d);
            } else {
                shapes.computeIfAbsent(shape, k -> new ArrayList<>()).add(d);
            }
        }
        for (Map.Entry<List<Object>, List<Decided>> entry : shapes.entrySet()) {
            driveShape(entry.getKey(), entry.getValue(), finished, oneByOne);
        }
        for (Decided d : oneByOne) {
            try {
                driveAlone(d);
            } catch (RuntimeException e) {
                log.warn("TCC [{}] phase two failed; recovery retries it when the lease ends: {}", d.xid(), e.toString());
            }
        }
    }

    /**
     * The one-by-one round of a transaction the batch could not finish, driven like recovery
     * drives: it first renews the decision's lease (or takes an ended one), and skips the
     * transaction when another driver holds it; then continues the round count the log stores.
     */
    private void driveAlone(Decided d) {
        Instant now = clock.instant();
        Lease renewed = new Lease(d.lease().owner(), now.plus(settings.recoveryLease()));
        if (!transactionLog.claim(d.xid(), renewed, now, d.lease())) {
            log.debug("TCC [{}] is driven by another driver (its lease moved on); this one leaves it", d.xid());
            return;
        }
        driveRecorded(d.xid(), renewed);
    }

    /**
     * The decision followed by the participant databases of the transaction's branches in
     * delivery order (try order, reversed for cancel); null when a branch is not a local
     * participant without external effects and with a closed circuit.
     */
    private List<Object> shape(Decided d) {
        boolean confirming = d.decision() == Decision.CONFIRM;
        List<Object> shape = new ArrayList<>(d.branches().size() + 1);
        shape.add(d.decision());
        for (BranchReference b : ordered(d.branches(), confirming)) {
            if (!(participants.find(b.participant()) instanceof LocalParticipant local)
                    || local.action().externalEffects() // a batch rolled back by another body would call out again
                    || calls.circuitBreakers().circuitBreaker(b.participant()).getState() != CircuitBreaker.State.CLOSED) {
                return null;
            }
            String database = local.database().runner().name();
            shape.add(database);
        }
        return shape;
    }

    private void driveShape(List<Object> shape, List<Decided> group, BiConsumer<TransactionLog.Finish, Decided> finished,
                            List<Decided> oneByOne) {
        boolean confirming = shape.get(0) == Decision.CONFIRM;
        boolean[] failed = new boolean[group.size()];
        for (int position = 0; position < shape.size() - 1; position++) {
            List<LocalBatch.Item> items = new ArrayList<>(group.size());
            List<Integer> owners = new ArrayList<>(group.size());
            ParticipantDatabase database = null;
            for (int t = 0; t < group.size(); t++) {
                if (failed[t]) {
                    continue;
                }
                BranchReference branch = ordered(group.get(t).branches(), confirming).get(position);
                LocalParticipant participant = (LocalParticipant) participants.find(branch.participant());
                database = participant.database();
                items.add(new LocalBatch.Item(participant, branch.withAttempt(1)));
                owners.add(t);
            }
            if (items.isEmpty()) {
                break;
            }
            boolean[] done;
            try {
                done = LocalBatch.run(database, items, confirming, clock);
            } catch (Exception e) {
                log.debug("TCC batched {} of {} branches on '{}' failed; they go one by one: {}", confirming ? "confirm" : "cancel",
                        items.size(), database.runner().name(), describe(e));
                done = new boolean[items.size()];
            }
            for (int k = 0; k < done.length; k++) {
                if (!done[k]) {
                    failed[owners.get(k)] = true;
                }
            }
        }
        TransactionState from = confirming ? TransactionState.CONFIRMING : TransactionState.CANCELLING;
        TransactionState to = confirming ? TransactionState.CONFIRMED : TransactionState.CANCELLED;
        for (int t = 0; t < group.size(); t++) {
            Decided d = group.get(t);
            if (failed[t]) {
                oneByOne.add(d);
                continue;
            }
            finished.accept(new TransactionLog.Finish(d.xid(), from, to, d.lease()), d);
        }
    }

    private static List<BranchReference> ordered(List<BranchReference> branches, boolean confirming) {
        if (confirming) {
            return branches;
        }
        List<BranchReference> reversed = new ArrayList<>(branches);
        Collections.reverse(reversed);
        return reversed;
    }

    /**
     * Writes the final states of transactions whose branches are all done, in one commit, and
     * publishes their events. A transaction whose write did not happen (a recovery worker got
     * there first, or the database failed) is left to recovery, which re-drives it idempotently.
     */
    public void finishAll(List<TransactionLog.Finish> finishes, List<Decided> decided) {
        if (finishes.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        boolean[] changed;
        try {
            changed = transactionLog.finishAll(finishes, now);
        } catch (RuntimeException e) {
            log.warn("TCC could not record the end of {} finished transactions; recovery re-drives them when their"
                    + " leases end: {}", finishes.size(), e.toString());
            return;
        }
        for (int i = 0; i < finishes.size(); i++) {
            if (!changed[i]) {
                continue;
            }
            TransactionLog.Finish f = finishes.get(i);
            Decided d = decided.get(i);
            String name = d == null ? null : d.name();
            Instant createdAt = d == null ? null : d.createdAt();
            events.publish(TccEvent.Type.PHASE_TWO_COMPLETED, f.xid(), name, f.from().code(), Duration.ZERO);
            events.publish(TccEvent.Type.TRANSACTION_FINISHED, f.xid(), name, f.to().code(),
                    createdAt == null ? Duration.ZERO : Duration.between(createdAt, now));
        }
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
            throw new IllegalStateException("no participant '" + branch.participant() + "' is registered in this instance");
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
        boolean exhausted = roundsDone >= settings.recoveryMaxRounds();
        TransactionState to = exhausted ? TransactionState.FAILED : from;
        Instant next = now.plus(backoff(roundsDone));
        if (transactionLog.reschedule(xid, from, to, next, failure, outcomes, lease)) {
            if (exhausted) {
                log.error("TCC [{}] '{}' FAILED after {} rounds of phase two; last failure: {}. It needs an operator:"
                        + " retry it (actuator POST /actuator/tcc/{}) once the participant is back", xid, name, roundsDone, failure, xid);
                events.publish(TccEvent.Type.TRANSACTION_FINISHED, xid, name, TransactionState.FAILED.code(), Duration.ZERO);
            }
            return to;
        }
        return from;
    }

    /** Exponential, capped, with jitter: the wait before round {@code roundsDone + 1}. */
    Duration backoff(int roundsDone) {
        long initial = settings.recoveryInitialBackoff().toMillis();
        long max = settings.recoveryMaxBackoff().toMillis();
        double exponential = initial * Math.pow(2, Math.min(30, roundsDone - 1));
        long jittered = (long) (exponential * (0.75 + random.nextDouble() / 2));
        return Duration.ofMillis(Math.min(max, Math.max(1, jittered)));
    }

    private static String describe(Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return "circuit breaker open: participant skipped until it recovers";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
