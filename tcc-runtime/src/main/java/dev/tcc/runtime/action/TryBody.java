package dev.tcc.runtime.action;


import dev.tcc.api.TccContext;

/** The body of a try (the intercepted method, or a function), run inside the participant's local transaction. */
@FunctionalInterface
public interface TryBody {

    /** Runs the body; {@code context} describes the branch (phase {@code TRY}, no try result yet). */
    Object proceed(TccContext context) throws Exception;
}
