package dev.tcc.runtime.testing;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that runs a test's action once, right before it hands out its next connection:
 * the place to put what happens "while the caller stalls before its write reaches the database".
 */
public final class HookedDataSource implements DataSource {

    private final DataSource target;
    private final AtomicReference<Runnable> beforeNextConnection = new AtomicReference<>();

    public HookedDataSource(DataSource target) {
        this.target = target;
    }

    /** Runs {@code action} when the next connection is asked for (connections it asks for itself are not hooked). */
    public void beforeNextConnection(Runnable action) {
        beforeNextConnection.set(action);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Runnable action = beforeNextConnection.getAndSet(null);
        if (action != null) {
            action.run();
        }
        return target.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return target.isWrapperFor(iface);
    }
}
