package dev.tcc.runtime.coordinator;

import dev.tcc.runtime.log.Finish;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.support.Sleeper;
import dev.tcc.runtime.support.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asynchronous phase two batched across transactions. Decided transactions queue up; at most
 * {@code drainers} tasks on the drainer executor take up to {@code batchSize} of them at a time
 * and drive them with {@link BatchedPhaseTwo#driveBatch} (one local transaction per participant database
 * for the whole batch). Batches form by themselves under load (what arrives while a batch runs is
 * the next batch); a lone transaction is driven at once, alone. A batch locks the business rows of
 * all its bodies until it commits, so two batches on one database could lock rows in opposite orders
 * and deadlock: {@link BatchedPhaseTwo} lets one batch at a time work on a database (or endpoint),
 * and a drainer holds one such turn at a time. Several drainers ({@code tcc.phase-two.drainers})
 * therefore form a pipeline: while one batch commits on the last database of its transactions, the
 * next works on the first. Only as many run as are needed to keep up: one whenever something waits,
 * another only once a whole batch waits (and a drainer stops once less than a batch waits while another
 * one runs), because a larger batch costs fewer statements, commits and requests per transaction than
 * two smaller ones.
 *
 * <p>The final {@code CONFIRMED}/{@code CANCELLED} write is batched further: finished transactions
 * wait up to {@code finishLinger} (or until {@code batchSize} are waiting) and are written in one
 * commit. That write is bookkeeping, not a decision: every branch is already final in its
 * participant's barrier, so losing it in a crash costs one idempotent re-drive by recovery. With a
 * linger of zero the drainer writes them itself and the batcher starts no thread of its own.
 *
 * <p>Shutdown ({@link #shutdown}) stops accepting at once (a transaction decided afterwards is left
 * to recovery), lets the drainer work through the queue until a deadline, then stops it taking new
 * batches and hands what is still queued to recovery: counted and logged by {@link LeftToRecovery}.
 *
 * <p>A transaction the batch could not finish gets a one-by-one round ({@link BatchedPhaseTwo#driveAlone}): on the
 * drainer by default, or, given an executor for them, as a task of its own there, so that a round retrying with
 * back-off never holds up the next batch. The runtime has two batchers: one for transactions whose branches are all
 * local, and one for those with a branch in another service (so a slow endpoint never holds up the local drainers).
 * Each has drainer threads of its own, and hands its one-by-one rounds to the phase-two executor: a drainer on that
 * executor, started while every thread of it runs a round that waits (a retry, a locked row), would queue behind them.
 *
 * <p>Used only with the runtime's own executor. An injected executor (tests that drop, delay or
 * reorder phase-two rounds) keeps getting one task per transaction.
 */
public final class PhaseTwoBatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PhaseTwoBatcher.class);

    private final BatchedPhaseTwo phaseTwo;
    private final Executor executor;
    private final Executor aloneOn;
    private final int drainers;
    private final int batchSize;
    private final int maxQueued;
    private final long lingerNanos;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final ConcurrentLinkedQueue<BatchedPhaseTwo.Decided> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger activeDrainers = new AtomicInteger();
    /** Drainers past their start, not merely handed to the executor: only these keep up with what waits. */
    private final AtomicInteger runningDrainers = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final Object finishLock = new Object();
    private final Object room = new Object();
    private int waiting; // callers in awaitRoom, guarded by room
    private List<Finish> pendingFinishes = new ArrayList<>();
    private List<BatchedPhaseTwo.Decided> pendingDecided = new ArrayList<>();
    private long oldestPendingNanos;
    private final Thread finisher;
    private final LeftToRecovery leftToRecovery;
    private final Object idle = new Object();
    private volatile boolean closed;
    private volatile boolean accepting = true;
    private volatile boolean stopTaking;

    /**
     * @param ticker the in-process deadlines (shutdown, back-pressure, the linger) are read on it
     * @param sleeper the finisher lingers with it
     */
    public PhaseTwoBatcher(BatchedPhaseTwo phaseTwo, Executor executor, int drainers, int batchSize, Duration finishLinger,
                           LeftToRecovery leftToRecovery, Ticker ticker, Sleeper sleeper) {
        this(phaseTwo, executor, null, drainers, batchSize, finishLinger, MAX_QUEUED, leftToRecovery, ticker, sleeper);
    }

    /**
     * @param executor runs the drainers
     * @param aloneOn  runs the one-by-one round of each transaction a batch could not finish, as a {@link PhaseTwoRound}
     *                 (counted at shutdown like any decided transaction's round); null runs them on the drainer
     */
    public PhaseTwoBatcher(BatchedPhaseTwo phaseTwo, Executor executor, Executor aloneOn, int drainers, int batchSize,
                           Duration finishLinger, LeftToRecovery leftToRecovery, Ticker ticker, Sleeper sleeper) {
        this(phaseTwo, executor, aloneOn, drainers, batchSize, finishLinger, MAX_QUEUED, leftToRecovery, ticker, sleeper);
    }

    PhaseTwoBatcher(BatchedPhaseTwo phaseTwo, Executor executor, int drainers, int batchSize, Duration finishLinger, int maxQueued,
                    LeftToRecovery leftToRecovery) {
        this(phaseTwo, executor, null, drainers, batchSize, finishLinger, maxQueued, leftToRecovery, Ticker.SYSTEM, Sleeper.SYSTEM);
    }

    private PhaseTwoBatcher(BatchedPhaseTwo phaseTwo, Executor executor, Executor aloneOn, int drainers, int batchSize,
                            Duration finishLinger, int maxQueued, LeftToRecovery leftToRecovery, Ticker ticker, Sleeper sleeper) {
        this.aloneOn = aloneOn;
        this.ticker = ticker;
        this.sleeper = sleeper;
        this.leftToRecovery = leftToRecovery;
        this.maxQueued = maxQueued;
        this.phaseTwo = phaseTwo;
        this.executor = executor;
        this.drainers = Math.max(1, drainers);
        this.batchSize = Math.max(1, batchSize);
        this.lingerNanos = finishLinger.toNanos();
        // without a linger the drainer writes each batch's final states itself: no thread, and every
        // step of a batch runs on the executor (a test's executor drives it deterministically)
        this.finisher = lingerNanos > 0 ? new Thread(this::finishLoop, "tcc-phase-two-finisher") : null;
        if (finisher != null) {
            finisher.setDaemon(true);
            finisher.start();
        }
    }

    /** Most transactions waiting for a drainer before callers wait for room (back-pressure). */
    static final int MAX_QUEUED = 10_000;

    /** Longest a caller waits for room; then its transaction queues anyway (a stalled drainer must not stall callers). */
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;

    /**
     * Queues a decided transaction for phase two. When {@value #MAX_QUEUED} already wait, the
     * caller first waits for the drainer to take a batch: callers slow down to the pace of phase
     * two instead of running it themselves, one transaction at a time, which costs more.
     */
    public void submit(BatchedPhaseTwo.Decided decided) {
        if (!accepting) {
            leftToRecovery.add(1, "[" + decided.xid() + "] was decided while phase two shuts down");
            return;
        }
        if (queued.get() >= maxQueued) {
            awaitRoom();
        }
        queued.incrementAndGet();
        queue.add(decided);
        if (stopTaking && queue.remove(decided)) { // raced with the end of shutdown
            queued.decrementAndGet();
            leftToRecovery.add(1, "[" + decided.xid() + "] was decided while phase two shut down");
            return;
        }
        startDrainerIfNeeded();
    }

    /**
     * Stops accepting, lets the drainer work through the queue until {@code deadlineNanos}
     * (read on the injected {@link Ticker}), then stops it taking new batches and hands what is still queued
     * to recovery. A batch in flight at the deadline is not interrupted. Returns how many were
     * handed over.
     */
    public int shutdown(long deadlineNanos) {
        stopAccepting();
        synchronized (idle) {
            long left;
            while ((!queue.isEmpty() || activeDrainers.get() > 0) && (left = deadlineNanos - ticker.nanoTime()) > 0) {
                try {
                    idle.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        stopTaking = true;
        synchronized (room) {
            room.notifyAll();
        }
        int handedOver = 0;
        while (queue.poll() != null) {
            handedOver++;
        }
        queued.addAndGet(-handedOver);
        leftToRecovery.add(handedOver, "still queued for phase two when the shutdown timeout ran out");
        return handedOver;
    }

    /**
     * Stops accepting at once: a transaction decided from now on is left to recovery. {@link #shutdown} does this
     * too; call it first on every batcher, so that none accepts while another one waits for its queue.
     */
    public void stopAccepting() {
        accepting = false;
    }

    private void signalIdle() {
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    private void awaitRoom() {
        long deadline = ticker.nanoTime() + MAX_WAIT_NANOS;
        synchronized (room) {
            waiting++;
            try {
                long left;
                while (queued.get() >= maxQueued && !closed && !stopTaking && (left = deadline - ticker.nanoTime()) > 0) {
                    room.wait(left / 1_000_000, (int) (left % 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiting--;
            }
        }
    }

    private void tookFromQueue(int count) {
        queued.addAndGet(-count);
        synchronized (room) {
            if (waiting > 0) {
                room.notifyAll();
            }
        }
    }

    /**
     * Starts a drainer when something waits and none runs, and another one (up to {@code drainers}) only
     * once a whole batch waits: while the running drainers keep up, what arrives during a batch forms
     * the next one, and larger batches cost fewer statements, commits and requests per transaction than
     * more drainers taking smaller ones; once a whole batch waits, they no longer keep up, and another
     * drainer pipelines it.
     */
    private void startDrainerIfNeeded() {
        while (!queue.isEmpty() && !stopTaking) {
            int active = activeDrainers.get();
            if (active >= drainers || (active > 0 && queued.get() < batchSize)) {
                return;
            }
            if (activeDrainers.compareAndSet(active, active + 1)) {
                try {
                    executor.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    activeDrainers.decrementAndGet();
                    log.warn("TCC phase two could not be scheduled ({}); recovery drives the waiting transactions", e.getMessage());
                }
                return;
            }
        }
    }

    private void drain() {
        runningDrainers.incrementAndGet();
        try {
            while (!stopTaking) {
                // another running drainer keeps up with what waits: it forms its next, larger batch (one still waiting
                // for a thread of the executor keeps up with nothing, and this one would leave what waits undriven)
                if (runningDrainers.get() > 1 && queued.get() < batchSize) {
                    return;
                }
                List<BatchedPhaseTwo.Decided> batch = new ArrayList<>();
                BatchedPhaseTwo.Decided next;
                while (batch.size() < batchSize && (next = queue.poll()) != null) {
                    batch.add(next);
                }
                if (batch.isEmpty()) {
                    return;
                }
                tookFromQueue(batch.size());
                try {
                    phaseTwo.driveBatch(batch, this::finished, this::leftOver);
                } catch (RuntimeException e) {
                    log.warn("TCC phase two of {} transactions failed; recovery drives them when their leases end: {}",
                            batch.size(), e.toString());
                }
            }
        } finally {
            runningDrainers.decrementAndGet();
            activeDrainers.decrementAndGet();
            startDrainerIfNeeded(); // something may have arrived after the last poll
            signalIdle();
        }
    }

    /** A transaction the batch could not finish: its one-by-one round, here or as a task on {@code aloneOn}. */
    private void leftOver(BatchedPhaseTwo.Decided decided) {
        if (aloneOn == null) {
            phaseTwo.driveAlone(decided);
            return;
        }
        try {
            aloneOn.execute(new PhaseTwoRound(decided.xid(), true, () -> phaseTwo.driveAlone(decided)));
        } catch (RejectedExecutionException e) {
            leftToRecovery.add(1, "the one-by-one round of [" + decided.xid() + "] could not be scheduled (" + e.getMessage() + ")");
        }
    }

    private void finished(Finish finish, BatchedPhaseTwo.Decided decided) {
        boolean full;
        synchronized (finishLock) {
            if (pendingFinishes.isEmpty()) {
                oldestPendingNanos = ticker.nanoTime();
                finishLock.notifyAll();
            }
            pendingFinishes.add(finish);
            pendingDecided.add(decided);
            // once closed the finisher is gone: a batch still in flight at shutdown writes its final states itself
            full = pendingFinishes.size() >= batchSize || lingerNanos == 0 || closed;
        }
        if (full) {
            flush();
        }
    }

    /** Writes every waiting final state now. */
    public void flush() {
        List<Finish> finishes;
        List<BatchedPhaseTwo.Decided> decided;
        synchronized (finishLock) {
            if (pendingFinishes.isEmpty()) {
                return;
            }
            finishes = pendingFinishes;
            decided = pendingDecided;
            pendingFinishes = new ArrayList<>();
            pendingDecided = new ArrayList<>();
        }
        phaseTwo.finishAll(finishes, decided);
    }

    private void finishLoop() {
        while (!closed) {
            try {
                long wait;
                synchronized (finishLock) {
                    while (pendingFinishes.isEmpty() && !closed) {
                        finishLock.wait();
                    }
                    wait = lingerNanos - (ticker.nanoTime() - oldestPendingNanos);
                }
                if (wait > 0) {
                    sleeper.sleepNanos(wait);
                }
                flush();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("TCC could not record finished transactions: {}", e.toString());
            }
        }
    }

    /** Transactions waiting for a drainer. */
    public int queued() {
        return queued.get();
    }

    /**
     * Stops the finisher after writing what waits; call after the executor has stopped. A batch still in flight (past
     * the shutdown timeout) writes the final states of what it finishes itself.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (room) {
            room.notifyAll();
        }
        synchronized (finishLock) {
            finishLock.notifyAll();
        }
        try {
            if (finisher != null) {
                finisher.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("TCC could not record finished transactions at shutdown; recovery re-drives them: {}", e.toString());
        }
    }
}
