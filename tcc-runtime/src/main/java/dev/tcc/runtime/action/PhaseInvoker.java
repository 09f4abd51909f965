package dev.tcc.runtime.action;

import dev.tcc.api.TccContext;

/**
 * Runs the body of a confirm or cancel, given the try's arguments replayed from the barrier.
 * It runs inside the participant's local transaction, after the barrier row changed state.
 */
@FunctionalInterface
public interface PhaseInvoker {

    void invoke(Object[] tryArguments, TccContext context) throws Exception;
}
