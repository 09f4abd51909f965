package dev.tcc.spi;

/**
 * Receives {@link TccEvent}s, for example to record metrics. Called on the thread that caused
 * the event; it must be fast and must not throw (a throwing listener is logged and ignored).
 */
@FunctionalInterface
public interface TccEventListener {

    void onEvent(TccEvent event);
}
