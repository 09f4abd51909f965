package dev.tcc.runtime.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.MissingTablesException;
import dev.tcc.api.TccException;
import dev.tcc.api.TransactionLogException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Missing TCC tables stop start-up; a barrier that fails later reaches the caller as a TccException that says what failed. */
abstract class AbstractSchemaCheckTests {

    abstract TestDatabases.Kind kind();

    private HikariDataSource log;
    private HikariDataSource bank;
    private TccRuntime runtime;

    @BeforeEach
    void setUp() {
        log = TestDatabases.create(kind(), "log");
        bank = TestDatabases.create(kind(), "bank");
    }

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        log.close();
        bank.close();
    }

    private TccRuntime.Builder runtimeWithoutSchemaInitialisation() {
        return TccRuntime.builder().transactionLog(log).initializeSchema(false)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build());
    }

    private TccAction<String, String> action(DataSource dataSource) {
        return runtime.action("debit", String.class, String.class)
                .database("bank", dataSource)
                .onTry((c, account, ctx) -> account)
                .onConfirm((c, account, ctx) -> { })
                .onCancel((c, account, ctx) -> { })
                .register();
    }

    private static void createTables(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            SchemaInitializer.createTables(c);
        }
    }

    @Test
    void aTransactionLogWithoutItsTablesStopsStartUpNamingEveryMissingTableTheDatabaseAndTheFix() {
        MissingTablesException missing = (MissingTablesException) catchThrowable(() -> runtimeWithoutSchemaInitialisation().build());

        assertThat(missing).isNotNull();
        assertThat(missing.missingTables()).containsExactly("tcc_transaction", "tcc_branch");
        assertThat(missing.database()).isEqualTo("tcc-log");
        assertThat(missing.url()).startsWith("jdbc:");
        assertThat(missing.schemaResource()).startsWith("META-INF/tcc/schema-");
        assertThat(missing.getMessage()).contains("the transaction log's database 'tcc-log'")
                .contains("tcc.jdbc.initialize-schema=always").contains(missing.schemaResource());
    }

    @Test
    void aParticipantDatabaseWithoutTheBarrierTableStopsItsRegistration() throws Exception {
        createTables(log);
        runtime = runtimeWithoutSchemaInitialisation().build();

        assertThatThrownBy(() -> action(bank))
                .isInstanceOfSatisfying(MissingTablesException.class, missing -> {
                    assertThat(missing.missingTables()).containsExactly("tcc_barrier");
                    assertThat(missing.database()).isEqualTo("bank");
                })
                .hasMessageContaining("participant database 'bank'");
    }

    @Test
    void aBarrierTableFromBeforeTheCoordinatorColumnIsReportedThenUpgradedByTheSchemaFile() throws Exception {
        createTables(log);
        TestDatabases.execute(bank, "CREATE TABLE tcc_barrier (xid VARCHAR(64) NOT NULL, branch_id INTEGER NOT NULL,"
                + " action VARCHAR(200) NOT NULL, state VARCHAR(16) NOT NULL, hold_deadline TIMESTAMP WITH TIME ZONE NOT NULL,"
                + " timeout_at TIMESTAMP WITH TIME ZONE NOT NULL, arguments VARCHAR(4000), result VARCHAR(4000),"
                + " created_at TIMESTAMP WITH TIME ZONE NOT NULL, updated_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                + " PRIMARY KEY (xid, branch_id))");
        runtime = runtimeWithoutSchemaInitialisation().build();
        assertThatThrownBy(() -> action(bank)).isInstanceOfSatisfying(MissingTablesException.class,
                missing -> assertThat(missing.missingTables()).containsExactly("tcc_barrier"));

        createTables(bank); // the schema file again: it adds the column to the existing table
        TccAction<String, String> debit = action(bank);

        assertThat(runtime.execute(TransactionOptions.named("transfer"), () -> debit.tryAction("acc-1"))).isEqualTo("acc-1");
    }

    @Test
    void theSchemaFileRunTwiceReplacesTheBarrierIndexesOfAnOlderVersionByTheCompositeOne() throws Exception {
        TestDatabases.execute(bank, "CREATE TABLE tcc_barrier (xid VARCHAR(64) NOT NULL, branch_id INTEGER NOT NULL,"
                + " action VARCHAR(200) NOT NULL, state VARCHAR(16) NOT NULL, hold_deadline TIMESTAMP WITH TIME ZONE NOT NULL,"
                + " timeout_at TIMESTAMP WITH TIME ZONE NOT NULL, arguments VARCHAR(4000), result VARCHAR(4000),"
                + " created_at TIMESTAMP WITH TIME ZONE NOT NULL, updated_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                + " coordinator VARCHAR(500), PRIMARY KEY (xid, branch_id))");
        TestDatabases.execute(bank, "CREATE INDEX tcc_barrier_state_idx ON tcc_barrier (state)");
        TestDatabases.execute(bank, "CREATE INDEX tcc_barrier_deadline_idx ON tcc_barrier (hold_deadline)");
        assertThat(secondaryIndexesOfTheBarrier()).containsExactly("tcc_barrier_deadline_idx", "tcc_barrier_state_idx");

        createTables(bank);
        createTables(bank);

        assertThat(secondaryIndexesOfTheBarrier()).containsExactly("tcc_barrier_state_deadline_idx");
    }

    /** Names of the barrier table's indexes other than its primary key, in lower case and order. */
    private List<String> secondaryIndexesOfTheBarrier() throws SQLException {
        String sql = kind() == TestDatabases.Kind.H2
                ? "SELECT LOWER(INDEX_NAME) FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_SCHEMA = CURRENT_SCHEMA"
                        + " AND TABLE_NAME = 'TCC_BARRIER' AND INDEX_TYPE_NAME <> 'PRIMARY KEY' ORDER BY 1"
                : "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'tcc_barrier'"
                        + " AND indexname <> 'tcc_barrier_pkey' ORDER BY 1";
        List<String> names = new ArrayList<>();
        try (Connection c = bank.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    @Test
    void databasesWithTheirTablesStart() throws Exception {
        createTables(log);
        createTables(bank);
        runtime = runtimeWithoutSchemaInitialisation().build();
        TccAction<String, String> debit = action(bank);

        assertThat(runtime.execute(TransactionOptions.named("transfer"), () -> debit.tryAction("acc-1"))).isEqualTo("acc-1");
    }

    @Test
    void aBarrierWriteThatFailsReachesTheCallerAsATccExceptionSayingWhatFailed() throws Exception {
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build()).build();
        TccAction<String, String> debit = action(bank);
        TestDatabases.execute(bank, "DROP TABLE tcc_barrier");

        Throwable failure = catchThrowable(() -> runtime.execute(TransactionOptions.named("transfer"), () -> debit.tryAction("acc-1")));

        assertThat(failure).isInstanceOf(TransactionLogException.class).isInstanceOf(TccException.class)
                .hasMessageContaining("Try of 'debit'").hasMessageContaining("participant database 'bank'")
                .hasMessageContaining("branch barrier");
        assertThat(failure.getCause()).isInstanceOf(java.sql.SQLException.class);
    }

    @Test
    void credentialsAreNotShownInTheUrl() {
        assertThat(SchemaCheck.withoutCredentials("jdbc:postgresql://app:s3cret@db:5432/shop?user=app&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/shop?user=***&password=***&ssl=true");
        assertThat(SchemaCheck.withoutCredentials("jdbc:h2:file:/data/shop;USER=sa;PASSWORD=x")).isEqualTo("jdbc:h2:file:/data/shop;USER=***;PASSWORD=***");
    }
}
