package dev.tcc.api;

import java.util.Optional;

/**
 * What the code running on this thread can learn about TCC without a parameter: the xid of the
 * global transaction in progress (in the initiator and in every branch body), and the
 * {@link TccContext} of the branch body running now (a {@link Try} method, which cannot declare
 * one as a parameter, or a confirm or cancel).
 *
 * <p>The runtime binds and unbinds both; user code only reads them. Bindings nest and restore
 * the previous value when their scope closes. Both are bound to the thread: binding the xid by
 * hand on another thread does not make a try there part of the transaction. Carry the whole
 * context instead, with the starter's {@code TccContextTaskDecorator} (or Micrometer's context
 * propagation), or the runtime's {@code TransactionContextSnapshot}.
 */
public final class TccContextHolder {

    private static final ThreadLocal<String> XID = ThreadLocal.withInitial(() -> null);
    private static final ThreadLocal<TccContext> BRANCH = ThreadLocal.withInitial(() -> null);

    private TccContextHolder() {
    }

    /** The xid of the global transaction in progress on this thread, if any. */
    public static Optional<String> currentXid() {
        TccContext branch = BRANCH.get();
        return Optional.ofNullable(branch != null ? branch.xid() : XID.get());
    }

    /**
     * The context of the branch body running on this thread.
     *
     * @throws NoTccTransactionException when no try, confirm or cancel body is running here
     */
    public static TccContext currentBranch() {
        TccContext branch = BRANCH.get();
        if (branch == null) {
            throw new NoTccTransactionException("No TCC branch body is running on this thread: currentBranch() works inside"
                    + " @Try, @Confirm and @Cancel methods (and plain-API try, confirm and cancel functions)");
        }
        return branch;
    }

    /**
     * For the runtime: binds the xid of a global transaction; close the scope in {@code finally}.
     * It only changes what {@link #currentXid()} answers, not which transaction a try joins.
     */
    public static Scope bindXid(String xid) {
        String previous = XID.get();
        XID.set(xid);
        return () -> XID.set(previous);
    }

    /** For the runtime: binds the context of a branch body; close the scope in {@code finally}. */
    public static Scope bindBranch(TccContext context) {
        TccContext previous = BRANCH.get();
        BRANCH.set(context);
        return () -> BRANCH.set(previous);
    }

    /** Ends a binding; never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
