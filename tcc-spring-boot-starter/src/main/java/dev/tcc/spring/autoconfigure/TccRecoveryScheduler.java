package dev.tcc.spring.autoconfigure;

import dev.tcc.runtime.TccRuntime;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.beans.factory.DisposableBean;

/**
 * Owns the thread that runs recovery passes; shut down after the runtime closes. Not exposed as a
 * {@link ScheduledExecutorService} bean, which would make Spring Boot's task scheduling back off.
 */
final class TccRecoveryScheduler implements DisposableBean {

    private final ScheduledExecutorService executor = TccRuntime.newRecoveryScheduler();

    ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
