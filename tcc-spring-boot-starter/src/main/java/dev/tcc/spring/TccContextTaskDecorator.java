package dev.tcc.spring;

import dev.tcc.runtime.coordinator.TransactionContextSnapshot;
import org.springframework.core.task.TaskDecorator;

/**
 * Carries the TCC transaction of the thread that submits a task to the thread that runs it, so
 * that a {@link dev.tcc.api.Try} called from an {@code @Async} method or a
 * {@code CompletableFuture} on a decorated executor becomes a branch of that transaction. The
 * context is captured when the task is submitted, bound while it runs and the worker's previous
 * context restored afterwards; a task submitted outside a transaction runs without one.
 *
 * <p>Declare it as a bean and Spring Boot applies it (with any other {@code TaskDecorator} beans)
 * to the auto-configured {@code applicationTaskExecutor} behind {@code @Async}; or set it on your
 * own {@code ThreadPoolTaskExecutor} with {@code setTaskDecorator}:
 *
 * <pre>{@code
 * @Bean
 * TccContextTaskDecorator tccContextTaskDecorator() {
 *     return new TccContextTaskDecorator();
 * }
 * }</pre>
 *
 * <p>The {@code @TccTransactional} method must wait for every such task (join its future) before
 * it returns: its return is the decision. A try still running then cancels the transaction, and
 * a try that begins after it is refused. Tries on several threads of one transaction are safe;
 * their try order, which cancels reverse, is the order in which they began.
 */
public final class TccContextTaskDecorator implements TaskDecorator {

    @Override
    public Runnable decorate(Runnable runnable) {
        return TransactionContextSnapshot.capture().wrap(runnable);
    }
}
