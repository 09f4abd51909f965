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
 * Only rows of actions this instance knows are read, so other rows never fill the batch, and a
 * failing database does not stop the others.
 */
public final class HoldExpiry implements RunnablePass {

    private static final Logger log = LoggerFactory.getLogger(HoldExpiry.class);

    private final Function<String, Collection<LocalParticipant>> participantsOfDatabase;
    private final Collection<ParticipantDatabase> databases;
    private final DecisionSource coordinator;
    private final TccSettings settings;
    private final Clock clock;
    /** Per hold ({@link BranchBarrier#key}): when its question first found the coordinator unreachable. */
    private final Map<String, Instant> unreachableSince = new ConcurrentHashMap<>();

    public HoldExpiry(Collection<ParticipantDatabase> databases, Function<String, Collection<LocalParticipant>> participantsOfDatabase,
                      DecisionSource coordinator, TccSettings settings, Clock clock) {
        this.databases = databases;
        this.participantsOfDatabase = participantsOfDatabase;
        this.coordinator = coordinator;
        this.settings = settings;
        this.clock = clock;
    }

    /** One pass over every participant database; returns how many branches it finished. */
    @Override
    public int runOnce() {
        int finished = 0;
        Set<String> seen = new HashSet<>();
        for (ParticipantDatabase database : List.copyOf(databases)) {
            try {
                finished += runOnce(database, seen);
            } catch (RuntimeException e) {
                log.warn("TCC hold expiry failed on '{}'; the other databases go on, the next pass retries: {}",
                        database.runner().name(), e.toString());
            }
        }
        unreachableSince.keySet().retainAll(seen); // holds finished meanwhile, by this instance or another
        return finished;
    }

    private int runOnce(ParticipantDatabase database, Set<String> seen) {
        Instant now = clock.instant();
        Map<String, LocalParticipant> byAction = new HashMap<>();
        for (LocalParticipant p : participantsOfDatabase.apply(database.runner().name())) {
            byAction.put(p.action().name(), p);
        }
        List<PendingHold> due;
        try {
            due = database.runner().inNewTransaction(c -> database.barrier().due(c, now.minus(settings.hold().expiryGrace()),
                    byAction.keySet(), settings.recovery().batchSize()));
        } catch (Exception e) {
            log.warn("TCC hold expiry could not read the barrier of '{}': {}", database.runner().name(), e.toString());
            seen.addAll(unreachableSince.keySet()); // keep every clock running: nothing was learnt
            return 0;
        }
        int finished = 0;
        for (PendingHold hold : due) {
            seen.add(BranchBarrier.key(hold.xid(), hold.branchId()));
            if (finish(byAction.get(hold.action()), hold, now)) {
                finished++;
            }
        }
        return finished;
    }

    private boolean finish(LocalParticipant participant, PendingHold hold, Instant now) {
        String key = BranchBarrier.key(hold.xid(), hold.branchId());
        Decision decision;
        boolean alone = false;
        try {
            decision = coordinator.decideCancelUnlessConfirmed(hold.xid(), hold.branchId());
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
