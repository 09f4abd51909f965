package dev.tcc.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The check the crash harness runs on what a crash left: each barrier row of a bank agrees with its
 * hold. Proven here on states written by hand: whole local transactions pass, a torn one is named.
 */
class BankInvariantsTests {

    private final List<HikariDataSource> banks = new ArrayList<>();

    @BeforeEach
    void banks() throws Exception {
        for (int i = 0; i < Bank.BANKS.size(); i++) {
            HikariDataSource bank = CrashChild.pool("jdbc:h2:mem:invariants-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            banks.add(bank);
            Bank.createTables(bank, i);
            try (Connection c = bank.getConnection()) {
                SchemaInitializer.createTables(c);
            }
        }
    }

    @AfterEach
    void close() {
        banks.forEach(HikariDataSource::close);
    }

    @Test
    void wholeLocalTransactionsAgree() throws Exception {
        write(0, "barrier('x1', 1, 'debit-bank-a', 'TRIED')", "hold('x1', 'debit-bank-a', 'PENDING')");
        write(1, "barrier('x1', 2, 'credit-bank-b', 'CONFIRMED')", "hold('x1', 'credit-bank-b', 'CONFIRMED')");
        write(2, "barrier('x2', 2, 'credit-bank-c', 'CANCELLED')"); // an empty cancel: the try never ran, no hold

        assertThat(BankInvariants.localTransactionsWhole(banks)).isEmpty();
    }

    @Test
    void aConfirmThatCommittedWithoutItsBarrierMoveIsNamed() throws Exception {
        // the reported state: the credit's confirm body settled the hold, its barrier row stayed TRIED
        write(1, "barrier('x1', 2, 'credit-bank-b', 'TRIED')", "hold('x1', 'credit-bank-b', 'CONFIRMED')");
        write(2, "hold('x3', 'credit-bank-c', 'PENDING')"); // a try's hold without its barrier row

        assertThat(BankInvariants.localTransactionsWhole(banks)).containsExactlyInAnyOrder(
                "bank-b [x1] 'credit-bank-b': barrier row TRIED, hold CONFIRMED",
                "bank-c [x3] 'credit-bank-c': barrier row null, hold PENDING");
    }

    private void write(int bank, String... rows) throws Exception {
        try (Connection c = banks.get(bank).getConnection(); Statement st = c.createStatement()) {
            for (String row : rows) {
                String values = row.substring(row.indexOf('(') + 1, row.length() - 1);
                if (row.startsWith("barrier")) {
                    st.execute("INSERT INTO tcc_barrier (xid, branch_id, action, state, hold_deadline, timeout_at, created_at,"
                            + " updated_at) VALUES (" + values + ", CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                            + " CURRENT_TIMESTAMP)");
                } else {
                    String[] parts = values.split(", ");
                    st.execute("INSERT INTO hold_row (xid, action, account, amount, state) VALUES (" + parts[0] + ", " + parts[1]
                            + ", 'acc-1', 10, " + parts[2] + ")");
                }
            }
        }
    }
}
