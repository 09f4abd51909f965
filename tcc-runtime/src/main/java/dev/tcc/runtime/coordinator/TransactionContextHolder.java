package dev.tcc.runtime.coordinator;

import dev.tcc.runtime.model.TransactionOptions;

/**
 * Binds the global transaction in progress to the initiator's thread, together with the options
 * of the innermost {@code @TccTransactional} method running on it (whose {@code noCancelFor}
 * judges a try's exception). Binding restores the previous value when its scope closes, and
 * binding a second, different transaction fails loudly.
 *
 * <p>The binding is per thread: another thread sees the transaction only when it is carried
 * there with a {@link TransactionContextSnapshot}.
 */
public final class TransactionContextHolder {

    private static final ThreadLocal<GlobalTransaction> CURRENT = new NamedThreadLocal<>("TCC global transaction");
    private static final ThreadLocal<TransactionOptions> INNERMOST = new NamedThreadLocal<>("TCC innermost transaction options");

    private TransactionContextHolder() {
    }

    /** The transaction in progress on this thread, or null. */
    public static GlobalTransaction current() {
        return CURRENT.get();
    }

    /** The options of the innermost {@code @TccTransactional} method (or template) running on this thread, or null. */
    static TransactionOptions innermostOptions() {
        return INNERMOST.get();
    }

    /** Binds a transaction that begins here; close the returned scope in {@code finally}. */
    static Scope bind(GlobalTransaction transaction, TransactionOptions options) {
        GlobalTransaction previous = CURRENT.get();
        if (previous != null) {
            throw new IllegalStateException("Cannot begin " + transaction + ": " + previous
                    + " is already bound to this thread; nested transactions join the outer one");
        }
        return bindJoined(transaction, options);
    }

    /** Makes {@code options} the innermost while a joined method runs; the transaction stays bound. */
    static Scope enter(TransactionOptions options) {
        TransactionOptions previous = INNERMOST.get();
        INNERMOST.set(options);
        return () -> restore(INNERMOST, previous);
    }

    /**
     * Binds {@code transaction} on a thread that carries it from another one. The thread may
     * already have it bound (a task run on the submitting thread), but not another transaction.
     */
    static Scope bindJoined(GlobalTransaction transaction, TransactionOptions options) {
        GlobalTransaction previous = CURRENT.get();
        if (previous != null && previous != transaction) {
            throw new IllegalStateException("Cannot bind " + transaction + ": " + previous
                    + " is already bound to this thread; a thread works for one TCC transaction at a time");
        }
        TransactionOptions previousOptions = INNERMOST.get();
        CURRENT.set(transaction);
        INNERMOST.set(options);
        return () -> {
            restore(CURRENT, previous);
            restore(INNERMOST, previousOptions);
        };
    }

    /** Unbinds whatever transaction this thread has until the scope closes. */
    static Scope clear() {
        GlobalTransaction previous = CURRENT.get();
        TransactionOptions previousOptions = INNERMOST.get();
        CURRENT.remove();
        INNERMOST.remove();
        return () -> {
            restore(CURRENT, previous);
            restore(INNERMOST, previousOptions);
        };
    }

    private static <T> void restore(ThreadLocal<T> local, T previous) {
        if (previous == null) {
            local.remove();
        } else {
            local.set(previous);
        }
    }

    /** Closes a binding; never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final class NamedThreadLocal<T> extends ThreadLocal<T> {
        private final String name;

        NamedThreadLocal(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
