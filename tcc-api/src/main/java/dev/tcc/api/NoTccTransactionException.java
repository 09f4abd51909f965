package dev.tcc.api;

/**
 * Thrown when a {@link Try} method is called while no TCC transaction is in progress on the thread. The try did not run:
 * call it from a {@link TccTransactional} method or inside {@code TccTemplate.execute}. The transaction is bound to the
 * thread that runs the initiator; a try on another thread (an {@code @Async} method, a {@code CompletableFuture}) joins
 * it only when the task carries the context (the starter's {@code TccContextTaskDecorator}, or the runtime's
 * {@code TransactionContextSnapshot}).
 */
public class NoTccTransactionException extends TccException {

    private static final long serialVersionUID = 1L;

    public NoTccTransactionException(String message) {
        super(message);
    }

    public NoTccTransactionException(String message, Throwable cause) {
        super(message, cause);
    }
}
