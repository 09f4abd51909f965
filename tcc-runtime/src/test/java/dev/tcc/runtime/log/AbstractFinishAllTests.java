package dev.tcc.runtime.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;
import dev.tcc.runtime.jdbc.SchemaInitializer;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.runtime.testing.InterceptingDataSource;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PhaseTwoStates#finishAll}: a transaction ends only under its own lease (never under the lease of
 * another transaction of the same batch), and the SQL text does not depend on how many transactions end together.
 */
abstract class AbstractFinishAllTests {

    abstract TestDatabases.Kind kind();

    static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

    HikariDataSource dataSource;
    InterceptingDataSource intercepted;
    TransactionLog log;

    @BeforeEach
    void setUp() throws SQLException {
        dataSource = TestDatabases.create(kind(), "finishall");
        intercepted = new InterceptingDataSource(dataSource);
        SqlDialect dialect;
        try (Connection c = dataSource.getConnection()) {
            SchemaInitializer.createTables(c);
            dialect = SqlDialect.of(c);
        }
        log = new TransactionLog(new JdbcLocalTransactionRunner("log", intercepted.dataSource()), dialect,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        dataSource.close();
    }

    private void decide(String xid, Lease lease) {
        BranchReference branch = new BranchReference(xid, 1, "debit", "debit", NOW.plusSeconds(60), 1);
        assertThat(log.decisions().write(new NewDecision(xid, "transfer", Decision.CONFIRM, null, NOW, NOW.plusSeconds(30), NOW,
                lease, List.of(branch), NOW.plusSeconds(30)))).isTrue();
    }

    private static Finish confirmed(String xid, Lease lease) {
        return new Finish(xid, TransactionState.CONFIRMING, TransactionState.CONFIRMED, lease);
    }

    private TransactionState state(String xid) {
        return log.queries().find(xid).orElseThrow().state();
    }

    @Test
    void aTransactionEndsOnlyUnderItsOwnLeaseNeverUnderAnotherOfTheBatch() {
        Lease a = new Lease("instance-a", NOW.plusSeconds(30));
        Lease b = new Lease("instance-b", NOW.plusSeconds(40));
        decide("x-a", a);
        decide("x-b", b);

        assertThat(log.phaseTwo().finishAll(List.of(confirmed("x-a", b), confirmed("x-b", a)), NOW)).containsExactly(false, false);
        assertThat(state("x-a")).isEqualTo(TransactionState.CONFIRMING);
        assertThat(state("x-b")).isEqualTo(TransactionState.CONFIRMING);

        assertThat(log.phaseTwo().finishAll(List.of(confirmed("x-a", a), confirmed("x-b", a)), NOW)).containsExactly(true, false);
        assertThat(state("x-a")).isEqualTo(TransactionState.CONFIRMED);
        assertThat(state("x-b")).isEqualTo(TransactionState.CONFIRMING);
    }

    /**
     * The lease ends go to PostgreSQL as the text of {@code OffsetDateTime} array elements, which leaves out the
     * seconds of a whole minute and the fraction of a whole second: each still names the instant stored.
     */
    @Test
    void aTransactionEndsUnderALeaseEndingOnAWholeMinuteASecondOrAMillisecond() {
        List<Lease> leases = List.of(new Lease("instance-a", NOW.plusSeconds(60)), new Lease("instance-a", NOW.plusSeconds(61)),
                new Lease("instance-a", NOW.plusMillis(61_001)), new Lease("instance-a", NOW.plusMillis(61_010)));
        List<Finish> finishes = new ArrayList<>();
        for (int i = 0; i < leases.size(); i++) {
            decide("x-" + i, leases.get(i));
            finishes.add(confirmed("x-" + i, leases.get(i)));
        }

        assertThat(log.phaseTwo().finishAll(finishes, NOW)).containsExactly(true, true, true, true);
    }

    /** A configured instance id is any text: one with the characters of an array literal still names its own lease. */
    @Test
    void aTransactionEndsUnderALeaseWhoseOwnerHasTheCharactersOfAnArrayLiteral() {
        List<String> owners = List.of("pod \"a\", {b}", "back\\slash", "NULL", "", " spaced ");
        List<Finish> finishes = new ArrayList<>();
        for (int i = 0; i < owners.size(); i++) {
            Lease lease = new Lease(owners.get(i), NOW.plusSeconds(30));
            decide("x-" + i, lease);
            finishes.add(confirmed("x-" + i, lease));
        }

        assertThat(log.phaseTwo().finishAll(finishes, NOW)).containsOnly(true).hasSize(owners.size());
    }

    @Test
    void batchesOfDifferentSizesUseTheSameStatementTexts() {
        Lease lease = new Lease("instance-a", NOW.plusMillis(30_123));
        List<Finish> finishes = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            decide("x-" + i, lease);
            finishes.add(confirmed("x-" + i, lease));
        }

        List<String> statements = intercepted.recordStatements();
        assertThat(log.phaseTwo().finishAll(finishes.subList(0, 2), NOW)).containsOnly(true);
        Set<String> small = new LinkedHashSet<>(statements);
        statements = intercepted.recordStatements();
        assertThat(log.phaseTwo().finishAll(finishes.subList(2, 9), NOW)).containsOnly(true).hasSize(7);

        assertThat(new LinkedHashSet<>(statements)).isEqualTo(small).hasSize(1);
    }
}
