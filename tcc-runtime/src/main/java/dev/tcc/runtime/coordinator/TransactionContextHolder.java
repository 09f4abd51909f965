package dev.tcc.runtime.coordinator;

/**
 * Binds the global transaction in progress to the initiator's thread. Binding restores the
 * previous value when its scope closes, and binding a second root transaction fails loudly.
 */
public final class TransactionContextHolder {

    private static final ThreadLocal<GlobalTransaction> CURRENT = new NamedThreadLocal("TCC global transaction");

    private TransactionContextHolder() {
    }

    /** The transaction in progress on this thread, or null. */
    public static GlobalTransaction current() {
        return CURRENT.get();
    }

    /** Binds {@code transaction}; close the returned scope in {@code finally}. */
    static Scope bind(GlobalTransaction transaction) {
        GlobalTransaction previous = CURRENT.get();
        if (previous != null) {
            throw new IllegalStateException("Cannot begin " + transaction + ": " + previous
                    + " is already bound to this thread; nested transactions join the outer one");
        }
        CURRENT.set(transaction);
        return CURRENT::remove;
    }

    /** Closes a binding; never throws. */
    @FunctionalInterface
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final class NamedThreadLocal extends ThreadLocal<GlobalTransaction> {
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
