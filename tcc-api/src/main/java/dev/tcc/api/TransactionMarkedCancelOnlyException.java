package dev.tcc.api;

/**
 * Thrown to the caller of the outermost {@link TccTransactional} method (or {@code TccTemplate})
 * when the transaction was cancelled because an exception escaped a {@link Try} or a joined
 * {@link TccTransactional} method inside it, and was then caught: the transaction had been marked
 * cancel-only, as {@code @Transactional} marks a transaction rollback-only. Its cause is that
 * exception. Every branch tried is cancelled; nothing was confirmed.
 *
 * <p>To confirm the rest despite such an exception, list its type in {@code noCancelFor} of the
 * {@link TccTransactional} method that it escapes (for a try: of the innermost one around it).
 */
public class TransactionMarkedCancelOnlyException extends TransactionCancelledException {

    private static final long serialVersionUID = 1L;

    public TransactionMarkedCancelOnlyException(String message, Throwable cause) {
        super(message, cause);
    }
}
