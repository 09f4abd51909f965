package dev.tcc.crash.spring;

import com.zaxxer.hikari.HikariConfig;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the Spring Boot crash case with real processes: fresh databases for the two banks (H2
 * files under {@code target/crash/spring-*} or two new PostgreSQL schemas), then {@code kills}
 * times a child {@link BankApplication} that runs transfers and is killed with {@code kill -9}
 * ({@link Process#destroyForcibly()}) once it printed a seeded random number of finished transfers,
 * then a settle child that lets recovery finish everything; then {@link SpringBankInvariants}.
 * Every start runs recovery, so the killed children also recover what their predecessors left.
 */
final class SpringBankCrash {

    /**
     * What happened: how many children were really killed, what each kill left for recovery (nothing: empty),
     * the settle run's verdict, the invariants.
     */
    record Result(int kills, List<Optional<String>> leftByKills, boolean converged, String settleVerdict,
                  SpringBankInvariants.Report report, Path dir) {

        /** Kills after which recovery had work to do: the kills hit the protocol, not an idle process. */
        long killsThatLeftWork() {
            return leftByKills.stream().filter(Optional::isPresent).count();
        }

        @Override
        public String toString() {
            return "kills=" + kills + ", left by each for recovery: [" + leftByKills.stream().map(l -> l.orElse("nothing"))
                    .collect(Collectors.joining(" | ")) + "]; "
                    + settleVerdict + "; " + report + "; child output in " + dir;
        }
    }

    static final Path ROOT = Path.of(System.getProperty("tcc.crash.dir", "target/crash")).toAbsolutePath();

    private static final int SIGKILL_EXIT = 137;

    private SpringBankCrash() {
    }

    static Result run(TestDatabases.Kind kind, long seed, int kills) throws Exception {
        Path dir = ROOT.resolve("spring-" + kind.name().toLowerCase(Locale.ROOT) + "-" + Long.toHexString(seed));
        deleteRecursively(dir); // a rerun with the same seed starts from empty databases
        Files.createDirectories(dir);
        Map<String, String> urls = kind == TestDatabases.Kind.H2 ? h2Urls(dir) : postgresUrls();
        try (HikariDataSource bankA = pool(urls.get("a")); HikariDataSource bankB = pool(urls.get("b"))) {
            BankSchema.createBankA(bankA);
            BankSchema.createBankB(bankB);
        }
        Random random = new Random(seed);
        int killed = 0;
        List<Optional<String>> leftByKills = new ArrayList<>();
        for (int run = 1; run <= kills; run++) {
            Path output = dir.resolve(run + "-transfers.log");
            Process child = start(urls, "transfers", seed + run, output);
            awaitLine(child, output, "TRANSFER " + (5 + random.nextInt(60)));
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no pool close, no finally block runs
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the killed child " + child.pid() + " did not end within 30 s; see " + output);
            }
            if (child.exitValue() == SIGKILL_EXIT) {
                killed++;
            }
            try (HikariDataSource bankA = pool(urls.get("a")); HikariDataSource bankB = pool(urls.get("b"))) {
                leftByKills.add(BankSchema.leftover(bankA, bankB));
            }
        }
        Path output = dir.resolve((kills + 1) + "-settle.log");
        Process settle = start(urls, "settle", seed, output);
        if (!settle.waitFor(90, TimeUnit.SECONDS)) {
            settle.destroyForcibly();
            throw new AssertionError("the settle run did not end within 90 s; see " + output);
        }
        String verdict = verdict(Files.readString(output));
        boolean converged = settle.exitValue() == 0 && verdict.startsWith("CONVERGED");
        SpringBankInvariants.Report report;
        try (HikariDataSource bankA = pool(urls.get("a")); HikariDataSource bankB = pool(urls.get("b"))) {
            report = SpringBankInvariants.check(bankA, bankB);
        }
        if (converged && report.holds() && kind == TestDatabases.Kind.POSTGRESQL) {
            dropSchemas(urls);
        }
        return new Result(killed, leftByKills, converged, verdict, report, dir);
    }

    private static Map<String, String> h2Urls(Path dir) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (String bank : List.of("a", "b")) {
            // WRITE_DELAY=0: a commit reaches the file (the OS) before it returns, so a killed process loses no commit
            urls.put(bank, "jdbc:h2:file:" + dir.resolve("bank-" + bank) + ";AUTO_SERVER=FALSE;WRITE_DELAY=0");
        }
        return urls;
    }

    private static Map<String, String> postgresUrls() throws SQLException {
        TestDatabases.requirePostgres();
        Map<String, String> urls = new LinkedHashMap<>();
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(TestDatabases.POSTGRES_URL, TestDatabases.POSTGRES_USER, "");
             Statement st = c.createStatement()) {
            for (String bank : List.of("a", "b")) {
                String schema = "crash_" + run + "_spring_bank_" + bank;
                st.execute("CREATE SCHEMA " + schema);
                String separator = TestDatabases.POSTGRES_URL.contains("?") ? "&" : "?";
                urls.put(bank, TestDatabases.POSTGRES_URL + separator + "currentSchema=" + schema);
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
            System.err.println("could not drop the Spring crash test's schemas: " + e.getMessage());
        }
    }

    private static String user(String url) {
        return url.startsWith("jdbc:h2:") ? "sa" : TestDatabases.POSTGRES_USER;
    }

    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user(url));
        config.setPassword("");
        config.setMaximumPoolSize(2);
        return new HikariDataSource(config);
    }

    private static Process start(Map<String, String> urls, String mode, long seed, Path output) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "-Dcrash.mode=" + mode, "-Dcrash.seed=" + seed,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true"));
        urls.forEach((bank, url) -> {
            command.add("-Dbank." + bank + ".datasource.jdbc-url=" + url);
            command.add("-Dbank." + bank + ".datasource.username=" + user(url));
        });
        command.add(BankApplication.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Polls the child's output (with a deadline) until it printed {@code line}. */
    private static void awaitLine(Process child, Path output, String line) throws Exception {
        String marker = line + System.lineSeparator();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (Files.readString(output).contains(marker)) {
                return;
            }
            Thread.sleep(5); // polling the child's output, not waiting for time to pass
        }
        child.destroyForcibly();
        throw new AssertionError("the child did not print '" + line + "' (alive=" + child.isAlive() + "); see " + output);
    }

    private static String verdict(String output) {
        String found = "no settle verdict";
        for (String line : output.split("\\R")) {
            if (line.startsWith("CONVERGED") || line.startsWith("NOT CONVERGED")) {
                found = line;
            }
        }
        return found;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
