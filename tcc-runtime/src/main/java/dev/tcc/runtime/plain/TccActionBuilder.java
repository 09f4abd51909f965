package dev.tcc.runtime.plain;

import dev.tcc.api.TccContext;
import dev.tcc.api.TccDefinitionException;
import dev.tcc.runtime.action.ActionDefinition;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.action.PhaseInvoker;
import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Defines an action without annotations: its database and its try, confirm and cancel
 * functions, each given the connection of the participant's local transaction (the barrier row
 * is written on the same connection, so both commit together).
 */
public final class TccActionBuilder<A, R> {

    /** The try: reserve, return what confirm or cancel will need. */
    @FunctionalInterface
    public interface TryFunction<A, R> {
        R apply(Connection connection, A argument, TccContext context) throws Exception;
    }

    /** A confirm or cancel. */
    @FunctionalInterface
    public interface PhaseFunction<A> {
        void apply(Connection connection, A argument, TccContext context) throws Exception;
    }

    private final ActionRegistration runtime;
    private final String name;
    private final Class<A> argumentType;
    private final Class<R> resultType;
    private JdbcLocalTransactionRunner database;
    private Duration hold;
    private boolean externalEffects;
    private TryFunction<A, R> onTry;
    private PhaseFunction<A> onConfirm;
    private PhaseFunction<A> onCancel;

    public TccActionBuilder(ActionRegistration runtime, String name, Class<A> argumentType, Class<R> resultType) {
        this.runtime = runtime;
        this.name = Objects.requireNonNull(name, "name");
        this.argumentType = Objects.requireNonNull(argumentType, "argumentType");
        this.resultType = Objects.requireNonNull(resultType, "resultType");
    }

    /** The participant database; actions naming the same database share its barrier. */
    public TccActionBuilder<A, R> database(String databaseName, DataSource dataSource) {
        return database(new JdbcLocalTransactionRunner(databaseName, dataSource));
    }

    public TccActionBuilder<A, R> database(JdbcLocalTransactionRunner runner) {
        this.database = runner;
        return this;
    }

    /** How long the hold lives unconfirmed; defaults to the runtime's default hold. */
    public TccActionBuilder<A, R> hold(Duration duration) {
        this.hold = duration;
        return this;
    }

    /** Whether the cancel must run even when the try's local transaction rolled back. */
    public TccActionBuilder<A, R> externalEffects(boolean value) {
        this.externalEffects = value;
        return this;
    }

    public TccActionBuilder<A, R> onTry(TryFunction<A, R> function) {
        this.onTry = function;
        return this;
    }

    public TccActionBuilder<A, R> onConfirm(PhaseFunction<A> function) {
        this.onConfirm = function;
        return this;
    }

    public TccActionBuilder<A, R> onCancel(PhaseFunction<A> function) {
        this.onCancel = function;
        return this;
    }

    /** Registers the action with the runtime. */
    public TccAction<A, R> register() {
        require(database, "database(name, dataSource)");
        require(onTry, "onTry(...)");
        require(onConfirm, "onConfirm(...)");
        require(onCancel, "onCancel(...)");
        JdbcLocalTransactionRunner db = sharedRunner(database);
        ActionDefinition definition = new ActionDefinition(name, "action '" + name + "'",
                hold == null ? runtime.defaultHold() : hold, externalEffects,
                new Type[] {argumentType}, new String[] {"argument"}, resultType, db,
                invoker(db, onConfirm), invoker(db, onCancel));
        runtime.register(definition);
        return new TccAction<>(runtime, name, db, onTry, resultType);
    }

    /**
     * The runner of the database named like {@code runner} when an earlier action registered it:
     * the participant runs its local transactions there, so the bodies must read the connection
     * of that runner (each runner binds its own connection to the thread).
     */
    private JdbcLocalTransactionRunner sharedRunner(JdbcLocalTransactionRunner runner) {
        for (ParticipantDatabase registered : runtime.databases()) {
            if (registered.runner().name().equals(runner.name())) {
                if (registered.runner() instanceof JdbcLocalTransactionRunner jdbc && jdbc.dataSource() == runner.dataSource()) {
                    return jdbc;
                }
                throw new TccDefinitionException("Action '" + name + "' names database '" + runner.name() + "', which is already"
                        + " registered with another data source: give each data source its own database name");
            }
        }
        return runner;
    }

    private PhaseInvoker invoker(JdbcLocalTransactionRunner db, PhaseFunction<A> function) {
        return (args, context) -> function.apply(db.currentConnection(), argumentType.cast(args[0]), context);
    }

    private void require(Object value, String call) {
        if (value == null) {
            throw new TccDefinitionException("Action '" + name + "' is incomplete: call " + call + " before register()");
        }
    }
}
