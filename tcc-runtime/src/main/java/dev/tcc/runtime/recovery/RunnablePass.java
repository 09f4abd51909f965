package dev.tcc.runtime.recovery;

/**
 * One recovery pass that an operator, a scheduler or a test can run on demand. What the runtime
 * hands out of its recovery: the pass, not the object behind it.
 */
@FunctionalInterface
public interface RunnablePass {

    /** Runs the pass once over what is due now; returns how many rows or transactions it finished. */
    int runOnce();
}
