package dev.tcc.spring;

import dev.tcc.runtime.coordinator.TransactionContextHolder;
import dev.tcc.runtime.coordinator.TransactionContextSnapshot;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Carries the TCC transaction across threads with Micrometer's context propagation
 * ({@code io.micrometer:context-propagation}, optional): registered through
 * {@code META-INF/services} when that library is on the class path, so that every
 * {@code ContextSnapshot} carries it. With Spring Boot, {@code spring.task.execution.propagate-context=true}
 * decorates the {@code applicationTaskExecutor} behind {@code @Async} with it, as an alternative
 * to {@link TccContextTaskDecorator}; the same rules apply (wait for every task before the
 * transaction method returns).
 */
public final class TccContextThreadLocalAccessor implements ThreadLocalAccessor<TransactionContextSnapshot> {

    /** The key of the TCC context in a {@code ContextSnapshot}. */
    public static final String KEY = "tcc.context";

    // setValue and restore come in pairs, innermost first: each restore closes the latest binding
    private static final ThreadLocal<Deque<TransactionContextHolder.Scope>> BINDINGS = ThreadLocal.withInitial(ArrayDeque::new);

    @Override
    public Object key() {
        return KEY;
    }

    @Override
    public TransactionContextSnapshot getValue() {
        TransactionContextSnapshot snapshot = TransactionContextSnapshot.capture();
        return snapshot.isEmpty() ? null : snapshot;
    }

    @Override
    public void setValue(TransactionContextSnapshot value) {
        BINDINGS.get().push(value.bind());
    }

    @Override
    public void setValue() {
        BINDINGS.get().push(TransactionContextSnapshot.none().bind());
    }

    @Override
    public void restore(TransactionContextSnapshot previousValue) {
        closeLatest();
    }

    @Override
    public void restore() {
        closeLatest();
    }

    private static void closeLatest() {
        Deque<TransactionContextHolder.Scope> bindings = BINDINGS.get();
        TransactionContextHolder.Scope latest = bindings.poll();
        if (latest != null) {
            latest.close();
        }
        if (bindings.isEmpty()) {
            BINDINGS.remove();
        }
    }
}
