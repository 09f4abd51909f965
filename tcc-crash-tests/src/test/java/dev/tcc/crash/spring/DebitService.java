package dev.tcc.crash.spring;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.Try;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The payer's side, on bank A (the primary transaction manager): the try takes the money off
 * the balance into a PENDING hold; confirm keeps it, cancel gives it back. Each phase body counts
 * its runs on the hold row, so a body that committed twice shows as 2.
 */
@Service
@Transactional
public class DebitService {

    private final JdbcClient jdbc;

    DebitService(@Qualifier("bankA") DataSource bankA) {
        this.jdbc = JdbcClient.create(bankA);
    }

    @Try(hold = "${bank.hold:20s}")
    public void debit(String transfer, String account, long amount) {
        int debited = jdbc.sql("UPDATE account SET balance = balance - ? WHERE id = ? AND balance >= ?")
                .params(amount, account, amount).update();
        if (debited != 1) {
            throw new InsufficientFundsException(account, amount);
        }
        jdbc.sql("INSERT INTO debit_hold (transfer, xid, account, amount, state, confirms, cancels)"
                        + " VALUES (?, ?, ?, ?, 'PENDING', 0, 0)")
                .params(transfer, TccContextHolder.currentXid().orElseThrow(), account, amount).update();
    }

    @Confirm("debit")
    public void keepDebit(String transfer, String account, long amount, TccContext context) {
        jdbc.sql("UPDATE debit_hold SET state = 'CONFIRMED', confirms = confirms + 1 WHERE transfer = ?")
                .param(transfer).update();
    }

    @Cancel("debit")
    public void refundDebit(String transfer, String account, long amount, TccContext context) {
        jdbc.sql("UPDATE account SET balance = balance + ? WHERE id = ?").params(amount, account).update();
        jdbc.sql("UPDATE debit_hold SET state = 'CANCELLED', cancels = cancels + 1 WHERE transfer = ?")
                .param(transfer).update();
    }

    /** The payer's balance is lower than the amount: nothing is held. */
    public static class InsufficientFundsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InsufficientFundsException(String account, long amount) {
            super("Account '" + account + "' cannot pay [" + amount + "]");
        }
    }
}
