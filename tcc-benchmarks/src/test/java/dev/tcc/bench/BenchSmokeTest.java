package dev.tcc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the harness tiny on H2 and checks that what it counts is what the protocol promises. */
class BenchSmokeTest {

    static TripBooking booking;

    @BeforeAll
    static void setUp() {
        booking = new TripBooking("h2", 8, BenchMain.benchSettings(), 2, TripBooking.newRunId());
    }

    @AfterAll
    static void tearDown() {
        booking.close();
    }

    @Test
    void theBaselineCommitsEachOfItsThreeWritesOnTheCallersThread() throws Exception {
        BenchMain.Result r = BenchMain.run(booking, TripBooking.Shape.UPDATE, "confirm", 4, false, 50, 300, 0.0);

        assertThat(r.counted().callerCommits()).isEqualTo(3 * 300);
        assertThat(r.counted().otherCommits()).isZero();
        assertThat(r.txPerSecond()).isPositive();
    }

    @Test
    void tccCommitsEachTryAndOneDecisionOnTheCallersPathAndPhaseTwoElsewhere() throws Exception {
        BenchMain.Result r = BenchMain.run(booking, TripBooking.Shape.UPDATE, "confirm", 4, true, 50, 300, 0.0);

        assertThat(r.triesCommitted()).isEqualTo(3 * 300);
        assertThat(r.counted().callerCommits()).isEqualTo(r.triesCommitted() + 300); // N tries + 1 decision
        assertThat(r.counted().rollbacks()).isZero();
        // phase two: at most one commit per participant database per transaction (fewer when batched), the
        // log's final write batched across transactions
        for (String db : List.of("seats", "rooms", "payments", "log")) {
            assertThat(r.perDatabase().get(db).otherCommits()).as(db).isBetween(1L, 300L);
            assertThat(r.perDatabase().get(db).callerCommits()).as(db).isEqualTo(db.equals("log") ? 300 : 300);
        }
        assertThat(r.p50Millis()).isPositive();
        assertThat(r.p99Millis()).isGreaterThanOrEqualTo(r.p50Millis());
    }

    @Test
    void theCancelHeavyMixCommitsTwoTriesAndTheDecisionWhenThePaymentIsDeclined() throws Exception {
        BenchMain.Result r = BenchMain.run(booking, TripBooking.Shape.UPDATE, "cancel", 3, true, 50, 300, 0.3);

        // 90 of 300 decline the third try: 210 x 3 + 90 x 2 tries committed
        assertThat(r.triesCommitted()).isEqualTo(210 * 3 + 90 * 2);
        assertThat(r.counted().callerCommits()).isEqualTo(r.triesCommitted() + 300);
        assertThat(r.callerCommitsPerTx()).isCloseTo(3.7, within(1e-9));
        assertThat(r.perDatabase().get("payments").callerCommits()).isEqualTo(210); // declined tries roll back
        assertThat(r.perDatabase().get("payments").rollbacks()).isEqualTo(90);
        assertThat(r.perDatabase().get("seats").otherCommits()).isBetween(1L, 300L); // confirms and cancels, batched
    }

    @Test
    void theTableSaysWhetherTheTargetsAreMet() throws Exception {
        List<BenchMain.Result> results = List.of(BenchMain.run(booking, TripBooking.Shape.UPDATE, "confirm", 2, false, 20, 100, 0.0),
                BenchMain.run(booking, TripBooking.Shape.UPDATE, "confirm", 2, true, 20, 100, 0.0));
        var bytes = new java.io.ByteArrayOutputStream();
        BenchMain.printTable(results, new java.io.PrintStream(bytes, true));

        assertThat(bytes.toString()).contains("| H2 mem | update | confirm | 2 | TCC |").contains("x |");
        assertThat(booking.inventoryTotals()[1]).isGreaterThanOrEqualTo(0);
    }

    @Test
    void theHoldIdShapeWritesTheTrysResultWithItsBarrierRowAndConfirmsEveryHoldById() throws Exception {
        BenchMain.Result update = BenchMain.run(booking, TripBooking.Shape.UPDATE, "confirm", 1, true, 20, 200, 0.0);
        BenchMain.Result holdId = BenchMain.run(booking, TripBooking.Shape.HOLD_ID, "confirm", 1, true, 20, 200, 0.0);

        // per try: the body's statement and the barrier insert that carries the result, no separate result write;
        // per booking: 3 tries x 2 statements + the decision (1 statement on PostgreSQL, 1 + 3 branch rows batched on H2)
        assertThat(holdId.callerStatementsPerTx()).isEqualTo(update.callerStatementsPerTx());
        assertThat(holdId.counted().callerCommits()).isEqualTo(holdId.triesCommitted() + 200);
        assertThat(holdId.cpu().callerNanos()).isPositive();
        assertThat(holdId.cpu().phaseTwoNanos()).isPositive(); // the confirms ran on the runtime's phase-two threads
        assertThat(holdId.cpu().processNanos()).isGreaterThanOrEqualTo(holdId.cpu().callerNanos());
        assertThat(booking.pendingHolds()).isZero(); // every hold confirmed by the id its try returned
    }

    @Test
    void optionsParse() {
        BenchMain.Options o = BenchMain.Options.parse("--db", "h2,pg", "--threads", "1,8,32", "--count", "7", "--mode", "soak",
                "--shape", "hold-id");

        assertThat(o.dbs).containsExactly("h2", "pg");
        assertThat(o.threads).containsExactly(1, 8, 32);
        assertThat(o.count).isEqualTo(7);
        assertThat(o.mode).isEqualTo("soak");
        assertThat(o.shapes).containsExactly(TripBooking.Shape.HOLD_ID);
        assertThat(BenchMain.Options.parse().shapes).containsExactly(TripBooking.Shape.UPDATE, TripBooking.Shape.HOLD_ID);
    }
}
