package dev.tcc.runtime.coordinator;

import dev.tcc.spi.TccEvent;
import dev.tcc.spi.TccEventListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes {@link TccEvent}s to the registered listeners; builds nothing when there are none. */
public final class Events {

    private static final Logger log = LoggerFactory.getLogger(Events.class);

    private final List<TccEventListener> listeners = new CopyOnWriteArrayList<>();

    public void add(TccEventListener listener) {
        listeners.add(listener);
    }

    void publish(TccEvent.Type type, String xid, String name, String outcome, Duration duration) {
        if (listeners.isEmpty()) {
            return;
        }
        TccEvent event = new TccEvent(type, xid, name, outcome, duration);
        for (TccEventListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("TCC event listener {} failed on '{}'; ignored", listener, event, e);
            }
        }
    }
}
