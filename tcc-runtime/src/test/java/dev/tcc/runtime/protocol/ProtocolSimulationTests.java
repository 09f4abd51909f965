package dev.tcc.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.TccSettings;
import dev.tcc.runtime.TransactionOptions;
import dev.tcc.runtime.TransactionState;
import dev.tcc.runtime.coordinator.TransactionContextHolder;
import dev.tcc.runtime.log.TransactionRecord;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the whole protocol on one thread under a seeded schedule: phase-two rounds are queued
 * and then run, run twice or lost (an initiator crash); participants fail transiently; the
 * clock jumps; hold expiry and recovery passes interleave with initiators; late duplicate
 * deliveries arrive. After every step the invariants are checked; at the end, once recovery
 * had time, every transaction must have converged.
 */
class ProtocolSimulationTests {

    record Request(long amount) {
    }

    static IntStream seeds() {
        return IntStream.range(1, 13);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyScheduleConvergesWithoutRunningABodyTwiceOrMixingOutcomes(int seed) throws Exception {
        Random random = new Random(seed);
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        List<Runnable> inFlight = new ArrayList<>();
        List<HikariDataSource> databases = new ArrayList<>();
        Map<String, Ledger> ledgers = new HashMap<>();
        HikariDataSource logDb = TestDatabases.h2("simlog");
        databases.add(logDb);
        TccRuntime runtime = TccRuntime.builder()
                .transactionLog(logDb)
                .initializeSchema(true)
                .clock(clock)
                .random(new Random(seed * 31L))
                .phaseTwoExecutor(inFlight::add)
                .settings(TccSettings.builder()
                        .retryMaxAttempts(2)
                        .retryInitialInterval(Duration.ofMillis(1))
                        .retryMaxInterval(Duration.ofMillis(1))
                        .recoveryLease(Duration.ofSeconds(5))
                        .recoveryInitialBackoff(Duration.ofSeconds(1))
                        .recoveryMaxBackoff(Duration.ofSeconds(2))
                        .recoveryMaxRounds(1000)
                        .holdExpiryGrace(Duration.ofSeconds(1))
                        .circuitBreakerMinimumCalls(100_000)
                        .circuitBreakerSlidingWindowSize(100_000)
                        .build())
                .build();
        // a second instance on the same databases whose clock runs ahead: it expires holds and
        // recovers "too early", so only the protocol (not one shared clock) keeps outcomes whole
        TccRuntime skewed = TccRuntime.builder()
                .transactionLog(logDb)
                .clock(java.time.Clock.offset(clock, Duration.ofMillis(500 + random.nextInt(4000))))
                .random(new Random(seed * 17L))
                .phaseTwoExecutor(inFlight::add)
                .settings(runtime.settings())
                .instanceId("skewed")
                .build();
        List<TccAction<Request, String>> actions = new ArrayList<>();
        for (String name : List.of("seats", "rooms", "payment")) {
            HikariDataSource ds = TestDatabases.h2("sim" + name);
            databases.add(ds);
            Ledger ledger = new Ledger(ds);
            ledgers.put(name, ledger);
            Duration hold = Duration.ofSeconds(2 + random.nextInt(6));
            register(skewed, name, ds, hold, random);
            actions.add(register(runtime, name, ds, hold, random));
        }
        Map<String, Boolean> initiatorReturned = new HashMap<>();
        try {
            for (int step = 0; step < 120; step++) {
                switch (random.nextInt(8)) {
                    case 0, 1 -> runInitiator(runtime, skewed, actions, random, clock, initiatorReturned);
                    case 2 -> runSomePhaseTwo(inFlight, random);
                    case 3 -> clock.advance(Duration.ofMillis(random.nextInt(3000)));
                    case 4 -> (random.nextBoolean() ? runtime : skewed).coordinatorRecovery().runOnce();
                    case 5 -> runtime.holdExpiry().runOnce();
                    case 6 -> skewed.holdExpiry().runOnce();
                    default -> deliverLateDuplicate(runtime, random);
                }
                checkInvariants(runtime, ledgers, initiatorReturned);
            }
            inFlight.clear(); // whatever is still queued is lost: its initiators "crashed"
            for (int pass = 0; pass < 40; pass++) {
                clock.advance(Duration.ofSeconds(3));
                runtime.recoverOnce();
                skewed.recoverOnce();
                runSomePhaseTwo(inFlight, random);
            }
            checkInvariants(runtime, ledgers, initiatorReturned);
            checkConverged(runtime, ledgers);
        } finally {
            runtime.close();
            skewed.close();
            databases.forEach(HikariDataSource::close);
        }
    }

    private static TccAction<Request, String> register(TccRuntime runtime, String name, HikariDataSource ds, Duration hold,
                                                       Random random) {
        return runtime.action(name, Request.class, String.class)
                    .database(name, ds)
                    .hold(hold)
                    .onTry((c, r, ctx) -> {
                        Ledger.hold(c, ctx.xid(), name, r.amount());
                        return name + ctx.branchId();
                    })
                    .onConfirm((c, r, ctx) -> {
                        Ledger.settle(c, ctx.xid(), name, "CONFIRM", "CONFIRMED");
                        if (random.nextInt(10) == 0) {
                            throw new IllegalStateException("transient failure after the body's update"); // rolls back
                        }
                    })
                    .onCancel((c, r, ctx) -> {
                        Ledger.settle(c, ctx.xid(), name, "CANCEL", "RELEASED");
                        if (random.nextInt(10) == 0) {
                            throw new IllegalStateException("transient failure after the body's update");
                        }
                    })
                    .register();
    }

    private static void runInitiator(TccRuntime runtime, TccRuntime skewed, List<TccAction<Request, String>> actions, Random random,
                                     MutableClock clock, Map<String, Boolean> initiatorReturned) {
        String[] xid = new String[1];
        try {
            runtime.execute(TransactionOptions.named("trip").withTimeout(Duration.ofSeconds(3)), () -> {
                xid[0] = TransactionContextHolder.current().xid();
                for (TccAction<Request, String> action : actions) {
                    action.tryAction(new Request(1 + random.nextInt(5)));
                    if (random.nextInt(6) == 0) {
                        clock.advance(Duration.ofMillis(random.nextInt(4000))); // a slow try
                    }
                    if (random.nextInt(8) == 0) {
                        skewed.holdExpiry().runOnce(); // a participant whose clock runs ahead asks while the initiator runs
                    }
                }
                if (random.nextInt(5) == 0) {
                    throw new IllegalArgumentException("business failure");
                }
                return null;
            });
            initiatorReturned.put(xid[0], true);
        } catch (Exception e) {
            if (xid[0] != null) {
                initiatorReturned.put(xid[0], false);
            }
        }
    }

    private static void runSomePhaseTwo(List<Runnable> inFlight, Random random) {
        int n = inFlight.isEmpty() ? 0 : 1 + random.nextInt(inFlight.size());
        for (int i = 0; i < n && !inFlight.isEmpty(); i++) {
            Runnable round = inFlight.remove(random.nextInt(inFlight.size()));
            int fate = random.nextInt(10);
            if (fate == 0) {
                continue; // lost
            }
            round.run();
            if (fate == 1) {
                round.run(); // duplicated
            }
        }
    }

    private static void deliverLateDuplicate(TccRuntime runtime, Random random) throws Exception {
        List<TransactionRecord> recent = runtime.list(null, 20);
        if (recent.isEmpty()) {
            return;
        }
        TransactionRecord tx = runtime.find(recent.get(random.nextInt(recent.size())).xid()).orElseThrow();
        if (random.nextInt(3) == 0 && (tx.decision() == Decision.CONFIRM || tx.state() == TransactionState.CONFIRMED
                || tx.state() == TransactionState.CANCELLED)) {
            deliverLateTries(runtime, tx);
        }
        for (var branch : tx.branches()) {
            BranchReference ref = branch.reference(tx.xid()).withAttempt(9);
            try {
                if (tx.decision() == Decision.CONFIRM) {
                    runtime.participant(branch.action()).confirm(ref);
                } else if (tx.decision() == Decision.CANCEL) {
                    runtime.participant(branch.action()).cancel(ref);
                }
            } catch (Exception transientOrRefused) {
                // a late duplicate may fail like any delivery; the invariants below decide
            }
        }
    }

    /**
     * A try delivered again after the decision, when every branch of {@code tx} has a barrier row (each
     * try of a confirm decision returned; a finished cancel left a row or a tombstone for every branch):
     * the body runs first and writes a {@code LATE_TRY} run, which must always roll back. A duplicate of a
     * {@code TRIED} row returns the stored result.
     */
    private static void deliverLateTries(TccRuntime runtime, TransactionRecord tx) {
        for (var branch : tx.branches()) {
            try {
                Object result = runtime.participant(branch.action()).tryBranch(tx.xid(), branch.branchId(), branch.holdDeadline(),
                        tx.timeoutAt(), new Object[] {new Request(1)}, ctx -> {
                            var runner = (dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner)
                                    runtime.participant(branch.action()).database().runner();
                            Ledger.ran(runner.currentConnection(), tx.xid(), branch.action(), "LATE_TRY");
                            return "late";
                        });
                assertThat(result).as("a duplicate try of %s returns the stored result", tx.xid())
                        .isEqualTo(branch.action() + branch.branchId());
            } catch (dev.tcc.api.TryRefusedException refused) {
                // the branch was confirmed or cancelled: the late try changed nothing
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void checkInvariants(TccRuntime runtime, Map<String, Ledger> ledgers, Map<String, Boolean> returned) {
        for (var entry : returned.entrySet()) {
            String xid = entry.getKey();
            Decision decision = runtime.transactionLog().readDecision(xid);
            long confirms = 0;
            long cancels = 0;
            for (var ledger : ledgers.entrySet()) {
                assertThat(ledger.getValue().runs(xid, ledger.getKey(), "LATE_TRY")).as("late tries of %s in %s that took effect",
                        xid, ledger.getKey()).isZero();
                long c = ledger.getValue().runs(xid, ledger.getKey(), "CONFIRM");
                long x = ledger.getValue().runs(xid, ledger.getKey(), "CANCEL");
                assertThat(c).as("confirm bodies of %s in %s", xid, ledger.getKey()).isLessThanOrEqualTo(1);
                assertThat(x).as("cancel bodies of %s in %s", xid, ledger.getKey()).isLessThanOrEqualTo(1);
                assertThat(c + x).as("%s in %s both confirmed and cancelled", xid, ledger.getKey()).isLessThanOrEqualTo(1);
                confirms += c;
                cancels += x;
            }
            if (entry.getValue()) {
                assertThat(decision).as("initiator of %s returned normally", xid).isEqualTo(Decision.CONFIRM);
            } else {
                assertThat(decision).as("initiator of %s threw", xid).isNotEqualTo(Decision.CONFIRM);
            }
            if (decision == Decision.CONFIRM) {
                assertThat(cancels).as("cancel bodies of confirmed %s", xid).isZero();
            } else {
                assertThat(confirms).as("confirm bodies of %s, not confirmed", xid).isZero();
            }
        }
    }

    private static void checkConverged(TccRuntime runtime, Map<String, Ledger> ledgers) {
        for (TransactionRecord tx : runtime.list(null, 10_000)) {
            assertThat(tx.state()).as("state of %s", tx.xid()).isIn(TransactionState.CONFIRMED, TransactionState.CANCELLED);
        }
        for (var ledger : ledgers.entrySet()) {
            assertThat(TestDatabases.queryLong(ledger.getValue().dataSource(),
                    "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'")).as("holds left in %s", ledger.getKey()).isZero();
            assertThat(TestDatabases.queryLong(ledger.getValue().dataSource(),
                    "SELECT COUNT(*) FROM hold_row WHERE state = 'PENDING'")).as("pending rows in %s", ledger.getKey()).isZero();
        }
    }
}
