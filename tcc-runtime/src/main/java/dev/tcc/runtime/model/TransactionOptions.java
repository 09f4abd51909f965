package dev.tcc.runtime.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one global transaction runs: the programmatic counterpart of
 * {@link dev.tcc.api.TccTransactional}.
 *
 * @param name        name shown in logs, metrics and the actuator endpoint
 * @param timeout     how long it may stay undecided; null means the configured default
 * @param noCancelFor exception types that confirm instead of cancel
 */
public record TransactionOptions(String name, Duration timeout, List<Class<? extends Throwable>> noCancelFor) {

    public TransactionOptions {
        Objects.requireNonNull(name, "name");
        noCancelFor = List.copyOf(noCancelFor);
    }

    /** Options with a name, the default timeout and every exception cancelling. */
    public static TransactionOptions named(String name) {
        return new TransactionOptions(name, null, List.of());
    }

    public TransactionOptions withTimeout(Duration newTimeout) {
        return new TransactionOptions(name, newTimeout, noCancelFor);
    }

    @SafeVarargs
    public final TransactionOptions withNoCancelFor(Class<? extends Throwable>... types) {
        return new TransactionOptions(name, timeout, List.of(types));
    }

    /** Whether {@code failure} is one of the exceptions that do not cancel. */
    public boolean confirmsDespite(Throwable failure) {
        for (Class<? extends Throwable> type : noCancelFor) {
            if (type.isInstance(failure)) {
                return true;
            }
        }
        return false;
    }
}
