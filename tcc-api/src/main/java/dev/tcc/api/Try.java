package dev.tcc.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the try method of a TCC action: it reserves a resource for a limited time (a hold).
 * It must be paired with a {@link Confirm} and a {@link Cancel} method for the same action in
 * the same bean.
 *
 * <p>Guarantees: the try runs in its own local transaction on the participant's database,
 * together with the branch barrier row that records its arguments, its result and its hold
 * deadline; a duplicate try returns the stored result and takes effect once, and a try that
 * arrives after its branch was cancelled is refused with {@link TryRefusedException} and changes
 * nothing. The body runs first and the barrier row is inserted after it: in those two rare cases
 * the body runs but its local transaction rolls back with the barrier insert, so only its
 * database writes are safe to repeat (anything else: {@link #externalEffects()}).
 * Called outside a TCC transaction it fails with {@link NoTccTransactionException}; it never
 * runs as a plain method call (except through {@code this}, which no proxy intercepts). An
 * exception that escapes it marks the transaction cancel-only even when the initiator catches it,
 * unless the innermost {@link TccTransactional} method lists it in {@code noCancelFor}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Try {

    /** Action name; the {@link Confirm} and {@link Cancel} methods refer to it. Defaults to the method name. */
    String name() default "";

    /**
     * How long the hold lives unconfirmed, as {@code "15m"} or {@code "PT15M"}. Empty means the
     * configured default ({@code tcc.hold.default-duration}). With Spring, a placeholder such as
     * {@code "${booking.hold:15m}"} is resolved from the environment. When it passes without a
     * confirm decision, the participant cancels the branch by itself.
     */
    String hold() default "";

    /**
     * Whether the try has effects outside its local database (an external API call) so that its
     * cancel must run even when the try's local transaction rolled back. The cancel then sees
     * {@link TccContext#tryResult(Class)} as {@code null} and can use the stable
     * {@link TccContext#idempotencyKey()} to undo the external call. Its barrier row commits before
     * the body runs, so a duplicate or late try does not run the body at all (one more commit per try).
     */
    boolean externalEffects() default false;

    /**
     * Name of the participant's local transaction manager (Spring: the
     * {@code PlatformTransactionManager} bean) whose database holds this action's business data
     * and barrier rows. Empty means the primary one.
     */
    String transactionManager() default "";
}
