package dev.tcc.runtime.log;

import dev.tcc.api.TransactionLogException;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.spi.LocalTransactionRunner;
import java.util.concurrent.Callable;

/**
 * The log's database as every part of the log uses it: its dialect, and work in a local
 * transaction of its own whose checked failure becomes a {@link TransactionLogException} that names
 * what could not be done.
 */
final class LogDatabase {

    /** Most values in one {@code IN (...)} list. */
    static final int IN_LIST_CHUNK = 200;

    private final LocalTransactionRunner runner;
    private final SqlDialect dialect;

    LogDatabase(LocalTransactionRunner runner, SqlDialect dialect) {
        this.runner = runner;
        this.dialect = dialect;
    }

    SqlDialect dialect() {
        return dialect;
    }

    /** {@code work} in a new local transaction; {@code what} completes "Could not ...". */
    <T> T run(String what, LocalTransactionRunner.ConnectionWork<T> work) {
        return on(what, () -> runner.inNewTransaction(work));
    }

    /** {@code work}, one statement, in one round trip where the runner can. */
    <T> T runSingleStatement(String what, LocalTransactionRunner.ConnectionWork<T> work) {
        return on(what, () -> runner.inSingleStatement(work));
    }

    private <T> T on(String what, Callable<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new TransactionLogException("Could not " + what + " in the transaction log on '" + runner.name()
                    + "': " + e.getMessage() + ". Recovery finishes decided transactions once the database answers again", e);
        }
    }
}
