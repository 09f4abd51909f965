package dev.tcc.crash.spring;

import dev.tcc.api.TccTransactional;
import org.springframework.stereotype.Service;

/** The initiator: debit on bank A, credit on bank B, one global transaction. */
@Service
public class TransferService {

    private final DebitService debits;
    private final CreditService credits;

    TransferService(DebitService debits, CreditService credits) {
        this.debits = debits;
        this.credits = credits;
    }

    /** Moves {@code transfer.amount()}; when {@code transfer.abort()} the initiator throws after both tries and all is cancelled. */
    @TccTransactional
    public void transfer(Transfer transfer) {
        debits.debit(transfer.id(), transfer.from(), transfer.amount());
        credits.credit(transfer.id(), transfer.to(), transfer.amount());
        if (transfer.abort()) {
            throw new TransferAbortedException(transfer.id());
        }
    }

    /** One transfer from an account of bank A to an account of bank B. */
    public record Transfer(String id, String from, String to, long amount, boolean abort) {
    }

    /** The initiator changed its mind after both tries. */
    public static class TransferAbortedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TransferAbortedException(String transfer) {
            super("Transfer '" + transfer + "' aborted by the workload");
        }
    }
}
