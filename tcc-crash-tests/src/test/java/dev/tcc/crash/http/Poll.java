package dev.tcc.crash.http;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, checking every 20 ms; no fixed sleeps. */
final class Poll {

    private Poll() {
    }

    /**
     * Returns once {@code condition} holds; fails naming {@code what} and {@code context()} after {@code timeout}, or
     * as soon as {@code stillPossible} says the condition can no longer come true.
     */
    static void until(String what, Duration timeout, BooleanSupplier condition, BooleanSupplier stillPossible,
                      Supplier<String> context) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || !stillPossible.getAsBoolean()) {
                throw new AssertionError(what + " did not happen within " + timeout.toSeconds() + " s: " + context.get());
            }
            Thread.sleep(20);
        }
    }
}
