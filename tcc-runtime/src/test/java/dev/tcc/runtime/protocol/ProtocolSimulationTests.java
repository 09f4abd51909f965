package dev.tcc.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.CancelRefusedException;
import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.api.TccContext;
import dev.tcc.api.TransactionCancelledException;
import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.TccRuntimeInternals;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.coordinator.LocalDecisionSource;
import dev.tcc.runtime.coordinator.TransactionContextHolder;
import dev.tcc.runtime.jdbc.Statements;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.protocol.Faults.Fault;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the whole protocol on one thread under a seeded schedule, with two instances on the same
 * databases (the second's clock runs ahead, and it batches phase two across transactions). The
 * schedule injects: phase-two rounds lost,
 * duplicated, or run with their finish write lost; participant outages and transient body
 * failures; clock jumps; initiators that stall between the confirm check and the decision write,
 * past the holds and past every retention, while hold expiry and retention run; every kind of
 * failure of the coordinator's answer to hold expiry, and coordinator outages; hold expiry,
 * recovery and retention (with retentions of a few seconds) of both instances; operator retries
 * of FAILED transactions; late duplicate deliveries. Every fault is counted where it fires.
 *
 * <p>After every step: no body ran twice (committed, or returned normally as its caller sees it in a local
 * transaction that committed),
 * no transaction both confirmed and cancelled, an initiator's outcome matches the decision, FAILED
 * only after {@code recovery.max-rounds} failed rounds, and HEURISTIC only for a transaction whose
 * coordinator was unreachable longer than {@code coordinator-unreachable-after}. An initiator may
 * only fail with the business failure it threw or a documented cancellation; a pass, a round or a
 * delivery only with a documented refusal or an injected fault. At the end, after recovery had
 * time: every transaction CONFIRMED or CANCELLED, no TRIED barrier row, no pending hold.
 *
 * <p>{@code -Dtcc.sim.seeds=N} runs seeds 1..N (default {@value #DEFAULT_SEEDS}); {@code -Dtcc.sim.seed=S}
 * runs seed S alone; {@code -Dtcc.sim.without=STALL_PAST_RETENTION,...} leaves fault kinds out. A line
 * {@code tcc-sim summary:} on stdout sums up the faults of the run; with 10 seeds or more, every fault
 * kind must have happened, and the core ones (decision-source failures, purges, expired holds,
 * stalls, lost rounds or finishes) in at least 90% of the seeds.
 */
class ProtocolSimulationTests {

    static final int DEFAULT_SEEDS = 24;
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    private static final int STEPS = 120;
    private static final Faults RUN = new Faults();
    private static final List<Integer> SEEDS_RUN = new ArrayList<>();
    /** Per core fault kind: in how many seeds it happened. */
    private static final Map<String, Integer> SEEDS_WITH = new LinkedHashMap<>();

    record Request(long amount) {
    }

    /**
     * A queued phase-two task and the transaction it belongs to; {@code batched}: a drain task of the
     * second instance's batcher, which takes whatever is queued when it runs.
     */
    record Round(String xid, Runnable work, boolean batched) {
    }

    /** {@code -Dtcc.sim.without=STALL_PAST_RETENTION,FINISH_LOST,...}: fault kinds this run leaves out (to tell causes apart). */
    static Set<Fault> disabledFaults() {
        Set<Fault> without = EnumSet.noneOf(Fault.class);
        for (String name : System.getProperty("tcc.sim.without", "").split(",")) {
            if (!name.isBlank()) {
                without.add(Fault.valueOf(name.trim()));
            }
        }
        return without;
    }

    /** A confirm or cancel body failing after its update: the local transaction rolls back. */
    static final class TransientBodyFailure extends IllegalStateException {
        TransientBodyFailure(String message) {
            super(message);
        }
    }

    static IntStream seeds() {
        String one = System.getProperty("tcc.sim.seed", "");
        if (one.matches("\\d+")) {
            return IntStream.of(Integer.parseInt(one));
        }
        String count = System.getProperty("tcc.sim.seeds", "");
        return IntStream.rangeClosed(1, count.matches("\\d+") ? Integer.parseInt(count) : DEFAULT_SEEDS);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyScheduleConvergesWithoutRunningABodyTwiceOrMixingOutcomes(int seed) throws Exception {
        Simulation simulation = new Simulation(seed);
        try {
            simulation.run();
        } finally {
            simulation.close();
            synchronized (RUN) {
                RUN.addAll(simulation.faults);
                SEEDS_RUN.add(seed);
            }
            System.out.println("tcc-sim seed " + seed + ": " + simulation.faults);
        }
        // which faults really happened in this seed: asserted over the run (most seeds must see each)
        Faults f = simulation.faults;
        Map<String, Long> core = new LinkedHashMap<>();
        core.put("decision-source failures", f.count(Fault.DECISION_UNREACHABLE) + f.count(Fault.DECISION_LOCK_TIMEOUT)
                + f.count(Fault.DECISION_SERIALIZATION_FAILURE) + f.count(Fault.DECISION_DEADLOCK)
                + f.count(Fault.DECISION_POOL_TIMEOUT) + f.count(Fault.DECISION_RUNTIME_EXCEPTION));
        core.put("rows purged by retention", f.count(Fault.RETENTION_PURGED));
        core.put("holds expired", f.count(Fault.HOLD_EXPIRED));
        core.put("stalls before the decision write", f.count(Fault.STALL_BEFORE_DECISION));
        core.put("rounds or finishes lost", f.count(Fault.ROUND_LOST) + f.count(Fault.FINISH_LOST));
        synchronized (RUN) {
            core.forEach((what, n) -> SEEDS_WITH.merge(what, n > 0 ? 1 : 0, Integer::sum));
        }
    }

    @AfterAll
    static void everyEnabledFaultHappened() {
        System.out.println("tcc-sim summary: seeds=" + SEEDS_RUN.size() + " " + RUN + " | seeds with: " + SEEDS_WITH);
        if (SEEDS_RUN.size() >= 10) {
            Set<Fault> without = disabledFaults();
            SEEDS_WITH.forEach((what, seeds) -> {
                boolean left = what.startsWith("rows purged") && without.contains(Fault.RETENTION_PURGED)
                        || what.startsWith("stalls") && without.contains(Fault.STALL_BEFORE_DECISION)
                        || what.startsWith("rounds") && without.contains(Fault.FINISH_LOST) && without.contains(Fault.ROUND_LOST);
                if (!left) {
                    assertThat(seeds).as("seeds with %s, of %s", what, SEEDS_RUN.size())
                            .isGreaterThanOrEqualTo(SEEDS_RUN.size() * 9 / 10);
                }
            });
            Set<Fault> expected = EnumSet.allOf(Fault.class);
            expected.removeAll(disabledFaults());
            expected.remove(Fault.LATE_DELIVERY_REFUSED); // outcomes, not injected faults
            expected.remove(Fault.HEURISTIC_AFTER_OUTAGE);
            for (Fault fault : expected) {
                assertThat(RUN.count(fault)).as("%s over %s seeds", fault, SEEDS_RUN.size()).isPositive();
            }
        }
    }

    /** One seed's world: the databases, the two instances, the schedule and what it saw. */
    private static final class Simulation {

        final int seed;
        final Random random;
        final MutableClock clock = new MutableClock(START);
        final Faults faults = new Faults();
        final List<Round> inFlight = new ArrayList<>();
        /** Per xid: the faults that touched it, for the failure message. */
        final Map<String, List<String>> trail = new HashMap<>();
        final Set<Fault> disabled = disabledFaults();
        String initiating;
        final List<HikariDataSource> databases = new ArrayList<>();
        final Map<String, Ledger> ledgers = new LinkedHashMap<>();
        /** Per xid begun: whether its initiator returned normally (true) or threw (false). */
        final Map<String, Boolean> initiatorReturned = new LinkedHashMap<>();
        /** The first decision seen in the log per xid: it stays the truth after retention purged the row. */
        final Map<String, Decision> decisions = new HashMap<>();
        final Set<String> participantsDown = new HashSet<>();
        /**
         * Per xid, action and phase: how often a confirm or cancel body returned normally (the caller's view) in a
         * local transaction that then committed.
         */
        final CommittedReturns bodyReturns = new CommittedReturns();
        /** Per xid: deliveries whose round's last attempt failed, since the decision or the last operator retry. */
        final Map<String, Integer> failedDeliveries = new HashMap<>();
        final FaultyLogDatabase logDatabase;
        final FaultyDecisionSource runtimeAsks;
        final FaultyDecisionSource skewedAsks;
        final TccSettings settings;
        final TccRuntime runtime;
        final TccRuntime skewed;
        final List<TccAction<Request, String>> runtimeActions = new ArrayList<>();
        final List<TccAction<Request, String>> skewedActions = new ArrayList<>();
        Duration longestHold = Duration.ZERO;
        boolean coordinatorDown;

        Simulation(int seed) {
            this.seed = seed;
            this.random = new Random(seed);
            HikariDataSource log = TestDatabases.h2("simlog");
            databases.add(log);
            logDatabase = new FaultyLogDatabase(log);
            settings = TccSettings.builder()
                    .retryMaxAttempts(2)
                    .retryInitialInterval(Duration.ofMillis(1))
                    .retryMaxInterval(Duration.ofMillis(1))
                    .recoveryLease(Duration.ofSeconds(5))
                    .recoveryInitialBackoff(Duration.ofSeconds(1))
                    .recoveryMaxBackoff(Duration.ofSeconds(2))
                    .recoveryMaxRounds(3) // participant outages make transactions FAILED, for operators to retry
                    .holdExpiryGrace(Duration.ofSeconds(1))
                    .coordinatorUnreachableAfter(Duration.ofSeconds(4 + random.nextInt(8)))
                    .retentionFinished(Duration.ofSeconds(1 + random.nextInt(5)))
                    .retentionBarrier(Duration.ofSeconds(1 + random.nextInt(5)))
                    .circuitBreakerMinimumCalls(100_000)
                    .circuitBreakerSlidingWindowSize(100_000)
                    .build();
            int failurePercent = 10 + random.nextInt(25);
            Clock skewedClock = Clock.offset(clock, Duration.ofMillis(500 + random.nextInt(4000)));
            runtimeAsks = new FaultyDecisionSource(faults, new Random(seed * 7L), clock, logDatabase, () -> coordinatorDown,
                    failurePercent);
            skewedAsks = new FaultyDecisionSource(faults, new Random(seed * 13L), skewedClock, logDatabase, () -> coordinatorDown,
                    failurePercent);
            runtime = TccRuntime.builder()
                    .transactionLog(logDatabase.dataSource())
                    .initializeSchema(true)
                    .clock(clock)
                    .random(new Random(seed * 31L))
                    .phaseTwoExecutor(work -> inFlight.add(new Round(initiating, work, false)))
                    .decisionSource(runtimeAsks)
                    .settings(settings)
                    .instanceId("main")
                    .build();
            // a second instance on the same databases whose clock runs ahead: it expires holds, recovers
            // and purges "too early", so only the protocol (not one shared clock) keeps outcomes whole
            skewed = TccRuntime.builder()
                    .transactionLog(logDatabase.dataSource())
                    .clock(skewedClock)
                    .random(new Random(seed * 17L))
                    .phaseTwoExecutor(work -> inFlight.add(new Round(null, work, true)))
                    .batchPhaseTwoOnGivenExecutor(true) // its phase two runs in batches across transactions
                    .decisionSource(skewedAsks)
                    .settings(settings.toBuilder()
                            .phaseTwoBatchSize(4)
                            .phaseTwoFinishLinger(Duration.ZERO)
                            .phaseTwoShutdownTimeout(Duration.ofMillis(1))
                            .build())
                    .instanceId("skewed")
                    .build();
            runtimeAsks.bind(new LocalDecisionSource(TccRuntimeInternals.transactionLog(runtime), clock));
            skewedAsks.bind(new LocalDecisionSource(TccRuntimeInternals.transactionLog(skewed), skewedClock));
            for (String name : List.of("seats", "rooms", "payment")) {
                HikariDataSource ds = TestDatabases.h2("sim" + name);
                databases.add(ds);
                ledgers.put(name, new Ledger(ds));
                Duration hold = Duration.ofSeconds(2 + random.nextInt(6));
                longestHold = hold.compareTo(longestHold) > 0 ? hold : longestHold;
                javax.sql.DataSource followed = bodyReturns.around(ds);
                runtimeActions.add(register(runtime, name, followed, hold)); // first: it creates the tables
                skewedActions.add(register(skewed, name, followed, hold));
            }
        }

        void run() throws Exception {
            for (int step = 0; step < STEPS; step++) {
                switch (random.nextInt(14)) {
                    case 0, 1, 2 -> runInitiator();
                    case 3, 4 -> runSomePhaseTwo();
                    case 5 -> {
                        clock.advance(Duration.ofMillis(random.nextInt(3000)));
                        faults.add(Fault.CLOCK_JUMP);
                    }
                    case 6 -> coordinatorRecovery(random.nextBoolean() ? runtime : skewed);
                    case 7 -> faults.add(Fault.HOLD_EXPIRED, runtime.holdExpiry().runOnce());
                    case 8 -> faults.add(Fault.HOLD_EXPIRED, skewed.holdExpiry().runOnce());
                    case 9 -> retention(random.nextBoolean() ? runtime : skewed);
                    case 10 -> deliverLateDuplicate();
                    case 11 -> retryOneFailed();
                    case 12 -> toggleCoordinatorOutage();
                    default -> toggleParticipantOutage();
                }
                checkInvariants();
            }
            // settle: whatever is still queued is lost (its initiators "crashed"), every outage ends,
            // recovery of both instances runs, and an operator retries what FAILED
            faults.add(Fault.ROUND_LOST, inFlight.size());
            inFlight.clear();
            coordinatorDown = false;
            participantsDown.clear();
            for (int pass = 0; pass < 30; pass++) {
                clock.advance(Duration.ofSeconds(3));
                for (TccRuntime instance : List.of(runtime, skewed)) {
                    coordinatorRecovery(instance);
                    faults.add(Fault.HOLD_EXPIRED, instance.holdExpiry().runOnce());
                    retention(instance);
                }
                for (TransactionRecord failed : sorted(runtime.list(TransactionState.FAILED, 100_000))) {
                    operatorRetry(failed.xid());
                }
                runSomePhaseTwo();
                checkInvariants();
            }
            checkConverged();
        }

        void close() {
            runtime.close();
            skewed.close();
            databases.forEach(HikariDataSource::close);
        }

        private TccAction<Request, String> register(TccRuntime instance, String name, javax.sql.DataSource ds, Duration hold) {
            return instance.action(name, Request.class, String.class)
                    .database(name, ds)
                    .hold(hold)
                    .onTry((c, r, ctx) -> {
                        Ledger.hold(c, ctx.xid(), name, r.amount());
                        return name + ctx.branchId();
                    })
                    .onConfirm((c, r, ctx) -> {
                        Ledger.settle(c, ctx.xid(), name, "CONFIRM", "CONFIRMED");
                        failTransiently(name, ctx);
                        bodyReturns.returned(c, ctx.xid() + " " + name + " CONFIRM");
                    })
                    .onCancel((c, r, ctx) -> {
                        Ledger.settle(c, ctx.xid(), name, "CANCEL", "RELEASED");
                        failTransiently(name, ctx);
                        bodyReturns.returned(c, ctx.xid() + " " + name + " CANCEL");
                    })
                    .register();
        }

        private void failTransiently(String participant, TccContext context) {
            if (participantsDown.contains(participant) || random.nextInt(10) == 0) {
                faults.add(Fault.BODY_FAILURE);
                if (context.attempt() == settings.retry().maxAttempts()) {
                    failedDeliveries.merge(context.xid(), 1, Integer::sum); // the last attempt of a round failed
                }
                throw new TransientBodyFailure("injected: '" + participant + "' failed after the body's update");
            }
        }

        // ------------------------------------------------------------------ steps

        private void runInitiator() throws Exception {
            boolean second = random.nextBoolean();
            TccRuntime instance = second ? skewed : runtime;
            List<TccAction<Request, String>> actions = second ? skewedActions : runtimeActions;
            if (second) {
                faults.add(Fault.SECOND_INITIATOR);
            }
            String[] xid = new String[1];
            try {
                instance.execute(TransactionOptions.named("trip").withTimeout(Duration.ofSeconds(3)), () -> {
                    xid[0] = TransactionContextHolder.current().xid();
                    initiating = xid[0];
                    if (second) {
                        note(xid[0], "begun by the second instance");
                    }
                    for (TccAction<Request, String> action : actions) {
                        action.tryAction(new Request(1 + random.nextInt(5)));
                        if (random.nextInt(6) == 0) {
                            clock.advance(Duration.ofMillis(random.nextInt(4000))); // a slow try
                        }
                        if (random.nextInt(8) == 0) {
                            // a participant whose clock runs ahead asks while the initiator runs
                            faults.add(Fault.HOLD_EXPIRED, skewed.holdExpiry().runOnce());
                        }
                    }
                    if (random.nextInt(5) == 0) {
                        throw new IllegalArgumentException("business failure");
                    }
                    if (random.nextInt(4) == 0) {
                        armStall(xid[0]);
                    }
                    return null;
                });
                initiatorReturned.put(xid[0], true);
            } catch (IllegalArgumentException | TransactionCancelledException | TryRefusedException e) {
                if (e instanceof IllegalArgumentException && !"business failure".equals(e.getMessage())) {
                    throw e;
                }
                if (xid[0] != null) {
                    initiatorReturned.put(xid[0], false);
                }
            } finally {
                logDatabase.cancelStall();
                initiating = null;
            }
        }

        private void note(String xid, String what) {
            if (xid != null) {
                trail.computeIfAbsent(xid, k -> new ArrayList<>()).add(what + " at " + clock.instant());
            }
        }

        /**
         * The initiator stalls (a GC pause, a slow network) after its confirm check, before its
         * decision write takes a connection: the clock jumps, and meanwhile the others' hold expiry
         * and retention run.
         */
        private void armStall(String xid) {
            int kind = random.nextInt(3);
            if (kind == 2 && disabled.contains(Fault.STALL_PAST_RETENTION) || kind >= 1 && disabled.contains(Fault.STALL_PAST_HOLD_EXPIRY)) {
                return;
            }
            Duration pastHolds = longestHold.plus(settings.hold().expiryGrace()).plusSeconds(1);
            Duration pastRetention = settings.retention().finished().plus(settings.retention().barrier()).plus(settings.recovery().lease())
                    .plusSeconds(1);
            logDatabase.stallBeforeNextConnection(() -> {
                faults.add(Fault.STALL_BEFORE_DECISION);
                note(xid, "stall " + (kind == 0 ? "short" : kind == 1 ? "past the holds" : "past every retention")
                        + " before its decision write");
                if (kind == 0) {
                    clock.advance(Duration.ofMillis(random.nextInt(3000)));
                    return;
                }
                clock.advance(pastHolds);
                faults.add(Fault.STALL_PAST_HOLD_EXPIRY);
                faults.add(Fault.HOLD_EXPIRED, skewed.holdExpiry().runOnce());
                faults.add(Fault.HOLD_EXPIRED, runtime.holdExpiry().runOnce());
                if (kind == 2) {
                    clock.advance(pastRetention);
                    faults.add(Fault.STALL_PAST_RETENTION);
                    retention(skewed);
                    retention(runtime);
                }
            });
        }

        private void runSomePhaseTwo() {
            int n = inFlight.isEmpty() ? 0 : 1 + random.nextInt(inFlight.size());
            for (int i = 0; i < n && !inFlight.isEmpty(); i++) {
                Round queued = inFlight.remove(random.nextInt(inFlight.size()));
                Runnable round = queued.work();
                if (queued.batched()) {
                    if (random.nextInt(3) != 0) {
                        inFlight.add(queued); // the drainer is slow: more decided transactions join its batch
                        continue;
                    }
                    // a drain task runs once (a lost one would stop the batcher for good): whole, or with its finish lost
                    faults.add(Fault.BATCH_DRAINED);
                    if (random.nextInt(5) == 0) {
                        losingTheFinish(round);
                    } else {
                        round.run();
                    }
                    continue;
                }
                switch (random.nextInt(10)) {
                    case 0 -> {
                        faults.add(Fault.ROUND_LOST);
                        note(queued.xid(), "initiator's round lost");
                    }
                    case 1 -> {
                        round.run();
                        round.run();
                        faults.add(Fault.ROUND_DUPLICATED);
                        note(queued.xid(), "initiator's round duplicated");
                    }
                    case 2 -> {
                        if (losingTheFinish(round)) {
                            note(queued.xid(), "initiator's round ran, its finish lost");
                        }
                    }
                    default -> round.run();
                }
            }
        }

        /** Runs {@code work} with the next finish write lost: a crash after the bodies, before the finish. */
        private boolean losingTheFinish(Runnable work) {
            if (disabled.contains(Fault.FINISH_LOST)) {
                work.run();
                return false;
            }
            logDatabase.failNextStatement(Statements.TRANSACTION_FINISH::equals,
                    new FaultyLogDatabase.InjectedCrash("before the finish write"));
            try {
                work.run();
            } catch (RuntimeException e) {
                if (!isInjectedCrash(e)) {
                    throw e;
                }
            } finally {
                if (logDatabase.disarm()) {
                    faults.add(Fault.FINISH_LOST);
                    return true;
                }
            }
            return false;
        }

        private void coordinatorRecovery(TccRuntime instance) {
            int[] driven = new int[1];
            Runnable pass = () -> driven[0] = instance.coordinatorRecovery().runOnce();
            if (random.nextInt(4) == 0) {
                losingTheFinish(pass);
            } else {
                pass.run();
            }
            if (instance == skewed) {
                faults.add(Fault.SECOND_DRIVER, driven[0]);
            }
        }

        private void retention(TccRuntime instance) {
            if (disabled.contains(Fault.RETENTION_PURGED)) {
                return;
            }
            faults.add(Fault.RETENTION_PURGED, instance.retention().runOnce());
        }

        private void retryOneFailed() {
            List<TransactionRecord> failed = sorted(runtime.list(TransactionState.FAILED, 100_000));
            if (!failed.isEmpty()) {
                operatorRetry(failed.get(random.nextInt(failed.size())).xid());
            }
        }

        private void operatorRetry(String xid) {
            faults.add(Fault.OPERATOR_RETRY);
            note(xid, "operator retry");
            failedDeliveries.remove(xid); // the retry starts the round count again
            TccRuntime instance = random.nextBoolean() ? runtime : skewed;
            if (random.nextInt(4) == 0) {
                losingTheFinish(() -> instance.retryFailed(xid));
            } else {
                instance.retryFailed(xid);
            }
        }

        private void toggleCoordinatorOutage() {
            if (coordinatorDown) {
                coordinatorDown = false;
            } else if (random.nextInt(3) == 0 && !disabled.contains(Fault.COORDINATOR_OUTAGE)) {
                coordinatorDown = true;
                faults.add(Fault.COORDINATOR_OUTAGE);
            }
        }

        private void toggleParticipantOutage() {
            String participant = List.copyOf(ledgers.keySet()).get(random.nextInt(ledgers.size()));
            if (!participantsDown.remove(participant)) {
                participantsDown.add(participant);
                faults.add(Fault.PARTICIPANT_OUTAGE);
            }
        }

        private void deliverLateDuplicate() throws Exception {
            List<TransactionRecord> all = sorted(runtime.list(null, 100_000));
            List<TransactionRecord> recent = all.subList(0, Math.min(20, all.size()));
            if (recent.isEmpty()) {
                return;
            }
            TransactionRecord tx = runtime.find(recent.get(random.nextInt(recent.size())).xid()).orElse(null);
            if (tx == null || tx.decision() == null || tx.decision() == Decision.UNDECIDED) {
                return;
            }
            for (var branch : tx.branches()) {
                BranchReference ref = branch.reference(tx.xid()).withAttempt(9);
                faults.add(Fault.LATE_DELIVERY);
                try {
                    if (tx.decision() == Decision.CONFIRM) {
                        runtime.participant(branch.action()).confirm(ref);
                    } else {
                        runtime.participant(branch.action()).cancel(ref);
                    }
                } catch (ConfirmRefusedException | CancelRefusedException refused) {
                    faults.add(Fault.LATE_DELIVERY_REFUSED);
                } catch (TransientBodyFailure injected) {
                    // the body failed after its update and rolled back: a later delivery retries
                }
            }
        }

        /**
         * Newest first, ties by xid: many transactions share a created_at under the simulated clock, and
         * H2 orders ties under LIMIT at random, so a seed would not replay the same schedule.
         */
        private static List<TransactionRecord> sorted(List<TransactionRecord> records) {
            return records.stream()
                    .sorted(Comparator.comparing(TransactionRecord::createdAt).reversed()
                            .thenComparing(TransactionRecord::xid))
                    .toList();
        }

        private static boolean isInjectedCrash(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof FaultyLogDatabase.InjectedCrash) {
                    return true;
                }
            }
            return false;
        }

        // ------------------------------------------------------------------ invariants

        private boolean heuristicAllowed(String xid) {
            Duration after = settings.recovery().coordinatorUnreachableAfter();
            return runtimeAsks.unreachableSpan(xid).compareTo(after) >= 0 || skewedAsks.unreachableSpan(xid).compareTo(after) >= 0;
        }

        private void checkInvariants() {
            for (TransactionRecord tx : runtime.list(null, 100_000)) {
                if (tx.decision() != null && tx.decision() != Decision.UNDECIDED) {
                    decisions.putIfAbsent(tx.xid(), tx.decision());
                }
            }
            Map<String, Map<String, Map<String, Long>>> runs = new HashMap<>();
            ledgers.forEach((name, ledger) -> runs.put(name, ledger.runsByXid()));
            for (var entry : initiatorReturned.entrySet()) {
                String xid = entry.getKey();
                Object why = new Object() {
                    @Override
                    public String toString() {
                        return trail.getOrDefault(xid, List.of()).toString();
                    }
                };
                Decision decision = decisions.getOrDefault(xid, Decision.UNDECIDED);
                long confirms = 0;
                long cancels = 0;
                for (var ledger : ledgers.entrySet()) {
                    Map<String, Long> ran = runs.get(ledger.getKey()).getOrDefault(xid, Map.of());
                    long c = ran.getOrDefault("CONFIRM", 0L);
                    long x = ran.getOrDefault("CANCEL", 0L);
                    assertThat(c).as("seed %s: confirm bodies of %s in %s", seed, xid, ledger.getKey()).isLessThanOrEqualTo(1);
                    assertThat(x).as("seed %s: cancel bodies of %s in %s", seed, xid, ledger.getKey()).isLessThanOrEqualTo(1);
                    assertThat(c + x).as("seed %s: %s in %s both confirmed and cancelled", seed, xid, ledger.getKey())
                            .isLessThanOrEqualTo(1);
                    confirms += c;
                    cancels += x;
                }
                if (entry.getValue()) {
                    assertThat(decision).as("seed %s: initiator of %s returned normally", seed, xid).isEqualTo(Decision.CONFIRM);
                } else {
                    assertThat(decision).as("seed %s: initiator of %s threw", seed, xid).isNotEqualTo(Decision.CONFIRM);
                }
                if (heuristicAllowed(xid)) {
                    continue; // a hold expired alone: the outcome may be mixed, and the transaction says so (HEURISTIC)
                }
                if (decision == Decision.CONFIRM) {
                    assertThat(cancels).as("seed %s: cancel bodies of confirmed %s; it saw %s", seed, xid, why).isZero();
                } else {
                    assertThat(confirms).as("seed %s: confirm bodies of %s, not confirmed; it saw %s", seed, xid, why).isZero();
                }
            }
            checkFailedOnlyAfterEveryRound();
            // a body that returned normally committed with its barrier row: it must never take effect again, not even
            // when another transaction's body failed in the same phase-two batch (whose fast pass then rolled back
            // and ran again: a return that was rolled back is no effect)
            bodyReturns.committed().forEach((body, n) -> assertThat(n)
                    .as("seed %s: committed normal returns of the body %s", seed, body).isLessThanOrEqualTo(1));
            for (TransactionRecord tx : runtime.list(TransactionState.HEURISTIC, 1000)) {
                assertThat(heuristicAllowed(tx.xid()))
                        .as("seed %s: %s ended HEURISTIC although the coordinator was unreachable for it only %s / %s"
                                        + " (coordinator-unreachable-after %s); it saw %s; branches %s", seed, tx.xid(),
                                runtimeAsks.unreachableSpan(tx.xid()), skewedAsks.unreachableSpan(tx.xid()),
                                settings.recovery().coordinatorUnreachableAfter(), trail.getOrDefault(tx.xid(), List.of()), runtime.find(tx.xid()).map(TransactionRecord::branches))
                        .isTrue();
            }
        }

        /**
         * A transaction goes FAILED only after {@code recovery.max-rounds} rounds failed, and a round fails
         * only when a delivery's last attempt failed: fewer such failures mean rounds were counted twice
         * (two drivers, one without the lease).
         */
        private void checkFailedOnlyAfterEveryRound() {
            for (TransactionRecord tx : runtime.list(TransactionState.FAILED, 100_000)) {
                assertThat(failedDeliveries.getOrDefault(tx.xid(), 0))
                        .as("seed %s: %s FAILED after fewer failed rounds than recovery.max-rounds [%s]; it saw %s", seed,
                                tx.xid(), settings.recovery().maxRounds(), trail.getOrDefault(tx.xid(), List.of()))
                        .isGreaterThanOrEqualTo(settings.recovery().maxRounds());
            }
        }

        private void checkConverged() {
            for (TransactionRecord tx : runtime.list(null, 10_000)) {
                if (tx.state() == TransactionState.HEURISTIC && heuristicAllowed(tx.xid())) {
                    faults.add(Fault.HEURISTIC_AFTER_OUTAGE);
                    continue;
                }
                assertThat(tx.state()).as("seed %s: state of %s", seed, tx.xid())
                        .isIn(TransactionState.CONFIRMED, TransactionState.CANCELLED);
            }
            for (var ledger : ledgers.entrySet()) {
                assertThat(TestDatabases.queryLong(ledger.getValue().dataSource(),
                        "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'"))
                        .as("seed %s: holds left in %s", seed, ledger.getKey()).isZero();
                assertThat(TestDatabases.queryLong(ledger.getValue().dataSource(),
                        "SELECT COUNT(*) FROM hold_row WHERE state = 'PENDING'"))
                        .as("seed %s: pending rows in %s", seed, ledger.getKey()).isZero();
            }
        }
    }
}
