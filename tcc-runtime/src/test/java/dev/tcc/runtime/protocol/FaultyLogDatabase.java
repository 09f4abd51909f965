package dev.tcc.runtime.protocol;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * The coordinator's log database as the simulation sees it: a {@link DataSource} in front of the
 * real one that fails exactly the connection or statement a step asks for, or runs a stall (a
 * clock jump with other instances' passes) before the next connection is taken. Single-threaded,
 * like the simulation; each armed fault fires once.
 */
final class FaultyLogDatabase {

    /** A crash injected by the simulation; anything else thrown is a real failure. */
    static final class InjectedCrash extends SQLException {
        InjectedCrash(String what) {
            super("injected crash: " + what, "08006");
        }
    }

    private final DataSource target;
    private final DataSource proxy;
    private Runnable stall;
    private SQLException connectionFailure;
    private Predicate<String> failingStatement;
    private SQLException statementFailure;
    private boolean fired;

    FaultyLogDatabase(DataSource target) {
        this.target = target;
        this.proxy = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, method, args) -> method.getName().equals("getConnection") ? connect(method, args) : invoke(target, method, args));
    }

    DataSource dataSource() {
        return proxy;
    }

    /** Runs {@code stall} once, just before the next connection is taken (the decision write's, when armed at the end of an initiator's body). */
    void stallBeforeNextConnection(Runnable stall) {
        this.stall = stall;
    }

    /** Drops a stall that no connection triggered; true when one was still armed. */
    boolean cancelStall() {
        boolean armed = stall != null;
        stall = null;
        return armed;
    }

    /** The next connection fails with {@code failure}. */
    void failNextConnection(SQLException failure) {
        connectionFailure = failure;
        fired = false;
    }

    /** The next statement whose SQL matches fails with {@code failure} when it is prepared. */
    void failNextStatement(Predicate<String> sql, SQLException failure) {
        failingStatement = sql;
        statementFailure = failure;
        fired = false;
    }

    /** Disarms every armed failure; returns whether one fired since it was armed. */
    boolean disarm() {
        connectionFailure = null;
        failingStatement = null;
        statementFailure = null;
        boolean result = fired;
        fired = false;
        return result;
    }

    private Object connect(Method method, Object[] args) throws Throwable {
        Runnable pending = stall;
        if (pending != null) {
            stall = null; // before it runs: the stall's own passes take connections too
            pending.run();
        }
        SQLException refused = connectionFailure;
        if (refused != null) {
            connectionFailure = null;
            fired = true;
            throw refused;
        }
        Connection real = (Connection) invoke(target, method, args);
        return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
            if (m.getName().equals("prepareStatement") && a != null && a[0] instanceof String sql
                    && failingStatement != null && failingStatement.test(sql)) {
                SQLException failure = statementFailure;
                failingStatement = null;
                statementFailure = null;
                fired = true;
                throw failure;
            }
            return invoke(real, m, a);
        });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
