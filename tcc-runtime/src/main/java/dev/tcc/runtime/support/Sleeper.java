package dev.tcc.runtime.support;

/**
 * Pauses the calling thread, so that a test can record or skip the pause instead of waiting it out.
 * {@link #SYSTEM} is {@link Thread#sleep(long, int)}: the only place the runtime sleeps.
 */
@FunctionalInterface
public interface Sleeper {

    /** {@link Thread#sleep(long, int)}. */
    Sleeper SYSTEM = nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));

    /** Pauses for {@code nanos} nanoseconds (positive). */
    void sleepNanos(long nanos) throws InterruptedException;
}
