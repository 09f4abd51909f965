package dev.tcc.sample.common;

import java.util.function.Supplier;

/**
 * The failure scenario of the request being handled, bound to its thread: a participant service's
 * request handler binds what the booking asked for, and its try (which runs on the same thread) reads it.
 */
public final class ScenarioHolder {

    private static final ThreadLocal<Scenario> CURRENT = new ThreadLocal<>() {
        @Override
        public String toString() {
            return "sample booking scenario";
        }
    };

    private ScenarioHolder() {
    }

    /** Runs {@code body} with {@code scenario} bound to this thread (null: {@link Scenario#NONE}). */
    public static <T> T with(Scenario scenario, Supplier<T> body) {
        Scenario previous = CURRENT.get();
        CURRENT.set(scenario == null ? Scenario.NONE : scenario);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** The bound scenario, {@link Scenario#NONE} when none is. */
    public static Scenario current() {
        Scenario s = CURRENT.get();
        return s == null ? Scenario.NONE : s;
    }
}
