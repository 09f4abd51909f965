package dev.tcc.runtime.recovery;

import dev.tcc.api.CancelRefusedException;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.barrier.BranchBarrier;
import dev.tcc.runtime.barrier.PendingHold;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Participant-side recovery: finishes barrier rows still {@code TRIED} once their transaction
 * can no longer be decided confirm: past the transaction's timeout, or past the hold deadline
 * plus the grace. For each it asks the coordinator, and the question decides: a confirm
 * decision is honoured (the participant confirms), otherwise the coordinator records a cancel
 * before answering and the participant cancels.
 *
 * <p>Only a {@link CoordinatorUnreachableException} lets a participant expire a hold on its own,
 * and only once the coordinator has been unreachable for
 * {@link TccSettings.Recovery#coordinatorUnreachableAfter()} since the first such failure for that hold
 * (and the hold deadline plus the grace has passed): that is the one way a transaction can end
 * {@code HEURISTIC}. Any other failure of the question (a lock timeout, a serialization failure, a
 * busy pool) means the coordinator may have decided confirm: the hold waits for the next pass.
 * Only rows of actions this instance knows are read, so other rows never fill the batch; each pass
 * reads the next page of a database's due holds in key order, so holds that stay (a body or a
 * question that keeps failing) never hide the ones behind them; and a failing database does not stop
 * the others.
 */
public final class HoldExpiry implements RunnablePass {

    private static final Logger log = LoggerFactory.getLogger(HoldExpiry.class);

    private final Function<String, Collection<LocalParticipant>> participantsOfDatabase;
    private final Collection<ParticipantDatabase> databases;
    private final DecisionSource coordinator;
    private final Function<String, DecisionSource> remoteCoordinators;
    private final TccSettings settings;
    private final Clock clock;
    /** Per participant database: where its next page starts, and what its current sweep saw. */
    private final Map<String, Sweep> sweeps = new ConcurrentHashMap<>();

    /**
     * One walk through the due holds of a database in key order, a page per pass, so holds that stay
     * (their body or question keeps failing) never hide the ones behind them. It starts again from
     * the front after a short page.
     */
    private static final class Sweep {
        PendingHold cursor = PendingHold.START;
        /** Holds read since the sweep started. */
        final Set<String> seen = new HashSet<>();
        /** Per hold ({@link BranchBarrier#key}): when its question first found the coordinator unreachable. */
        final Map<String, Instant> unreachableSince = new HashMap<>();
    }

    public HoldExpiry(Collection<ParticipantDatabase> databases, Function<String, Collection<LocalParticipant>> participantsOfDatabase,
                      DecisionSource coordinator, TccSettings settings, Clock clock) {
        this(databases, participantsOfDatabase, coordinator, url -> {
            throw new IllegalStateException("No way to ask the coordinator at " + url);
        }, settings, clock);
    }

    /**
     * @param remoteCoordinators how to ask the coordinator endpoint of a caller in another service, by its URL
     *                           (docs/protocol.md); holds of this service's own transactions ask {@code coordinator}
     */
    public HoldExpiry(Collection<ParticipantDatabase> databases, Function<String, Collection<LocalParticipant>> participantsOfDatabase,
                      DecisionSource coordinator, Function<String, DecisionSource> remoteCoordinators, TccSettings settings,
                      Clock clock) {
        this.remoteCoordinators = remoteCoordinators;
        this.databases = databases;
        this.participantsOfDatabase = participantsOfDatabase;
        this.coordinator = coordinator;
        this.settings = settings;
        this.clock = clock;
    }

    /** One pass over every participant database (one page of due holds each); returns how many branches it finished. */
    @Override
    public synchronized int runOnce() {
        int finished = 0;
        // per coordinator, the error its first question met in this pass: its other holds wait for the next pass
        // without asking (one slow or failing coordinator must not hold up the holds of every other transaction)
        Map<String, Exception> failedThisPass = new HashMap<>();
        for (ParticipantDatabase database : List.copyOf(databases)) {
            try {
                finished += runOnce(database, sweeps.computeIfAbsent(database.runner().name(), name -> new Sweep()),
                        failedThisPass);
            } catch (RuntimeException e) {
                log.warn("TCC hold expiry failed on '{}'; the other databases go on, the next pass retries: {}",
                        database.runner().name(), e.toString());
            }
        }
        return finished;
    }

    private int runOnce(ParticipantDatabase database, Sweep sweep, Map<String, Exception> failedThisPass) {
        Instant now = clock.instant();
        Map<String, LocalParticipant> byAction = new HashMap<>();
        for (LocalParticipant p : participantsOfDatabase.apply(database.runner().name())) {
            byAction.put(p.action().name(), p);
        }
        int batch = settings.recovery().batchSize();
        List<PendingHold> due;
        try {
            PendingHold after = sweep.cursor;
            due = database.runner().inNewTransaction(c -> database.barrier().due(c, now.minus(settings.hold().expiryGrace()),
                    after, byAction.keySet(), batch));
        } catch (Exception e) {
            // nothing was learnt: every clock keeps running, the next pass reads the same page
            log.warn("TCC hold expiry could not read the barrier of '{}': {}", database.runner().name(), e.toString());
            return 0;
        }
        int finished = 0;
        for (PendingHold hold : due) {
            sweep.seen.add(BranchBarrier.key(hold.xid(), hold.branchId()));
            if (finish(byAction.get(hold.action()), hold, now, sweep.unreachableSince, failedThisPass)) {
                finished++;
            }
        }
        if (due.size() < batch) {
            // the sweep is through: forget the clocks of holds finished meanwhile (by this instance or another)
            sweep.unreachableSince.keySet().retainAll(sweep.seen);
            sweep.seen.clear();
            sweep.cursor = PendingHold.START;
        } else {
            sweep.cursor = due.get(due.size() - 1);
        }
        return finished;
    }

    private boolean finish(LocalParticipant participant, PendingHold hold, Instant now, Map<String, Instant> unreachableSince,
                           Map<String, Exception> failedThisPass) {
        String coordinatorKey = hold.coordinator() == null ? "" : hold.coordinator();
        String key = BranchBarrier.key(hold.xid(), hold.branchId());
        Decision decision;
        boolean alone = false;
        try {
            Exception failedBefore = failedThisPass.get(coordinatorKey);
            if (failedBefore != null) {
                throw failedBefore; // the same answer as its first question got in this pass, without asking again
            }
            DecisionSource asked = hold.coordinator() == null ? coordinator : remoteCoordinators.apply(hold.coordinator());
            try {
                decision = asked.decideCancelUnlessConfirmed(hold.xid(), hold.branchId());
            } catch (CoordinatorUnreachableException unreachable) {
                // never stood in for another hold: expiring alone needs each hold's own observations over the whole
                // window (a transient failure must not speak for a hold whose coordinator may have decided confirm);
                // a dead coordinator is answered fast by its open circuit
                throw unreachable;
            } catch (Exception failed) {
                failedThisPass.put(coordinatorKey, failed); // an error answer: the others wait, which is always safe
                throw failed;
            }
            unreachableSince.remove(key);
        } catch (CoordinatorUnreachableException unreachable) {
            Instant since = unreachableSince.computeIfAbsent(key, k -> now);
            if (!hold.holdExpired(now.minus(settings.hold().expiryGrace()))
                    || now.isBefore(since.plus(settings.recovery().coordinatorUnreachableAfter()))) {
                log.warn("TCC [{}] coordinator unreachable since {} ({}); hold of branch {} ('{}') waits for its answer",
                        hold.xid(), since, unreachable.getMessage(), hold.branchId(), hold.action());
                return false;
            }
            log.error("TCC [{}] coordinator unreachable since {} ({}); expiring hold of branch {} ('{}') on its own: if the"
                    + " transaction was decided confirm it will end HEURISTIC", hold.xid(), since, unreachable.getMessage(),
                    hold.branchId(), hold.action());
            decision = Decision.CANCEL;
            alone = true;
        } catch (Exception e) {
            unreachableSince.remove(key); // it answered, with an error: not unreachable
            log.warn("TCC [{}] could not ask the coordinator about branch {} ('{}'); the hold waits and the next pass asks"
                    + " again: {}", hold.xid(), hold.branchId(), hold.action(), e.toString());
            return false;
        }
        BranchReference branch = new BranchReference(hold.xid(), hold.branchId(), participant.id(), hold.action(),
                hold.holdDeadline(), 1);
        try {
            if (decision == Decision.CONFIRM) {
                participant.confirm(branch);
            } else {
                participant.cancel(branch);
                log.info("TCC [{}] released hold of branch {} ('{}')", hold.xid(), hold.branchId(), hold.action());
            }
            unreachableSince.remove(key);
            return true;
        } catch (CancelRefusedException confirmedMeanwhile) {
            unreachableSince.remove(key);
            if (alone) {
                log.info("TCC [{}] branch {} ('{}') was confirmed while its hold expired alone; the confirm stands",
                        hold.xid(), hold.branchId(), hold.action());
                return true;
            }
            log.error("TCC [{}] the coordinator answered cancel but branch {} ('{}') is CONFIRMED: {}", hold.xid(),
                    hold.branchId(), hold.action(), confirmedMeanwhile.getMessage());
            return false;
        } catch (Exception e) {
            log.warn("TCC [{}] could not {} branch {} ('{}') at expiry; next pass retries: {}", hold.xid(),
                    decision == Decision.CONFIRM ? "confirm" : "cancel", hold.branchId(), hold.action(), e.toString());
            return false;
        }
    }
}
