package dev.tcc.spring.autoconfigure;

import dev.tcc.runtime.TccRuntime;
import org.springframework.context.SmartLifecycle;

/**
 * Starts background recovery once the context is refreshed, that is after every action is
 * registered. The runtime itself is closed when its bean is destroyed.
 */
final class TccRuntimeLifecycle implements SmartLifecycle {

    private final TccRuntime runtime;
    private volatile boolean running;

    TccRuntimeLifecycle(TccRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void start() {
        runtime.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false; // recovery keeps going until the runtime closes; nothing it does is unsafe to interrupt
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
