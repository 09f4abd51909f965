package dev.tcc.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the method that releases the hold of a {@link Try} action. Its parameters are the
 * try's parameters (replayed from the branch barrier), optionally followed by a
 * {@link TccContext}; or a {@link TccContext} alone.
 *
 * <p>Guarantees: the body runs at most once per branch, in the participant's local transaction
 * together with the barrier update; it does not run when the try never ran (an empty cancel,
 * which also blocks a late try), unless the try declared {@link Try#externalEffects()}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Cancel {

    /** Name of the {@link Try} action this method cancels. */
    String value();
}
