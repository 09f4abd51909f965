package dev.tcc.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * Counts what reaches a database, with {@link Proxy}s around its {@link DataSource}, the
 * {@link Connection}s it hands out and their statements: commits (split by whether the thread
 * that committed is a benchmark client, i.e. the caller's critical path, or another thread such
 * as phase two or recovery; a statement run in auto-commit mode is a commit of its own), rollbacks,
 * and statement executions (round trips).
 */
final class Counting {

    /** Set on the benchmark's client threads: their commits are on the caller's critical path. */
    private static final ThreadLocal<Boolean> CALLER = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private Counting() {
    }

    static void markCaller() {
        CALLER.set(Boolean.TRUE);
    }

    /** Counters of one database. */
    static final class Counters {
        final String name;
        final LongAdder callerCommits = new LongAdder();
        final LongAdder otherCommits = new LongAdder();
        final LongAdder rollbacks = new LongAdder();
        final LongAdder statements = new LongAdder();
        final LongAdder callerStatements = new LongAdder();
        final LongAdder autoCommitStatements = new LongAdder();

        Counters(String name) {
            this.name = name;
        }

        Snapshot snapshot() {
            return new Snapshot(callerCommits.sum(), otherCommits.sum(), rollbacks.sum(), statements.sum(), callerStatements.sum(),
                    autoCommitStatements.sum());
        }
    }

    /**
     * Counter values at one moment; subtract two to get a window. A statement in auto-commit mode counts
     * as a statement and as a commit, but is one round trip.
     */
    record Snapshot(long callerCommits, long otherCommits, long rollbacks, long statements, long callerStatements,
                    long autoCommitStatements) {
        static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, 0, 0);

        Snapshot minus(Snapshot o) {
            return new Snapshot(callerCommits - o.callerCommits, otherCommits - o.otherCommits, rollbacks - o.rollbacks,
                    statements - o.statements, callerStatements - o.callerStatements,
                    autoCommitStatements - o.autoCommitStatements);
        }

        Snapshot plus(Snapshot o) {
            return new Snapshot(callerCommits + o.callerCommits, otherCommits + o.otherCommits, rollbacks + o.rollbacks,
                    statements + o.statements, callerStatements + o.callerStatements,
                    autoCommitStatements + o.autoCommitStatements);
        }

        long commits() {
            return callerCommits + otherCommits;
        }

        /** Statements, explicit commits and rollbacks: what a client-server database answers one by one. */
        long roundTrips() {
            return statements + commits() - autoCommitStatements + rollbacks;
        }
    }

    static DataSource wrap(DataSource target, Counters counters) {
        return (DataSource) Proxy.newProxyInstance(Counting.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (result instanceof Connection c && method.getName().equals("getConnection")) {
                        return connection(c, counters);
                    }
                    return result;
                });
    }

    private static Connection connection(Connection target, Counters counters) {
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "commit" -> {
                    Object r = invoke(target, method, args);
                    (CALLER.get() ? counters.callerCommits : counters.otherCommits).increment();
                    return r;
                }
                case "rollback" -> {
                    if (args == null || args.length == 0) {
                        counters.rollbacks.increment();
                    }
                    return invoke(target, method, args);
                }
                case "prepareStatement", "createStatement" -> {
                    Object s = invoke(target, method, args);
                    return statement(target, (Statement) s, counters, s instanceof PreparedStatement
                            ? new Class<?>[] {PreparedStatement.class} : new Class<?>[] {Statement.class});
                }
                case "unwrap" -> {
                    return invoke(target, method, args);
                }
                default -> {
                    return invoke(target, method, args);
                }
            }
        };
        return (Connection) Proxy.newProxyInstance(Counting.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    private static Object statement(Connection connection, Statement target, Counters counters, Class<?>[] types) {
        return Proxy.newProxyInstance(Counting.class.getClassLoader(), types, (proxy, method, args) -> {
            if (!method.getName().startsWith("execute")) {
                return invoke(target, method, args);
            }
            counters.statements.increment();
            if (CALLER.get()) {
                counters.callerStatements.increment();
            }
            Object result = invoke(target, method, args);
            if (connection.getAutoCommit()) {
                (CALLER.get() ? counters.callerCommits : counters.otherCommits).increment();
                counters.autoCommitStatements.increment();
            }
            return result;
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
