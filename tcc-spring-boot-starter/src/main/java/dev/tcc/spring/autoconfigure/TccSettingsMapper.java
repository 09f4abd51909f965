package dev.tcc.spring.autoconfigure;

import dev.tcc.runtime.model.TccSettings;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Maps {@link TccProperties} onto the runtime's validating {@link TccSettings.Builder}. A value
 * the builder refuses becomes an {@link InvalidConfigurationPropertyValueException} naming the
 * property, so Spring Boot's failure analysis reports the property, its value and where it was set.
 */
final class TccSettingsMapper {

    private TccSettingsMapper() {
    }

    static TccSettings toSettings(TccProperties p) {
        TccSettings.Builder b = TccSettings.builder();
        set("tcc.transaction.timeout", p.getTransaction().getTimeout(), b::defaultTimeout);
        set("tcc.hold.default-duration", p.getHold().getDefaultDuration(), b::defaultHold);
        set("tcc.hold.safety-margin", p.getHold().getSafetyMargin(), b::safetyMargin);
        set("tcc.hold.expiry-grace", p.getHold().getExpiryGrace(), b::holdExpiryGrace);
        set("tcc.phase-two.asynchronous", p.getPhaseTwo().isAsynchronous(), b::asynchronousPhaseTwo);
        set("tcc.phase-two.batch-size", p.getPhaseTwo().getBatchSize(), b::phaseTwoBatchSize);
        set("tcc.phase-two.drainers", p.getPhaseTwo().getDrainers(), b::phaseTwoDrainers);
        set("tcc.phase-two.finish-linger", p.getPhaseTwo().getFinishLinger(), b::phaseTwoFinishLinger);
        set("tcc.phase-two.shutdown-timeout", p.getPhaseTwo().getShutdownTimeout(), b::phaseTwoShutdownTimeout);
        if (p.getPhaseTwo().getThreads() < 1) {
            throw new InvalidConfigurationPropertyValueException("tcc.phase-two.threads", p.getPhaseTwo().getThreads(),
                    "tcc.phase-two.threads must be at least 1 but was [" + p.getPhaseTwo().getThreads() + "]");
        }
        set("tcc.retry.max-attempts", p.getRetry().getMaxAttempts(), b::retryMaxAttempts);
        set("tcc.retry.initial-interval", p.getRetry().getInitialInterval(), b::retryInitialInterval);
        set("tcc.retry.multiplier", p.getRetry().getMultiplier(), b::retryMultiplier);
        set("tcc.retry.max-interval", p.getRetry().getMaxInterval(), b::retryMaxInterval);
        set("tcc.circuit-breaker.failure-rate-threshold", p.getCircuitBreaker().getFailureRateThreshold(),
                b::circuitBreakerFailureRateThreshold);
        set("tcc.circuit-breaker.minimum-calls", p.getCircuitBreaker().getMinimumCalls(), b::circuitBreakerMinimumCalls);
        set("tcc.circuit-breaker.sliding-window-size", p.getCircuitBreaker().getSlidingWindowSize(),
                b::circuitBreakerSlidingWindowSize);
        set("tcc.circuit-breaker.open-duration", p.getCircuitBreaker().getOpenDuration(), b::circuitBreakerOpenDuration);
        set("tcc.recovery.interval", p.getRecovery().getInterval(), b::recoveryInterval);
        set("tcc.recovery.lease", p.getRecovery().getLease(), b::recoveryLease);
        set("tcc.recovery.max-rounds", p.getRecovery().getMaxRounds(), b::recoveryMaxRounds);
        set("tcc.recovery.initial-backoff", p.getRecovery().getInitialBackoff(), b::recoveryInitialBackoff);
        set("tcc.recovery.max-backoff", p.getRecovery().getMaxBackoff(), b::recoveryMaxBackoff);
        set("tcc.recovery.batch-size", p.getRecovery().getBatchSize(), b::recoveryBatchSize);
        set("tcc.recovery.coordinator-unreachable-after", p.getRecovery().getCoordinatorUnreachableAfter(),
                b::coordinatorUnreachableAfter);
        set("tcc.retention.finished", p.getRetention().getFinished(), b::retentionFinished);
        set("tcc.retention.barrier", p.getRetention().getBarrier(), b::retentionBarrier);
        set("tcc.retention.batch-size", p.getRetention().getBatchSize(), b::retentionBatchSize);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // the rules that involve two values; the message names both, the first is the one reported
            String name = e.getMessage().split(" ", 2)[0];
            Object value = name.equals("tcc.recovery.max-backoff") ? p.getRecovery().getMaxBackoff() : p.getHold().getSafetyMargin();
            throw new InvalidConfigurationPropertyValueException(name, value, e.getMessage(), e);
        }
    }

    private static <T> void set(String name, T value, Consumer<T> setter) {
        try {
            setter.accept(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException(name, value, e.getMessage(), e);
        }
    }
}
