package dev.tcc.spring.support;

import dev.tcc.spi.LocalTransactionRunner;
import java.sql.Connection;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A {@link LocalTransactionRunner} on a Spring {@link PlatformTransactionManager}: the work runs
 * in a new transaction ({@code PROPAGATION_REQUIRES_NEW}) and gets the connection Spring bound
 * to it, so the barrier row the runtime writes and the business change a {@code JdbcTemplate} or
 * {@code JdbcClient} makes on the same thread commit or roll back together.
 */
public final class SpringLocalTransactionRunner implements LocalTransactionRunner {

    private final String name;
    private final PlatformTransactionManager transactionManager;
    private final DataSource dataSource;
    private final TransactionTemplate template;
    private final TransactionTemplate outsideTransaction;

    /**
     * @param name               stable name of the database, usually the transaction manager's bean name
     * @param transactionManager manages transactions on {@code dataSource}
     * @param dataSource         the database the barrier rows go to
     */
    public SpringLocalTransactionRunner(String name, PlatformTransactionManager transactionManager, DataSource dataSource) {
        this(name, transactionManager, dataSource, TransactionDefinition.ISOLATION_DEFAULT, TransactionDefinition.TIMEOUT_DEFAULT);
    }

    private SpringLocalTransactionRunner(String name, PlatformTransactionManager transactionManager, DataSource dataSource,
                                         int isolation, int timeoutSeconds) {
        this.name = Objects.requireNonNull(name, "name");
        this.transactionManager = Objects.requireNonNull(transactionManager, "transactionManager");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.template = new TransactionTemplate(transactionManager);
        this.template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.template.setIsolationLevel(isolation);
        this.template.setTimeout(timeoutSeconds);
        this.template.setName("tcc:" + name);
        this.outsideTransaction = new TransactionTemplate(transactionManager);
        this.outsideTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_NOT_SUPPORTED);
        this.outsideTransaction.setName("tcc:" + name + ":single-statement");
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * This runner on the same database and manager (same {@link #name()}), whose new transactions
     * have {@code isolation} and {@code timeoutSeconds} ({@link TransactionDefinition} constants):
     * what a try's {@code @Transactional} asks for, since its body joins the barrier's transaction.
     */
    public SpringLocalTransactionRunner withSettings(int isolation, int timeoutSeconds) {
        if (isolation == template.getIsolationLevel() && timeoutSeconds == template.getTimeout()) {
            return this;
        }
        return new SpringLocalTransactionRunner(name, transactionManager, dataSource, isolation, timeoutSeconds);
    }

    /** The database this runner writes to. */
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public <T> T inNewTransaction(ConnectionWork<T> work) throws Exception {
        return onConnection(template, work);
    }

    /** The statement runs outside any transaction on the thread, in auto-commit mode (committed here when the pool turned it off). */
    @Override
    public <T> T inSingleStatement(ConnectionWork<T> work) throws Exception {
        return onConnection(outsideTransaction, c -> c.getAutoCommit() ? work.run(c) : LocalTransactionRunner.commitOrRollback(c, work));
    }

    /** Runs {@code work} on the connection Spring binds to the thread within {@code scope}. */
    private <T> T onConnection(TransactionTemplate scope, ConnectionWork<T> work) throws Exception {
        try {
            return scope.execute(status -> {
                Connection connection = DataSourceUtils.getConnection(dataSource);
                try {
                    return work.run(connection);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    // a checked failure must roll back too: carry it out of the callback, unwrap below
                    throw new CheckedFailure(e);
                } finally {
                    DataSourceUtils.releaseConnection(connection, dataSource);
                }
            });
        } catch (CheckedFailure e) {
            throw e.checked;
        }
    }

    @Override
    public String toString() {
        return "SpringLocalTransactionRunner[" + name + "]";
    }

    private static final class CheckedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Exception checked;

        CheckedFailure(Exception checked) {
            super(checked.getMessage(), checked, false, false);
            this.checked = checked;
        }
    }
}
