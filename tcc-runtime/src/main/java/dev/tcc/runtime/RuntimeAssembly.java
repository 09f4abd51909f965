package dev.tcc.runtime;

import dev.tcc.api.MissingTablesException;
import dev.tcc.api.TransactionLogException;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.barrier.BranchBarrier;
import dev.tcc.runtime.codec.JsonCodec;
import dev.tcc.runtime.coordinator.BatchedPhaseTwo;
import dev.tcc.runtime.coordinator.Coordinator;
import dev.tcc.runtime.coordinator.Events;
import dev.tcc.runtime.coordinator.LeftToRecovery;
import dev.tcc.runtime.coordinator.LocalDecisionSource;
import dev.tcc.runtime.coordinator.ParticipantRegistry;
import dev.tcc.runtime.coordinator.PhaseTwo;
import dev.tcc.runtime.coordinator.PhaseTwoBatcher;
import dev.tcc.runtime.coordinator.PhaseTwoCalls;
import dev.tcc.runtime.http.CoordinatorEndpoint;
import dev.tcc.runtime.http.DefaultCoordinatorEndpoint;
import dev.tcc.runtime.http.DefaultParticipantEndpoint;
import dev.tcc.runtime.http.GuardedDecisionSource;
import dev.tcc.runtime.http.HttpProtocolClient;
import dev.tcc.runtime.http.HttpSettings;
import dev.tcc.runtime.http.InboundCalls;
import dev.tcc.runtime.http.OutboundCalls;
import dev.tcc.runtime.http.ParticipantEndpoint;
import dev.tcc.runtime.http.Signer;
import dev.tcc.runtime.jdbc.SchemaCheck;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.operations.LogOperations;
import dev.tcc.runtime.recovery.CoordinatorRecovery;
import dev.tcc.runtime.recovery.HoldExpiry;
import dev.tcc.runtime.recovery.RecoveryPasses;
import dev.tcc.runtime.recovery.Retention;
import dev.tcc.runtime.support.Ticker;
import dev.tcc.spi.DecisionSource;
import dev.tcc.spi.LocalTransactionRunner;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Builds the runtime's object graph from a {@link TccRuntime.Builder}: prepares the log's database
 * (creates and checks its tables), then wires the log, phase two, the coordinator, recovery and the
 * operations. Later it prepares each participant database as actions register. {@link TccRuntime}
 * only takes the parts.
 */
final class RuntimeAssembly {

    final TccSettings settings;
    final Clock clock;
    final Ticker ticker;
    final JsonCodec codec;
    final String instanceId;
    final Predicate<LocalTransactionRunner> initializeSchema;
    final ScheduledExecutorService scheduler;
    final ParticipantRegistry participants = new ParticipantRegistry(this::remoteParticipant);
    final List<LocalParticipant> localParticipants = new CopyOnWriteArrayList<>();
    final Events events = new Events();
    final LeftToRecovery leftToRecovery = new LeftToRecovery();
    final TransactionLog transactionLog;
    final PhaseTwoCalls calls;
    final ExecutorService ownedPhaseTwoExecutor;
    final PhaseTwoBatcher phaseTwoBatcher;
    /** The drainer threads of {@link #phaseTwoBatcher} on the runtime's own executor; null otherwise. */
    final ExecutorService localDrainerExecutor;
    /** The drainer threads of {@link #remotePhaseTwoBatcher}; null without it. */
    final ExecutorService remoteDrainerExecutor;
    /** Batches phase two of transactions with a branch in another service; null on an injected executor. */
    final PhaseTwoBatcher remotePhaseTwoBatcher;
    final Coordinator coordinator;
    final DecisionSource decisionSource;
    private final Map<String, DecisionSource> remoteCoordinators = new ConcurrentHashMap<>();
    final HttpSettings http;
    final OutboundCalls outboundCalls;
    final InboundCalls inboundCalls;
    final CoordinatorRecovery coordinatorRecovery;
    final HoldExpiry holdExpiry;
    final Retention retention;
    final RecoveryPasses recoveryPasses;
    final LogOperations operations;
    private final Map<String, ParticipantDatabase> databases = new ConcurrentHashMap<>();
    /** Signs and verifies the protocol's messages; null when {@code http.keys()} is null (unsigned). */
    final Signer signer;
    private HttpProtocolClient httpClient;
    private ParticipantEndpoint participantEndpoint;
    private CoordinatorEndpoint coordinatorEndpoint;

    RuntimeAssembly(TccRuntime.Builder b) {
        this.settings = b.settings;
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.codec = b.codec;
        this.instanceId = b.instanceId;
        this.initializeSchema = b.initializeSchema;
        this.scheduler = b.scheduler;
        SqlDialect dialect = prepareDatabase(b.logDatabase, "the transaction log's database", SchemaCheck.LOG_TABLES);
        this.transactionLog = new TransactionLog(b.logDatabase, dialect, clock);
        this.calls = new PhaseTwoCalls(settings, b.random);
        PhaseTwo phaseTwo = new PhaseTwo(transactionLog, participants, calls, settings, clock, b.random, events, b.ticker);
        this.ownedPhaseTwoExecutor = b.phaseTwoExecutor == null ? newPhaseTwoExecutor(b.phaseTwoThreads) : null;
        // batching across transactions on the runtime's own executor; an injected one (a test that
        // drops or reorders phase-two rounds) keeps one task per transaction unless batching is asked for
        boolean batching = settings.phaseTwo().asynchronous() && settings.phaseTwo().batchSize() > 1;
        BatchedPhaseTwo batched = new BatchedPhaseTwo(phaseTwo, transactionLog, participants, calls, settings, clock, b.ticker,
                events);
        // several drainers pipeline batches through the databases, on threads of their own: on the phase-two executor a
        // drainer started while every thread runs a one-by-one round that waits (a retry, a locked row) would queue
        // behind those rounds. A transaction a batch leaves over gets its one-by-one round as a task of its own on the
        // phase-two executor, so that its retries never hold up the drainer. On an injected executor (tests) one
        // drainer, which runs those rounds itself
        this.localDrainerExecutor = batching && ownedPhaseTwoExecutor != null
                ? newDrainerExecutor(settings.phaseTwo().drainers(), "tcc-phase-two-drainer-") : null;
        this.phaseTwoBatcher = batching && (ownedPhaseTwoExecutor != null || b.batchOnInjectedExecutor)
                ? new PhaseTwoBatcher(batched, localDrainerExecutor != null ? localDrainerExecutor : b.phaseTwoExecutor,
                        ownedPhaseTwoExecutor, localDrainerExecutor != null ? settings.phaseTwo().drainers() : 1,
                        settings.phaseTwo().batchSize(), settings.phaseTwo().finishLinger(), leftToRecovery, b.ticker, b.sleeper)
                : null;
        // transactions with a branch in another service: drainers of their own, which wait for HTTP without holding
        // up the local batches, and hand what their batches leave over to the phase-two executor
        this.remoteDrainerExecutor = batching && ownedPhaseTwoExecutor != null
                ? newDrainerExecutor(settings.phaseTwo().drainers(), "tcc-phase-two-remote-") : null;
        this.remotePhaseTwoBatcher = remoteDrainerExecutor != null
                ? new PhaseTwoBatcher(batched, remoteDrainerExecutor, ownedPhaseTwoExecutor, settings.phaseTwo().drainers(),
                        settings.phaseTwo().batchSize(),
                        settings.phaseTwo().finishLinger(), leftToRecovery, b.ticker, b.sleeper)
                : null;
        this.coordinator = new Coordinator(transactionLog, phaseTwo, settings, clock, b.random,
                b.phaseTwoExecutor == null ? ownedPhaseTwoExecutor : b.phaseTwoExecutor, instanceId, events, phaseTwoBatcher,
                remotePhaseTwoBatcher, leftToRecovery, b.ticker);
        this.http = b.http;
        this.signer = http.keys() == null ? null : new Signer(http.keys(), clock);
        this.outboundCalls = new OutboundCalls(http, signer, clock);
        this.inboundCalls = new InboundCalls(http, signer, clock, ticker);
        this.decisionSource = b.decisionSource == null ? new LocalDecisionSource(transactionLog, clock) : b.decisionSource;
        this.coordinatorRecovery = new CoordinatorRecovery(transactionLog, phaseTwo, settings, clock, instanceId);
        this.holdExpiry = new HoldExpiry(databases.values(), this::participantsOn, decisionSource,
                b.remoteCoordinators != null ? b.remoteCoordinators : this::remoteCoordinator, settings, clock);
        this.retention = new Retention(transactionLog, databases.values(), this::participantsOn, settings, clock);
        this.recoveryPasses = new RecoveryPasses(coordinatorRecovery, holdExpiry, retention);
        this.operations = new LogOperations(transactionLog, coordinatorRecovery, clock);
        b.listeners.forEach(events::add);
    }

    // ------------------------------------------------------------------ across HTTP (docs/protocol.md)

    /** The client of other services' endpoints, made on first use (its HttpClient starts a thread). */
    synchronized HttpProtocolClient httpClient() {
        if (httpClient == null) {
            httpClient = new HttpProtocolClient(http, signer);
        }
        return httpClient;
    }

    /** A participant id that is a URL names a remote participant endpoint. */
    private dev.tcc.spi.BranchParticipant remoteParticipant(String id) {
        return ParticipantRegistry.isRemote(id) ? httpClient().participant(id) : null;
    }

    /** The registered local action named {@code action}, or null (never a remote participant). */
    private LocalParticipant localParticipant(String action) {
        for (LocalParticipant p : localParticipants) {
            if (p.id().equals(action)) {
                return p;
            }
        }
        return null;
    }

    synchronized ParticipantEndpoint participantEndpoint() {
        if (participantEndpoint == null) {
            participantEndpoint = new DefaultParticipantEndpoint(signer, this::localParticipant,
                    this::participantDatabases, clock);
        }
        return participantEndpoint;
    }

    /** Answers from this service's own log, whatever decision source its participants use. */
    synchronized CoordinatorEndpoint coordinatorEndpoint() {
        if (coordinatorEndpoint == null) {
            coordinatorEndpoint = new DefaultCoordinatorEndpoint(signer,
                    new LocalDecisionSource(transactionLog, clock), clock);
        }
        return coordinatorEndpoint;
    }

    /** The database of {@code runner}, prepared (tables created and checked) the first time an action names it. */
    ParticipantDatabase participantDatabase(LocalTransactionRunner runner) {
        return databases.computeIfAbsent(runner.name(), name -> {
            SqlDialect dialect = prepareDatabase(runner, "participant database", SchemaCheck.BARRIER_TABLES);
            return new ParticipantDatabase(runner, new BranchBarrier(dialect));
        });
    }

    /** The participant databases prepared so far. */
    List<ParticipantDatabase> participantDatabases() {
        return List.copyOf(databases.values());
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

    /** Creates the tables when schema initialisation is on; then checks that the tables of {@code role} exist. */
    private SqlDialect prepareDatabase(LocalTransactionRunner runner, String role, List<String> tables) {
        try {
            boolean initialize = initializeSchema.test(runner);
            return runner.inNewTransaction(c -> {
                if (initialize) {
                    SchemaInitializer.createTables(c);
                }
                SchemaCheck.requireTables(c, role, runner.name(), tables);
                return SqlDialect.of(c);
            });
        } catch (MissingTablesException e) {
            throw e;
        } catch (Exception e) {
            throw new TransactionLogException("Could not prepare database '" + runner.name() + "' for TCC: " + e.getMessage()
                    + (initializeSchema.test(runner) ? "" : ". Create the tables with " + "META-INF/tcc/schema-<database>.sql or turn schema initialisation on"), e);
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

    /**
     * The threads of a batcher's drainers, started on first use and ended when idle; they reject work once shut down,
     * and the batcher then leaves its queue to recovery.
     */
    private static ExecutorService newDrainerExecutor(int drainers, String threadName) {
        AtomicInteger counter = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(drainers, drainers, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** The coordinator endpoint at {@code url} as a decision source, one per URL. */
    private DecisionSource remoteCoordinator(String url) {
        return remoteCoordinators.computeIfAbsent(url, u -> new GuardedDecisionSource(
                httpDecisionSource(u), u, settings));
    }

    private DecisionSource httpDecisionSource(String url) {
        return httpClient().decisionSource(url);
    }
}
