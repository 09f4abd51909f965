package dev.tcc.spring;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TransactionOptions;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.Objects;

/**
 * Runs code as a global TCC transaction without annotations, like Spring's
 * {@code TransactionTemplate}. Every {@link dev.tcc.api.Try} method called inside the callback
 * becomes a branch; a normal return confirms them all, an exception cancels every branch tried
 * (unless its type is listed with {@link #withNoCancelFor}) and reaches the caller: unchanged from
 * {@link #executeChecked}; from {@link #execute} a checked one wrapped, as {@code TransactionTemplate} does.
 * Inside a transaction in progress it joins it, and an exception that escapes the callback marks
 * that transaction cancel-only (see {@link dev.tcc.api.TccTransactional}); a callback that catches
 * a try's or a joined method's exception and returns gets a
 * {@link dev.tcc.api.TransactionMarkedCancelOnlyException}.
 *
 * <pre>{@code
 * Booking booking = tccTemplate.withName("book").withTimeout(Duration.ofSeconds(10)).execute(() -> {
 *     SeatHold hold = seats.holdSeats("LH123", 2);
 *     return new Booking(hold);
 * });
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; the {@code with...} methods return copies.
 */
public final class TccTemplate {

    private final TccRuntime runtime;
    private final TransactionOptions options;

    /** A template whose transactions are named {@code "TccTemplate"} and use the configured timeout. */
    public TccTemplate(TccRuntime runtime) {
        this(runtime, TransactionOptions.named("TccTemplate"));
    }

    public TccTemplate(TccRuntime runtime, TransactionOptions options) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A copy whose transactions carry {@code name} in logs, metrics and the actuator endpoint. */
    public TccTemplate withName(String name) {
        return new TccTemplate(runtime, new TransactionOptions(name, options.timeout(), options.noCancelFor()));
    }

    /** A copy whose transactions may stay undecided for {@code timeout}. */
    public TccTemplate withTimeout(Duration timeout) {
        return new TccTemplate(runtime, options.withTimeout(timeout));
    }

    /** A copy whose transactions still confirm when the callback throws one of {@code types}. */
    @SafeVarargs
    public final TccTemplate withNoCancelFor(Class<? extends Throwable>... types) {
        return new TccTemplate(runtime, options.withNoCancelFor(types));
    }

    /** The options every transaction of this template runs with. */
    public TransactionOptions options() {
        return options;
    }

    /**
     * Runs {@code callback} as a global transaction, or inside the one in progress on this thread.
     * Runtime exceptions and errors reach the caller unchanged; a checked exception is wrapped in
     * an {@link UndeclaredThrowableException}, as {@code TransactionTemplate} does.
     */
    public <T> T execute(TccCallback<T> callback) {
        try {
            return runtime.execute(options, callback::doInTransaction);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UndeclaredThrowableException(e, "TccTemplate callback threw a checked exception");
        }
    }

    /**
     * Like {@link #execute}, but every exception of the callback, checked ones included, reaches the caller unchanged
     * (after the tried branches were cancelled): for callbacks that call services declaring checked business exceptions.
     */
    public <T> T executeChecked(TccCallback<T> callback) throws Exception {
        return runtime.execute(options, callback::doInTransaction);
    }

    /** Like {@link #execute} for a callback that returns nothing. */
    public void executeWithoutResult(Runnable callback) {
        execute(() -> {
            callback.run();
            return null;
        });
    }

    /** The work of one global transaction. */
    @FunctionalInterface
    public interface TccCallback<T> {
        T doInTransaction() throws Exception;
    }
}
