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
 * The payee's side, on bank B, written as issue 10 tells it: the class says
 * {@code @Transactional("bankBTx")} and the {@code @Try} names no transaction manager. The try
 * records a PENDING credit; confirm adds the money to the balance, cancel drops the credit. Each
 * phase body counts its runs on the hold row: a confirm that committed twice shows as 2 (and as
 * money created).
 */
@Service
@Transactional("bankBTx")
public class CreditService {

    private final JdbcClient jdbc;

    CreditService(@Qualifier("bankB") DataSource bankB) {
        this.jdbc = JdbcClient.create(bankB);
    }

    @Try(hold = "${bank.hold:20s}") // no transactionManager attribute: the class already says bankBTx
    public void credit(String transfer, String account, long amount) {
        jdbc.sql("INSERT INTO credit_hold (transfer, xid, account, amount, state, confirms, cancels)"
                        + " VALUES (?, ?, ?, ?, 'PENDING', 0, 0)")
                .params(transfer, TccContextHolder.currentXid().orElseThrow(), account, amount).update();
    }

    @Confirm("credit")
    public void applyCredit(String transfer, String account, long amount, TccContext context) {
        jdbc.sql("UPDATE account SET balance = balance + ? WHERE id = ?").params(amount, account).update();
        jdbc.sql("UPDATE credit_hold SET state = 'CONFIRMED', confirms = confirms + 1 WHERE transfer = ?")
                .param(transfer).update();
    }

    @Cancel("credit")
    public void dropCredit(String transfer, String account, long amount, TccContext context) {
        jdbc.sql("UPDATE credit_hold SET state = 'CANCELLED', cancels = cancels + 1 WHERE transfer = ?")
                .param(transfer).update();
    }
}
