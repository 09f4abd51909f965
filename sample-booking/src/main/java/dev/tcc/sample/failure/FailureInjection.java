package dev.tcc.sample.failure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

/**
 * The sample's failure switches. A scenario is bound to the booking's thread (tries run on the
 * initiator's thread, so the participants can see it); an outage is per participant service and
 * ends by itself at its deadline.
 */
@Component
public class FailureInjection {

    /** The participant services that can be taken down. */
    public static final List<String> SERVICES = List.of("flights", "hotels", "payments");

    private static final ThreadLocal<Scenario> SCENARIO = new ThreadLocal<>() {
        @Override
        public String toString() {
            return "sample booking scenario";
        }
    };

    private final Clock clock;
    private final Map<String, Instant> downUntil = new ConcurrentHashMap<>();

    public FailureInjection(Clock clock) {
        this.clock = clock;
    }

    /** Runs {@code body} with {@code scenario} visible to the participants on this thread. */
    public <T> T withScenario(Scenario scenario, Supplier<T> body) {
        Scenario previous = SCENARIO.get();
        SCENARIO.set(scenario);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                SCENARIO.remove();
            } else {
                SCENARIO.set(previous);
            }
        }
    }

    public Scenario scenario() {
        Scenario s = SCENARIO.get();
        return s == null ? Scenario.NONE : s;
    }

    /** Takes {@code service} down for {@code duration}: every call to it fails until then. */
    public Instant takeDown(String service, Duration duration) {
        requireKnown(service);
        Instant until = clock.instant().plus(duration);
        downUntil.put(service, until);
        return until;
    }

    /** Brings {@code service} back at once. */
    public void bringUp(String service) {
        requireKnown(service);
        downUntil.remove(service);
    }

    /** When {@code service} comes back, or null when it is up. */
    public Instant downUntil(String service) {
        Instant until = downUntil.get(service);
        if (until != null && !clock.instant().isBefore(until)) {
            downUntil.remove(service, until);
            return null;
        }
        return until;
    }

    /** Throws {@link ServiceUnavailableException} while {@code service} is down. */
    public void checkUp(String service) {
        Instant until = downUntil(service);
        if (until != null) {
            throw new ServiceUnavailableException("The " + service + " service is down (simulated outage until " + until + ")");
        }
    }

    private static void requireKnown(String service) {
        if (!SERVICES.contains(service)) {
            throw new IllegalArgumentException("Unknown service [" + service + "]: use one of " + SERVICES);
        }
    }

    /** A participant service cannot be reached. */
    public static final class ServiceUnavailableException extends RuntimeException {
        public ServiceUnavailableException(String message) {
            super(message);
        }
    }
}
