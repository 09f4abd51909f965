package dev.tcc.spring.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.TransactionState;
import dev.tcc.runtime.testing.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * A transfer between two banks on two small Hikari pools, written the way Spring users write
 * services: bank A is the primary DataSource (and holds the transaction log), bank B has its own
 * manager 'bankBTx'. Both participants are class-level {@code @Transactional}; the credit names
 * 'bankBTx' only there, not in {@code @Try}. Subclasses choose the database product.
 */
@SpringBootTest(classes = AbstractTwoBankTransactionTests.BankApplication.class, properties = {
        "tcc.phase-two.asynchronous=false", "tcc.recovery.enabled=false", "tcc.jdbc.initialize-schema=always",
        "spring.main.banner-mode=off"})
abstract class AbstractTwoBankTransactionTests {

    /** Connections per bank: fewer than the concurrent transfers, as in a busy application. */
    static final int POOL_SIZE = 2;

    static final int CONCURRENT_TRANSFERS = 30;

    @Autowired
    TransferService transfers;

    @Autowired
    TransferDesk desk;

    @Autowired
    TccRuntime runtime;

    @Autowired
    @Qualifier("bankA")
    DataSource bankA;

    @Autowired
    @Qualifier("bankB")
    DataSource bankB;

    @Test
    void theCreditsBarrierRowLandsInBankBWhoseManagerOnlyTheClassLevelTransactionalNames() {
        String transfer = newTransfer();

        String xid = transfers.transfer(transfer, 40);

        assertThat(barrierActions(bankB, xid)).containsExactly("credit");
        assertThat(barrierActions(bankA, xid)).containsExactly("debit");
        assertThat(state(bankB, "pending_credit", transfer)).isEqualTo("APPLIED");
        assertThat(state(bankA, "pending_debit", transfer)).isEqualTo("APPLIED");
    }

    @Test
    void whenTheCreditFailsItsBusinessRowAndItsBarrierRowRollBackTogetherInBankB() {
        String transfer = newTransfer();

        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> transfers.transfer(transfer, -1));

        assertThat(JdbcClient.create(bankB).sql("SELECT COUNT(*) FROM pending_credit WHERE transfer = ?").param(transfer)
                .query(Long.class).single()).isZero();
        assertThat(JdbcClient.create(bankB).sql("SELECT COUNT(*) FROM tcc_barrier WHERE action = 'credit' AND state = 'TRIED'")
                .query(Long.class).single()).isZero();
        assertThat(state(bankA, "pending_debit", transfer)).isEqualTo("DROPPED");
    }

    @Test
    void manyConcurrentTransfersShareTwoConnectionsPerBankBecauseEachTryOpensOneTransaction() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CONCURRENT_TRANSFERS; i++) {
            ids.add(newTransfer());
        }
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT_TRANSFERS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (String id : ids) {
                results.add(clients.submit(() -> {
                    start.await();
                    return transfers.transfer(id, 5);
                }));
            }
            start.countDown();
            List<Throwable> failures = new ArrayList<>();
            for (Future<String> result : results) {
                try {
                    result.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            assertThat(failures).as("transfers that failed").isEmpty();
        } finally {
            clients.shutdownNow();
        }
        for (String id : ids) {
            assertThat(state(bankA, "pending_debit", id)).isEqualTo("APPLIED");
            assertThat(state(bankB, "pending_credit", id)).isEqualTo("APPLIED");
        }
    }

    @Test
    void whenTheInitiatorsOwnTransactionFailsToCommitTheBranchesAreCancelled() {
        String transfer = newTransfer();

        assertThatExceptionOfType(DailyLimitExceeded.class).isThrownBy(() -> desk.recordAndTransfer(transfer, DailyLimit.LIMIT + 1));

        assertThat(state(bankA, "pending_debit", transfer)).isEqualTo("DROPPED");
        assertThat(state(bankB, "pending_credit", transfer)).isEqualTo("DROPPED");
        assertThat(JdbcClient.create(bankA).sql("SELECT COUNT(*) FROM transfer_record WHERE transfer = ?").param(transfer)
                .query(Long.class).single()).isZero();
        assertThat(runtime.find(desk.lastXid())).hasValueSatisfying(tx -> assertThat(tx.state()).isEqualTo(TransactionState.CANCELLED));
    }

    @Test
    void whenTheInitiatorsOwnTransactionCommitsTheBranchesAreConfirmedAfterIt() {
        String transfer = newTransfer();

        desk.recordAndTransfer(transfer, DailyLimit.LIMIT);

        assertThat(JdbcClient.create(bankA).sql("SELECT COUNT(*) FROM transfer_record WHERE transfer = ?").param(transfer)
                .query(Long.class).single()).isOne();
        assertThat(state(bankA, "pending_debit", transfer)).isEqualTo("APPLIED");
        assertThat(state(bankB, "pending_credit", transfer)).isEqualTo("APPLIED");
    }

    private static String newTransfer() {
        return "T-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String state(DataSource bank, String table, String transfer) {
        return JdbcClient.create(bank).sql("SELECT state FROM " + table + " WHERE transfer = ?").param(transfer)
                .query(String.class).single();
    }

    private static List<String> barrierActions(DataSource bank, String xid) {
        return JdbcClient.create(bank).sql("SELECT action FROM tcc_barrier WHERE xid = ? ORDER BY branch_id").param(xid)
                .query(String.class).list();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({DebitService.class, CreditService.class, TransferService.class, TransferDesk.class, DailyLimit.class})
    static class BankApplication {

        /** {@code test.database} is {@code h2} or {@code postgresql}. */
        private static TestDatabases.Kind kind(Environment environment) {
            return TestDatabases.Kind.valueOf(environment.getRequiredProperty("test.database").toUpperCase(Locale.ROOT));
        }

        private static HikariDataSource smallPool(HikariDataSource pool) {
            pool.setMaximumPoolSize(POOL_SIZE);
            pool.setConnectionTimeout(3_000);
            return pool;
        }

        @Bean
        @Primary
        DataSource bankA(Environment environment) {
            HikariDataSource bank = smallPool(TestDatabases.create(kind(environment), "bank_a"));
            JdbcClient jdbc = JdbcClient.create(bank);
            jdbc.sql("CREATE TABLE pending_debit (transfer VARCHAR(64) PRIMARY KEY, amount BIGINT, state VARCHAR(16))").update();
            jdbc.sql("CREATE TABLE transfer_record (transfer VARCHAR(64) PRIMARY KEY, amount BIGINT)").update();
            return bank;
        }

        @Bean
        DataSource bankB(Environment environment) {
            HikariDataSource bank = smallPool(TestDatabases.create(kind(environment), "bank_b"));
            JdbcClient.create(bank).sql("CREATE TABLE pending_credit (transfer VARCHAR(64) PRIMARY KEY, amount BIGINT,"
                    + " state VARCHAR(16))").update();
            return bank;
        }

        @Bean
        @Primary
        JdbcTransactionManager transactionManager(@Qualifier("bankA") DataSource bankA) {
            return new JdbcTransactionManager(bankA);
        }

        @Bean
        JdbcTransactionManager bankBTx(@Qualifier("bankB") DataSource bankB) {
            return new JdbcTransactionManager(bankB);
        }
    }

    /** Bank A's side, on the primary manager. */
    @Transactional
    static class DebitService {
        private final JdbcClient jdbc;

        DebitService(@Qualifier("bankA") DataSource bankA) {
            this.jdbc = JdbcClient.create(bankA);
        }

        @Try(hold = "20s")
        public void debit(String transfer, long amount) {
            jdbc.sql("INSERT INTO pending_debit (transfer, amount, state) VALUES (?, ?, 'PENDING')").params(transfer, amount).update();
        }

        @Confirm("debit")
        public void applyDebit(String transfer, long amount) {
            jdbc.sql("UPDATE pending_debit SET state = 'APPLIED' WHERE transfer = ?").param(transfer).update();
        }

        @Cancel("debit")
        public void dropDebit(String transfer, long amount) {
            jdbc.sql("UPDATE pending_debit SET state = 'DROPPED' WHERE transfer = ?").param(transfer).update();
        }
    }

    /** Bank B's side: the class says 'bankBTx', the try does not repeat it. */
    @Transactional("bankBTx")
    static class CreditService {
        private final JdbcClient jdbc;

        CreditService(@Qualifier("bankB") DataSource bankB) {
            this.jdbc = JdbcClient.create(bankB);
        }

        @Try(hold = "20s")
        public void credit(String transfer, long amount) {
            jdbc.sql("INSERT INTO pending_credit (transfer, amount, state) VALUES (?, ?, 'PENDING')").params(transfer, amount).update();
            if (amount < 0) {
                throw new IllegalArgumentException("A credit of [" + amount + "] is not allowed");
            }
        }

        @Confirm("credit")
        public void applyCredit(String transfer, long amount) {
            jdbc.sql("UPDATE pending_credit SET state = 'APPLIED' WHERE transfer = ?").param(transfer).update();
        }

        @Cancel("credit")
        public void dropCredit(String transfer, long amount) {
            jdbc.sql("UPDATE pending_credit SET state = 'DROPPED' WHERE transfer = ?").param(transfer).update();
        }
    }

    static class TransferService {
        private final DebitService debits;
        private final CreditService credits;

        TransferService(DebitService debits, CreditService credits) {
            this.debits = debits;
            this.credits = credits;
        }

        @TccTransactional(timeout = "15s")
        public String transfer(String transfer, long amount) {
            debits.debit(transfer, amount);
            credits.credit(transfer, amount);
            return TccContextHolder.currentXid().orElseThrow();
        }
    }

    /** An initiator with a local transaction of its own, checked by a listener before it commits. */
    static class TransferDesk {
        private final JdbcClient jdbc;
        private final TransferService transfers;
        private final ApplicationEventPublisher events;
        private volatile String lastXid;

        TransferDesk(@Qualifier("bankA") DataSource bankA, TransferService transfers, ApplicationEventPublisher events) {
            this.jdbc = JdbcClient.create(bankA);
            this.transfers = transfers;
            this.events = events;
        }

        @TccTransactional
        @Transactional
        public void recordAndTransfer(String transfer, long amount) {
            lastXid = TccContextHolder.currentXid().orElseThrow();
            jdbc.sql("INSERT INTO transfer_record (transfer, amount) VALUES (?, ?)").params(transfer, amount).update();
            events.publishEvent(new TransferRecorded(transfer, amount));
            transfers.transfer(transfer, amount);
        }

        /** Books the transfer against an account that the database checks only at commit (a deferred constraint). */
        @TccTransactional
        @Transactional
        public void bookAgainstAccount(String transfer, String account, long amount) {
            lastXid = TccContextHolder.currentXid().orElseThrow();
            jdbc.sql("INSERT INTO account_booking (transfer, account) VALUES (?, ?)").params(transfer, account).update();
            transfers.transfer(transfer, amount);
        }

        String lastXid() {
            return lastXid;
        }
    }

    record TransferRecorded(String transfer, long amount) {
    }

    /** Refuses, as the local transaction commits, a transfer above the daily limit. */
    static class DailyLimit {
        static final long LIMIT = 1_000;

        @TransactionalEventListener(phase = TransactionPhase.BEFORE_COMMIT)
        void check(TransferRecorded recorded) {
            if (recorded.amount() > LIMIT) {
                throw new DailyLimitExceeded(recorded);
            }
        }
    }

    static class DailyLimitExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DailyLimitExceeded(TransferRecorded recorded) {
            super("Transfer '" + recorded.transfer() + "' of [" + recorded.amount() + "] exceeds the daily limit [" + DailyLimit.LIMIT + "]");
        }
    }
}
