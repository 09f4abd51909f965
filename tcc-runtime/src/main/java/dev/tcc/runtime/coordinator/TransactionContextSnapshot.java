package dev.tcc.runtime.coordinator;

import dev.tcc.api.TccContextHolder;
import dev.tcc.runtime.model.TransactionOptions;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The TCC context of one thread, captured to carry to another: the global transaction in
 * progress, the options of the innermost {@code @TccTransactional} method, and the xid that
 * {@link TccContextHolder#currentXid()} and the MDC key {@code tcc.xid} show.
 *
 * <p>The context is bound to the thread that runs the initiator. A try called on another thread
 * (an {@code @Async} method, a {@code CompletableFuture}, a parallel stream) sees the transaction
 * only inside a task wrapped here, or by the starter's {@code TccContextTaskDecorator}:
 *
 * <pre>{@code
 * TransactionContextSnapshot context = TransactionContextSnapshot.capture();   // on the initiator's thread
 * CompletableFuture<SeatHold> seat = CompletableFuture.supplyAsync(context.wrap(() -> seats.holdSeats(...)), pool);
 * seat.join();                                                                   // before the initiator returns
 * }</pre>
 *
 * <p>The initiator must wait for every task before it returns, because its return is the
 * decision: a try still running then cancels the transaction, and a try that begins after it is
 * refused.
 */
public final class TransactionContextSnapshot {

    private static final String MDC_KEY = "tcc.xid";
    private static final TransactionContextSnapshot EMPTY = new TransactionContextSnapshot(null, null);

    private final GlobalTransaction transaction;
    private final TransactionOptions options;

    private TransactionContextSnapshot(GlobalTransaction transaction, TransactionOptions options) {
        this.transaction = transaction;
        this.options = options;
    }

    /** The context of the calling thread; empty when no TCC transaction is in progress on it. */
    public static TransactionContextSnapshot capture() {
        GlobalTransaction transaction = TransactionContextHolder.current();
        return transaction == null ? EMPTY : new TransactionContextSnapshot(transaction, TransactionContextHolder.innermostOptions());
    }

    /** A snapshot of no transaction: binding it unbinds the thread's context for a while. */
    public static TransactionContextSnapshot none() {
        return EMPTY;
    }

    /** Whether no transaction was in progress when this snapshot was captured. */
    public boolean isEmpty() {
        return transaction == null;
    }

    /**
     * Binds the captured context to the calling thread until the scope closes (in {@code finally});
     * the thread's previous context comes back then. An empty snapshot unbinds the thread's context
     * for that time.
     *
     * @throws IllegalStateException when another TCC transaction is bound to this thread
     */
    public TransactionContextHolder.Scope bind() {
        TransactionContextHolder.Scope bound = transaction == null
                ? TransactionContextHolder.clear()
                : TransactionContextHolder.bindJoined(transaction, options);
        TccContextHolder.Scope xid = TccContextHolder.bindXid(transaction == null ? null : transaction.xid());
        String previousMdc = MDC.get(MDC_KEY);
        putOrRemove(transaction == null ? null : transaction.xid());
        return () -> {
            putOrRemove(previousMdc);
            xid.close();
            bound.close();
        };
    }

    private static void putOrRemove(String xid) {
        if (xid == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, xid);
        }
    }

    /** {@code task}, running with this context bound. */
    public Runnable wrap(Runnable task) {
        return () -> {
            try (TransactionContextHolder.Scope ignored = bind()) {
                task.run();
            }
        };
    }

    /** {@code task}, running with this context bound. */
    public <T> Supplier<T> wrap(Supplier<T> task) {
        return () -> {
            try (TransactionContextHolder.Scope ignored = bind()) {
                return task.get();
            }
        };
    }

    @Override
    public String toString() {
        return transaction == null ? "TransactionContextSnapshot[none]" : "TransactionContextSnapshot[" + transaction + "]";
    }
}
