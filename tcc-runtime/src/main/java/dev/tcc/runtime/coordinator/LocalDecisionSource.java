package dev.tcc.runtime.coordinator;

import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.time.Clock;

/** The coordinator answering participants of the same process, straight from its log. */
public final class LocalDecisionSource implements DecisionSource {

    private final TransactionLog transactionLog;
    private final Clock clock;

    public LocalDecisionSource(TransactionLog transactionLog, Clock clock) {
        this.transactionLog = transactionLog;
        this.clock = clock;
    }

    @Override
    public Decision read(String xid) {
        return transactionLog.readDecision(xid);
    }

    @Override
    public Decision decideCancelUnlessConfirmed(String xid) {
        return transactionLog.decideCancelUnlessConfirmed(xid, clock.instant(),
                "cancelled when a participant's hold or the transaction's timeout ran out undecided");
    }
}
