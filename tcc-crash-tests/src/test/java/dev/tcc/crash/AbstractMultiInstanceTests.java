package dev.tcc.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two runtime instances ({@code instance-a}, {@code instance-b}) on one set of databases: one
 * transaction log and three banks, each instance with its own connection pools. Instance a
 * plays the crashed initiator: it writes decisions but its phase two never runs
 * ({@code phaseTwoExecutor(task -> {})}), so its work is left to whoever holds the lease next.
 * Both share one hand-moved clock, so "the lease ended" is a step of the test, not a wait.
 */
abstract class AbstractMultiInstanceTests {

    static final Duration LEASE = Duration.ofSeconds(10);

    final MutableClock clock = new MutableClock(Instant.now());
    final List<HikariDataSource> pools = new ArrayList<>();
    final List<TccRuntime> runtimes = new ArrayList<>();
    final AtomicReference<Consumer<String>> probeA = new AtomicReference<>(point -> { });
    final AtomicReference<Consumer<String>> probeB = new AtomicReference<>(point -> { });
    HikariDataSource log;
    List<HikariDataSource> banks;
    TccRuntime a;
    TccRuntime b;
    Bank bankA;
    Bank bankB;

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void setUp() throws Exception {
        log = track(TestDatabases.create(kind(), "log"));
        banks = new ArrayList<>();
        for (int i = 0; i < Bank.BANKS.size(); i++) {
            banks.add(track(TestDatabases.create(kind(), "bank" + i)));
            Bank.createTables(banks.get(i), i);
        }
        a = runtime("instance-a", task -> { }, log, banks);
        bankA = new Bank(a, banks, Duration.ofSeconds(5), Duration.ofSeconds(2), CrashPoints.probe(p -> probeA.get().accept(p)));
        // instance b: its own pools on the same databases
        List<HikariDataSource> banksOfB = banks.stream().map(this::secondPool).toList();
        b = runtime("instance-b", Runnable::run, secondPool(log), banksOfB);
        bankB = new Bank(b, banksOfB, Duration.ofSeconds(5), Duration.ofSeconds(2), CrashPoints.probe(p -> probeB.get().accept(p)));
    }

    private TccRuntime runtime(String instanceId, java.util.concurrent.Executor phaseTwo, DataSource log, List<? extends DataSource> banks) {
        TccRuntime runtime = TccRuntime.builder()
                .transactionLog(log)
                .initializeSchema(true)
                .instanceId(instanceId)
                .clock(clock)
                .phaseTwoExecutor(phaseTwo)
                .settings(TccSettings.builder()
                        .recoveryLease(LEASE)
                        .safetyMargin(Duration.ofMillis(500))
                        .retryMaxAttempts(2)
                        .retryInitialInterval(Duration.ofMillis(1))
                        .retryMaxInterval(Duration.ofMillis(2))
                        .recoveryInitialBackoff(Duration.ofMillis(1))
                        .recoveryMaxBackoff(Duration.ofMillis(1))
                        .recoveryMaxRounds(1000)
                        .holdExpiryGrace(Duration.ofMillis(500))
                        .circuitBreakerMinimumCalls(100_000)
                        .circuitBreakerSlidingWindowSize(100_000)
                        .build())
                .build();
        runtimes.add(runtime);
        return runtime;
    }

    private HikariDataSource track(HikariDataSource dataSource) {
        pools.add(dataSource);
        return dataSource;
    }

    private HikariDataSource secondPool(HikariDataSource first) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(first.getJdbcUrl());
        config.setUsername(first.getUsername());
        config.setPassword("");
        config.setMaximumPoolSize(8);
        return track(new HikariDataSource(config));
    }

    @AfterEach
    void tearDown() {
        runtimes.forEach(TccRuntime::close);
        pools.forEach(HikariDataSource::close);
    }

    /** A transfer through instance a, which decides and then "crashes": its phase two never runs. */
    String decideOnA(int from, int to, boolean abort) throws Exception {
        AtomicReference<String> xid = new AtomicReference<>();
        Consumer<String> previous = probeA.get();
        probeA.set(point -> {
            if (point.equals(CrashPoints.AFTER_TRY_1)) {
                xid.set(dev.tcc.runtime.coordinator.TransactionContextHolder.current().xid());
            }
        });
        try {
            bankA.transfer(from, to, 10, abort, null);
        } finally {
            probeA.set(previous);
        }
        return xid.get();
    }

    TransactionState state(String xid) {
        return a.find(xid).orElseThrow().state();
    }

    String leaseOwner(String xid) {
        return TestDatabases.queryString(log, "SELECT lease_owner FROM tcc_transaction WHERE xid = '" + xid + "'");
    }

    long bodyRuns(String xid, String phase) {
        long runs = 0;
        for (DataSource bank : banks) {
            runs += TestDatabases.queryLong(bank, "SELECT COUNT(*) FROM body_run WHERE xid = '" + xid + "' AND phase = '" + phase + "'");
        }
        return runs;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aCrashedInstancesDecidedTransactionIsTakenOverByTheOtherOnlyAfterItsLeaseEnds() throws Exception {
        String xid = decideOnA(0, 1, false);
        assertThat(state(xid)).isEqualTo(TransactionState.CONFIRMING);
        assertThat(leaseOwner(xid)).isEqualTo("instance-a");

        // the lease of the crashed instance still runs: nobody may drive its transaction
        clock.advance(LEASE.minusMillis(1));
        assertThat(b.coordinatorRecovery().runOnce()).isZero();
        assertThat(bodyRuns(xid, "CONFIRM")).isZero();

        // while b drives it, b holds the lease and a pass of instance a finds nothing to drive
        Map<String, Object> seenInsideTheBody = new ConcurrentHashMap<>();
        probeB.set(point -> {
            if (point.equals(CrashPoints.INSIDE_CONFIRM_BODY)) {
                seenInsideTheBody.put("lease owner", leaseOwner(xid));
                seenInsideTheBody.put("driven by a", a.coordinatorRecovery().runOnce());
            }
        });
        clock.advance(Duration.ofMillis(2));
        assertThat(b.coordinatorRecovery().runOnce()).isEqualTo(1);

        assertThat(seenInsideTheBody).containsEntry("lease owner", "instance-b").containsEntry("driven by a", 0);
        assertThat(state(xid)).isEqualTo(TransactionState.CONFIRMED);
        assertThat(bodyRuns(xid, "CONFIRM")).isEqualTo(2);
        assertThat(a.coordinatorRecovery().runOnce() + b.coordinatorRecovery().runOnce()).isZero();
        assertThat(BankInvariants.check(log, banks, Duration.ofMillis(500)).violations()).isEmpty();
    }

    @Test
    void concurrentRecoveryPassesOfBothInstancesDriveEachTransactionOnceAndRunEachBodyOnce() throws Exception {
        int transfers = 30;
        Map<String, TransactionState> expected = new java.util.HashMap<>();
        for (int i = 0; i < transfers; i++) {
            boolean abort = i % 3 == 0;
            String xid = decideOnA(i % Bank.ACCOUNTS, (i + 1) % Bank.ACCOUNTS, abort);
            expected.put(xid, abort ? TransactionState.CANCELLED : TransactionState.CONFIRMED);
        }
        assertThat(a.countByState()).containsEntry(TransactionState.CONFIRMING, 20L).containsEntry(TransactionState.CANCELLING, 10L);
        clock.advance(LEASE.plusSeconds(1)); // the crashed instance's leases ended; the holds are past their deadline too

        Map<String, AtomicInteger> driven = Map.of("instance-a", new AtomicInteger(), "instance-b", new AtomicInteger());
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Future<?>> passes = new ArrayList<>();
        for (TccRuntime instance : List.of(a, b)) {
            passes.add(threads.submit(() -> {
                start.await();
                while (inFlight() > 0) {
                    driven.get(instance.instanceId()).addAndGet(instance.coordinatorRecovery().runOnce());
                    instance.holdExpiry().runOnce();
                }
                return null;
            }));
        }
        for (Future<?> pass : passes) {
            pass.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
        System.out.println(kind() + " multi-instance: " + transfers + " transactions of a crashed instance, driven by " + driven);

        expected.forEach((xid, state) -> assertThat(state(xid)).as(xid).isEqualTo(state));
        assertThat(driven.get("instance-a").get() + driven.get("instance-b").get())
                .as("claims won by a and b (%s): each transaction is driven by exactly one instance", driven)
                .isEqualTo(transfers);
        for (DataSource bank : banks) {
            assertThat(TestDatabases.queryLong(bank, "SELECT COUNT(*) FROM (SELECT xid, action, phase FROM body_run"
                    + " GROUP BY xid, action, phase HAVING COUNT(*) > 1) twice")).as("bodies run twice").isZero();
        }
        expected.forEach((xid, state) -> assertThat(bodyRuns(xid, state == TransactionState.CONFIRMED ? "CONFIRM" : "CANCEL"))
                .as(xid).isEqualTo(2));
        assertThat(BankInvariants.check(log, banks, Duration.ofMillis(500)).violations()).isEmpty();
    }

    @Test
    void whenALeaseRunsOutInTheMiddleOfARoundTheBarrierStillRunsEachBodyOnce() throws Exception {
        String xid = decideOnA(0, 1, false);
        clock.advance(LEASE.plusMillis(1));
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean blocked = new AtomicBoolean();
        probeB.set(point -> {
            // b stalls inside its first confirm body, its barrier row updated but not committed
            if (point.equals(CrashPoints.INSIDE_CONFIRM_BODY) && blocked.compareAndSet(false, true)) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        ExecutorService threads = Executors.newFixedThreadPool(2);
        Future<Integer> driveB = threads.submit(() -> b.coordinatorRecovery().runOnce());
        await("instance b is inside the confirm body", blocked::get);

        // b's lease runs out while it is stuck; a takes the transaction over and drives it too
        clock.advance(LEASE.plusMillis(1));
        Future<Integer> driveA = threads.submit(() -> a.coordinatorRecovery().runOnce());
        await("instance a holds the lease", () -> "instance-a".equals(leaseOwner(xid)) || driveA.isDone());
        release.countDown();

        assertThat(driveB.get(30, TimeUnit.SECONDS) + driveA.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        threads.shutdown();
        assertThat(state(xid)).isEqualTo(TransactionState.CONFIRMED);
        assertThat(bodyRuns(xid, "CONFIRM")).isEqualTo(2);
        assertThat(BankInvariants.check(log, banks, Duration.ofMillis(500)).violations()).isEmpty();
    }

    long inFlight() {
        return TestDatabases.queryLong(log, "SELECT COUNT(*) FROM tcc_transaction WHERE state IN ('CONFIRMING', 'CANCELLING')");
    }
}
