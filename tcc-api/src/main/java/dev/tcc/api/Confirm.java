package dev.tcc.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the method that makes the hold of a {@link Try} action final. Its parameters are the
 * try's parameters (replayed from the branch barrier), optionally followed by a
 * {@link TccContext}; or a {@link TccContext} alone.
 *
 * <p>Guarantees: the body runs at most once per branch, in the participant's local transaction
 * together with the barrier update, however often the confirm is delivered; it never runs for
 * a branch whose hold was already cancelled or expired.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Confirm {

    /** Name of the {@link Try} action this method confirms. */
    String value();
}
