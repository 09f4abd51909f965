package dev.tcc.runtime.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.barrier.BarrierMoveLostException;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.testing.InterceptingDataSource;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalBatch} on one participant database: a batch that goes well costs its bodies, the move,
 * one check and the commit (no savepoint, no statement per branch of its own); a body that fails or
 * swallows an error sends only its own branch to the one-by-one path, and every other body takes
 * effect exactly once.
 */
abstract class AbstractLocalBatchTests {

    private static final String BODY_INSERT = "INSERT INTO body_run VALUES (?, ?)";

    abstract TestDatabases.Kind kind();

    private HikariDataSource log;
    private HikariDataSource db;
    private InterceptingDataSource intercepted;
    private TccRuntime runtime;
    /** Of this test's runtime and batches; another driver's moves come a millisecond later (see moveStamp). */
    private final MutableClock clock = new MutableClock(Instant.now());
    /** Confirm body invocations per branch, whether their local transaction then commits or not. */
    private final Map<Integer, AtomicInteger> invocations = new ConcurrentHashMap<>();
    /** What happens right after a "rollbackunder" body rolled back its local transaction (first run only). */
    private volatile Runnable afterRollbackUnder = () -> { };

    @BeforeEach
    void setUp() {
        log = TestDatabases.create(kind(), "batchlog");
        db = TestDatabases.create(kind(), "batchdb");
        TestDatabases.execute(db, "CREATE TABLE body_run (xid VARCHAR(64), branch INT)");
        intercepted = new InterceptingDataSource(db);
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true).clock(clock)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build()).build();
        runtime.action("hold", String.class, String.class).database("db", intercepted.dataSource())
                .onTry((c, arg, ctx) -> "ok")
                .onConfirm((c, arg, ctx) -> {
                    int invocation = invocations.computeIfAbsent(ctx.branchId(), k -> new AtomicInteger()).incrementAndGet();
                    ran(c, ctx.xid(), ctx.branchId());
                    if (arg.equals("rollbackunder") && invocation == 1) {
                        c.rollback(); // what H2 does on a deadlock (40001) that the body catches and ignores
                        afterRollbackUnder.run();
                        ran(c, ctx.xid(), ctx.branchId()); // and goes on writing, in the fresh transaction after it
                        return;
                    }
                    if (arg.equals("throw")) {
                        throw new IllegalStateException("confirm of branch " + ctx.branchId() + " fails, every time");
                    }
                    if (arg.equals("swallow")) {
                        try (Statement st = c.createStatement()) {
                            st.execute("SELECT * FROM no_such_table_in_a_batch");
                        } catch (SQLException swallowed) {
                            // a body that catches a database error and returns normally, every time
                        }
                    }
                })
                .onCancel((c, arg, ctx) -> { })
                .register();
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        log.close();
        db.close();
    }

    private static void ran(Connection c, String xid, int branch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BODY_INSERT)) {
            ps.setString(1, xid);
            ps.setInt(2, branch);
            ps.executeUpdate();
        }
    }

    /** Branches 1..arguments.size() of their own transactions, tried with the given arguments; the batch's items. */
    private List<LocalBatch.Item> tried(List<String> arguments) throws Exception {
        LocalParticipant participant = runtime.participant("hold");
        List<LocalBatch.Item> items = new ArrayList<>();
        for (int branch = 1; branch <= arguments.size(); branch++) {
            String xid = "batch-x" + branch;
            participant.tryBranch(xid, branch, Instant.now().plusSeconds(600), Instant.now().plusSeconds(600),
                    new Object[] {arguments.get(branch - 1)}, ctx -> "ok");
            items.add(new LocalBatch.Item(participant, new BranchReference(xid, branch, "hold", "hold", Instant.now(), 1)));
        }
        return items;
    }

    /**
     * Confirms every item alone, as another driver does (a repeated delivery, recovery), on a thread of its own and a
     * millisecond after this test's batch moved its rows.
     */
    private void anotherDriverConfirms(List<LocalBatch.Item> items) {
        clock.advance(Duration.ofMillis(1));
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread driver = new Thread(() -> {
            try {
                for (LocalBatch.Item item : items) {
                    item.participant().confirmOnce(item.branch());
                }
            } catch (Exception e) {
                failure.set(e);
            }
        });
        driver.start();
        try {
            driver.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(failure.get()).as("the other driver's confirms").isNull();
    }

    private boolean[] confirm(List<LocalBatch.Item> items) throws Exception {
        return LocalBatch.run(runtime.participant("hold").database(), items, true, clock);
    }

    private long committedBodies(int branch) {
        return TestDatabases.queryLong(db, "SELECT COUNT(*) FROM body_run WHERE branch = " + branch);
    }

    private String barrierState(int branch) {
        return TestDatabases.queryString(db, "SELECT state FROM tcc_barrier WHERE branch_id = " + branch);
    }

    @Test
    void aBatchThatGoesWellSendsItsBodiesTheMoveOneCheckAndTheCommitAndNoSavepoint() throws Exception {
        int n = 20;
        List<LocalBatch.Item> items = tried(java.util.Collections.nCopies(n, "ok"));
        List<String> statements = intercepted.recordStatements();
        List<String> transactionCalls = intercepted.recordTransactionCalls();

        boolean[] done = confirm(items);

        assertThat(done).containsOnly(true).hasSize(n);
        int keysPerMove = runtime.participant("hold").database().barrier().dialect().keysPerStatement();
        int moves = (n + keysPerMove - 1) / keysPerMove; // PostgreSQL: one UPDATE ... RETURNING; H2: one per row
        assertThat(transactionCalls).as("no savepoint, one commit").containsExactly("commit");
        assertThat(statements).as("bodies, moves, one check: " + statements).hasSize(n + moves + 1);
        assertThat(statements.stream().filter(BODY_INSERT::equals)).as("the bodies").hasSize(n);
        String move = runtime.participant("hold").database().barrier().dialect().leaveTriedReturning();
        assertThat(statements.stream().filter(sql -> !sql.equals(BODY_INSERT) && !sql.equals(move))).as("the check").hasSize(1);
        for (int branch = 1; branch <= n; branch++) {
            assertThat(committedBodies(branch)).isEqualTo(1);
            assertThat(barrierState(branch)).isEqualTo("CONFIRMED");
        }
    }

    @Test
    void batchesOfDifferentSizesSendTheSameStatementTexts() throws Exception {
        List<LocalBatch.Item> items = tried(java.util.Collections.nCopies(9, "ok"));

        List<String> statements = intercepted.recordStatements();
        assertThat(confirm(items.subList(0, 2))).containsOnly(true);
        java.util.Set<String> small = new java.util.LinkedHashSet<>(statements);
        statements = intercepted.recordStatements();
        assertThat(confirm(items.subList(2, 9))).containsOnly(true).hasSize(7);

        // the body, the move and the check: the database parses and plans each once, whatever the batch's size
        assertThat(new java.util.LinkedHashSet<>(statements)).isEqualTo(small).hasSize(3);
    }

    @Test
    void aBodyThatThrowsGoesAloneAndEveryOtherBodyTakesEffectOnce() throws Exception {
        List<LocalBatch.Item> items = tried(List.of("ok", "ok", "throw", "ok", "ok"));

        boolean[] done = confirm(items);

        assertThat(done).containsExactly(true, true, false, true, true);
        assertThat(committedBodies(3)).as("what the thrower wrote is undone").isZero();
        assertThat(barrierState(3)).as("left for the one-by-one path").isEqualTo("TRIED");
        for (int branch : new int[] {1, 2, 4, 5}) {
            // the fast pass ran it and rolled back, the careful pass ran it again: committed once
            assertThat(committedBodies(branch)).as("committed confirms of branch " + branch).isEqualTo(1);
            assertThat(barrierState(branch)).isEqualTo("CONFIRMED");
        }
    }

    @Test
    void aBodySwallowingAnSqlErrorIsNotDoneWhereItAbortsTheTransactionAndTheOthersTakeEffectOnce() throws Exception {
        List<LocalBatch.Item> items = tried(List.of("ok", "ok", "swallow", "ok", "ok"));

        boolean[] done = confirm(items);

        // PostgreSQL aborts the transaction on the error the body swallowed (25P02 after it); H2 goes on
        boolean aborts = kind() == TestDatabases.Kind.POSTGRESQL;
        assertThat(done).containsExactly(true, true, !aborts, true, true);
        assertThat(committedBodies(3)).isEqualTo(aborts ? 0 : 1);
        assertThat(barrierState(3)).isEqualTo(aborts ? "TRIED" : "CONFIRMED");
        for (int branch : new int[] {1, 2, 4, 5}) {
            assertThat(committedBodies(branch)).as("committed confirms of branch " + branch).isEqualTo(1);
            assertThat(barrierState(branch)).isEqualTo("CONFIRMED");
        }
    }

    @Test
    void bodiesRunAfterTheBatchWasRolledBackUnderneathNeverCommitWhenAnotherDriverConfirmedTheirBranchesMeanwhile()
            throws Exception {
        List<LocalBatch.Item> items = tried(List.of("rollbackunder", "ok", "ok"));
        // the batch's moves went with that rollback, so its rows are TRIED and unlocked again: another driver confirms
        // every branch and commits before the next body of the batch runs (in the fresh transaction after the rollback)
        afterRollbackUnder = () -> intercepted.beforeStatement(BODY_INSERT::equals, () -> anotherDriverConfirms(items));

        boolean[] done = confirm(items);

        assertThat(done).containsExactly(true, true, true);
        for (int branch = 1; branch <= 3; branch++) {
            assertThat(committedBodies(branch)).as("committed confirms of branch " + branch).isEqualTo(1);
            assertThat(barrierState(branch)).isEqualTo("CONFIRMED");
        }
    }

    @Test
    void inTheCarefulPassABodyRolledBackUnderneathFailsTheBatchWhenAnotherDriverConfirmedItsBranchMeanwhile()
            throws Exception {
        // the thrower makes the fast pass roll back before the second body ran; in the careful pass that body rolls its
        // transaction back and, while it goes on, another driver confirms branches 2 and 3 and commits
        List<LocalBatch.Item> items = tried(List.of("throw", "rollbackunder", "ok"));
        afterRollbackUnder = () -> anotherDriverConfirms(items.subList(1, 3));

        assertThatThrownBy(() -> confirm(items)).isInstanceOf(BarrierMoveLostException.class);

        for (int branch = 2; branch <= 3; branch++) {
            assertThat(committedBodies(branch)).as("committed confirms of branch " + branch).isEqualTo(1);
            assertThat(barrierState(branch)).isEqualTo("CONFIRMED");
        }
        assertThat(barrierState(1)).isEqualTo("TRIED");
    }

    @Test
    void aConfirmAloneWhoseTransactionWasRolledBackUnderneathFailsWhenAnotherDriverConfirmedItsBranchMeanwhile() throws Exception {
        List<LocalBatch.Item> items = tried(List.of("rollbackunder"));
        afterRollbackUnder = () -> anotherDriverConfirms(items);

        assertThatThrownBy(() -> items.get(0).participant().confirmOnce(items.get(0).branch()))
                .isInstanceOf(BarrierMoveLostException.class);

        assertThat(committedBodies(1)).as("committed confirms").isEqualTo(1);
        assertThat(barrierState(1)).isEqualTo("CONFIRMED");
    }
}
