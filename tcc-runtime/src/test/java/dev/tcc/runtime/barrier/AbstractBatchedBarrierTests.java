package dev.tcc.runtime.barrier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.operations.BranchState;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.testing.InterceptingDataSource;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batched barrier statements of phase two ({@link BranchBarrier#leaveTriedAll},
 * {@link BranchBarrier#requireAllStillMoved}): exactly the (xid, branch id) pairs asked for move and
 * count, never another branch of an asked xid, and the SQL text does not depend on how many keys a
 * batch has.
 */
abstract class AbstractBatchedBarrierTests {

    abstract TestDatabases.Kind kind();

    static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");
    static final Instant MOVED_AT = NOW.plusMillis(5);

    HikariDataSource dataSource;
    InterceptingDataSource intercepted;
    BranchBarrier barrier;

    @BeforeEach
    void setUp() throws SQLException {
        dataSource = TestDatabases.create(kind(), "batchbarrier");
        intercepted = new InterceptingDataSource(dataSource);
        try (Connection c = dataSource.getConnection()) {
            SchemaInitializer.createTables(c);
            barrier = new BranchBarrier(SqlDialect.of(c));
        }
    }

    @AfterEach
    void tearDown() {
        dataSource.close();
    }

    void tried(String xid, int branchId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            assertThat(barrier.insertTried(c, xid, branchId, "hold", NOW.plusSeconds(600), NOW.plusSeconds(600), "arg", NOW))
                    .isEqualTo(BranchBarrier.TryAdmission.ADMITTED);
        }
    }

    String state(String xid, int branchId) {
        return TestDatabases.queryString(dataSource, "SELECT state FROM tcc_barrier WHERE xid = '" + xid + "' AND branch_id = "
                + branchId);
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one committed local transaction on {@code on}. */
    static <T> T inTransaction(DataSource on, Work<T> work) throws SQLException {
        try (Connection c = on.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    Map<String, BarrierRow> confirm(List<String> xids, List<Integer> ids) throws SQLException {
        return inTransaction(intercepted.dataSource(), c -> barrier.leaveTriedAll(c, xids, ids, BranchState.CONFIRMED, MOVED_AT));
    }

    void requireConfirmed(List<String> xids, List<Integer> ids) throws SQLException {
        inTransaction(intercepted.dataSource(), c -> {
            barrier.requireAllStillMoved(c, xids, ids, BranchState.CONFIRMED, MOVED_AT);
            return null;
        });
    }

    @Test
    void onlyThePairsAskedForMoveNeverAnotherBranchOfAnAskedXid() throws SQLException {
        for (String xid : List.of("A", "B")) {
            tried(xid, 1);
            tried(xid, 2);
        }

        Map<String, BarrierRow> moved = confirm(List.of("A", "B"), List.of(1, 2));

        assertThat(moved).containsOnlyKeys(BranchBarrier.key("A", 1), BranchBarrier.key("B", 2));
        assertThat(moved.get(BranchBarrier.key("A", 1)).state()).isEqualTo(BranchState.CONFIRMED);
        assertThat(state("A", 1)).isEqualTo("CONFIRMED");
        assertThat(state("A", 2)).as("(A, 2) was not asked for").isEqualTo("TRIED");
        assertThat(state("B", 1)).as("(B, 1) was not asked for").isEqualTo("TRIED");
        assertThat(state("B", 2)).isEqualTo("CONFIRMED");
    }

    @Test
    void theCheckNeverCountsAnotherBranchOfAnAskedXidInPlaceOfAMissingOne() throws SQLException {
        for (String xid : List.of("A", "B")) {
            tried(xid, 1);
            tried(xid, 2);
        }
        // moved as asked: (A, 2) and (B, 1); (A, 1) and (B, 2) stay TRIED
        assertThat(confirm(List.of("A", "B"), List.of(2, 1))).hasSize(2);

        requireConfirmed(List.of("A", "B"), List.of(2, 1));
        assertThatThrownBy(() -> requireConfirmed(List.of("A", "B"), List.of(1, 2)))
                .isInstanceOf(BarrierMoveLostException.class);
        assertThatThrownBy(() -> requireConfirmed(List.of("A", "B"), List.of(2, 2)))
                .as("one of two missing").isInstanceOf(BarrierMoveLostException.class);
    }

    @Test
    void theCheckFailsForARowMovedAgainWithAnotherStamp() throws SQLException {
        tried("A", 1);
        tried("B", 1);
        confirm(List.of("A", "B"), List.of(1, 1));
        // what another driver's move after a rollback underneath the bodies leaves: the same state, a later stamp
        TestDatabases.execute(dataSource, "UPDATE tcc_barrier SET updated_at = updated_at + INTERVAL '1' SECOND WHERE xid = 'B'");

        assertThatThrownBy(() -> requireConfirmed(List.of("A", "B"), List.of(1, 1))).isInstanceOf(BarrierMoveLostException.class);
        requireConfirmed(List.of("A"), List.of(1));
    }

    @Test
    void aKeyGivenTwiceMovesItsRowOnceAndTheCheckOfItFails() throws SQLException {
        tried("A", 1);

        Map<String, BarrierRow> moved = confirm(List.of("A", "A"), List.of(1, 1));

        assertThat(moved).containsOnlyKeys(BranchBarrier.key("A", 1));
        assertThat(state("A", 1)).isEqualTo("CONFIRMED");
        // the keys are documented distinct: a repeated key counts its row once, so the check fails rather than pass
        assertThatThrownBy(() -> requireConfirmed(List.of("A", "A"), List.of(1, 1))).isInstanceOf(BarrierMoveLostException.class);
        requireConfirmed(List.of("A"), List.of(1));
    }

    /**
     * A key given twice fails the check however far apart the two are: a body run once per position of the batch
     * would otherwise commit twice on one row whose key falls into two statements' arrays (or H2 chunks).
     */
    @Test
    void aKeyGivenTwiceFailsTheCheckAlsoWhenItsTwoPositionsFallIntoDifferentStatements() throws SQLException {
        List<String> xids = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < SqlDialect.KEYS_PER_ARRAY; i++) {
            tried("x" + i, 1);
            xids.add("x" + i);
            ids.add(1);
        }
        xids.add("x0"); // the first key again, past the first statement's keys
        ids.add(1);
        assertThat(confirm(xids, ids)).hasSize(SqlDialect.KEYS_PER_ARRAY);

        assertThatThrownBy(() -> requireConfirmed(xids, ids)).isInstanceOf(BarrierMoveLostException.class);
        requireConfirmed(xids.subList(0, SqlDialect.KEYS_PER_ARRAY), ids.subList(0, SqlDialect.KEYS_PER_ARRAY));
    }

    @Test
    void batchesOfDifferentSizesUseTheSameStatementTexts() throws SQLException {
        // more than one statement's worth where keys go as arrays
        int large = Math.max(7, barrier.dialect().keysPerStatement() + 2);
        List<String> xids = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 3 + large; i++) {
            tried("x" + i, 1);
            xids.add("x" + i);
            ids.add(1);
        }

        Set<String> small = statementsOfAMoveAndItsCheck(xids.subList(0, 3), ids.subList(0, 3));
        Set<String> big = statementsOfAMoveAndItsCheck(xids.subList(3, 3 + large), ids.subList(3, 3 + large));

        assertThat(big).as("a batch of %d keys sends the texts of a batch of 3", large).isEqualTo(small);
        assertThat(small).as("one move and one check").hasSize(2);
        for (String xid : xids) {
            assertThat(state(xid, 1)).isEqualTo("CONFIRMED");
        }
    }

    @Test
    void findAllReadsOnlyThePairsAskedForWithOneStatementTextWhateverTheirNumber() throws SQLException {
        for (String xid : List.of("A", "B", "C", "D", "E")) {
            tried(xid, 1);
            tried(xid, 2);
        }

        List<String> statements = intercepted.recordStatements();
        Map<String, BarrierRow> two = inTransaction(intercepted.dataSource(),
                c -> barrier.findAll(c, List.of("A", "B"), List.of(1, 2)));
        Set<String> small = new LinkedHashSet<>(statements);
        statements = intercepted.recordStatements();
        Map<String, BarrierRow> five = inTransaction(intercepted.dataSource(),
                c -> barrier.findAll(c, List.of("A", "B", "C", "D", "E"), List.of(2, 1, 2, 1, 2)));

        assertThat(two).containsOnlyKeys(BranchBarrier.key("A", 1), BranchBarrier.key("B", 2));
        assertThat(five).containsOnlyKeys(BranchBarrier.key("A", 2), BranchBarrier.key("B", 1), BranchBarrier.key("C", 2),
                BranchBarrier.key("D", 1), BranchBarrier.key("E", 2));
        assertThat(new LinkedHashSet<>(statements)).isEqualTo(small).hasSize(1);
    }

    private Set<String> statementsOfAMoveAndItsCheck(List<String> xids, List<Integer> ids) throws SQLException {
        List<String> statements = intercepted.recordStatements();
        assertThat(confirm(xids, ids)).hasSize(xids.size());
        requireConfirmed(xids, ids);
        return new LinkedHashSet<>(statements);
    }
}
