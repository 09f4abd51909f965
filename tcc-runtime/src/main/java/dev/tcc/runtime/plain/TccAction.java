package dev.tcc.runtime.plain;

import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;

/**
 * A registered action of the plain-Java API: call {@link #tryAction} inside
 * {@code TccRuntime.execute} to add a branch.
 *
 * @param <A> the argument type, stored as JSON with the branch
 * @param <R> the try's result type, stored as JSON and readable in confirm and cancel
 */
public final class TccAction<A, R> {

    private final ActionRegistration runtime;
    private final String name;
    private final JdbcLocalTransactionRunner database;
    private final TccActionBuilder.TryFunction<A, R> onTry;
    private final Class<R> resultType;

    TccAction(ActionRegistration runtime, String name, JdbcLocalTransactionRunner database, TccActionBuilder.TryFunction<A, R> onTry,
              Class<R> resultType) {
        this.runtime = runtime;
        this.name = name;
        this.database = database;
        this.onTry = onTry;
        this.resultType = resultType;
    }

    /** Runs the try as the next branch of the transaction in progress on this thread. */
    public R tryAction(A argument) throws Exception {
        Object result = runtime.tryBranch(name, new Object[] {argument},
                context -> onTry.apply(database.currentConnection(), argument, context));
        return resultType.cast(result);
    }

    public String name() {
        return name;
    }
}
