package dev.tcc.spring.http.services;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; never a fixed sleep as synchronisation. */
public final class Eventually {

    private static final Duration POLL = Duration.ofMillis(25);

    private Eventually() {
    }

    /** Waits until {@code condition} holds; fails with {@code what} and the last observed state otherwise. */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<Object> observed) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within " + timeout + ": " + what + "; last seen: " + observed.get());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting until " + what, e);
            }
        }
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "(nothing recorded)");
    }
}
