package dev.tcc.runtime.barrier;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The barrier purge finds only final rows (CONFIRMED, CANCELLED) past the deadline, of its actions, in key order. */
abstract class AbstractBarrierPurgeTests {

    abstract TestDatabases.Kind kind();

    private static final Instant BEFORE = Instant.parse("2026-03-01T00:00:00Z");
    private static final Set<String> ACTIONS = Set.of("holdSeats");

    private HikariDataSource dataSource;

    @BeforeEach
    void setUp() throws Exception {
        dataSource = TestDatabases.create(kind(), "purge");
        try (Connection c = dataSource.getConnection()) {
            SchemaInitializer.createTables(c);
        }
        row("past-confirmed", "holdSeats", "CONFIRMED", BEFORE.minusSeconds(30));
        row("past-cancelled", "holdSeats", "CANCELLED", BEFORE.minusSeconds(20));
        row("past-confirmed-2", "holdSeats", "CONFIRMED", BEFORE.minusSeconds(10));
        row("past-tried", "holdSeats", "TRIED", BEFORE.minusSeconds(40));
        row("due-now-confirmed", "holdSeats", "CONFIRMED", BEFORE);
        row("future-cancelled", "holdSeats", "CANCELLED", BEFORE.plusSeconds(10));
        row("future-tried", "holdSeats", "TRIED", BEFORE.plusSeconds(10));
        row("other-action", "renamedAction", "CONFIRMED", BEFORE.minusSeconds(50));
    }

    @AfterEach
    void tearDown() {
        dataSource.close();
    }

    private void row(String xid, String action, String state, Instant holdDeadline) {
        row(xid, 1, action, state, holdDeadline);
    }

    private void row(String xid, int branchId, String action, String state, Instant holdDeadline) {
        String at = "TIMESTAMP WITH TIME ZONE '" + holdDeadline.toString().replace('T', ' ').replace("Z", "+00") + "'";
        TestDatabases.execute(dataSource, "INSERT INTO tcc_barrier (xid, branch_id, action, state, hold_deadline, timeout_at,"
                + " arguments, result, created_at, updated_at) VALUES ('" + xid + "', " + branchId + ", '" + action + "', '" + state + "', " + at
                + ", " + at + ", '[]', NULL, " + at + ", " + at + ")");
    }

    private List<String> xids(List<BarrierPurge.FinishedRow> rows) {
        return rows.stream().map(BarrierPurge.FinishedRow::xid).toList();
    }

    @Test
    void findsOnlyFinalRowsOfItsActionsPastTheDeadlineInKeyOrder() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assertThat(xids(BarrierPurge.finishedAfter(c, BEFORE, BarrierPurge.START, ACTIONS, 10)))
                    .containsExactly("past-confirmed", "past-cancelled", "past-confirmed-2");
        }
    }

    @Test
    void pagesOfOneRowWalkBothFinalStatesInKeyOrder() throws Exception {
        List<String> walked = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            BarrierPurge.FinishedRow cursor = BarrierPurge.START;
            for (List<BarrierPurge.FinishedRow> page = BarrierPurge.finishedAfter(c, BEFORE, cursor, ACTIONS, 1); !page.isEmpty();
                    page = BarrierPurge.finishedAfter(c, BEFORE, cursor, ACTIONS, 1)) {
                assertThat(page).hasSize(1);
                walked.addAll(xids(page));
                cursor = page.get(0);
            }
        }
        assertThat(walked).containsExactly("past-confirmed", "past-cancelled", "past-confirmed-2");
    }

    @Test
    void deletesTheRowsFoundAndLeavesEveryOtherRow() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assertThat(BarrierPurge.delete(c, BarrierPurge.finishedAfter(c, BEFORE, BarrierPurge.START, ACTIONS, 10))).isEqualTo(3);
        }
        assertThat(TestDatabases.queryLong(dataSource, "SELECT COUNT(*) FROM tcc_barrier WHERE xid LIKE 'past-%'")).isEqualTo(1);
        assertThat(TestDatabases.queryString(dataSource, "SELECT state FROM tcc_barrier WHERE xid = 'past-tried'")).isEqualTo("TRIED");
        assertThat(TestDatabases.queryLong(dataSource, "SELECT COUNT(*) FROM tcc_barrier")).isEqualTo(5);
    }

    @Test
    void pagesSmallerThanAGroupOfRowsWithOneHoldDeadlineWalkItInKeyOrderAcrossBothFinalStates() throws Exception {
        Instant tie = BEFORE.minusSeconds(5);
        row("tie-c", 3, "holdSeats", "CONFIRMED", tie);
        row("tie-a", 2, "holdSeats", "CANCELLED", tie);
        row("tie-d", 1, "holdSeats", "TRIED", tie);
        row("tie-a", 1, "holdSeats", "CONFIRMED", tie);
        row("tie-e", 1, "holdSeats", "CONFIRMED", tie);
        row("tie-c", 1, "holdSeats", "CANCELLED", tie);
        row("tie-b", 1, "holdSeats", "CANCELLED", tie);
        List<String> expected = List.of("past-confirmed#1", "past-cancelled#1", "past-confirmed-2#1", "tie-a#1", "tie-a#2",
                "tie-b#1", "tie-c#1", "tie-c#3", "tie-e#1");
        for (int limit = 1; limit <= 4; limit++) {
            List<String> walked = new ArrayList<>();
            try (Connection c = dataSource.getConnection()) {
                BarrierPurge.FinishedRow cursor = BarrierPurge.START;
                for (List<BarrierPurge.FinishedRow> page = BarrierPurge.finishedAfter(c, BEFORE, cursor, ACTIONS, limit);
                        !page.isEmpty(); page = BarrierPurge.finishedAfter(c, BEFORE, cursor, ACTIONS, limit)) {
                    page.forEach(row -> walked.add(row.xid() + "#" + row.branchId()));
                    cursor = page.get(page.size() - 1);
                }
            }
            assertThat(walked).as("pages of " + limit).isEqualTo(expected);
        }
    }
}
