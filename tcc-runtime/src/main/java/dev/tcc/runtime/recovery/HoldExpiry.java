package dev.tcc.runtime.recovery;

import dev.tcc.runtime.TccSettings;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.barrier.PendingHold;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Participant-side recovery: finishes barrier rows still {@code TRIED} once their transaction
 * can no longer be decided confirm: past the transaction's timeout, or past the hold deadline
 * plus the grace. For each it asks the coordinator, and the question decides: a confirm
 * decision is honoured (the participant confirms), otherwise the coordinator records a cancel
 * before answering and the participant cancels. Only when the coordinator cannot be reached at
 * all does a participant expire a hold on its own (and only past the hold deadline); that is
 * the one way a transaction can end {@code HEURISTIC}.
 */
public final class HoldExpiry {

    private static final Logger log = LoggerFactory.getLogger(HoldExpiry.class);

    private final Function<String, Collection<LocalParticipant>> participantsOfDatabase;
    private final Collection<ParticipantDatabase> databases;
    private final DecisionSource coordinator;
    private final TccSettings settings;
    private final Clock clock;

    public HoldExpiry(Collection<ParticipantDatabase> databases, Function<String, Collection<LocalParticipant>> participantsOfDatabase,
                      DecisionSource coordinator, TccSettings settings, Clock clock) {
        this.databases = databases;
        this.participantsOfDatabase = participantsOfDatabase;
        this.coordinator = coordinator;
        this.settings = settings;
        this.clock = clock;
    }

    /** One pass over every participant database; returns how many branches it finished. */
    public int runOnce() {
        int finished = 0;
        for (ParticipantDatabase database : List.copyOf(databases)) {
            finished += runOnce(database);
        }
        return finished;
    }

    private int runOnce(ParticipantDatabase database) {
        Instant now = clock.instant();
        List<PendingHold> due;
        try {
            due = database.runner().inNewTransaction(c ->
                    database.barrier().due(c, now.minus(settings.holdExpiryGrace()), settings.recoveryBatchSize()));
        } catch (Exception e) {
            log.warn("TCC hold expiry could not read the barrier of '{}': {}", database.runner().name(), e.toString());
            return 0;
        }
        Map<String, LocalParticipant> byAction = new java.util.HashMap<>();
        for (LocalParticipant p : participantsOfDatabase.apply(database.runner().name())) {
            byAction.put(p.action().name(), p);
        }
        int finished = 0;
        for (PendingHold hold : due) {
            LocalParticipant participant = byAction.get(hold.action());
            if (participant == null) {
                log.warn("TCC [{}] branch {} holds action '{}' which this instance does not know; left for an instance that does",
                        hold.xid(), hold.branchId(), hold.action());
                continue;
            }
            if (finish(participant, hold, now)) {
                finished++;
            }
        }
        return finished;
    }

    private boolean finish(LocalParticipant participant, PendingHold hold, Instant now) {
        Decision decision;
        try {
            decision = coordinator.decideCancelUnlessConfirmed(hold.xid());
        } catch (Exception unreachable) {
            if (!hold.holdExpired(now.minus(settings.holdExpiryGrace()))) {
                return false; // only the timeout passed: wait for the coordinator
            }
            log.error("TCC [{}] coordinator unreachable ({}); expiring hold of branch {} ('{}') on its own: if the transaction"
                    + " was decided confirm it will end HEURISTIC", hold.xid(), unreachable.toString(), hold.branchId(), hold.action());
            decision = Decision.CANCEL;
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
            return true;
        } catch (Exception e) {
            log.warn("TCC [{}] could not {} branch {} ('{}') at expiry; next pass retries: {}", hold.xid(),
                    decision == Decision.CONFIRM ? "confirm" : "cancel", hold.branchId(), hold.action(), e.toString());
            return false;
        }
    }
}
