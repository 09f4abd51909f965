package dev.tcc.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.spi.TccEvent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The trip-booking workload: three participants (seats, rooms, payments), each on its own
 * database with an {@code inventory} and a {@code hold} table, and the coordinator's log on a
 * fourth database (the initiator's own, as a booking service would have it). Two shapes of try:
 *
 * <ul>
 *   <li>{@link Shape#UPDATE}: try = {@code UPDATE inventory SET available = available - 1, held = held + 1},
 *   returns nothing; confirm = {@code UPDATE ... SET held = held - 1, sold = sold + 1}; cancel =
 *   {@code UPDATE ... SET held = held - 1, available = available + 1}</li>
 *   <li>{@link Shape#HOLD_ID} (the sample's shape): try = {@code INSERT INTO hold ... 'PENDING'} and returns
 *   the hold's id; confirm and cancel = {@code UPDATE hold SET state = ... WHERE id = ?} with the id
 *   from {@code TccContext.tryResult}</li>
 *   <li>baseline = the three try writes as three uncoordinated local transactions</li>
 * </ul>
 */
final class TripBooking implements AutoCloseable {

    static final String[] PARTICIPANTS = {"seats", "rooms", "payments"};

    /** What a try writes. */
    enum Shape {
        /** One inventory update; the try returns nothing. */
        UPDATE("update"),
        /** One inserted hold row whose id the try returns; confirm and cancel update it by id. */
        HOLD_ID("hold-id");

        final String label;

        Shape(String label) {
            this.label = label;
        }

        static Shape of(String label) {
            for (Shape shape : values()) {
                if (shape.label.equals(label)) {
                    return shape;
                }
            }
            throw new IllegalArgumentException("--shape takes update and/or hold-id, not " + label);
        }
    }
    static volatile int ROWS = 1000; // inventory rows per participant (--rows)

    /** The argument every action is tried with: which inventory row, and whether this try is declined. */
    public record Item(int id, boolean decline) {
    }

    /** A try that fails on purpose (the cancel-heavy mix: a declined payment). */
    static final class Declined extends RuntimeException {
        Declined() {
            super("declined", null, false, false);
        }
    }

    final String db;
    final Map<String, Counting.Counters> counters = new LinkedHashMap<>();
    final Map<String, DataSource> dataSources = new LinkedHashMap<>();
    private final List<HikariDataSource> pools = new ArrayList<>();
    final TccRuntime runtime;
    private final Map<Shape, List<TccAction<Item, ?>>> actions = new EnumMap<>(Shape.class);
    private final AtomicLong holdIds = new AtomicLong();
    final LongAdder finished = new LongAdder();
    final LongAdder triesCommitted = new LongAdder();
    final LongAdder begun = new LongAdder();

    TripBooking(String db, int poolSize, TccSettings settings, int phaseTwoThreads, String runId) {
        this.db = db;
        for (String name : new String[] {"seats", "rooms", "payments", "log"}) {
            HikariDataSource pool = pool(db, name, poolSize, runId);
            pools.add(pool);
            Counting.Counters c = new Counting.Counters(name);
            counters.put(name, c);
            dataSources.put(name, Counting.wrap(pool, c));
        }
        for (String p : PARTICIPANTS) {
            prepareInventory(dataSources.get(p));
        }
        for (String name : counters.keySet()) {
            dropTccTables(dataSources.get(name));
        }
        runtime = TccRuntime.builder()
                .transactionLog(dataSources.get("log"))
                .initializeSchema(true)
                .settings(settings)
                .phaseTwoThreads(phaseTwoThreads)
                .scheduler(TccRuntime.newRecoveryScheduler())
                .listener(e -> {
                    if (e.type() == TccEvent.Type.TRANSACTION_FINISHED) {
                        finished.increment();
                    }
                })
                .build();
        List<TccAction<Item, ?>> updates = new ArrayList<>();
        List<TccAction<Item, ?>> holds = new ArrayList<>();
        for (String p : PARTICIPANTS) {
            updates.add(runtime.action("hold-" + p, Item.class, Void.class)
                    .database(p, dataSources.get(p))
                    .onTry((c, item, ctx) -> {
                        if (item.decline()) {
                            throw new Declined(); // after nothing: the local transaction rolls back
                        }
                        update(c, "UPDATE inventory SET available = available - 1, held = held + 1 WHERE id = ?", item.id());
                        return null;
                    })
                    .onConfirm((c, item, ctx) ->
                            update(c, "UPDATE inventory SET held = held - 1, sold = sold + 1 WHERE id = ?", item.id()))
                    .onCancel((c, item, ctx) ->
                            update(c, "UPDATE inventory SET held = held - 1, available = available + 1 WHERE id = ?", item.id()))
                    .register());
            holds.add(runtime.action("hold-id-" + p, Item.class, String.class)
                    .database(p, dataSources.get(p))
                    .onTry((c, item, ctx) -> {
                        if (item.decline()) {
                            throw new Declined();
                        }
                        return insertHold(c, item.id(), "PENDING");
                    })
                    .onConfirm((c, item, ctx) -> settleHold(c, ctx.tryResult(String.class), "CONFIRMED"))
                    .onCancel((c, item, ctx) -> settleHold(c, ctx.tryResult(String.class), "RELEASED"))
                    .register());
        }
        actions.put(Shape.UPDATE, updates);
        actions.put(Shape.HOLD_ID, holds);
    }

    /** One coordinated booking; {@code declineLast} makes the third try fail, so the first two are cancelled. */
    void tcc(Shape shape, int[] ids, boolean declineLast) throws Exception {
        List<TccAction<Item, ?>> tries = actions.get(shape);
        begun.increment();
        try {
            runtime.execute(TransactionOptions.named("book"), () -> {
                for (int i = 0; i < tries.size(); i++) {
                    tries.get(i).tryAction(new Item(ids[i], declineLast && i == tries.size() - 1));
                    triesCommitted.increment();
                }
                return null;
            });
        } catch (Declined expected) {
            // the payment's try failed and rolled back; the cancel decision is durable, phase two releases the two holds
        }
    }

    /** Inserts a hold row for inventory row {@code item} and returns its id. */
    private String insertHold(Connection c, int item, String state) throws SQLException {
        String id = Long.toString(holdIds.incrementAndGet());
        insertHold(c, id, item, state);
        return id;
    }

    /** Inserts hold row {@code id} for inventory row {@code item}. */
    static void insertHold(Connection c, String id, int item, String state) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO hold (id, item, state) VALUES (?, ?, ?)")) {
            ps.setString(1, id);
            ps.setInt(2, item);
            ps.setString(3, state);
            ps.executeUpdate();
        }
    }

    static void settleHold(Connection c, String id, String state) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hold SET state = ? WHERE id = ? AND state = 'PENDING'")) {
            ps.setString(1, state);
            ps.setString(2, id);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("hold [" + id + "] missing or not PENDING");
            }
        }
    }

    /** The same three business writes as three uncoordinated local transactions (the last rolled back when declined). */
    void baseline(Shape shape, int[] ids, boolean declineLast) throws SQLException {
        for (int i = 0; i < PARTICIPANTS.length; i++) {
            try (Connection c = dataSources.get(PARTICIPANTS[i]).getConnection()) {
                c.setAutoCommit(false);
                try {
                    if (shape == Shape.UPDATE) {
                        update(c, "UPDATE inventory SET available = available - 1, held = held + 1 WHERE id = ?", ids[i]);
                    } else {
                        insertHold(c, ids[i], "BOOKED");
                    }
                    if (declineLast && i == PARTICIPANTS.length - 1) {
                        c.rollback();
                    } else {
                        c.commit();
                    }
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }
    }

    private static void update(Connection c, String sql, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, id);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("inventory row " + id + " missing");
            }
        }
    }

    Counting.Snapshot total() {
        Counting.Snapshot s = Counting.Snapshot.ZERO;
        for (Counting.Counters c : counters.values()) {
            s = s.plus(c.snapshot());
        }
        return s;
    }

    Map<String, Counting.Snapshot> perDatabase() {
        Map<String, Counting.Snapshot> m = new LinkedHashMap<>();
        counters.forEach((k, v) -> m.put(k, v.snapshot()));
        return m;
    }

    /** Row counts of the TCC tables: tcc_transaction and tcc_branch on the log, tcc_barrier summed over participants. */
    long[] tccRowCounts() {
        long barrier = 0;
        for (String p : PARTICIPANTS) {
            barrier += count(dataSources.get(p), "tcc_barrier");
        }
        DataSource log = dataSources.get("log");
        return new long[] {count(log, "tcc_transaction"), count(log, "tcc_branch"), barrier};
    }

    /** Hold rows still PENDING over all participants (0 once phase two finished). */
    long pendingHolds() {
        long pending = 0;
        for (String p : PARTICIPANTS) {
            try (Connection c = dataSources.get(p).getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM hold WHERE state = 'PENDING'")) {
                rs.next();
                pending += rs.getLong(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return pending;
    }

    /** Units per state summed over participants: available, held, sold (conservation check). */
    long[] inventoryTotals() {
        long[] t = new long[3];
        for (String p : PARTICIPANTS) {
            try (Connection c = dataSources.get(p).getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT SUM(available), SUM(held), SUM(sold) FROM inventory")) {
                rs.next();
                for (int i = 0; i < 3; i++) {
                    t[i] += rs.getLong(i + 1);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return t;
    }

    static long count(DataSource ds, String table) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until every transaction begun so far has finished phase two. */
    void awaitFinished(long timeoutMillis) throws InterruptedException {
        long expected = begun.sum();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (finished.sum() < expected) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("phase two did not finish: " + finished.sum() + " of " + expected);
            }
            Thread.sleep(1);
        }
    }

    @Override
    public void close() {
        runtime.close();
        pools.forEach(HikariDataSource::close);
    }

    // ------------------------------------------------------------------ databases

    static final String PG_HOST = System.getProperty("tcc.bench.pg", "127.0.0.1:5432");
    static final String PG_USER = System.getProperty("tcc.bench.pg.user", "postgres");

    static HikariDataSource pool(String db, String name, int size, String runId) {
        HikariConfig config = new HikariConfig();
        if (db.equals("h2")) {
            config.setJdbcUrl("jdbc:h2:mem:tcc_bench_" + name + "_" + runId + ";DB_CLOSE_DELAY=-1");
            config.setUsername("sa");
        } else {
            String database = "tcc_bench_" + name;
            createPostgresDatabase(database);
            config.setJdbcUrl("jdbc:postgresql://" + PG_HOST + "/" + database);
            config.setUsername(PG_USER);
        }
        config.setPassword("");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(30_000);
        config.setPoolName("bench-" + name);
        return new HikariDataSource(config);
    }

    private static void createPostgresDatabase(String database) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + "/postgres", PG_USER, "");
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            st.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create PostgreSQL database " + database + " on " + PG_HOST + ": "
                    + e.getMessage(), e);
        }
    }

    private static void prepareInventory(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS inventory");
            st.execute("DROP TABLE IF EXISTS hold");
            st.execute("CREATE TABLE hold (id VARCHAR(36) PRIMARY KEY, item INTEGER NOT NULL, state VARCHAR(16) NOT NULL)");
            st.execute("CREATE TABLE inventory (id INTEGER PRIMARY KEY, available BIGINT NOT NULL, held BIGINT NOT NULL,"
                    + " sold BIGINT NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO inventory VALUES (?, 1000000000, 0, 0)")) {
                for (int i = 0; i < ROWS; i++) {
                    ps.setInt(1, i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void dropTccTables(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            for (String t : new String[] {"tcc_barrier", "tcc_branch", "tcc_transaction"}) {
                st.execute("DROP TABLE IF EXISTS " + t);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String newRunId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
