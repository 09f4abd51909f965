package dev.tcc.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code --mode http}: the cross-service benchmark ({@link HttpTripBooking}), TCC against the same three HTTP
 * calls with uncoordinated local transactions behind them, alternating round after round in one run.
 */
final class HttpBench {

    private HttpBench() {
    }

    /** One measured run. */
    record Result(String db, int threads, boolean tcc, int count, double txPerSecond, double callerTxPerSecond,
                  double p50Millis, double p99Millis, double dbRoundTripsPerTx, double httpRequestsPerTx,
                  double machineCpuMillisPerTx) {
    }

    static void run(BenchMain.Options o, PrintStream out) throws Exception {
        List<Result> results = new ArrayList<>();
        int maxThreads = Arrays.stream(o.threads).max().orElse(1);
        for (String db : o.dbs) {
            // PostgreSQL allows 100 connections: four pools of at most ~22
            int poolSize = db.equals("pg") ? Math.min(maxThreads, 16) + o.phaseTwoThreads : maxThreads + o.phaseTwoThreads + 1;
            try (HttpTripBooking booking = new HttpTripBooking(db, poolSize, BenchMain.benchSettings(), o.phaseTwoThreads,
                    TripBooking.newRunId())) {
                for (int threads : o.threads) {
                    List<Result> base = new ArrayList<>();
                    List<Result> coordinated = new ArrayList<>();
                    for (int round = 0; round < o.rounds; round++) {
                        for (boolean tcc : new boolean[] {false, true}) {
                            Result r = measure(booking, threads, tcc, round == 0 ? o.warmup : o.warmup / 4, o.count);
                            (tcc ? coordinated : base).add(r);
                            out.printf(Locale.ROOT, "  http %-2s %2d thr %-8s round %d %8.0f tx/s  p50 %6.2f ms  p99 %6.2f ms"
                                            + "  db round trips/tx %.1f  http requests/tx %.1f  CPU ms/tx machine %.3f%n",
                                    db, threads, tcc ? "TCC" : "baseline", round + 1, r.txPerSecond(), r.p50Millis(), r.p99Millis(),
                                    r.dbRoundTripsPerTx(), r.httpRequestsPerTx(), r.machineCpuMillisPerTx());
                        }
                    }
                    results.add(median(base));
                    results.add(median(coordinated));
                }
                if (booking.pendingHolds() != 0) {
                    throw new IllegalStateException(booking.pendingHolds() + " hold rows still PENDING after phase two finished");
                }
            }
        }
        print(results, out);
    }

    private static Result median(List<Result> rounds) {
        List<Result> sorted = new ArrayList<>(rounds);
        sorted.sort((a, b) -> Double.compare(a.txPerSecond(), b.txPerSecond()));
        return sorted.get(sorted.size() / 2);
    }

    private static Result measure(HttpTripBooking booking, int threads, boolean tcc, int warmup, int count) throws Exception {
        execute(booking, threads, tcc, warmup);
        booking.awaitFinished(120_000);
        Counting.Snapshot before = booking.total();
        long requests0 = booking.httpRequests.sum();
        long machine0 = Cpu.currentMachineBusyNanos();
        long t0 = System.nanoTime();
        long[] latencies = execute(booking, threads, tcc, count);
        long tCallers = System.nanoTime();
        booking.awaitFinished(120_000);
        long t1 = System.nanoTime();
        long machine = Cpu.currentMachineBusyNanos() - machine0;
        Counting.Snapshot counted = booking.total().minus(before);
        Arrays.sort(latencies);
        return new Result(booking.db, threads, tcc, count, count / ((t1 - t0) / 1e9), count / ((tCallers - t0) / 1e9),
                BenchMain.percentile(latencies, 0.50), BenchMain.percentile(latencies, 0.99),
                (double) counted.roundTrips() / count, (double) (booking.httpRequests.sum() - requests0) / count,
                machine / 1e6 / count);
    }

    private static long[] execute(HttpTripBooking booking, int threads, boolean tcc, int count) throws Exception {
        return BenchMain.clients(threads, count, new LongAdder(), (i, items) -> {
            if (tcc) {
                booking.tcc(items);
            } else {
                booking.baseline(items);
            }
        });
    }

    private static void print(List<Result> results, PrintStream out) {
        out.println();
        out.println("| db | threads | run | tx/s | caller tx/s | p50 ms | p99 ms | DB round trips/tx | HTTP requests/tx"
                + " | CPU ms/tx machine | TCC/baseline tx/s |");
        out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            Result base = r.tcc() ? results.stream().filter(b -> !b.tcc() && b.db().equals(r.db()) && b.threads() == r.threads())
                    .findFirst().orElse(null) : null;
            String ratio = base == null ? "" : String.format(Locale.ROOT, "%.2fx", r.txPerSecond() / base.txPerSecond());
            out.printf(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f | %.2f | %.2f | %.1f | %.1f | %.3f | %s |%n",
                    r.db().equals("pg") ? "PostgreSQL" : "H2", r.threads(), r.tcc() ? "TCC" : "baseline", r.txPerSecond(),
                    r.callerTxPerSecond(), r.p50Millis(), r.p99Millis(), r.dbRoundTripsPerTx(), r.httpRequestsPerTx(),
                    r.machineCpuMillisPerTx(), ratio);
        }
    }
}
