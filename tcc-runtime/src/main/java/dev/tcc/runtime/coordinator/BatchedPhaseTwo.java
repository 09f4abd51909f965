package dev.tcc.runtime.coordinator;

import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.action.LocalBatch;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.log.Finish;
import dev.tcc.runtime.log.Lease;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.support.Ticker;
import dev.tcc.spi.BranchParticipant;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import dev.tcc.spi.TccEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase two of many decided transactions at once (one transaction's round is {@link PhaseTwo}):
 * transactions of the same {@link Shape} share one local transaction per participant database,
 * through {@link LocalBatch}, and one batch request per participant endpoint in another service, through
 * {@link BatchDelivery}; what the batch cannot finish gets an ordinary round of its own.
 */
public final class BatchedPhaseTwo {

    private static final Logger log = LoggerFactory.getLogger(BatchedPhaseTwo.class);

    private final PhaseTwo round;
    private final TransactionLog transactionLog;
    private final ParticipantRegistry participants;
    private final PhaseTwoCalls calls;
    private final TccSettings settings;
    private final Clock clock;
    private final Ticker ticker;
    private final Events events;
    /** One batch at a time per participant database, by name (see {@link #runLocal}). */
    private final Map<String, Object> databaseLocks = new ConcurrentHashMap<>();

    /** @param round drives the transactions the batch could not finish, one by one */
    public BatchedPhaseTwo(PhaseTwo round, TransactionLog transactionLog, ParticipantRegistry participants,
                           PhaseTwoCalls calls, TccSettings settings, Clock clock, Ticker ticker, Events events) {
        this.round = round;
        this.transactionLog = transactionLog;
        this.participants = participants;
        this.calls = calls;
        this.settings = settings;
        this.clock = clock;
        this.ticker = ticker;
        this.events = events;
    }

    /**
     * A decided transaction waiting for phase two, with the lease its decision gave the initiator.
     *
     * @param decidedNanos the {@link Ticker} when the decision was durable: phase two is timed from there
     */
    public record Decided(String xid, String name, Decision decision, List<BranchReference> branches, Instant createdAt,
                          Lease lease, long decidedNanos) {
    }

    /**
     * What transactions must share to be driven together: the decision, and the targets of their branches in
     * delivery order (try order, reversed for cancel).
     */
    record Shape(Decision decision, List<Target> targets) {

        Shape {
            targets = List.copyOf(targets);
        }

        boolean confirming() {
            return decision == Decision.CONFIRM;
        }
    }

    /**
     * Where a position's branches go together: a local participant database (by name), or a participant endpoint in
     * another service (by its participant id, the endpoint's URL).
     */
    record Target(String name, boolean remote) {
    }

    /**
     * Phase two of many decided transactions at once, one local transaction per participant
     * database and decision instead of one per branch, and one batch request (of at most 64 lines) per participant
     * endpoint instead of one call per branch: for the transactions whose branches all belong to local participants
     * or batch-capable endpoints with a closed circuit, grouped by their {@link Shape} (so each
     * transaction still sees its confirms in try order and its cancels in reverse), every target's
     * branches are confirmed (or cancelled) together by {@link LocalBatch} or {@link BatchDelivery}. A transaction any of whose
     * branches could not be done that way (a failure, a refusal, an empty cancel, a lost race, an open
     * circuit, an answer other than done, a participant without batches, a lease that ended before its next position:
     * recovery may be driving it then) is handed to {@code leftOver}, which gives
     * it an ordinary round of {@link PhaseTwo} ({@link #driveAlone}), idempotent for the branches already done. The
     * transactions done completely are handed to {@code finished}, whose final log write the caller batches too
     * ({@link #finishAll}). The caller holds the leases, as for {@link PhaseTwo#drive}; a position is delivered only
     * for the transactions whose lease has not ended.
     */
    public void driveBatch(List<Decided> batch, BiConsumer<Finish, Decided> finished, Consumer<Decided> leftOver) {
        Map<Shape, List<Decided>> shapes = new LinkedHashMap<>();
        List<Decided> oneByOne = new ArrayList<>();
        for (Decided d : batch) {
            Shape shape = shape(d);
            if (shape == null) {
                oneByOne.add(d);
            } else {
                shapes.computeIfAbsent(shape, k -> new ArrayList<>()).add(d);
            }
        }
        for (Map.Entry<Shape, List<Decided>> entry : shapes.entrySet()) {
            driveShape(entry.getKey(), entry.getValue(), finished, oneByOne);
        }
        oneByOne.forEach(leftOver);
    }

    /**
     * The one-by-one round of a transaction the batch could not finish, driven like recovery
     * drives: it first renews the decision's lease (or takes an ended one), and skips the
     * transaction when another driver holds it; then continues the round count the log stores.
     * A failure is logged; recovery retries the transaction when its lease ends.
     */
    public void driveAlone(Decided d) {
        try {
            Instant now = clock.instant();
            Lease renewed = new Lease(d.lease().owner(), now.plus(settings.recovery().lease()));
            if (!transactionLog.recovery().claim(d.xid(), renewed, now, d.lease())) {
                log.debug("TCC [{}] is driven by another driver (its lease moved on); this one leaves it", d.xid());
                return;
            }
            round.driveRecorded(d.xid(), renewed);
        } catch (RuntimeException e) {
            log.warn("TCC [{}] phase two failed; recovery retries it when the lease ends: {}", d.xid(), e.toString());
        }
    }

    /**
     * The shape of a transaction; null when a branch is neither a local participant without external
     * effects nor a batch-capable participant endpoint, or its circuit is not closed.
     */
    private Shape shape(Decided d) {
        boolean confirming = d.decision() == Decision.CONFIRM;
        List<Target> targets = new ArrayList<>(d.branches().size());
        for (BranchReference b : PhaseTwo.ordered(d.branches(), confirming)) {
            Target target = target(b, confirming);
            if (target == null
                    || calls.circuitBreakers().circuitBreaker(b.participant()).getState() != CircuitBreaker.State.CLOSED) {
                return null;
            }
            targets.add(target);
        }
        return new Shape(d.decision(), targets);
    }

    private Target target(BranchReference b, boolean confirming) {
        BranchParticipant participant = participants.find(b.participant());
        if (participant instanceof LocalParticipant local) {
            // a batch rolled back by another body would call out again
            return local.action().externalEffects() ? null : new Target(local.database().runner().name(), false);
        }
        if (participant instanceof BatchDelivery endpoint && endpoint.batchable(b, confirming)) {
            return new Target(b.participant(), true);
        }
        return null;
    }

    private void driveShape(Shape shape, List<Decided> group, BiConsumer<Finish, Decided> finished,
                            List<Decided> oneByOne) {
        boolean confirming = shape.confirming();
        boolean[] failed = new boolean[group.size()];
        for (int position = 0; position < shape.targets().size(); position++) {
            List<BranchReference> branches = new ArrayList<>(group.size());
            List<Integer> owners = new ArrayList<>(group.size());
            Instant now = clock.instant();
            for (int t = 0; t < group.size(); t++) {
                if (!failed[t] && !now.isBefore(group.get(t).lease().until())) {
                    // its lease ended while it queued or while earlier positions were delivered: recovery may drive it
                    // now; the one-by-one path claims it first, and leaves it to a driver that holds it
                    failed[t] = true;
                }
                if (failed[t]) {
                    continue; // a later branch never goes before an earlier one of its transaction is done
                }
                branches.add(PhaseTwo.ordered(group.get(t).branches(), confirming).get(position).withAttempt(1));
                owners.add(t);
            }
            if (branches.isEmpty()) {
                break;
            }
            Target target = shape.targets().get(position);
            boolean[] done = target.remote() ? deliverRemote(target, branches, confirming) : runLocal(target, branches, confirming);
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
            finished.accept(new Finish(d.xid(), from, to, d.lease()), d);
        }
    }

    /**
     * One local transaction of the target database for every branch; none done when it fails. One batch at a time
     * per database, whichever batcher drives it (a mixed transaction's local branches go with the remote batcher):
     * a batch locks the business rows of all its bodies until it commits, so two at once could deadlock.
     */
    private boolean[] runLocal(Target target, List<BranchReference> branches, boolean confirming) {
        synchronized (databaseLocks.computeIfAbsent(target.name(), name -> new Object())) {
            return runLocalAlone(target, branches, confirming);
        }
    }

    private boolean[] runLocalAlone(Target target, List<BranchReference> branches, boolean confirming) {
        List<LocalBatch.Item> items = new ArrayList<>(branches.size());
        ParticipantDatabase database = null;
        for (BranchReference branch : branches) {
            LocalParticipant participant = (LocalParticipant) participants.find(branch.participant());
            database = participant.database();
            items.add(new LocalBatch.Item(participant, branch));
        }
        try {
            return LocalBatch.run(database, items, confirming, clock);
        } catch (Exception e) {
            log.debug("TCC batched {} of {} branches on '{}' failed; they go one by one: {}", confirming ? "confirm" : "cancel",
                    items.size(), target.name(), PhaseTwo.describe(e));
            return new boolean[items.size()];
        }
    }

    /**
     * Batch requests to the target endpoint for every branch, from this thread; none done when they fail. One batch at
     * a time per endpoint, as per database: the endpoint runs each request as one local transaction per database.
     */
    private boolean[] deliverRemote(Target target, List<BranchReference> branches, boolean confirming) {
        synchronized (databaseLocks.computeIfAbsent("endpoint " + target.name(), name -> new Object())) {
            return deliverRemoteAlone(target, branches, confirming);
        }
    }

    private boolean[] deliverRemoteAlone(Target target, List<BranchReference> branches, boolean confirming) {
        try {
            return ((BatchDelivery) participants.find(target.name())).deliverAll(branches, confirming);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new boolean[branches.size()];
        } catch (RuntimeException e) {
            log.debug("TCC batched {} of {} branches at {} failed; they go one by one: {}", confirming ? "confirm" : "cancel",
                    branches.size(), target.name(), PhaseTwo.describe(e));
            return new boolean[branches.size()];
        }
    }

    /**
     * Writes the final states of transactions whose branches are all done, in one commit, and
     * publishes their events. A transaction whose write did not happen (a recovery worker got
     * there first, or the database failed) is left to recovery, which re-drives it idempotently.
     */
    public void finishAll(List<Finish> finishes, List<Decided> decided) {
        if (finishes.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        boolean[] changed;
        try {
            changed = transactionLog.phaseTwo().finishAll(finishes, now);
        } catch (RuntimeException e) {
            log.warn("TCC could not record the end of {} finished transactions; recovery re-drives them when their"
                    + " leases end: {}", finishes.size(), e.toString());
            return;
        }
        for (int i = 0; i < finishes.size(); i++) {
            if (!changed[i]) {
                continue;
            }
            Finish f = finishes.get(i);
            Decided d = decided.get(i);
            String name = d == null ? null : d.name();
            Instant createdAt = d == null ? null : d.createdAt();
            // from the decision to the final write: the queue, the batch and the linger are all phase two
            Duration phaseTwoTook = d == null ? Duration.ZERO : Duration.ofNanos(ticker.nanoTime() - d.decidedNanos());
            events.publish(TccEvent.Type.PHASE_TWO_COMPLETED, f.xid(), name, f.from().code(), phaseTwoTook);
            events.publish(TccEvent.Type.TRANSACTION_FINISHED, f.xid(), name, f.to().code(),
                    createdAt == null ? Duration.ZERO : Duration.between(createdAt, now));
        }
    }
}
