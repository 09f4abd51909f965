package dev.tcc.runtime;

import dev.tcc.api.TccDefinitionException;
import dev.tcc.api.TransactionLogException;
import dev.tcc.runtime.action.ActionDefinition;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.action.TryBody;
import dev.tcc.runtime.barrier.BranchBarrier;
import dev.tcc.runtime.codec.JsonCodec;
import dev.tcc.runtime.coordinator.Coordinator;
import dev.tcc.runtime.coordinator.Events;
import dev.tcc.runtime.coordinator.LeftToRecovery;
import dev.tcc.runtime.coordinator.LocalDecisionSource;
import dev.tcc.runtime.coordinator.ParticipantRegistry;
import dev.tcc.runtime.coordinator.PhaseTwo;
import dev.tcc.runtime.coordinator.PhaseTwoBatcher;
import dev.tcc.runtime.coordinator.PhaseTwoCalls;
import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.log.TransactionRecord;
import dev.tcc.runtime.plain.TccActionBuilder;
import dev.tcc.runtime.recovery.CoordinatorRecovery;
import dev.tcc.runtime.recovery.HoldExpiry;
import dev.tcc.runtime.recovery.RecoveryPass;
import dev.tcc.runtime.recovery.RecoveryPasses;
import dev.tcc.runtime.recovery.Retention;
import dev.tcc.spi.DecisionSource;
import dev.tcc.spi.LocalTransactionRunner;
import dev.tcc.spi.TccEventListener;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCC runtime, usable without Spring: the coordinator with its transaction log, the local
 * participants with their branch barriers, phase two, and recovery.
 *
 * <pre>{@code
 * TccRuntime tcc = TccRuntime.builder().transactionLog(logDataSource).initializeSchema(true).build();
 * TccAction<SeatRequest, SeatHold> seats = tcc.action("holdSeats", SeatRequest.class, SeatHold.class)
 *         .database("flights", flightsDataSource)
 *         .onTry((connection, request, context) -> holdSeats(connection, request, context.xid()))
 *         .onConfirm((connection, request, context) -> confirmSeats(connection, request))
 *         .onCancel((connection, request, context) -> releaseSeats(connection, request))
 *         .register();
 * tcc.start(); // recovery in the background
 * Booking booking = tcc.execute(TransactionOptions.named("book"), () -> {
 *     SeatHold hold = seats.tryAction(new SeatRequest("LH123", 2));
 *     return new Booking(hold);
 * });
 * }</pre>
 *
 * <p>Every source of time, randomness and concurrency is injected through the {@link Builder},
 * so a test can run the whole protocol on one thread with a controlled clock.
 */
public final class TccRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TccRuntime.class);

    private final TccSettings settings;
    private final Clock clock;
    private final JsonCodec codec;
    private final boolean initializeSchema;
    private final String instanceId;
    private final LocalTransactionRunner logDatabase;
    private final TransactionLog transactionLog;
    private final ParticipantRegistry participants = new ParticipantRegistry();
    private final Map<String, ParticipantDatabase> databases = new ConcurrentHashMap<>();
    private final List<LocalParticipant> localParticipants = new CopyOnWriteArrayList<>();
    private final Events events = new Events();
    private final PhaseTwoCalls calls;
    private final Coordinator coordinator;
    private final DecisionSource decisionSource;
    private final CoordinatorRecovery coordinatorRecovery;
    private final HoldExpiry holdExpiry;
    private final Retention retention;
    private final RecoveryPasses recoveryPasses;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService ownedPhaseTwoExecutor;
    private final PhaseTwoBatcher phaseTwoBatcher;
    private final LeftToRecovery leftToRecovery = new LeftToRecovery();
    private volatile ScheduledFuture<?> recoveryTask;

    private TccRuntime(Builder b) {
        this.settings = b.settings;
        this.clock = b.clock;
        this.codec = b.codec;
        this.initializeSchema = b.initializeSchema;
        this.instanceId = b.instanceId;
        this.logDatabase = b.logDatabase;
        SqlDialect dialect = prepareDatabase(logDatabase);
        this.transactionLog = new TransactionLog(logDatabase, dialect, clock);
        this.calls = new PhaseTwoCalls(settings, b.random);
        PhaseTwo phaseTwo = new PhaseTwo(transactionLog, participants, calls, settings, clock, b.random, events);
        this.ownedPhaseTwoExecutor = b.phaseTwoExecutor == null ? newPhaseTwoExecutor(b.phaseTwoThreads) : null;
        // batching across transactions on the runtime's own executor; an injected one (a test that
        // drops or reorders phase-two rounds) keeps one task per transaction unless batching is asked for
        this.phaseTwoBatcher = (ownedPhaseTwoExecutor != null || b.batchOnInjectedExecutor) && settings.asynchronousPhaseTwo()
                && settings.phaseTwoBatchSize() > 1
                ? new PhaseTwoBatcher(phaseTwo, ownedPhaseTwoExecutor != null ? ownedPhaseTwoExecutor : b.phaseTwoExecutor, 1,
                        settings.phaseTwoBatchSize(),
                        settings.phaseTwoFinishLinger(), leftToRecovery)
                : null;
        this.coordinator = new Coordinator(transactionLog, phaseTwo, settings, clock, b.random,
                b.phaseTwoExecutor == null ? ownedPhaseTwoExecutor : b.phaseTwoExecutor, instanceId, events, phaseTwoBatcher,
                leftToRecovery);
        this.decisionSource = b.decisionSource == null ? new LocalDecisionSource(transactionLog, clock) : b.decisionSource;
        this.coordinatorRecovery = new CoordinatorRecovery(transactionLog, phaseTwo, settings, clock, instanceId);
        this.holdExpiry = new HoldExpiry(databases.values(), this::participantsOn, decisionSource, settings, clock);
        this.retention = new Retention(transactionLog, databases.values(), this::participantsOn, settings, clock);
        this.recoveryPasses = new RecoveryPasses(coordinatorRecovery, holdExpiry, retention);
        this.scheduler = b.scheduler;
        b.listeners.forEach(events::add);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ transactions

    /**
     * Runs {@code body} as a global transaction (or joins the one in progress on this thread):
     * tries inside it become branches; a normal return confirms them all, an exception cancels
     * every branch tried (unless {@link TransactionOptions#noCancelFor()} lists it) and is rethrown.
     */
    public <T> T execute(TransactionOptions options, Callable<T> body) throws Exception {
        return coordinator.execute(options, body);
    }

    /** Runs a try of a registered action as a branch of the transaction in progress. */
    public Object tryBranch(String action, Object[] args, TryBody body) throws Exception {
        return coordinator.tryBranch(participant(action), args, body);
    }

    // ------------------------------------------------------------------ participants

    /** Registers a local action; its database gets the TCC tables when schema initialisation is on. */
    public LocalParticipant register(ActionDefinition action) {
        ParticipantDatabase database = databases.computeIfAbsent(action.runner().name(), name -> {
            SqlDialect dialect = prepareDatabase(action.runner());
            return new ParticipantDatabase(action.runner(), new BranchBarrier(dialect));
        });
        LocalParticipant participant = new LocalParticipant(action, database, codec, clock);
        participants.register(participant);
        localParticipants.add(participant);
        return participant;
    }

    /** Starts defining a local action with the plain-Java API. */
    public <A, R> TccActionBuilder<A, R> action(String name, Class<A> argumentType, Class<R> resultType) {
        return new TccActionBuilder<>(this, name, argumentType, resultType);
    }

    /** The registered action named {@code action}. */
    public LocalParticipant participant(String action) {
        if (participants.find(action) instanceof LocalParticipant local) {
            return local;
        }
        throw new TccDefinitionException("No TCC action named '" + action + "' is registered: register it before trying it");
    }

    /** Adds a remote or custom participant that phase two routes to by its id. */
    public void register(dev.tcc.spi.BranchParticipant participant) {
        participants.register(participant);
    }

    private Collection<LocalParticipant> participantsOn(String database) {
        List<LocalParticipant> result = new ArrayList<>();
        for (LocalParticipant p : localParticipants) {
            if (p.database().runner().name().equals(database)) {
                result.add(p);
            }
        }
        return result;
    }

    private SqlDialect prepareDatabase(LocalTransactionRunner runner) {
        try {
            return runner.inNewTransaction(c -> {
                if (initializeSchema) {
                    SchemaInitializer.createTables(c);
                }
                return SqlDialect.of(c);
            });
        } catch (Exception e) {
            throw new TransactionLogException("Could not prepare database '" + runner.name() + "' for TCC: " + e.getMessage()
                    + (initializeSchema ? "" : ". Create the tables with " + "META-INF/tcc/schema-<database>.sql or turn schema initialisation on"), e);
        }
    }

    // ------------------------------------------------------------------ recovery

    /** Schedules recovery passes every {@link TccSettings#recoveryInterval()} on the scheduler. */
    public synchronized void start() {
        if (recoveryTask != null || scheduler == null) {
            return;
        }
        long interval = settings.recoveryInterval().toMillis();
        recoveryTask = scheduler.scheduleWithFixedDelay(this::recoverQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void recoverQuietly() {
        try {
            recoverOnce();
        } catch (RuntimeException e) {
            log.warn("TCC recovery pass failed; the next pass retries: {}", e.toString());
        }
    }

    /**
     * One recovery run: re-drive due transactions, finish due holds, purge old rows, each pass on
     * its own (one that fails is logged and counted, see {@link #recoveryFailures}, and the others
     * still run). Returns rows touched.
     */
    public int recoverOnce() {
        return recoveryPasses.runOnce();
    }

    /** How many times a recovery pass of this runtime has failed since it was built. */
    public long recoveryFailures(RecoveryPass pass) {
        return recoveryPasses.failures(pass);
    }

    /** Coordinator-side recovery only. */
    public CoordinatorRecovery coordinatorRecovery() {
        return coordinatorRecovery;
    }

    /** Participant-side hold expiry only. */
    public HoldExpiry holdExpiry() {
        return holdExpiry;
    }

    /** Retention purge only. */
    public Retention retention() {
        return retention;
    }

    // ------------------------------------------------------------------ operations

    public Optional<TransactionRecord> find(String xid) {
        return transactionLog.find(xid);
    }

    public List<TransactionRecord> list(TransactionState state, int limit) {
        return transactionLog.list(state, limit);
    }

    public Map<TransactionState, Long> countByState() {
        return transactionLog.countByState();
    }

    /** Transactions still in phase two decided before {@code before}. */
    public long countStuck(Instant before) {
        return transactionLog.countStuck(before);
    }

    /** An operator's retry of a FAILED transaction: it goes back to phase two and is driven now. */
    public Optional<TransactionState> retryFailed(String xid) {
        if (!transactionLog.retryFailed(xid)) {
            return Optional.empty();
        }
        Optional<TransactionState> driven = coordinatorRecovery.claimAndDrive(xid);
        return driven.isPresent() ? driven : transactionLog.find(xid).map(TransactionRecord::state);
    }

    /** An operator's statement that a FAILED transaction was finished by hand. */
    public boolean forceFinish(String xid, TransactionState state, String note) {
        return transactionLog.forceFinish(xid, state, note, clock.instant());
    }

    public void addListener(TccEventListener listener) {
        events.add(listener);
    }

    public TccSettings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    public JsonCodec codec() {
        return codec;
    }

    public String instanceId() {
        return instanceId;
    }

    public TransactionLog transactionLog() {
        return transactionLog;
    }

    /** How participants of this process learn decisions (in-process by default). */
    public DecisionSource decisionSource() {
        return decisionSource;
    }

    /** Resilience4j registries of phase two, for metrics. */
    public PhaseTwoCalls phaseTwoCalls() {
        return calls;
    }

    /** The participant databases, one per local transaction runner name. */
    public Collection<ParticipantDatabase> participantDatabases() {
        return List.copyOf(databases.values());
    }

    /**
     * Decided transactions whose phase two this runtime left to recovery (at shutdown, or when it
     * could not be scheduled); each stays in the log with its decision until recovery drives it.
     */
    public long phaseTwoLeftToRecovery() {
        return leftToRecovery.count();
    }

    /**
     * Shuts down within {@link TccSettings#phaseTwoShutdownTimeout()}: stops recovery, stops
     * accepting phase-two work (a transaction decided from now on is left to recovery), lets the
     * queued phase two run until the timeout, then leaves what is still queued, decided in the log,
     * to recovery: logged with the count, and counted ({@link #phaseTwoLeftToRecovery()}). Rounds in
     * flight at the timeout are not interrupted; whatever they do not finish, recovery finishes.
     */
    @Override
    public synchronized void close() {
        ScheduledFuture<?> task = recoveryTask;
        if (task != null) {
            task.cancel(false);
        }
        long deadline = System.nanoTime() + settings.phaseTwoShutdownTimeout().toNanos();
        if (phaseTwoBatcher != null) {
            phaseTwoBatcher.shutdown(deadline);
        }
        if (ownedPhaseTwoExecutor != null) {
            ownedPhaseTwoExecutor.shutdown();
            try {
                if (!ownedPhaseTwoExecutor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    List<Runnable> notStarted = new ArrayList<>();
                    ((ThreadPoolExecutor) ownedPhaseTwoExecutor).getQueue().drainTo(notStarted);
                    leftToRecovery.add(notStarted.size(), "phase two had not started when the shutdown timeout of "
                            + settings.phaseTwoShutdownTimeout() + " ran out");
                    log.warn("TCC phase two still runs on {} thread(s) at shutdown; what they do not finish, recovery does",
                            ((ThreadPoolExecutor) ownedPhaseTwoExecutor).getActiveCount());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (phaseTwoBatcher != null) {
            phaseTwoBatcher.close(); // writes the final states still waiting for their batch
        }
    }

    private static ExecutorService newPhaseTwoExecutor(int threads) {
        AtomicInteger counter = new AtomicInteger();
        // Rejects once shut down, so the caller's handler sees it and hands the transaction to recovery,
        // visibly (CallerRunsPolicy would silently drop it then); while running, a full queue makes the
        // caller run phase two itself (back-pressure).
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "tcc-phase-two-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (task, executor) -> {
            if (executor.isShutdown()) {
                throw new RejectedExecutionException("phase two is shut down");
            }
            task.run();
        });
    }

    /** Builds a runtime; only the transaction log's database is required. */
    public static final class Builder {
        private TccSettings settings = TccSettings.defaults();
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new SecureRandom();
        private JsonCodec codec = new JsonCodec();
        private boolean initializeSchema;
        private String instanceId;
        private LocalTransactionRunner logDatabase;
        private java.util.concurrent.Executor phaseTwoExecutor;
        private int phaseTwoThreads = 4;
        private ScheduledExecutorService scheduler;
        private DecisionSource decisionSource;
        private boolean batchOnInjectedExecutor;
        private final List<TccEventListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The coordinator's database, on a plain data source. */
        public Builder transactionLog(DataSource dataSource) {
            return transactionLog(new JdbcLocalTransactionRunner("tcc-log", dataSource));
        }

        /** The coordinator's database, through a runner (the starter passes a Spring-managed one). */
        public Builder transactionLog(LocalTransactionRunner runner) {
            this.logDatabase = Objects.requireNonNull(runner, "runner");
            return this;
        }

        public Builder settings(TccSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The clock every deadline, timeout and backoff is computed with. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The random source for xids and jitter; seed it for reproducible tests. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public Builder codec(JsonCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Whether to create the TCC tables on the log's and every participant's database. */
        public Builder initializeSchema(boolean initializeSchema) {
            this.initializeSchema = initializeSchema;
            return this;
        }

        /** Name of this instance in leases; defaults to a random id. */
        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        /** Where asynchronous phase two runs; {@code Runnable::run} runs it on the caller's thread. */
        public Builder phaseTwoExecutor(java.util.concurrent.Executor executor) {
            this.phaseTwoExecutor = executor;
            return this;
        }

        /**
         * Batches phase two across transactions on the executor given to {@link #phaseTwoExecutor} too
         * (the runtime's own executor always batches when {@code tcc.phase-two.batch-size} is above 1).
         * With {@code tcc.phase-two.finish-linger} of zero every step of a batch then runs as a task on
         * that executor: a test seam, for simulations that run batches on one thread in a chosen order.
         */
        public Builder batchPhaseTwoOnGivenExecutor(boolean batch) {
            this.batchOnInjectedExecutor = batch;
            return this;
        }

        /** Threads of the runtime's own phase-two executor (used when none is given). */
        public Builder phaseTwoThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("tcc.phase-two.threads must be at least 1 but was [" + threads + "]");
            }
            this.phaseTwoThreads = threads;
            return this;
        }

        /** Where {@link TccRuntime#start()} schedules recovery; none means recovery runs only when called. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** How participants ask for decisions; defaults to this runtime's own log. */
        public Builder decisionSource(DecisionSource decisionSource) {
            this.decisionSource = decisionSource;
            return this;
        }

        public Builder listener(TccEventListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public TccRuntime build() {
            if (logDatabase == null) {
                throw new IllegalStateException("TccRuntime needs the database of its transaction log: call transactionLog(dataSource)");
            }
            if (instanceId == null) {
                instanceId = "tcc-" + UUID.randomUUID().toString().substring(0, 8);
            }
            return new TccRuntime(this);
        }
    }

    /** A scheduler with one daemon thread named {@code tcc-recovery}, for {@link Builder#scheduler}. */
    public static ScheduledExecutorService newRecoveryScheduler() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tcc-recovery");
            t.setDaemon(true);
            return t;
        });
    }
}
