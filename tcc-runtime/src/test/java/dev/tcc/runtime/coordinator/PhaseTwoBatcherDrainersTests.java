package dev.tcc.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.support.Ticker;
import dev.tcc.runtime.testing.InterceptingDataSource;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.Decision;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How many drainers run: one whenever something waits, another only once a whole batch waits, so that
 * what arrives while the running ones keep up forms larger batches instead of more, smaller ones.
 */
class PhaseTwoBatcherDrainersTests {

    private static final int BATCH_SIZE = 4;

    private HikariDataSource log;
    private InterceptingDataSource logStatements;
    private BatchedPhaseTwo batch;
    private PhaseTwoBatcher batcher;
    /** Drainer tasks the batcher started: held here, so each one stays active until the test runs it. */
    private final ConcurrentLinkedQueue<Runnable> startedDrainers = new ConcurrentLinkedQueue<>();
    private int submitted;

    @BeforeEach
    void setUp() throws Exception {
        log = TestDatabases.h2("drainers");
        try (Connection c = log.getConnection()) {
            SchemaInitializer.createTables(c);
        }
        logStatements = new InterceptingDataSource(log);
        TransactionLog transactionLog = new TransactionLog(new JdbcLocalTransactionRunner("log", logStatements.dataSource()),
                SqlDialect.H2);
        TccSettings settings = TccSettings.defaults();
        PhaseTwo phaseTwo = new PhaseTwo(transactionLog, new ParticipantRegistry(), new PhaseTwoCalls(settings, new Random(1)),
                settings, Clock.systemUTC(), new Random(1), new Events());
        batch = new BatchedPhaseTwo(phaseTwo, transactionLog, new ParticipantRegistry(),
                new PhaseTwoCalls(settings, new Random(1)), settings, Clock.systemUTC(), Ticker.SYSTEM, new Events());
        batcher = batcher(3);
    }

    private PhaseTwoBatcher batcher(int drainers) {
        return new PhaseTwoBatcher(batch, startedDrainers::add, drainers, BATCH_SIZE, Duration.ZERO, 10_000, new LeftToRecovery());
    }

    @AfterEach
    void tearDown() {
        batcher.close();
        log.close();
    }

    @Test
    void aFurtherDrainerStartsOnlyOnceAWholeBatchWaits() {
        submit(1);
        assertThat(startedDrainers).as("something waits and no drainer runs").hasSize(1);

        submit(BATCH_SIZE - 2);
        assertThat(batcher.queued()).isEqualTo(BATCH_SIZE - 1);
        assertThat(startedDrainers).as("less than a batch waits: it forms the running drainer's next batch").hasSize(1);

        submit(1);
        assertThat(startedDrainers).as("a whole batch waits: the running drainer does not keep up").hasSize(2);

        submit(BATCH_SIZE);
        assertThat(startedDrainers).hasSize(3);
        submit(BATCH_SIZE);
        assertThat(startedDrainers).as("never more than tcc.phase-two.drainers").hasSize(3);
    }

    @Test
    void aDrainerBeyondTheFirstStopsOnceLessThanABatchWaits() {
        batcher.close();
        batcher = batcher(2);
        submit(BATCH_SIZE);
        assertThat(startedDrainers).hasSize(2);
        Runnable first = startedDrainers.poll();
        Runnable second = startedDrainers.poll();
        submit(BATCH_SIZE - 1);
        AtomicInteger queuedAfterFirst = new AtomicInteger(-1);
        // while the first drainer drives its batch (at its final log write), the second one runs
        logStatements.beforeStatement(sql -> sql.contains("tcc_transaction"), () -> {
            second.run();
            queuedAfterFirst.set(batcher.queued());
        });

        first.run();

        assertThat(queuedAfterFirst).as("the second drainer found less than a batch waiting while the first ran,"
                + " and left it to the first").hasValue(BATCH_SIZE - 1);
        assertThat(batcher.queued()).as("the last drainer running takes what waits, however little").isZero();
    }

    /**
     * A drainer started but not yet running (its task waits for a thread of an executor busy with other rounds)
     * does not keep up with anything: the drainer that runs takes what waits instead of leaving it on the queue,
     * with no drainer running, until the executor gets to the other one.
     */
    @Test
    void aRunningDrainerNeverLeavesWhatWaitsToADrainerNotYetRunning() {
        batcher.close();
        batcher = batcher(2);
        submit(BATCH_SIZE + 1);
        assertThat(startedDrainers).hasSize(2);
        Runnable notYetRunning = startedDrainers.poll();
        Runnable running = startedDrainers.poll();

        running.run();
        assertThat(batcher.queued()).as("the only drainer running took a batch, then what was left").isZero();

        notYetRunning.run();
        assertThat(batcher.queued()).isZero();
    }

    private void submit(int count) {
        for (int i = 0; i < count; i++) {
            batcher.submit(new BatchedPhaseTwo.Decided("x-" + submitted++, "book", Decision.CONFIRM, List.of(), Instant.now(),
                    new dev.tcc.runtime.log.Lease("test", Instant.now()), 0L));
        }
    }
}
