package dev.tcc.runtime.coordinator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when a transaction confirms without a single branch, at most once per interval and
 * transaction name (with the runtime's clock). It usually means that the tries were not
 * intercepted: called through {@code this}, or on an object that is not the Spring proxy.
 */
final class NoBranchWarning {

    /** Logged under the coordinator's name, where users look for the initiator's messages. */
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    /** More names than any application has initiators: the map is cleared rather than grown further. */
    private static final int MAX_NAMES = 1_000;

    private final Clock clock;
    private final Duration interval;
    private final Map<String, Instant> lastWarned = new ConcurrentHashMap<>();

    NoBranchWarning(Clock clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    void transactionEndedWithoutBranch(String name) {
        Instant now = clock.instant();
        if (lastWarned.size() >= MAX_NAMES) {
            lastWarned.clear();
        }
        boolean[] due = new boolean[1];
        lastWarned.compute(name, (key, last) -> {
            due[0] = last == null || !now.isBefore(last.plus(interval));
            return due[0] ? now : last;
        });
        if (due[0]) {
            log.warn("TCC transaction '{}' returned without any branch: no @Try method ran through the TCC interceptor"
                    + " while it was in progress. A @Try called through 'this' (self-invocation) or on a bean that is not"
                    + " a Spring proxy is not intercepted: it runs as a plain call, outside the barrier, and its hold is"
                    + " never confirmed or cancelled. Call tries through another bean (or an injected @Lazy self"
                    + " reference). A try on another thread that had not begun when the method returned is refused too."
                    + " Logged at most once every {}s for this transaction", name, interval.toSeconds());
        }
    }
}
