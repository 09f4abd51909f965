package dev.tcc.runtime.action;

/** The body of a try (the intercepted method, or a function), run inside the participant's local transaction. */
@FunctionalInterface
public interface TryBody {

    Object proceed() throws Exception;
}
