package dev.tcc.crash;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Named steps of the protocol where a child JVM stops dead. The armed point and the hit on
 * which it fires come from system properties ({@code tcc.crash.point}, {@code tcc.crash.hit});
 * reaching it prints {@code CRASH at <point>} and calls {@link Runtime#halt(int)} with 137, so
 * no finally block, shutdown hook or pool close runs: what is committed stays, the rest is lost.
 */
public final class CrashPoints {

    /** After the first try (the debit) committed, before the second. */
    public static final String AFTER_TRY_1 = "after-try-1";
    /** After both tries committed, before the decision. */
    public static final String AFTER_TRY_2 = "after-try-2";
    /** Right after a confirm decision committed (TccEvent DECIDED), before phase two. */
    public static final String AFTER_DECISION_CONFIRM = "after-decision-confirm";
    /** Right after a cancel decision committed, before phase two. */
    public static final String AFTER_DECISION_CANCEL = "after-decision-cancel";
    /** In the second confirm body (the credit) before its work: the first confirm has committed. */
    public static final String BETWEEN_CONFIRMS = "between-confirms";
    /** In the second cancel body (the debit, cancels run in reverse) before its work: the first has committed. */
    public static final String BETWEEN_CANCELS = "between-cancels";
    /** In the first confirm body after its business update, before its local commit. */
    public static final String INSIDE_CONFIRM_BODY = "inside-confirm-body";
    /** In a cancel body run by hold expiry, after its business update, before its local commit. */
    public static final String INSIDE_HOLD_EXPIRY = "inside-hold-expiry";

    /** Every named point, in protocol order. */
    public static final List<String> ALL = List.of(AFTER_TRY_1, AFTER_TRY_2, AFTER_DECISION_CONFIRM, AFTER_DECISION_CANCEL,
            BETWEEN_CONFIRMS, BETWEEN_CANCELS, INSIDE_CONFIRM_BODY, INSIDE_HOLD_EXPIRY);

    public static final int EXIT_CODE = 137;

    private static final ThreadLocal<Boolean> IN_HOLD_EXPIRY = ThreadLocal.withInitial(() -> false);

    private final String armed;
    private final int hit;
    private final AtomicInteger reached = new AtomicInteger();
    private final Consumer<String> probe;
    private volatile boolean live;

    public CrashPoints(String armed, int hit) {
        this(armed, hit, point -> { });
    }

    private CrashPoints(String armed, int hit, Consumer<String> probe) {
        this.armed = armed;
        this.hit = Math.max(1, hit);
        this.probe = probe;
    }

    /** No crash, but {@code probe} sees every point reached: an in-process test's hook into the bodies. */
    public static CrashPoints probe(Consumer<String> probe) {
        return new CrashPoints(null, 1, probe);
    }

    /** The points armed by system properties; none when {@code tcc.crash.point} is not set. */
    public static CrashPoints fromSystemProperties() {
        return new CrashPoints(System.getProperty("tcc.crash.point"), Integer.getInteger("tcc.crash.hit", 1));
    }

    public static CrashPoints none() {
        return new CrashPoints(null, 1);
    }

    /** From now on reaching the armed point counts (before, the workload warms up undisturbed). */
    public void go() {
        live = true;
    }

    /** Halts the JVM when {@code point} is the armed one, the points are live and this is the armed hit. */
    public void reach(String point) {
        probe.accept(point);
        if (live && point.equals(armed) && reached.incrementAndGet() == hit) {
            System.out.println("CRASH at " + point + " (hit " + hit + ")");
            System.out.flush();
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }

    /** Whether the current thread is running hold expiry (see {@link #inHoldExpiry}). */
    public static boolean inHoldExpiry() {
        return IN_HOLD_EXPIRY.get();
    }

    /** Runs {@code work} marked as hold expiry, so cancel bodies it invokes can tell. */
    public static <T> T inHoldExpiry(Callable<T> work) throws Exception {
        IN_HOLD_EXPIRY.set(true);
        try {
            return work.call();
        } finally {
            IN_HOLD_EXPIRY.set(false);
        }
    }
}
