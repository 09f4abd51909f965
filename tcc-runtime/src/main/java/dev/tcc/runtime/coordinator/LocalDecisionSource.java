package dev.tcc.runtime.coordinator;

import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.log.Decisions;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The coordinator answering participants of the same process, straight from its log. */
public final class LocalDecisionSource implements DecisionSource {

    private static final Logger log = LoggerFactory.getLogger(LocalDecisionSource.class);

    private final TransactionLog transactionLog;
    private final Clock clock;

    public LocalDecisionSource(TransactionLog transactionLog, Clock clock) {
        this.transactionLog = transactionLog;
        this.clock = clock;
    }

    @Override
    public Decision read(String xid) {
        return transactionLog.decisions().read(xid);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A branch missing from a confirm decision is logged at WARN for the operator: its try ran but the
     * initiator never registered it, so its hold is released while the listed branches stay confirmed.
     * A failure to connect to the log's database (see {@link Jdbc#isConnectionFailure}) is
     * reported as {@link CoordinatorUnreachableException}; every other failure (a lock timeout, a
     * serialization failure, a busy pool) as it is, so hold expiry asks again.
     */
    @Override
    public Decision decideCancelUnlessConfirmed(String xid, int branchId) throws CoordinatorUnreachableException {
        Decisions.Answer answer;
        try {
            answer = transactionLog.decisions().decideCancelUnlessConfirmed(xid, branchId, clock.instant(),
                    "cancelled when a participant's hold or the transaction's timeout ran out undecided");
        } catch (RuntimeException e) {
            if (Jdbc.isConnectionFailure(e)) {
                throw new CoordinatorUnreachableException("The coordinator's transaction log cannot be reached: " + e.getMessage(), e);
            }
            throw e;
        }
        if (answer.unlisted()) {
            log.warn("TCC [{}] branch {} is not in the confirm decision's branch list (its try ran but the initiator never"
                    + " registered it, e.g. a lost answer): answered cancel, so its hold is released; the listed branches"
                    + " stay confirmed", xid, branchId);
        }
        return answer.decision();
    }
}
