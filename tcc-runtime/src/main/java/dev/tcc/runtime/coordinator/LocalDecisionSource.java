package dev.tcc.runtime.coordinator;

import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.spi.CoordinatorUnreachableException;
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
        return transactionLog.decisions().read(xid);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A failure to connect to the log's database (see {@link Jdbc#isConnectionFailure}) is
     * reported as {@link CoordinatorUnreachableException}; every other failure (a lock timeout, a
     * serialization failure, a busy pool) as it is, so hold expiry asks again.
     */
    @Override
    public Decision decideCancelUnlessConfirmed(String xid) throws CoordinatorUnreachableException {
        try {
            return transactionLog.decisions().decideCancelUnlessConfirmed(xid, clock.instant(),
                    "cancelled when a participant's hold or the transaction's timeout ran out undecided");
        } catch (RuntimeException e) {
            if (Jdbc.isConnectionFailure(e)) {
                throw new CoordinatorUnreachableException("The coordinator's transaction log cannot be reached: " + e.getMessage(), e);
            }
            throw e;
        }
    }
}
