package dev.tcc.runtime.support;

/**
 * A monotonic nanosecond source, for measuring how long something took and for the in-process
 * deadlines of phase two (shutdown, back-pressure, the finish linger); never for a deadline stored in
 * the log, which the injected {@link java.time.Clock} computes. {@link #SYSTEM} reads
 * {@link System#nanoTime()}; a test injects one it advances itself.
 */
@FunctionalInterface
public interface Ticker {

    /** {@link System#nanoTime()}: the only place the runtime reads it. */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences between two readings mean anything. */
    long nanoTime();
}
