package dev.tcc.crash.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The business tables of the two banks, created by the parent before the first start, and the
 * questions both the child and the parent ask of them. Bank A: payers' accounts and
 * {@code debit_hold}; bank B: payees' accounts and {@code credit_hold}. The TCC tables come from
 * the starter ({@code tcc.jdbc.initialize-schema=always}).
 */
final class BankSchema {

    static final int ACCOUNTS_PER_BANK = 4;
    static final long INITIAL_BALANCE = 1_000_000;
    static final long TOTAL = 2 * ACCOUNTS_PER_BANK * INITIAL_BALANCE;

    private BankSchema() {
    }

    static String payer(int i) {
        return "a-" + i;
    }

    static String payee(int i) {
        return "b-" + i;
    }

    static void createBankA(DataSource bankA) {
        create(JdbcClient.create(bankA), "debit_hold", "a-");
    }

    static void createBankB(DataSource bankB) {
        create(JdbcClient.create(bankB), "credit_hold", "b-");
    }

    private static void create(JdbcClient jdbc, String holdTable, String accountPrefix) {
        jdbc.sql("CREATE TABLE account (id VARCHAR(16) PRIMARY KEY, balance BIGINT NOT NULL)").update();
        // confirms and cancels: how many times a phase body committed for this transfer (at most one of them, once)
        jdbc.sql("CREATE TABLE " + holdTable + " (transfer VARCHAR(64) PRIMARY KEY, xid VARCHAR(64) NOT NULL,"
                + " account VARCHAR(16) NOT NULL, amount BIGINT NOT NULL, state VARCHAR(16) NOT NULL,"
                + " confirms INTEGER NOT NULL, cancels INTEGER NOT NULL)").update();
        for (int i = 0; i < ACCOUNTS_PER_BANK; i++) {
            jdbc.sql("INSERT INTO account (id, balance) VALUES (?, ?)").params(accountPrefix + i, INITIAL_BALANCE).update();
        }
    }

    /** What recovery still has to finish, or empty when nothing: transactions in flight, barrier rows TRIED, holds PENDING. */
    static Optional<String> leftover(DataSource bankA, DataSource bankB) {
        JdbcClient a = JdbcClient.create(bankA);
        JdbcClient b = JdbcClient.create(bankB);
        List<String> open = new ArrayList<>();
        add(open, "transactions in flight", count(a, "SELECT COUNT(*) FROM tcc_transaction"
                + " WHERE state IN ('TRYING', 'CONFIRMING', 'CANCELLING')"));
        add(open, "barrier rows TRIED on bank A", count(a, "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'"));
        if (hasBarrierTable(bankB)) {
            add(open, "barrier rows TRIED on bank B", count(b, "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'"));
        }
        add(open, "debits PENDING", count(a, "SELECT COUNT(*) FROM debit_hold WHERE state = 'PENDING'"));
        add(open, "credits PENDING", count(b, "SELECT COUNT(*) FROM credit_hold WHERE state = 'PENDING'"));
        return open.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", open));
    }

    /** Whether the starter created its tables on {@code dataSource} (it does so on each participant database it uses). */
    static boolean hasBarrierTable(DataSource dataSource) {
        try {
            count(JdbcClient.create(dataSource), "SELECT COUNT(*) FROM tcc_barrier");
            return true;
        } catch (org.springframework.dao.DataAccessException e) {
            return false;
        }
    }

    static long count(JdbcClient jdbc, String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    private static void add(List<String> open, String what, long count) {
        if (count > 0) {
            open.add(what + "=" + count);
        }
    }
}
