package dev.tcc.crash;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.spi.TccEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVM of the crash tests. Its databases come from {@code tcc.crash.url.log} and
 * {@code tcc.crash.url.bank-a|b|c}; {@code tcc.crash.mode} says what it does:
 * <ul>
 *   <li>{@code crash}: two workers run random transfers (a quarter of them aborted after both
 *       tries) while recovery runs in the background, until the armed crash point halts the JVM;</li>
 *   <li>{@code kill}: the same workload, printing {@code TRANSFER n} after each transfer, until
 *       the parent kills the process ({@code kill -9});</li>
 *   <li>{@code hold-expiry}: a few transfers, then three initiators that hang after both tries;
 *       past their timeout the process runs hold expiry until the crash point inside the expiring
 *       cancel body halts it;</li>
 *   <li>{@code recover}: a restarted instance: runs recovery until nothing is left to drive or
 *       expire, prints {@code CONVERGED} and exits 0 (3 when it did not converge in time).</li>
 * </ul>
 * Exit codes: 137 crash point reached, 0 converged, 3 no convergence, 4 crash point never reached.
 */
public final class CrashChild {

    static final Duration HOLD = Duration.ofSeconds(3);
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final Duration GRACE = Duration.ofMillis(500);
    static final Duration RECOVERY_INTERVAL = Duration.ofMillis(100);
    static final Duration LEASE = Duration.ofSeconds(1);

    private CrashChild() {
    }

    /** The short settings every child runs with, so recovery converges in seconds. */
    static TccSettings settings() {
        return TccSettings.builder()
                .defaultTimeout(TIMEOUT)
                .defaultHold(HOLD)
                .safetyMargin(Duration.ofMillis(500))
                .retryMaxAttempts(3)
                .retryInitialInterval(Duration.ofMillis(10))
                .retryMaxInterval(Duration.ofMillis(100))
                .circuitBreakerMinimumCalls(10_000)
                .circuitBreakerSlidingWindowSize(10_000)
                .recoveryInterval(RECOVERY_INTERVAL)
                .recoveryLease(LEASE)
                .recoveryInitialBackoff(Duration.ofMillis(100))
                .recoveryMaxBackoff(Duration.ofSeconds(1))
                .recoveryMaxRounds(50)
                .holdExpiryGrace(GRACE)
                .retentionFinished(Duration.ofDays(1))
                .retentionBarrier(Duration.ofDays(1))
                .build();
    }

    public static void main(String[] args) throws Exception {
        String mode = System.getProperty("tcc.crash.mode", "crash");
        long seed = Long.getLong("tcc.crash.seed", 1L);
        CrashPoints crash = mode.equals("recover") ? CrashPoints.none() : CrashPoints.fromSystemProperties();
        HikariDataSource log = pool(System.getProperty("tcc.crash.url.log"));
        List<HikariDataSource> banks = new ArrayList<>();
        for (String bank : Bank.BANKS) {
            banks.add(pool(System.getProperty("tcc.crash.url." + bank)));
        }
        TccRuntime runtime = TccRuntime.builder()
                .transactionLog(log)
                .initializeSchema(true)
                .settings(settings())
                .instanceId(System.getProperty("tcc.crash.instance", mode + "-" + ProcessHandle.current().pid()))
                .scheduler(TccRuntime.newRecoveryScheduler())
                .listener(event -> {
                    if (event.type() == TccEvent.Type.DECIDED) {
                        crash.reach("CONFIRM".equals(event.outcome()) ? CrashPoints.AFTER_DECISION_CONFIRM
                                : CrashPoints.AFTER_DECISION_CANCEL);
                    }
                })
                .build();
        Bank bank = new Bank(runtime, banks, HOLD, TIMEOUT, crash);
        System.out.println("STARTED mode=" + mode + " instance=" + runtime.instanceId());
        int exit = switch (mode) {
            case "crash" -> crash(runtime, bank, crash, seed);
            case "kill" -> kill(runtime, bank, seed);
            case "hold-expiry" -> holdExpiry(runtime, bank, crash, seed);
            case "recover" -> recover(runtime, log, banks);
            default -> throw new IllegalArgumentException("unknown tcc.crash.mode [" + mode + "]");
        };
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(exit);
    }

    /** Workers run transfers with background recovery until the crash point halts the JVM. */
    private static int crash(TccRuntime runtime, Bank bank, CrashPoints crash, long seed) throws Exception {
        startRecoveryMarkingHoldExpiry(runtime);
        AtomicInteger done = new AtomicInteger();
        int warmUp = Integer.getInteger("tcc.crash.warm-up", 0);
        runWorkers(bank, seed, 2, done, 0.25, () -> {
            if (done.get() >= warmUp) {
                crash.go();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Thread.sleep(50); // the crash ends this process; nothing here waits for a condition of it
        }
        System.out.println("NO CRASH after " + done.get() + " transfers");
        return 4;
    }

    /** Workers run transfers, printing each, until the parent kills the process. */
    private static int kill(TccRuntime runtime, Bank bank, long seed) throws Exception {
        runtime.start();
        AtomicInteger done = new AtomicInteger();
        runWorkers(bank, seed, 3, done, 0.25, () -> { });
        Thread.sleep(TimeUnit.SECONDS.toMillis(60)); // the parent kills this process long before
        return 4;
    }

    private static void runWorkers(Bank bank, long seed, int workers, AtomicInteger done, double abortRate, Runnable afterEach) {
        afterEach.run();
        for (int w = 0; w < workers; w++) {
            Random random = new Random(seed * 31 + w);
            Thread worker = new Thread(() -> {
                while (true) {
                    try {
                        bank.randomTransfer(random, abortRate);
                    } catch (Exception e) {
                        System.out.println("TRANSFER FAILED " + e);
                    }
                    System.out.println("TRANSFER " + done.incrementAndGet());
                    afterEach.run();
                }
            }, "worker-" + w);
            worker.setDaemon(true);
            worker.start();
        }
    }

    /**
     * Initiators hang after both tries; once their timeout and the grace passed, hold expiry asks
     * the coordinator (which records a cancel tombstone) and cancels: the crash point is inside that cancel.
     */
    private static int holdExpiry(TccRuntime runtime, Bank bank, CrashPoints crash, long seed) throws Exception {
        Random random = new Random(seed);
        for (int i = 0; i < 5; i++) {
            bank.randomTransfer(random, 0.25);
        }
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch hung = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            int from = i;
            Thread initiator = new Thread(() -> {
                try {
                    bank.transfer(from, from + 1, 10, false, () -> {
                        hung.countDown();
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                } catch (Exception e) {
                    System.out.println("HUNG TRANSFER FAILED " + e);
                }
            }, "hung-initiator-" + i);
            initiator.setDaemon(true);
            initiator.start();
        }
        if (!hung.await(10, TimeUnit.SECONDS)) {
            System.out.println("initiators did not reach their hang");
            return 4;
        }
        System.out.println("HUNG 3 initiators");
        crash.go();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            CrashPoints.inHoldExpiry(() -> runtime.holdExpiry().runOnce());
            Thread.sleep(RECOVERY_INTERVAL.toMillis()); // the pace of recovery passes, as in an instance
        }
        System.out.println("NO CRASH: hold expiry never cancelled a hung branch");
        return 4;
    }

    /** Recovery passes as TccRuntime.recoverOnce runs them, with hold expiry marked for the crash point. */
    private static void startRecoveryMarkingHoldExpiry(TccRuntime runtime) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tcc-recovery");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runtime.coordinatorRecovery().runOnce();
                CrashPoints.inHoldExpiry(() -> runtime.holdExpiry().runOnce());
                runtime.retention().runOnce();
            } catch (Exception e) {
                System.out.println("RECOVERY PASS FAILED " + e);
            }
        }, RECOVERY_INTERVAL.toMillis(), RECOVERY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A restarted instance: recovery in the background until nothing is left. */
    private static int recover(TccRuntime runtime, HikariDataSource log, List<HikariDataSource> banks) throws Exception {
        long start = System.nanoTime();
        runtime.start();
        long deadline = start + TimeUnit.SECONDS.toNanos(60);
        String left = leftover(log, banks);
        while (left != null && System.nanoTime() < deadline) {
            Thread.sleep(RECOVERY_INTERVAL.toMillis()); // polling the condition below, with a deadline
            left = leftover(log, banks);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (left != null) {
            System.out.println("NOT CONVERGED after " + ms + " ms: " + left);
            return 3;
        }
        System.out.println("CONVERGED after " + ms + " ms " + runtime.countByState());
        runtime.close();
        return 0;
    }

    /** What recovery still has to do, or null when nothing. */
    static String leftover(javax.sql.DataSource log, List<? extends javax.sql.DataSource> banks) throws SQLException {
        long inFlight = count(log, "SELECT COUNT(*) FROM tcc_transaction WHERE state IN ('TRYING', 'CONFIRMING', 'CANCELLING')");
        long tried = 0;
        long pending = 0;
        for (javax.sql.DataSource bank : banks) {
            tried += count(bank, "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'");
            pending += count(bank, "SELECT COUNT(*) FROM hold_row WHERE state = 'PENDING'");
        }
        return inFlight + tried + pending == 0 ? null
                : "transactions in flight=" + inFlight + ", barrier rows TRIED=" + tried + ", holds PENDING=" + pending;
    }

    static long count(javax.sql.DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static HikariDataSource pool(String url) {
        if (url == null) {
            throw new IllegalArgumentException("a database URL property tcc.crash.url.* is missing");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(url.startsWith("jdbc:h2:") ? "sa" : System.getProperty("tcc.test.postgres.user", "postgres"));
        config.setPassword("");
        config.setMaximumPoolSize(4); // three crash runs at a time (4 databases each) leave room on a shared PostgreSQL
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }
}
