package dev.tcc.crash.http;

import dev.tcc.crash.http.initiator.BookingApplication;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The initiator service as child JVMs ({@link BookingApplication}, same {@code java}, the test class path), one at a
 * time, always on the same port: the participant stores the coordinator URL with its hold and asks there, so a
 * restarted initiator must come back where it was.
 */
final class InitiatorChild implements AutoCloseable {

    private static final int SIGKILL_EXIT = 137;
    private static final Pattern CALLED = Pattern.compile("^CALLED (\\S+)$", Pattern.MULTILINE);

    private final HttpCrashDatabases databases;
    private final String participantUrl;
    private final String secret;
    private final Path dir;
    private final int port;
    private Process process;
    private Path output;
    private int starts;

    InitiatorChild(HttpCrashDatabases databases, String participantUrl, String secret, Path dir) throws IOException {
        this.databases = databases;
        this.participantUrl = participantUrl;
        this.secret = secret;
        this.dir = dir;
        this.port = freePort();
    }

    /** The coordinator endpoint the participant must have recorded with its hold. */
    String coordinatorUrl() {
        return "http://127.0.0.1:" + port + "/tcc/coordinator";
    }

    /** Starts the initiator, which books (calls the participant) and hangs; returns the xid once it printed it. */
    String startAndCall() throws Exception {
        start("call");
        Matcher called = CALLED.matcher(awaitOutput(CALLED, "CALLED <xid>"));
        called.find();
        return called.group(1);
    }

    /** Starts the initiator again on the same port and log database; it makes no call, it serves. */
    void restart() throws Exception {
        start("serve");
    }

    /** kill -9 ({@link Process#destroyForcibly()}): no shutdown hook, no pool close, no finally block runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the killed initiator " + process.pid() + " did not end within 30 s; see " + output);
        }
        if (process.exitValue() != SIGKILL_EXIT) {
            throw new AssertionError("the initiator ended with " + process.exitValue() + " before it was killed; see " + output);
        }
    }

    /** Stops the initiator politely (SIGTERM: Spring closes the context and the pool), so its H2 file can be read. */
    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    Path output() {
        return output;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void start(String mode) throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("the initiator " + process.pid() + " still runs; kill or stop it first");
        }
        starts++;
        output = dir.resolve("initiator-" + starts + "-" + mode + ".log");
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "-Dcrash.mode=" + mode,
                "-Dcrash.participant-url=" + participantUrl,
                "-Dserver.port=" + port,
                "-Dtcc.http.coordinator-url=" + coordinatorUrl(),
                "-Dtcc.http.signing.keys.crash=" + secret,
                "-Dspring.datasource.url=" + databases.initiatorUrl(),
                "-Dspring.datasource.username=" + databases.user(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.log.dev.tcc=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                BookingApplication.class.getName()));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Polls the child's output (with a deadline) until {@code pattern} matches; returns the output. */
    private String awaitOutput(Pattern pattern, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            String text = Files.readString(output);
            if (pattern.matcher(text).find()) {
                return text;
            }
            Thread.sleep(20); // polling the child's output, not waiting for time to pass
        }
        boolean alive = process.isAlive();
        process.destroyForcibly();
        throw new AssertionError("the initiator did not print '" + what + "' (alive=" + alive + "); see " + output);
    }

    /** A port nobody listens on now; the children use it for every start. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
