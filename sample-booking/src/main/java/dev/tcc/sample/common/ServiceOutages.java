package dev.tcc.sample.common;

import java.time.Duration;
import java.time.Instant;

/**
 * The sample's outage switch for its participant services. Taking a service down closes its whole
 * application (web server, TCC runtime, connection pool), so its port refuses connections as a crashed
 * process's would; at the deadline it is started again on the same port and database. Offered by the
 * launcher that runs the four services in one JVM ({@code dev.tcc.sample.TripSample}).
 */
public interface ServiceOutages {

    /**
     * Takes {@code service} down until now + {@code duration}; returns that instant. A service already down
     * stays down until the new deadline.
     *
     * @throws IllegalArgumentException for a service that is not a participant of the sample
     */
    Instant takeDown(String service, Duration duration);

    /** Starts {@code service} again now, when it is down; returns once it answers. */
    void bringUp(String service);

    /** When {@code service} is due back, or null when it is up. */
    Instant downUntil(String service);
}
