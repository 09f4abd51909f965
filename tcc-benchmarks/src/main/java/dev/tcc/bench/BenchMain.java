package dev.tcc.bench;

import dev.tcc.runtime.model.TccSettings;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The benchmark harness: a plain main with warm-up and fixed transaction counts.
 *
 * <pre>
 * java -jar tcc-benchmarks/target/tcc-benchmarks.jar --db h2,pg --threads 1,8,32
 * java -jar tcc-benchmarks/target/tcc-benchmarks.jar --mode soak --soak-count 1000000
 * </pre>
 *
 * Options: {@code --mode bench|soak}, {@code --db h2|pg|h2,pg}, {@code --shape update,hold-id} (what a try writes,
 * see {@link TripBooking.Shape}; both by default, the soak uses the first), {@code --threads 1,8,32},
 * {@code --warmup N}, {@code --count N} (per run), {@code --rounds 3} (baseline and TCC alternate; the median counts),
 * {@code --rows 1000} (inventory rows per participant), {@code --mix confirm,cancel}, {@code --cancel-ratio 0.3},
 * {@code --phase-two-threads 4}, {@code --soak-count N}, {@code --soak-interval N}, {@code --soak-threads N}.
 */
public final class BenchMain {

    /** Parsed command line. */
    static final class Options {
        String mode = "bench";
        List<String> dbs = List.of("h2");
        List<TripBooking.Shape> shapes = List.of(TripBooking.Shape.UPDATE, TripBooking.Shape.HOLD_ID);
        int[] threads = {1, 8, 32};
        int warmup = 2000;
        int count = 5000;
        int rounds = 3;
        List<String> mixes = List.of("confirm", "cancel");
        double cancelRatio = 0.3;
        int phaseTwoThreads = 4;
        long soakCount = 1_000_000;
        long soakInterval = 100_000;
        int soakThreads = 8;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String key = args[i];
                if (key.equals("--help") || key.equals("-h")) {
                    System.out.println("options: --mode bench|soak|http --db h2|pg|h2,pg --shape update,hold-id --threads 1,8,32 --warmup N --count N --rounds N --rows 1000"
                            + " --mix confirm,cancel --cancel-ratio 0.3 --phase-two-threads N --soak-count N"
                            + " --soak-interval N --soak-threads N");
                    System.exit(0);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + key + " needs a value");
                }
                String v = args[++i];
                switch (key) {
                    case "--mode" -> o.mode = v;
                    case "--db" -> o.dbs = List.of(v.split(","));
                    case "--shape" -> o.shapes = Arrays.stream(v.split(",")).map(TripBooking.Shape::of).toList();
                    case "--threads" -> o.threads = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--warmup" -> o.warmup = Integer.parseInt(v);
                    case "--count" -> o.count = Integer.parseInt(v);
                    case "--rounds" -> o.rounds = Integer.parseInt(v);
                    case "--rows" -> TripBooking.ROWS = Integer.parseInt(v);
                    case "--mix" -> o.mixes = List.of(v.split(","));
                    case "--cancel-ratio" -> o.cancelRatio = Double.parseDouble(v);
                    case "--phase-two-threads" -> o.phaseTwoThreads = Integer.parseInt(v);
                    case "--soak-count" -> o.soakCount = Long.parseLong(v);
                    case "--soak-interval" -> o.soakInterval = Long.parseLong(v);
                    case "--soak-threads" -> o.soakThreads = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + key + " (try --help)");
                }
            }
            for (String db : o.dbs) {
                if (!db.equals("h2") && !db.equals("pg")) {
                    throw new IllegalArgumentException("--db takes h2 and/or pg, not " + db);
                }
            }
            return o;
        }
    }

    /** One measured run. */
    record Result(String db, TripBooking.Shape shape, String mix, int threads, boolean tcc, int count, double txPerSecond,
                  double callerTxPerSecond, double p50Millis, double p99Millis, Counting.Snapshot counted, long triesCommitted,
                  Map<String, Counting.Snapshot> perDatabase, Cpu cpu) {

        double callerStatementsPerTx() {
            return (double) counted.callerStatements() / count;
        }

        double roundTripsPerTx() {
            return (double) counted.roundTrips() / count;
        }

        double cpuMillisPerTx(long nanos) {
            return nanos / 1e6 / count;
        }

        double callerCommitsPerTx() {
            return (double) counted.callerCommits() / count;
        }

        double otherCommitsPerTx() {
            return (double) counted.otherCommits() / count;
        }

        double statementsPerTx() {
            return (double) counted.statements() / count;
        }

        /** N tries + 1 decision per transaction, from what the harness saw commit. */
        double expectedCallerCommitsPerTx() {
            return (double) (triesCommitted + count) / count;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        PrintStream out = System.out;
        machine(out);
        if (o.mode.equals("soak")) {
            soak(o, out);
        } else if (o.mode.equals("http")) {
            HttpBench.run(o, out);
            machine(out);
        } else {
            List<Result> results = bench(o, out);
            printTable(results, out);
            machine(out);
        }
        System.exit(0);
    }

    static void machine(PrintStream out) {
        out.printf(Locale.ROOT, "machine: %d cores, %s %s, max heap %d MB, load average %.1f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static TccSettings benchSettings() {
        // the defaults (asynchronous phase two, 15 min holds) unless -Dtcc.bench.batch-size / -Dtcc.bench.drainers /
        // -Dtcc.bench.sync say otherwise
        return TccSettings.builder()
                .phaseTwoBatchSize(Integer.getInteger("tcc.bench.batch-size", TccSettings.defaults().phaseTwo().batchSize()))
                .phaseTwoDrainers(Integer.getInteger("tcc.bench.drainers", TccSettings.defaults().phaseTwo().drainers()))
                .asynchronousPhaseTwo(!Boolean.getBoolean("tcc.bench.sync"))
                .build();
    }

    // ------------------------------------------------------------------ bench

    static List<Result> bench(Options o, PrintStream out) throws Exception {
        List<Result> results = new ArrayList<>();
        int maxThreads = Arrays.stream(o.threads).max().orElse(1);
        for (String db : o.dbs) {
            // PostgreSQL allows 100 connections: four pools of at most ~21
            int clientConnections = db.equals("pg") ? Math.min(maxThreads, 16) : maxThreads;
            int poolSize = clientConnections + o.phaseTwoThreads + 1;
            try (TripBooking booking = new TripBooking(db, poolSize, benchSettings(), o.phaseTwoThreads, TripBooking.newRunId())) {
                for (TripBooking.Shape shape : o.shapes) {
                    for (String mix : o.mixes) {
                        double ratio = mix.equals("cancel") ? o.cancelRatio : 0.0;
                        for (int threads : o.threads) {
                            // baseline and TCC alternate, round after round, so a disturbance hits both; the median round of each counts
                            List<Result> base = new ArrayList<>();
                            List<Result> coordinated = new ArrayList<>();
                            for (int round = 0; round < o.rounds; round++) {
                                for (boolean tcc : new boolean[] {false, true}) {
                                    Result r = run(booking, shape, mix, threads, tcc, round == 0 ? o.warmup : o.warmup / 4, o.count,
                                            ratio);
                                    (tcc ? coordinated : base).add(r);
                                    out.printf(Locale.ROOT, "  %-2s %-7s %-7s %2d thr %-8s round %d %8.0f tx/s  p50 %6.2f ms  p99 %6.2f ms"
                                                    + "  CPU ms/tx caller %.3f phase two %.3f JVM %.3f machine %.3f%n",
                                            db, shape.label, mix, threads, tcc ? "TCC" : "baseline", round + 1, r.txPerSecond(),
                                            r.p50Millis(), r.p99Millis(), r.cpuMillisPerTx(r.cpu().callerNanos()),
                                            r.cpuMillisPerTx(r.cpu().phaseTwoNanos()),
                                            r.cpuMillisPerTx(r.cpu().processNanos()), r.cpuMillisPerTx(r.cpu().machineNanos()));
                                }
                            }
                            results.add(median(base));
                            results.add(median(coordinated));
                        }
                    }
                }
                if (booking.pendingHolds() != 0) {
                    throw new IllegalStateException(booking.pendingHolds() + " hold rows still PENDING after phase two finished");
                }
                long[] inv = booking.inventoryTotals();
                out.printf("  %s: TCC rows tcc_transaction/tcc_branch/tcc_barrier = %s (no retention in bench mode);"
                        + " inventory available/held/sold = %s%n", db, Arrays.toString(booking.tccRowCounts()), Arrays.toString(inv));
                if (inv[0] + inv[1] + inv[2] != (long) TripBooking.ROWS * TripBooking.PARTICIPANTS.length * 1_000_000_000L) {
                    throw new IllegalStateException("inventory not conserved: " + Arrays.toString(inv));
                }
            }
        }
        return results;
    }

    static Result median(List<Result> rounds) {
        List<Result> sorted = new ArrayList<>(rounds);
        sorted.sort((a, b) -> Double.compare(a.txPerSecond(), b.txPerSecond()));
        return sorted.get(sorted.size() / 2);
    }

    static Result run(TripBooking booking, TripBooking.Shape shape, String mix, int threads, boolean tcc, int warmup, int count,
                      double cancelRatio) throws Exception {
        execute(booking, shape, threads, tcc, warmup, cancelRatio, new LongAdder());
        booking.awaitFinished(120_000);
        Counting.Snapshot before = booking.total();
        Map<String, Counting.Snapshot> beforeDb = booking.perDatabase();
        long triesBefore = booking.triesCommitted.sum();
        LongAdder callerCpu = new LongAdder();
        long process0 = Cpu.currentProcessNanos();
        long phaseTwo0 = Cpu.currentThreadsNanos(Cpu.PHASE_TWO_THREADS);
        long machine0 = Cpu.currentMachineBusyNanos();
        long t0 = System.nanoTime();
        long[] latencies = execute(booking, shape, threads, tcc, count, cancelRatio, callerCpu);
        long tCallers = System.nanoTime();
        booking.awaitFinished(120_000);
        long t1 = System.nanoTime();
        Cpu cpu = new Cpu(callerCpu.sum(), Cpu.currentThreadsNanos(Cpu.PHASE_TWO_THREADS) - phaseTwo0,
                Cpu.currentProcessNanos() - process0, Cpu.currentMachineBusyNanos() - machine0);
        Counting.Snapshot counted = booking.total().minus(before);
        Map<String, Counting.Snapshot> perDb = new LinkedHashMap<>();
        booking.perDatabase().forEach((k, v) -> perDb.put(k, v.minus(beforeDb.get(k))));
        Arrays.sort(latencies);
        return new Result(booking.db, shape, mix, threads, tcc, count, count / ((t1 - t0) / 1e9), count / ((tCallers - t0) / 1e9),
                percentile(latencies, 0.50), percentile(latencies, 0.99), counted,
                booking.triesCommitted.sum() - triesBefore, perDb, cpu);
    }

    /** Runs {@code count} bookings on {@code threads} client threads; returns each one's latency in nanoseconds. */
    static long[] execute(TripBooking booking, TripBooking.Shape shape, int threads, boolean tcc, int count, double cancelRatio,
                          LongAdder callerCpu) throws Exception {
        int declinePerHundred = (int) Math.round(cancelRatio * 100);
        return clients(threads, count, callerCpu, (i, ids) -> {
            boolean decline = (i * 37) % 100 < declinePerHundred; // exactly cancelRatio of every 100
            if (tcc) {
                booking.tcc(shape, ids, decline);
            } else {
                booking.baseline(shape, ids, decline);
            }
        });
    }

    /** One booking of a client thread: the {@code index}-th of the run, for three random inventory rows. */
    @FunctionalInterface
    interface Booking {
        void book(int index, int[] ids) throws Exception;
    }

    /**
     * Runs {@code count} bookings on {@code threads} client threads (their database work counts as the caller's
     * path), each for three random inventory rows; returns each one's latency in nanoseconds, and adds the client
     * threads' CPU to {@code callerCpu}. The first failure stops the run and is thrown.
     */
    static long[] clients(int threads, int count, LongAdder callerCpu, Booking booking) throws Exception {
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                Counting.markCaller();
                long cpu0 = Cpu.currentThreadNanos();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int[] ids = new int[3];
                for (int i = next.getAndIncrement(); i < count && failure.get() == null; i = next.getAndIncrement()) {
                    for (int p = 0; p < 3; p++) {
                        ids[p] = random.nextInt(TripBooking.ROWS);
                    }
                    long s = System.nanoTime();
                    try {
                        booking.book(i, ids);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                    latencies[i] = System.nanoTime() - s;
                }
                callerCpu.add(Cpu.currentThreadNanos() - cpu0);
            }, "bench-client-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a booking failed: " + failure.get(), failure.get());
        }
        return latencies;
    }

    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    static void printTable(List<Result> results, PrintStream out) {
        out.println();
        out.println("| db | shape | mix | threads | run | tx/s | caller tx/s | p50 ms | p99 ms | commits/tx caller | N tries+1"
                + " | commits/tx phase two+other | statements/tx caller | statements/tx | round trips/tx | CPU ms/tx caller"
                + " | CPU ms/tx phase two | CPU ms/tx JVM | CPU ms/tx machine | TCC/baseline tx/s | p50 budget (base p50 + 1 commit) |");
        out.println("|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Result r : results) {
            Result base = r.tcc() ? results.stream().filter(b -> !b.tcc() && b.db().equals(r.db()) && b.shape() == r.shape()
                    && b.mix().equals(r.mix()) && b.threads() == r.threads()).findFirst().orElse(null) : null;
            String ratio = base == null ? "" : String.format(Locale.ROOT, "%.2fx", r.txPerSecond() / base.txPerSecond());
            String budget = "";
            if (base != null) {
                double oneCommit = base.p50Millis() / 3; // the baseline is three one-write commits
                double limit = base.p50Millis() + oneCommit;
                budget = String.format(Locale.ROOT, "%.2f ms %s", limit, r.p50Millis() <= limit ? "met" : "MISSED");
            }
            out.printf(Locale.ROOT, "| %s | %s | %s | %d | %s | %.0f | %.0f | %.2f | %.2f | %.2f | %s | %.2f | %.1f | %.1f | %.1f"
                            + " | %.3f | %.3f | %.3f | %.3f | %s | %s |%n",
                    r.db().equals("pg") ? "PostgreSQL" : "H2 mem", r.shape().label, r.mix().equals("cancel") ? "30% cancel" : "confirm",
                    r.threads(), r.tcc() ? "TCC" : "baseline", r.txPerSecond(), r.callerTxPerSecond(), r.p50Millis(),
                    r.p99Millis(), r.callerCommitsPerTx(), r.tcc() ? String.format(Locale.ROOT, "%.2f", r.expectedCallerCommitsPerTx()) : "",
                    r.otherCommitsPerTx(), r.callerStatementsPerTx(), r.statementsPerTx(), r.roundTripsPerTx(),
                    r.cpuMillisPerTx(r.cpu().callerNanos()), r.cpuMillisPerTx(r.cpu().phaseTwoNanos()),
                    r.cpuMillisPerTx(r.cpu().processNanos()), r.cpuMillisPerTx(r.cpu().machineNanos()), ratio, budget);
        }
        out.println();
        out.println("Phase-two and clean-up commits per transaction by database (TCC runs):");
        for (Result r : results) {
            if (r.tcc()) {
                StringBuilder line = new StringBuilder();
                r.perDatabase().forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.2f", k, (double) v.otherCommits() / r.count())));
                out.printf("  %s %s %s %d threads:%s%n", r.db(), r.shape().label, r.mix(), r.threads(), line);
            }
        }
    }

    // ------------------------------------------------------------------ soak

    static TccSettings soakSettings() {
        return TccSettings.builder()
                .defaultHold(Duration.ofSeconds(5))
                .safetyMargin(Duration.ofMillis(500))
                .holdExpiryGrace(Duration.ofSeconds(1))
                .retentionFinished(Duration.ofSeconds(2))
                .retentionBarrier(Duration.ofSeconds(2))
                .retentionBatchSize(10_000)
                .recoveryInterval(Duration.ofSeconds(1))
                .build();
    }

    record SoakSample(long transactions, double seconds, double txPerSecond, long heapAfterGcBytes, long[] rows) {
    }

    static List<SoakSample> soak(Options o, PrintStream out) throws Exception {
        List<SoakSample> samples = new ArrayList<>();
        String db = o.dbs.get(0);
        try (TripBooking booking = new TripBooking(db, o.soakThreads + o.phaseTwoThreads + 2, soakSettings(),
                o.phaseTwoThreads, TripBooking.newRunId())) {
            booking.runtime.start(); // recovery, hold expiry and retention every second
            // and retention on its own as well, back to back: one pass of the recovery thread purges at most 4 batches per
            // table, fewer rows than this load finishes per second on two cores
            Thread purger = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        booking.runtime.retention().runOnce();
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        out.println("retention failed: " + e);
                    }
                }
            }, "bench-retention");
            purger.setDaemon(true);
            purger.start();
            out.printf("soak: %d transactions on %s, %d threads, %.0f%% cancelled; retention 2 s, holds 5 s%n", o.soakCount, db,
                    o.soakThreads, o.cancelRatio * 100);
            out.println("| transactions | seconds | tx/s (interval) | heap after GC MB | tcc_transaction | tcc_branch | tcc_barrier |");
            out.println("|---:|---:|---:|---:|---:|---:|---:|");
            AtomicInteger done = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            int declinePerHundred = (int) Math.round(o.cancelRatio * 100);
            long total = o.soakCount;
            AtomicInteger next = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            Counting.Snapshot before = booking.total();
            long start = System.nanoTime();
            for (int t = 0; t < o.soakThreads; t++) {
                Thread w = new Thread(() -> {
                    Counting.markCaller();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    int[] ids = new int[3];
                    for (long i = next.getAndIncrement(); i < total && failure.get() == null; i = next.getAndIncrement()) {
                        for (int p = 0; p < 3; p++) {
                            ids[p] = random.nextInt(TripBooking.ROWS);
                        }
                        try {
                            booking.tcc(o.shapes.get(0), ids, (i * 37) % 100 < declinePerHundred);
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                        done.incrementAndGet();
                    }
                }, "bench-client-" + t);
                workers.add(w);
                w.start();
            }
            long nextReport = 0;
            long lastCount = 0;
            long lastTime = start;
            while (true) {
                long n = done.get();
                boolean finished = workers.stream().noneMatch(Thread::isAlive);
                if (n >= nextReport || finished) {
                    long now = System.nanoTime();
                    SoakSample s = sample(booking, n, (now - start) / 1e9, (n - lastCount) / Math.max(1e-9, (now - lastTime) / 1e9));
                    samples.add(s);
                    print(out, s);
                    lastCount = n;
                    lastTime = now;
                    nextReport = n + o.soakInterval;
                }
                if (finished || failure.get() != null) {
                    break;
                }
                Thread.sleep(50);
            }
            if (failure.get() != null) {
                throw new IllegalStateException("soak failed: " + failure.get(), failure.get());
            }
            booking.awaitFinished(120_000);
            Counting.Snapshot counted = booking.total().minus(before);
            Thread.sleep(5000); // let retention catch up once the load stops
            SoakSample last = sample(booking, total, (System.nanoTime() - start) / 1e9, 0);
            samples.add(last);
            print(out, last);
            out.printf(Locale.ROOT, "soak commits per transaction: caller %.3f, phase two + recovery + retention %.3f%n",
                    (double) counted.callerCommits() / total, (double) counted.otherCommits() / total);
            summarize(samples, out);
        }
        return samples;
    }

    private static SoakSample sample(TripBooking booking, long n, double seconds, double rate) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new SoakSample(n, seconds, rate, heap, booking.tccRowCounts());
    }

    private static void print(PrintStream out, SoakSample s) {
        out.printf(Locale.ROOT, "| %d | %.0f | %.0f | %.1f | %d | %d | %d |%n", s.transactions(), s.seconds(), s.txPerSecond(),
                s.heapAfterGcBytes() / 1048576.0, s.rows()[0], s.rows()[1], s.rows()[2]);
    }

    static void summarize(List<SoakSample> samples, PrintStream out) {
        // skip the first two samples (start-up and warm-up), then look at the spread
        List<SoakSample> steady = samples.size() > 4 ? samples.subList(2, samples.size()) : samples;
        long minHeap = steady.stream().mapToLong(SoakSample::heapAfterGcBytes).min().orElse(0);
        long maxHeap = steady.stream().mapToLong(SoakSample::heapAfterGcBytes).max().orElse(0);
        long maxRows = samples.stream().mapToLong(s -> s.rows()[0] + s.rows()[1] + s.rows()[2]).max().orElse(0);
        out.printf(Locale.ROOT, "soak summary: heap after GC at steady state %.1f..%.1f MB (first %.1f, last %.1f);"
                        + " most TCC rows at once %d (for %d transactions)%n",
                minHeap / 1048576.0, maxHeap / 1048576.0, steady.get(0).heapAfterGcBytes() / 1048576.0,
                steady.get(steady.size() - 1).heapAfterGcBytes() / 1048576.0, maxRows, samples.get(samples.size() - 1).transactions());
    }
}
