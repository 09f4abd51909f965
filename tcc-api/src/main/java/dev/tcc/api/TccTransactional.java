package dev.tcc.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method (or every public method of a class) as the initiator of a global TCC
 * transaction. Every {@link Try} method called while it runs becomes a branch.
 *
 * <p>Guarantees: when the method returns normally the coordinator makes a confirm decision
 * durable and confirms every branch; when it throws (except an exception listed in
 * {@link #noCancelFor()}) the coordinator cancels every branch that was tried, in reverse
 * order, and the caller gets the original exception. If a hold would expire within the safety
 * margin the transaction is cancelled instead of confirmed and the caller gets a
 * {@link TransactionCancelledException}. A method called while a TCC transaction is already in
 * progress on the thread joins it; only the outermost method decides.
 *
 * <p>An exception that escapes a joined method or a {@link Try} marks the transaction cancel-only,
 * even when an outer method catches it: the outermost method then cancels and its caller gets a
 * {@link TransactionMarkedCancelOnlyException} caused by that exception. The transaction is bound
 * to the thread; see {@link NoTccTransactionException} for tries on other threads.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface TccTransactional {

    /**
     * Name of the transaction, shown in logs, metrics and the actuator endpoint. Defaults to
     * {@code SimpleClassName.method}.
     */
    String name() default "";

    /**
     * How long the transaction may stay undecided, as {@code "30s"}, {@code "5m"} or an ISO-8601
     * duration such as {@code "PT30S"}. Empty means the configured default
     * ({@code tcc.transaction.timeout}). Past it, tries are refused and recovery cancels.
     */
    String timeout() default "";

    /**
     * Exception types that do not cancel the transaction: when the method throws one of them
     * (or a subclass) the transaction is still confirmed and the exception is rethrown. When the
     * method joined an outer one, or the exception escaped a {@link Try} called while this is
     * the innermost method, it does not mark the transaction cancel-only.
     */
    Class<? extends Throwable>[] noCancelFor() default {};
}
