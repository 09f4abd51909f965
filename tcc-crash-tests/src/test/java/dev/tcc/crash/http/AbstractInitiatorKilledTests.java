package dev.tcc.crash.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.runtime.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's crash acceptance across HTTP: an initiator service (a child JVM) holds a seat in a participant service
 * (another Spring Boot application with its own database, in the test's JVM) through a signed call, and is killed with
 * {@code kill -9} after the remote try committed and before any decision. The participant's hold must end all the
 * same: by asking the initiator's coordinator endpoint once the initiator is back on the same port (the question
 * records a cancel in the initiator's log before answering: the fence), or, when it never comes back, by expiring
 * alone once the coordinator stayed unreachable for {@code tcc.recovery.coordinator-unreachable-after}. Subclasses
 * choose the database product.
 */
abstract class AbstractInitiatorKilledTests {

    /** The secret both services sign with (key id {@code crash}). */
    static final String SECRET = "crash-test-secret-" + UUID.randomUUID();
    /** {@code tcc.hold.expiry-grace} of the participant (http-participant.properties). */
    static final Duration GRACE = Duration.ofMillis(500);
    static final Path ROOT = Path.of(System.getProperty("tcc.crash.dir", "target/crash")).toAbsolutePath();

    abstract TestDatabases.Kind kind();

    @Test
    void theHoldOfAKilledInitiatorIsReleasedByAskingItsCoordinatorOnceItIsBack() throws Exception {
        Path dir = caseDir("back");
        HttpCrashDatabases databases = HttpCrashDatabases.create(kind(), dir);
        boolean passed = false;
        try (SeatsParticipant participant = SeatsParticipant.start(databases, SECRET, Duration.ofMinutes(10));
             InitiatorChild initiator = new InitiatorChild(databases, participant.url(), SECRET, dir)) {
            String xid = initiator.startAndCall();
            initiator.kill();

            SeatsParticipant.Barrier tried = triedAndHeld(participant, initiator, xid);
            assertThat(InitiatorLog.transaction(databases, xid)).as("the killed initiator never decided [%s]", xid).isEmpty();

            // the hold runs out while its coordinator is down: the participant asks, nobody answers, the hold stays
            Instant overdue = tried.holdDeadline().plus(GRACE).plus(Duration.ofSeconds(1));
            Poll.until("the hold running out", Duration.ofSeconds(30), () -> Instant.now().isAfter(overdue), () -> true,
                    () -> "hold deadline " + tried.holdDeadline());
            assertThat(participant.hold(xid)).as("the hold of [%s] past its deadline while the coordinator is down", xid)
                    .contains(new SeatsParticipant.Hold("PENDING", 0, 0));
            assertThat(participant.barrier(xid)).map(SeatsParticipant.Barrier::state).contains("TRIED");

            Instant restarted = Instant.now();
            initiator.restart();
            Poll.until("the participant releasing the hold of [" + xid + "] once its coordinator is back",
                    Duration.ofSeconds(90), () -> released(participant, xid), initiator::isAlive,
                    () -> "hold " + participant.hold(xid) + ", barrier " + participant.barrier(xid) + ", initiator alive="
                            + initiator.isAlive() + "; see " + initiator.output());
            assertThat(participant.hold(xid)).as("released once: the cancel body ran once, no confirm")
                    .contains(new SeatsParticipant.Hold("RELEASED", 0, 1));
            SeatsParticipant.Barrier cancelled = participant.barrier(xid).orElseThrow();
            assertThat(cancelled.state()).isEqualTo("CANCELLED");
            assertThat(cancelled.updatedAt()).as("cancelled only once the coordinator was back").isAfter(restarted);

            initiator.stop();
            assertThat(InitiatorLog.transaction(databases, xid)).as("the question recorded a cancel for [%s] before"
                    + " answering (the fence: no confirm can be decided after it)", xid).hasValueSatisfying(row -> {
                        assertThat(row.state()).isEqualTo("CANCELLED");
                        assertThat(row.decision()).isEqualTo("CANCEL");
                    });
            passed = true;
        } finally {
            cleanUp(databases, passed);
        }
    }

    @Test
    void theHoldOfAKilledInitiatorThatNeverComesBackExpiresAloneOnceItsCoordinatorStayedUnreachable() throws Exception {
        Duration unreachableAfter = Duration.ofSeconds(3);
        Path dir = caseDir("gone");
        HttpCrashDatabases databases = HttpCrashDatabases.create(kind(), dir);
        boolean passed = false;
        try (SeatsParticipant participant = SeatsParticipant.start(databases, SECRET, unreachableAfter);
             InitiatorChild initiator = new InitiatorChild(databases, participant.url(), SECRET, dir)) {
            String xid = initiator.startAndCall();
            initiator.kill();

            SeatsParticipant.Barrier tried = triedAndHeld(participant, initiator, xid);

            Poll.until("the participant releasing the hold of [" + xid + "] alone", Duration.ofSeconds(60),
                    () -> released(participant, xid), () -> true,
                    () -> "hold " + participant.hold(xid) + ", barrier " + participant.barrier(xid));
            assertThat(participant.hold(xid)).as("released once: the cancel body ran once, no confirm")
                    .contains(new SeatsParticipant.Hold("RELEASED", 0, 1));
            SeatsParticipant.Barrier cancelled = participant.barrier(xid).orElseThrow();
            assertThat(cancelled.state()).isEqualTo("CANCELLED");
            // the first question comes once the hold ran out (deadline + grace); the hold then waits as long again
            assertThat(cancelled.updatedAt()).as("released only after the coordinator stayed unreachable for %s", unreachableAfter)
                    .isAfterOrEqualTo(tried.holdDeadline().plus(GRACE).plus(unreachableAfter));
            assertThat(InitiatorLog.transaction(databases, xid)).as("nobody answered the question: the initiator's log"
                    + " has nothing of [%s]", xid).isEmpty();
            passed = true;
        } finally {
            cleanUp(databases, passed);
        }
    }

    /** Right after the kill: the remote try committed (hold PENDING, barrier TRIED) and names the coordinator to ask. */
    private static SeatsParticipant.Barrier triedAndHeld(SeatsParticipant participant, InitiatorChild initiator, String xid) {
        assertThat(participant.hold(xid)).as("the seat hold of [%s] after the kill", xid)
                .contains(new SeatsParticipant.Hold("PENDING", 0, 0));
        SeatsParticipant.Barrier tried = participant.barrier(xid).orElseThrow(() -> new AssertionError(
                "no barrier row for [" + xid + "] at the participant: the call did not join the initiator's transaction"));
        assertThat(tried.state()).isEqualTo("TRIED");
        assertThat(tried.coordinator()).as("where the hold's expiry asks").isEqualTo(initiator.coordinatorUrl());
        return tried;
    }

    private static boolean released(SeatsParticipant participant, String xid) {
        return participant.hold(xid).map(h -> !h.state().equals("PENDING")).orElse(false)
                && participant.barrier(xid).map(b -> !b.state().equals("TRIED")).orElse(false);
    }

    private Path caseDir(String scenario) throws IOException {
        Path dir = ROOT.resolve("http-" + kind().name().toLowerCase(Locale.ROOT) + "-" + scenario);
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    /** The participant's in-memory H2 database always goes; PostgreSQL schemas stay when the case failed, to be read. */
    private static void cleanUp(HttpCrashDatabases databases, boolean passed) {
        if (passed || databases.kind() == TestDatabases.Kind.H2) {
            databases.drop();
        }
    }
}
