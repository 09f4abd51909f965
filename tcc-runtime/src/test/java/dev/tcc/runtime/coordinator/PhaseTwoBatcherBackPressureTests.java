package dev.tcc.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccSettings;
import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.Decision;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure of asynchronous phase two: once the queue is full, a caller waits for the
 * drainer to take a batch instead of running phase two itself, and goes on as soon as it has.
 */
class PhaseTwoBatcherBackPressureTests {

    private HikariDataSource log;
    private PhaseTwoBatcher batcher;
    /** Drainer tasks the batcher started: held back here until the test runs them. */
    private final ConcurrentLinkedQueue<Runnable> heldDrainers = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        log = TestDatabases.h2("backpressure");
        try (Connection c = log.getConnection()) {
            SchemaInitializer.createTables(c);
        }
        TransactionLog transactionLog = new TransactionLog(new JdbcLocalTransactionRunner("log", log), SqlDialect.H2);
        TccSettings settings = TccSettings.defaults();
        PhaseTwo phaseTwo = new PhaseTwo(transactionLog, new ParticipantRegistry(), new PhaseTwoCalls(settings, new Random(1)),
                settings, Clock.systemUTC(), new Random(1), new Events());
        batcher = new PhaseTwoBatcher(phaseTwo, heldDrainers::add, 1, 16, Duration.ZERO, 3, new LeftToRecovery());
    }

    @AfterEach
    void tearDown() {
        batcher.close();
        log.close();
    }

    @Test
    void aCallerWaitsForRoomInsteadOfRunningPhaseTwoItselfAndGoesOnOnceTheDrainerTookABatch() throws Exception {
        for (int i = 0; i < 3; i++) {
            batcher.submit(decided("full-" + i));
        }
        assertThat(batcher.queued()).isEqualTo(3);

        AtomicBoolean submitted = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            batcher.submit(decided("waiting"));
            submitted.set(true);
        });
        caller.start();
        await(() -> caller.getState() == Thread.State.TIMED_WAITING);
        assertThat(submitted).isFalse();
        assertThat(batcher.queued()).as("the waiting caller neither queued nor drove its transaction").isEqualTo(3);

        heldDrainers.poll().run(); // the drainer takes the three waiting transactions as one batch

        caller.join(5_000);
        assertThat(submitted).isTrue();
        assertThat(batcher.queued()).isLessThanOrEqualTo(1); // the drainer may have taken it in the same run
    }

    private static PhaseTwo.Decided decided(String xid) {
        return new PhaseTwo.Decided(xid, "book", Decision.CONFIRM, List.of(), Instant.now(),
                new dev.tcc.runtime.log.Lease("test", Instant.now()));
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in 5 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
