package dev.tcc.runtime.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * A {@link DataSource} in front of a real one, for forcing what a test needs: a database that is
 * down ({@link #failWith}), or a step of another driver run at an exact point of this one's
 * transaction ({@link #beforeStatement}: once, just before a statement whose SQL matches is prepared;
 * {@link #beforeCommit}: once, just before a commit), and what was sent ({@link #recordStatements},
 * {@link #recordTransactionCalls}).
 */
public final class InterceptingDataSource {

    private final DataSource target;
    private final AtomicReference<SQLException> failure = new AtomicReference<>();
    private final AtomicReference<Hook> hook = new AtomicReference<>();
    private final AtomicReference<Runnable> commitHook = new AtomicReference<>();
    private final List<String> prepared = new CopyOnWriteArrayList<>();
    private final List<String> transactionCalls = new CopyOnWriteArrayList<>();
    private final DataSource proxy;

    private record Hook(Predicate<String> sql, Runnable step) {
    }

    public InterceptingDataSource(DataSource target) {
        this.target = target;
        this.proxy = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        SQLException down = failure.get();
                        if (down != null) {
                            throw down;
                        }
                        return connection((Connection) invoke(target, method, args));
                    }
                    return invoke(target, method, args);
                });
    }

    /** The data source to hand to the code under test. */
    public DataSource dataSource() {
        return proxy;
    }

    /** Every new connection fails with {@code down} (null: the database is back). */
    public void failWith(SQLException down) {
        failure.set(down);
    }

    /** Runs {@code step} once, on the calling thread, just before the first statement whose SQL matches is prepared. */
    public void beforeStatement(Predicate<String> sql, Runnable step) {
        hook.set(new Hook(sql, step));
    }

    /** Runs {@code step} once, on the calling thread, just before the next {@code commit()} on any connection. */
    public void beforeCommit(Runnable step) {
        commitHook.set(step);
    }

    /** From now on, the SQL of every statement prepared on this data source, in order (a live list). */
    public List<String> recordStatements() {
        prepared.clear();
        return prepared;
    }

    /**
     * From now on, the name of every transaction control call on a connection of this data source
     * ({@code setSavepoint}, {@code rollback}, {@code releaseSavepoint}, {@code commit}), in order (a live list).
     */
    public List<String> recordTransactionCalls() {
        transactionCalls.clear();
        return transactionCalls;
    }

    private Connection connection(Connection real) {
        InvocationHandler handler = (p, method, args) -> {
            if (List.of("setSavepoint", "rollback", "releaseSavepoint", "commit").contains(method.getName())) {
                transactionCalls.add(method.getName());
            }
            if (method.getName().equals("commit")) {
                Runnable step = commitHook.get();
                if (step != null && commitHook.compareAndSet(step, null)) {
                    step.run();
                }
            }
            if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                prepared.add(sql);
                Hook h = hook.get();
                if (h != null && h.sql().test(sql) && hook.compareAndSet(h, null)) {
                    h.step().run();
                }
            }
            return invoke(real, method, args);
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
