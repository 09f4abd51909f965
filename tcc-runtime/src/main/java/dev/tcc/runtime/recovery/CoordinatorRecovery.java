package dev.tcc.runtime.recovery;

import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.coordinator.PhaseTwo;
import dev.tcc.runtime.log.Lease;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.model.TccSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Coordinator-side recovery: re-drives transactions left in {@code CONFIRMING} or
 * {@code CANCELLING} (after a crash, or rescheduled after a failed round) once they are due
 * and their lease has ended. Several instances may run it on one database: a transaction is
 * claimed with a conditional update of its lease, so exactly one instance drives it at a time.
 */
public final class CoordinatorRecovery implements RunnablePass {

    private final TransactionLog transactionLog;
    private final PhaseTwo phaseTwo;
    private final TccSettings settings;
    private final Clock clock;
    private final String instanceId;

    public CoordinatorRecovery(TransactionLog transactionLog, PhaseTwo phaseTwo, TccSettings settings, Clock clock,
                               String instanceId) {
        this.transactionLog = transactionLog;
        this.phaseTwo = phaseTwo;
        this.settings = settings;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    /** One pass; returns how many transactions this instance drove. */
    @Override
    public int runOnce() {
        Instant now = clock.instant();
        int driven = 0;
        for (String xid : transactionLog.recovery().due(now, settings.recovery().batchSize())) {
            Lease lease = new Lease(instanceId, now.plus(settings.recovery().lease()));
            if (transactionLog.recovery().claim(xid, lease, now)) {
                phaseTwo.driveRecorded(xid, lease);
                driven++;
            }
        }
        return driven;
    }

    /**
     * Claims a transaction whose lease ended (or that has none) and drives one round of it, as the
     * log records it. Empty when another driver holds it or it is not in phase two.
     */
    public Optional<TransactionState> claimAndDrive(String xid) {
        Instant now = clock.instant();
        Lease lease = new Lease(instanceId, now.plus(settings.recovery().lease()));
        if (!transactionLog.recovery().claim(xid, lease, now)) {
            return Optional.empty();
        }
        return Optional.ofNullable(phaseTwo.driveRecorded(xid, lease));
    }
}
