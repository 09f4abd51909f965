package dev.tcc.runtime;

import dev.tcc.api.TccDefinitionException;
import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.action.ActionDefinition;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.action.TryBody;
import dev.tcc.runtime.codec.JsonCodec;
import dev.tcc.runtime.coordinator.BatchedPhaseTwo;
import dev.tcc.runtime.coordinator.Coordinator;
import dev.tcc.runtime.coordinator.Events;
import dev.tcc.runtime.coordinator.GlobalTransaction;
import dev.tcc.runtime.coordinator.LeftToRecovery;
import dev.tcc.runtime.coordinator.ParticipantRegistry;
import dev.tcc.runtime.coordinator.PhaseTwoBatcher;
import dev.tcc.runtime.coordinator.PhaseTwoCalls;
import dev.tcc.runtime.coordinator.PhaseTwoRound;
import dev.tcc.runtime.coordinator.TransactionContextHolder;
import dev.tcc.runtime.http.AuthenticationFailedException;
import dev.tcc.runtime.http.CoordinatorEndpoint;
import dev.tcc.runtime.http.HttpSettings;
import dev.tcc.runtime.http.InboundCall;
import dev.tcc.runtime.http.OutboundCall;
import dev.tcc.runtime.http.ParticipantEndpoint;
import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.model.CircuitBreakerStates;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.operations.LogOperations;
import dev.tcc.runtime.plain.ActionRegistration;
import dev.tcc.runtime.plain.TccActionBuilder;
import dev.tcc.runtime.recovery.CoordinatorRecovery;
import dev.tcc.runtime.recovery.HoldExpiry;
import dev.tcc.runtime.recovery.RecoveryPass;
import dev.tcc.runtime.recovery.RecoveryPasses;
import dev.tcc.runtime.recovery.Retention;
import dev.tcc.runtime.recovery.RunnablePass;
import dev.tcc.runtime.support.Sleeper;
import dev.tcc.runtime.support.Ticker;
import dev.tcc.spi.DecisionSource;
import dev.tcc.spi.LocalTransactionRunner;
import dev.tcc.spi.TccEventListener;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
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
 * so a test can run the whole protocol on one thread with a controlled clock: the {@link Clock}
 * computes every instant written to the log (deadlines, leases, backoffs); the {@link RandomGenerator}
 * draws xids, the default instance id and retry jitter; the {@link Ticker} times transactions and
 * phase two for events and measures phase two's in-process waits; the {@link Sleeper} makes the
 * finisher's linger pause. The exceptions: the phase-two threads block on monitors and queues with
 * timeouts derived from the ticker (a frozen ticker does not make them wait forever, they recheck),
 * and Resilience4j, which runs each phase-two call, waits between its attempts and times a circuit's
 * open state on its own (the waits come from the injected random jitter, not their pause).
 */
public final class TccRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TccRuntime.class);

    private final TccSettings settings;
    private final Ticker ticker;
    private final JsonCodec codec;
    private final Clock clock;
    private final String instanceId;
    private final RuntimeAssembly assembly;
    private final TransactionLog transactionLog;
    private final ParticipantRegistry participants;
    private final List<LocalParticipant> localParticipants;
    private final Events events;
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
    private final PhaseTwoBatcher remotePhaseTwoBatcher;
    private final ExecutorService localDrainerExecutor;
    private final ExecutorService remoteDrainerExecutor;
    private final LeftToRecovery leftToRecovery;
    private final LogOperations operations;
    private volatile ScheduledFuture<?> recoveryTask;

    /** Takes the parts {@link RuntimeAssembly} built (with the database I/O that needs); builds nothing itself. */
    private TccRuntime(RuntimeAssembly a) {
        this.assembly = a;
        this.settings = a.settings;
        this.codec = a.codec;
        this.clock = a.clock;
        this.ticker = a.ticker;
        this.instanceId = a.instanceId;
        this.transactionLog = a.transactionLog;
        this.participants = a.participants;
        this.localParticipants = a.localParticipants;
        this.events = a.events;
        this.calls = a.calls;
        this.coordinator = a.coordinator;
        this.decisionSource = a.decisionSource;
        this.coordinatorRecovery = a.coordinatorRecovery;
        this.holdExpiry = a.holdExpiry;
        this.retention = a.retention;
        this.recoveryPasses = a.recoveryPasses;
        this.scheduler = a.scheduler;
        this.ownedPhaseTwoExecutor = a.ownedPhaseTwoExecutor;
        this.phaseTwoBatcher = a.phaseTwoBatcher;
        this.remotePhaseTwoBatcher = a.remotePhaseTwoBatcher;
        this.localDrainerExecutor = a.localDrainerExecutor;
        this.remoteDrainerExecutor = a.remoteDrainerExecutor;
        this.leftToRecovery = a.leftToRecovery;
        this.operations = a.operations;
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

    /**
     * Registers a local action; its database gets the TCC tables when schema initialisation is on.
     *
     * @throws TccDefinitionException when a parameter or the result cannot be stored and read back safely
     */
    public LocalParticipant register(ActionDefinition action) {
        if (action.name().startsWith("tcc:")) {
            throw new TccDefinitionException("The action name '" + action.name() + "' of " + action.owner() + " starts with"
                    + " 'tcc:', which the cross-service protocol reserves: rename it with @Try(name = \"...\")");
        }
        checkStoredTypes(action);
        ParticipantDatabase database = assembly.participantDatabase(action.runner());
        LocalParticipant participant = new LocalParticipant(action, database, codec, clock);
        participants.register(participant);
        localParticipants.add(participant);
        return participant;
    }

    private void checkStoredTypes(ActionDefinition action) {
        String of = " of " + action.owner() + " (action '" + action.name() + "')";
        for (int i = 0; i < action.parameterTypes().length; i++) {
            codec.checkDecodable("Parameter '" + action.parameterNames()[i] + "'" + of, action.parameterTypes()[i]);
        }
        if (action.returnType() != void.class && action.returnType() != Void.class) {
            codec.checkDecodable("Result" + of, action.returnType());
        }
    }

    /** Starts defining a local action with the plain-Java API. */
    public <A, R> TccActionBuilder<A, R> action(String name, Class<A> argumentType, Class<R> resultType) {
        return new TccActionBuilder<>(registration, name, argumentType, resultType);
    }

    /** What the plain-Java action builder needs of this runtime, and no more. */
    private final ActionRegistration registration = new ActionRegistration() {
        @Override
        public Duration defaultHold() {
            return settings.hold().defaultDuration();
        }

        @Override
        public Collection<ParticipantDatabase> databases() {
            return assembly.participantDatabases();
        }

        @Override
        public void register(ActionDefinition action) {
            TccRuntime.this.register(action);
        }

        @Override
        public Object tryBranch(String action, Object[] args, TryBody body) throws Exception {
            return TccRuntime.this.tryBranch(action, args, body);
        }
    };

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

    // ------------------------------------------------------------------ recovery

    /** Schedules recovery passes every {@link TccSettings.Recovery#interval()} on the scheduler. */
    public synchronized void start() {
        if (recoveryTask != null || scheduler == null) {
            return;
        }
        recoveryTask = recoveryPasses.schedule(scheduler, settings.recovery().interval());
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

    /** Coordinator-side recovery only: re-drives due decided transactions. */
    public RunnablePass coordinatorRecovery() {
        return coordinatorRecovery;
    }

    /** Participant-side hold expiry only: asks about due holds and finishes them. */
    public RunnablePass holdExpiry() {
        return holdExpiry;
    }

    /** Retention purge only. */
    public RunnablePass retention() {
        return retention;
    }

    // ------------------------------------------------------------------ operations

    /** List, find, count, retry and force-finish the transactions of this runtime's log. */
    public TccOperations operations() {
        return operations;
    }

    /** Same as {@code operations().find(xid)}. */
    public Optional<TransactionRecord> find(String xid) {
        return operations.find(xid);
    }

    /** Same as {@code operations().list(state, limit)}. */
    public List<TransactionRecord> list(TransactionState state, int limit) {
        return operations.list(state, limit);
    }

    /** Same as {@code operations().countByState()}. */
    public Map<TransactionState, Long> countByState() {
        return operations.countByState();
    }

    /** Same as {@code operations().retry(xid)}. */
    public Optional<TransactionState> retryFailed(String xid) {
        return operations.retry(xid);
    }

    /** Same as {@code operations().forceFinish(xid, state, note)}. */
    public boolean forceFinish(String xid, TransactionState state, String note) {
        return operations.forceFinish(xid, state, note);
    }

    public void addListener(TccEventListener listener) {
        events.add(listener);
    }

    public TccSettings settings() {
        return settings;
    }

    public String instanceId() {
        return instanceId;
    }

    /** For tests in this module (through their test-support class): the log itself. */
    TransactionLog transactionLog() {
        return transactionLog;
    }

    // ------------------------------------------------------------------ across HTTP (docs/protocol.md)

    /**
     * The call about to be made, when a TCC transaction (begun here or joined from a caller) is bound to
     * this thread; null otherwise, and the call is an ordinary one.
     *
     * @param method upper-case HTTP method
     * @param uri    the URI called (its raw path and query are signed)
     * @param body   the request body, empty when none
     */
    public OutboundCall outboundCall(String method, URI uri, byte[] body) {
        GlobalTransaction tx = TransactionContextHolder.current();
        return tx == null ? null : assembly.outboundCalls.begin(tx, method, uri, body);
    }

    /**
     * Joins the caller's transaction for an incoming request that carries its context; null when the
     * request carries none ({@code Tcc-Xid} absent).
     *
     * @param method upper-case HTTP method
     * @param path   raw path with the raw query, as received
     * @param header a request header's value by name (case-insensitive), null when absent
     * @param body   the request body, empty when none
     * @throws AuthenticationFailedException when signing is on and the context is not
     *         authenticated (answer 401; nothing ran)
     * @throws IllegalArgumentException when a context header is malformed (answer 400; nothing ran)
     */
    public InboundCall inboundCall(String method, String path,
                                                        Function<String, String> header, byte[] body) {
        return assembly.inboundCalls.join(method, path, header, body);
    }

    /** This service's participant endpoint logic, for a web framework to expose. */
    public ParticipantEndpoint participantEndpoint() {
        return assembly.participantEndpoint();
    }

    /** This service's coordinator endpoint logic, for a web framework to expose. */
    public CoordinatorEndpoint coordinatorEndpoint() {
        return assembly.coordinatorEndpoint();
    }

    /** How this service takes part in transactions across HTTP. */
    public HttpSettings httpSettings() {
        return assembly.http;
    }

    /** How participants of this process learn decisions (in-process by default). */
    public DecisionSource decisionSource() {
        return decisionSource;
    }

    /** The states of phase two's circuit breakers, one per participant, for metrics. */
    public CircuitBreakerStates circuitBreakers() {
        return calls;
    }

    /**
     * Decided transactions whose phase two this runtime left to recovery (at shutdown, or when it
     * could not be scheduled); each stays in the log with its decision until recovery drives it.
     */
    public long phaseTwoLeftToRecovery() {
        return leftToRecovery.count();
    }

    /**
     * Shuts down within {@link TccSettings.PhaseTwo#shutdownTimeout()}: stops recovery, stops
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
        long deadline = ticker.nanoTime() + settings.phaseTwo().shutdownTimeout().toNanos();
        List<PhaseTwoBatcher> batchers = new ArrayList<>();
        for (PhaseTwoBatcher batcher : new PhaseTwoBatcher[] {phaseTwoBatcher, remotePhaseTwoBatcher}) {
            if (batcher != null) {
                batcher.stopAccepting();
                batchers.add(batcher);
            }
        }
        for (PhaseTwoBatcher batcher : batchers) {
            batcher.shutdown(deadline); // the other batcher's drainer works on meanwhile, to the same deadline
        }
        for (ExecutorService drainers : new ExecutorService[] {localDrainerExecutor, remoteDrainerExecutor}) {
            if (drainers != null) {
                // idle by now, or past the deadline with a batch in flight: not interrupted; what it leaves over is
                // refused by the stopped phase-two executor and counted for recovery
                drainers.shutdown();
            }
        }
        if (ownedPhaseTwoExecutor != null) {
            ownedPhaseTwoExecutor.shutdown();
            try {
                if (!ownedPhaseTwoExecutor.awaitTermination(Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS)) {
                    List<Runnable> notStarted = new ArrayList<>();
                    ((ThreadPoolExecutor) ownedPhaseTwoExecutor).getQueue().drainTo(notStarted);
                    // only rounds of logged decisions are decided transactions; the batcher's own queue is counted by it
                    long logged = notStarted.stream().filter(r -> r instanceof PhaseTwoRound round && round.logged()).count();
                    long unlogged = notStarted.stream().filter(r -> r instanceof PhaseTwoRound round && !round.logged()).count();
                    leftToRecovery.add((int) logged, "phase two had not started when the shutdown timeout of "
                            + settings.phaseTwo().shutdownTimeout() + " ran out");
                    if (unlogged > 0) {
                        log.warn("TCC dropped {} cancel(s) of transactions another decider cancelled first, not started when"
                                + " the shutdown timeout ran out; their participants release those holds at hold expiry", unlogged);
                    }
                    log.warn("TCC phase two still runs on {} thread(s) at shutdown; what they do not finish, recovery does",
                            ((ThreadPoolExecutor) ownedPhaseTwoExecutor).getActiveCount());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        batchers.forEach(PhaseTwoBatcher::close); // writes the final states still waiting for their batch
    }

    /** Builds a runtime; only the transaction log's database is required. */
    public static final class Builder {
        // read by RuntimeAssembly
        TccSettings settings = TccSettings.defaults();
        Clock clock = Clock.systemUTC();
        RandomGenerator random = new SecureRandom();
        Ticker ticker = Ticker.SYSTEM;
        Sleeper sleeper = Sleeper.SYSTEM;
        JsonCodec codec = new JsonCodec();
        Predicate<LocalTransactionRunner> initializeSchema = database -> false;
        String instanceId;
        LocalTransactionRunner logDatabase;
        java.util.concurrent.Executor phaseTwoExecutor;
        boolean batchOnInjectedExecutor;
        int phaseTwoThreads = 4;
        ScheduledExecutorService scheduler;
        DecisionSource decisionSource;
        Function<String, DecisionSource> remoteCoordinators;
        HttpSettings http = HttpSettings.defaults();
        final List<TccEventListener> listeners = new ArrayList<>();

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

        /** The random source for xids, the default instance id and jitter; seed it for reproducible tests. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * The monotonic nanosecond source that times transactions and phase two for events and metrics,
         * and measures the in-process waits of phase two (shutdown timeout, back-pressure, finish linger).
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** How the phase-two finisher pauses while it lingers. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        public Builder codec(JsonCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Whether to create the TCC tables on the log's and every participant's database. */
        public Builder initializeSchema(boolean initializeSchema) {
            this.initializeSchema = database -> initializeSchema;
            return this;
        }

        /** On which databases (the log's, each participant's, by its runner) to create the TCC tables. */
        public Builder initializeSchema(Predicate<LocalTransactionRunner> onDatabase) {
            this.initializeSchema = Objects.requireNonNull(onDatabase, "onDatabase");
            return this;
        }

        /** Name of this instance in leases; defaults to a random id drawn from {@link #random}. */
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

        /** Cross-service settings (docs/protocol.md); {@link HttpSettings#defaults()} when not set. */
        public Builder http(HttpSettings http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /**
         * How participants ask the coordinator endpoint of a caller in another service for decisions, by its URL;
         * defaults to signed HTTP questions (docs/protocol.md). For tests and custom transports.
         */
        public Builder remoteCoordinators(Function<String, DecisionSource> byUrl) {
            this.remoteCoordinators = Objects.requireNonNull(byUrl, "byUrl");
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
                instanceId = "tcc-" + HexFormat.of().toHexDigits(random.nextInt());
            }
            return new TccRuntime(new RuntimeAssembly(this));
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
