package dev.tcc.crash;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.testing.TestDatabases;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Runs one crash case with real processes: prepares fresh databases (H2 files under
 * {@code target/crash} or new PostgreSQL schemas), starts a child JVM that crashes (a named
 * crash point halts it, or the parent kills it with {@code kill -9}), restarts a child in
 * {@code recover} mode on the same databases, and checks {@link BankInvariants} once it converged.
 */
final class CrashHarness {

    /** The databases a case runs on. */
    enum Kind {
        H2, POSTGRESQL
    }

    /** A point name, or {@link #KILL} for a kill -9 at a random moment of a transfer loop. */
    record CrashCase(Kind kind, String point, long seed) {
        static final String KILL = "kill-9";

        String id() {
            return kind.name().toLowerCase(Locale.ROOT) + "-" + point + "-" + Long.toHexString(seed);
        }

        @Override
        public String toString() {
            return kind + " " + point + " (seed " + seed + ")";
        }
    }

    /** What happened in one case. */
    record Outcome(CrashCase crashCase, boolean crashed, boolean converged, BankInvariants.Report report, String detail) {
    }

    static final Path ROOT = Path.of(System.getProperty("tcc.crash.dir", "target/crash")).toAbsolutePath();

    private CrashHarness() {
    }

    static Outcome run(CrashCase crashCase) throws Exception {
        Path dir = ROOT.resolve(crashCase.id());
        deleteRecursively(dir); // a rerun with the same seed starts from empty databases
        Files.createDirectories(dir);
        Map<String, String> urls = crashCase.kind() == Kind.H2 ? h2Urls(dir) : postgresUrls(crashCase);
        for (int i = 0; i < Bank.BANKS.size(); i++) {
            try (HikariDataSource bank = CrashChild.pool(urls.get(Bank.BANKS.get(i)))) {
                Bank.createTables(bank, i);
            }
        }
        Random random = new Random(crashCase.seed());

        // 1. the child that crashes
        Process victim;
        Path victimLog = dir.resolve("1-crash.log");
        boolean killed = crashCase.point().equals(CrashCase.KILL);
        if (killed) {
            victim = start(urls, "kill", null, 1, crashCase.seed(), victimLog);
            int transfers = 3 + random.nextInt(60);
            awaitTransfers(victim, victimLog, transfers);
            victim.destroyForcibly();
        } else {
            String mode = crashCase.point().equals(CrashPoints.INSIDE_HOLD_EXPIRY) ? "hold-expiry" : "crash";
            victim = start(urls, mode, crashCase.point(), 1 + random.nextInt(3), crashCase.seed(), victimLog,
                    "-Dtcc.crash.warm-up=" + random.nextInt(25));
        }
        if (!victim.waitFor(90, TimeUnit.SECONDS)) {
            victim.destroyForcibly();
            throw new AssertionError(crashCase + ": the crashing child did not end within 90 s; see " + victimLog);
        }
        String victimOutput = Files.readString(victimLog);
        boolean crashed = victim.exitValue() == CrashPoints.EXIT_CODE
                && (killed || victimOutput.contains("CRASH at " + crashCase.point()));
        if (!crashed) {
            throw new AssertionError(crashCase + ": the child should have crashed at '" + crashCase.point() + "' but exited "
                    + victim.exitValue() + "; see " + victimLog);
        }

        // what the crash left for recovery: a named crash point always leaves its own transaction unfinished
        String left;
        try (HikariDataSource log = CrashChild.pool(urls.get("log"))) {
            List<HikariDataSource> banks = new ArrayList<>();
            try {
                for (String bank : Bank.BANKS) {
                    banks.add(CrashChild.pool(urls.get(bank)));
                }
                left = CrashChild.leftover(log, banks);
                List<String> torn = BankInvariants.localTransactionsWhole(banks);
                if (!torn.isEmpty()) {
                    throw new AssertionError(crashCase + ": the crash left local transactions of the banks in part (a barrier"
                            + " row and its hold disagree, before recovery ran); see " + dir + ": " + torn);
                }
            } finally {
                banks.forEach(HikariDataSource::close);
            }
        }
        if (left == null && !killed) {
            throw new AssertionError(crashCase + ": the crash left nothing for recovery to do; the crash point is not where it claims");
        }

        // 2. a restarted instance recovers
        Path recoverLog = dir.resolve("2-recover.log");
        Process recovery = start(urls, "recover", null, 1, crashCase.seed(), recoverLog);
        if (!recovery.waitFor(120, TimeUnit.SECONDS)) {
            recovery.destroyForcibly();
            throw new AssertionError(crashCase + ": recovery did not end within 120 s; see " + recoverLog);
        }
        String recoverOutput = Files.readString(recoverLog);
        boolean converged = recovery.exitValue() == 0 && recoverOutput.contains("CONVERGED");

        // 3. the invariants, read by this JVM
        List<HikariDataSource> banks = new ArrayList<>();
        BankInvariants.Report report;
        try (HikariDataSource log = CrashChild.pool(urls.get("log"))) {
            for (String bank : Bank.BANKS) {
                banks.add(CrashChild.pool(urls.get(bank)));
            }
            report = BankInvariants.check(log, banks, CrashChild.GRACE);
        } finally {
            banks.forEach(HikariDataSource::close);
        }
        requireNoH2ErrorTrace(crashCase, dir);
        String detail = "left by the crash: " + (left == null ? "nothing" : left) + "; "
                + lastLine(recoverOutput, "CONVERGED", "NOT CONVERGED") + "; " + report;
        Outcome outcome = new Outcome(crashCase, crashed, converged && report.holds(), report, detail);
        if (outcome.converged() && crashCase.kind() == Kind.POSTGRESQL) {
            dropSchemas(urls);
        }
        return outcome;
    }

    private static Map<String, String> h2Urls(Path dir) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (String name : databaseNames()) {
            // WRITE_DELAY=0: a commit asks the store to write at once (H2 skips the write when another session is
            // writing the store just then; the next write takes the commit along).
            // MAX_COMPACT_TIME=0: no compaction when the last connection closes. This JVM closes each file between the
            // children; run with -ea, H2's own assertion in its free-space map fails inside that compaction and the
            // close aborts halfway through moving chunks, so the next child would open a file H2 itself gave up on.
            urls.put(name, "jdbc:h2:file:" + dir.resolve(name) + ";AUTO_SERVER=FALSE;WRITE_DELAY=0;MAX_COMPACT_TIME=0");
        }
        return urls;
    }

    /**
     * H2 writes {@code <name>.trace.db} next to a database when it fails internally (SQL errors the
     * runtime sees are not traced there). Such a failure in the harness's own handling of the files
     * (opening, reading, closing them between the children) would make a violation H2's, not the
     * runtime's: the case fails naming the file and its first lines.
     */
    static void requireNoH2ErrorTrace(CrashCase crashCase, Path dir) throws IOException {
        List<String> traces = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path trace : files.filter(f -> f.getFileName().toString().endsWith(".trace.db")).sorted().toList()) {
                traces.add(trace.getFileName() + ": " + String.join(" | ", Files.readAllLines(trace).stream()
                        .filter(line -> !line.startsWith("\tat ")).limit(8).toList()));
            }
        }
        if (!traces.isEmpty()) {
            throw new AssertionError(crashCase + ": H2 reported internal errors on the case's files; see " + dir + ": " + traces);
        }
    }

    private static Map<String, String> postgresUrls(CrashCase crashCase) throws SQLException {
        TestDatabases.requirePostgres();
        Map<String, String> urls = new LinkedHashMap<>();
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(TestDatabases.POSTGRES_URL, TestDatabases.POSTGRES_USER, "");
             Statement st = c.createStatement()) {
            for (String name : databaseNames()) {
                String schema = ("crash_" + run + "_" + name).replace('-', '_');
                st.execute("CREATE SCHEMA " + schema);
                String separator = TestDatabases.POSTGRES_URL.contains("?") ? "&" : "?";
                urls.put(name, TestDatabases.POSTGRES_URL + separator + "currentSchema=" + schema);
            }
        }
        return urls;
    }

    private static void dropSchemas(Map<String, String> urls) {
        try (Connection c = DriverManager.getConnection(TestDatabases.POSTGRES_URL, TestDatabases.POSTGRES_USER, "");
             Statement st = c.createStatement()) {
            for (String url : urls.values()) {
                st.execute("DROP SCHEMA IF EXISTS " + url.substring(url.indexOf("currentSchema=") + 14) + " CASCADE");
            }
        } catch (SQLException e) {
            System.err.println("could not drop crash-test schemas: " + e.getMessage());
        }
    }

    private static List<String> databaseNames() {
        List<String> names = new ArrayList<>();
        names.add("log");
        names.addAll(Bank.BANKS);
        return names;
    }

    private static Process start(Map<String, String> urls, String mode, String point, int hit, long seed, Path output,
                                 String... options) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "-Dtcc.crash.mode=" + mode, "-Dtcc.crash.seed=" + seed, "-Dtcc.crash.hit=" + hit,
                "-Dtcc.test.postgres.user=" + TestDatabases.POSTGRES_USER,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true"));
        command.addAll(List.of(options));
        if (point != null) {
            command.add("-Dtcc.crash.point=" + point);
        }
        urls.forEach((name, url) -> command.add("-Dtcc.crash.url." + name + "=" + url));
        command.add(CrashChild.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Polls the child's output (with a deadline) until it reports {@code transfers} finished transfers. */
    private static void awaitTransfers(Process child, Path output, int transfers) throws Exception {
        String marker = "TRANSFER " + transfers + System.lineSeparator();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (Files.readString(output).contains(marker)) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the transfer loop did not reach " + transfers + " transfers (alive=" + child.isAlive()
                + "); see " + output);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String lastLine(String output, String... prefixes) {
        String found = "no recovery verdict";
        for (String line : output.split("\\R")) {
            for (String prefix : prefixes) {
                if (line.startsWith(prefix)) {
                    found = line;
                }
            }
        }
        return found;
    }
}
