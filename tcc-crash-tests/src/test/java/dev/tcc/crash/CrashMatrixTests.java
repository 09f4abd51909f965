package dev.tcc.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.crash.CrashHarness.CrashCase;
import dev.tcc.crash.CrashHarness.Kind;
import dev.tcc.crash.CrashHarness.Outcome;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;

/**
 * The crash matrix: real child JVMs crashed at every named protocol step, and killed with
 * {@code kill -9} at random moments, on H2 files and on PostgreSQL; each is restarted and must
 * converge with every invariant intact.
 *
 * <p>By default every crash point runs once per database plus two kill -9 runs per database.
 * {@code -Dtcc.crash.runs=N} runs N cases cycling over points, databases and seeds instead, and
 * {@code -Dtcc.crash.parallel=P} runs P of them at a time (the {@code crash-large} profile: 200, 3).
 * The summary line {@code crash matrix: runs=R crashes=C converged=V} is printed at the end and
 * written to {@code target/crash/summary.txt}.
 */
class CrashMatrixTests {

    private static final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    private static final AtomicInteger skipped = new AtomicInteger();
    private static volatile boolean failedReportedCase;

    @TestFactory
    Stream<DynamicTest> everyCrashConvergesWithTheInvariantsIntact() {
        String reported = System.getProperty("tcc.crash.case");
        List<CrashCase> cases = reported == null
                ? cases(Integer.getInteger("tcc.crash.runs", 0), Long.getLong("tcc.crash.seed", 20260101L))
                : repeated(reported, Math.max(1, Integer.getInteger("tcc.crash.runs", 1)));
        int parallel = Math.max(1, Integer.getInteger("tcc.crash.parallel", 1));
        if (parallel == 1) {
            return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
                if (reported != null && failedReportedCase) {
                    // a repeated case runs in one directory: keep the failed run's databases and logs to read
                    throw new TestAbortedException("an earlier run of " + c + " failed; its directory is kept");
                }
                runAndCheck(c);
            }));
        }
        return Stream.of(DynamicTest.dynamicTest(cases.size() + " crash runs, " + parallel + " at a time", () -> {
            ExecutorService pool = Executors.newFixedThreadPool(parallel);
            List<Future<?>> runs = new ArrayList<>();
            for (CrashCase c : cases) {
                runs.add(pool.submit(() -> {
                    runAndCheck(c);
                    return null;
                }));
            }
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                try {
                    runs.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TestAbortedException)) {
                        failures.add(cases.get(i) + ": " + e.getCause());
                    }
                }
            }
            pool.shutdown();
            assertThat(failures).as("crash runs that did not converge with the invariants intact").isEmpty();
        }));
    }

    static List<CrashCase> cases(int runs, long seed) {
        Random random = new Random(seed);
        List<String> points = new ArrayList<>(CrashPoints.ALL);
        List<CrashCase> cases = new ArrayList<>();
        if (runs <= 0) {
            for (Kind kind : Kind.values()) {
                for (String point : points) {
                    cases.add(new CrashCase(kind, point, random.nextLong()));
                }
                cases.add(new CrashCase(kind, CrashCase.KILL, random.nextLong()));
                cases.add(new CrashCase(kind, CrashCase.KILL, random.nextLong()));
            }
            return cases;
        }
        points.add(CrashCase.KILL);
        points.add(CrashCase.KILL);
        for (int i = 0; i < runs; i++) {
            Kind kind = Kind.values()[i % 2];
            cases.add(new CrashCase(kind, points.get((i / 2) % points.size()), random.nextLong()));
        }
        return cases;
    }

    /**
     * {@code runs} copies of one reported case, {@code KIND:point:seed} as a failed run prints it
     * ({@code H2 kill-9 (seed -1865240165768706550)} is {@code H2:kill-9:-1865240165768706550}).
     * A kill -9 case repeats its kill count and workload, not the moment the kill lands.
     */
    static List<CrashCase> repeated(String reported, int runs) {
        String[] parts = reported.split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("tcc.crash.case must be KIND:point:seed (e.g. H2:kill-9:-1865240165768706550),"
                    + " was [" + reported + "]");
        }
        CrashCase crashCase = new CrashCase(Kind.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)), parts[1],
                Long.parseLong(parts[2]));
        return Collections.nCopies(runs, crashCase);
    }

    private static void runAndCheck(CrashCase crashCase) throws Exception {
        Outcome outcome;
        try {
            outcome = CrashHarness.run(crashCase);
        } catch (TestAbortedException e) {
            skipped.incrementAndGet();
            throw e;
        } catch (AssertionError | Exception e) {
            outcomes.add(new Outcome(crashCase, false, false, null, e.toString()));
            failedReportedCase = true;
            throw e;
        }
        outcomes.add(outcome);
        failedReportedCase |= !outcome.converged() || outcome.report().reportedFailures() > 0;
        System.out.println("crash run " + crashCase + ": crashed=" + outcome.crashed() + " converged=" + outcome.converged()
                + " " + outcome.detail());
        assertThat(outcome.report().violations()).as("invariants after recovery of " + crashCase).isEmpty();
        assertThat(outcome.converged()).as("recovery converged after " + crashCase + ": " + outcome.detail()).isTrue();
        assertThat(outcome.report().reportedFailures()).as("FAILED or HEURISTIC transactions after " + crashCase).isZero();
        assertThat(outcome.report().transfersWithHolds()).as("transfers that reached the banks").isPositive();
    }

    @AfterAll
    static void summary() throws Exception {
        List<Outcome> all;
        synchronized (outcomes) {
            all = List.copyOf(outcomes);
        }
        long crashes = all.stream().filter(Outcome::crashed).count();
        long converged = all.stream().filter(Outcome::converged).count();
        long failedOrHeuristic = all.stream().filter(o -> o.report() != null).mapToLong(o -> o.report().reportedFailures()).sum();
        long transfers = all.stream().filter(o -> o.report() != null).mapToLong(o -> o.report().transfersWithHolds()).sum();
        String line = "crash matrix: runs=" + all.size() + " crashes=" + crashes + " converged=" + converged
                + " (skipped=" + skipped.get() + ", transfers checked=" + transfers + ", FAILED/HEURISTIC=" + failedOrHeuristic + ")";
        System.out.println(line);
        Files.createDirectories(CrashHarness.ROOT);
        Files.writeString(CrashHarness.ROOT.resolve("summary.txt"), line + System.lineSeparator());
    }
}
