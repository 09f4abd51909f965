package dev.tcc.runtime.protocol;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Normal returns of bodies as their callers see them, counted once the local transaction they ran
 * in commits: a return whose transaction (or savepoint) was rolled back afterwards did not take
 * effect (a batch's fast pass that rolled back because another body failed runs its bodies again).
 * Bodies must run on a connection of {@link #around}.
 */
final class CommittedReturns {

    private final Map<String, Integer> committed = new HashMap<>();
    private final Map<Connection, List<String>> pending = new IdentityHashMap<>();
    private final Map<Savepoint, Integer> marks = new IdentityHashMap<>();

    /** {@code real}, with its connections' commits, rollbacks and savepoints followed. */
    DataSource around(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, method, args) -> method.getName().equals("getConnection")
                        ? connection((Connection) invoke(real, method, args)) : invoke(real, method, args));
    }

    /** A body returned normally in the local transaction of {@code c}. */
    synchronized void returned(Connection c, String body) {
        List<String> returns = pending.get(c);
        if (returns == null) {
            throw new IllegalStateException("The body ran on a connection of another data source than CommittedReturns.around");
        }
        returns.add(body);
    }

    /** Committed normal returns per body. */
    synchronized Map<String, Integer> committed() {
        return new HashMap<>(committed);
    }

    private synchronized Connection connection(Connection real) {
        Connection[] self = new Connection[1];
        self[0] = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (p, method, args) -> {
                    Object result = invoke(real, method, args);
                    followed(self[0], method.getName(), args, result);
                    return result;
                });
        pending.put(self[0], new ArrayList<>());
        return self[0];
    }

    private synchronized void followed(Connection c, String method, Object[] args, Object result) {
        List<String> returns = pending.get(c);
        if (returns == null) {
            return;
        }
        switch (method) {
            case "setSavepoint" -> marks.put((Savepoint) result, returns.size());
            case "rollback" -> {
                int keep = args == null ? 0 : marks.getOrDefault((Savepoint) args[0], 0);
                returns.subList(keep, returns.size()).clear();
            }
            case "commit" -> {
                returns.forEach(body -> committed.merge(body, 1, Integer::sum));
                returns.clear();
            }
            case "close" -> pending.remove(c);
            default -> {
            }
        }
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
