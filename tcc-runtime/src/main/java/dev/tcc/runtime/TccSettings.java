package dev.tcc.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Every tunable of the runtime, immutable. Built by a {@link Builder} that refuses bad values
 * with a message naming the setting (the same name as the Spring Boot property below
 * {@code tcc.}) and the value.
 */
public final class TccSettings {

    private final Duration defaultTimeout;
    private final Duration defaultHold;
    private final Duration safetyMargin;
    private final boolean asynchronousPhaseTwo;
    private final int retryMaxAttempts;
    private final Duration retryInitialInterval;
    private final double retryMultiplier;
    private final Duration retryMaxInterval;
    private final float circuitBreakerFailureRateThreshold;
    private final int circuitBreakerMinimumCalls;
    private final int circuitBreakerSlidingWindowSize;
    private final Duration circuitBreakerOpenDuration;
    private final Duration recoveryInterval;
    private final Duration recoveryLease;
    private final int recoveryMaxRounds;
    private final Duration recoveryInitialBackoff;
    private final Duration recoveryMaxBackoff;
    private final int recoveryBatchSize;
    private final Duration coordinatorUnreachableAfter;
    private final Duration holdExpiryGrace;
    private final Duration retentionFinished;
    private final Duration retentionBarrier;
    private final int retentionBatchSize;
    private final int phaseTwoBatchSize;
    private final Duration phaseTwoFinishLinger;
    private final Duration phaseTwoShutdownTimeout;

    private TccSettings(Builder b) {
        this.defaultTimeout = b.defaultTimeout;
        this.defaultHold = b.defaultHold;
        this.safetyMargin = b.safetyMargin;
        this.asynchronousPhaseTwo = b.asynchronousPhaseTwo;
        this.retryMaxAttempts = b.retryMaxAttempts;
        this.retryInitialInterval = b.retryInitialInterval;
        this.retryMultiplier = b.retryMultiplier;
        this.retryMaxInterval = b.retryMaxInterval;
        this.circuitBreakerFailureRateThreshold = b.circuitBreakerFailureRateThreshold;
        this.circuitBreakerMinimumCalls = b.circuitBreakerMinimumCalls;
        this.circuitBreakerSlidingWindowSize = b.circuitBreakerSlidingWindowSize;
        this.circuitBreakerOpenDuration = b.circuitBreakerOpenDuration;
        this.recoveryInterval = b.recoveryInterval;
        this.recoveryLease = b.recoveryLease;
        this.recoveryMaxRounds = b.recoveryMaxRounds;
        this.recoveryInitialBackoff = b.recoveryInitialBackoff;
        this.recoveryMaxBackoff = b.recoveryMaxBackoff;
        this.recoveryBatchSize = b.recoveryBatchSize;
        this.coordinatorUnreachableAfter = b.coordinatorUnreachableAfter;
        this.holdExpiryGrace = b.holdExpiryGrace;
        this.retentionFinished = b.retentionFinished;
        this.retentionBarrier = b.retentionBarrier;
        this.retentionBatchSize = b.retentionBatchSize;
        this.phaseTwoBatchSize = b.phaseTwoBatchSize;
        this.phaseTwoFinishLinger = b.phaseTwoFinishLinger;
        this.phaseTwoShutdownTimeout = b.phaseTwoShutdownTimeout;
    }

    /** Settings with every default. */
    public static TccSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.defaultTimeout = defaultTimeout;
        b.defaultHold = defaultHold;
        b.safetyMargin = safetyMargin;
        b.asynchronousPhaseTwo = asynchronousPhaseTwo;
        b.retryMaxAttempts = retryMaxAttempts;
        b.retryInitialInterval = retryInitialInterval;
        b.retryMultiplier = retryMultiplier;
        b.retryMaxInterval = retryMaxInterval;
        b.circuitBreakerFailureRateThreshold = circuitBreakerFailureRateThreshold;
        b.circuitBreakerMinimumCalls = circuitBreakerMinimumCalls;
        b.circuitBreakerSlidingWindowSize = circuitBreakerSlidingWindowSize;
        b.circuitBreakerOpenDuration = circuitBreakerOpenDuration;
        b.recoveryInterval = recoveryInterval;
        b.recoveryLease = recoveryLease;
        b.recoveryMaxRounds = recoveryMaxRounds;
        b.recoveryInitialBackoff = recoveryInitialBackoff;
        b.recoveryMaxBackoff = recoveryMaxBackoff;
        b.recoveryBatchSize = recoveryBatchSize;
        b.coordinatorUnreachableAfter = coordinatorUnreachableAfter;
        b.holdExpiryGrace = holdExpiryGrace;
        b.retentionFinished = retentionFinished;
        b.retentionBarrier = retentionBarrier;
        b.retentionBatchSize = retentionBatchSize;
        b.phaseTwoBatchSize = phaseTwoBatchSize;
        b.phaseTwoFinishLinger = phaseTwoFinishLinger;
        b.phaseTwoShutdownTimeout = phaseTwoShutdownTimeout;
        return b;
    }

    /** How long a transaction may stay undecided when its annotation names no timeout. */
    public Duration defaultTimeout() { return defaultTimeout; }
    /** How long a hold lives unconfirmed when its {@code @Try} names no hold. */
    public Duration defaultHold() { return defaultHold; }
    /** A confirm is refused (and the transaction cancelled) when any hold expires sooner than this. */
    public Duration safetyMargin() { return safetyMargin; }
    /** Whether phase two runs after the caller returns (the caller waits for tries plus the decision only). */
    public boolean asynchronousPhaseTwo() { return asynchronousPhaseTwo; }
    /** Attempts of one phase-two call before the round gives up and recovery takes over. */
    public int retryMaxAttempts() { return retryMaxAttempts; }
    /** Wait before the second attempt of a phase-two call. */
    public Duration retryInitialInterval() { return retryInitialInterval; }
    /** Factor by which the wait grows after each attempt. */
    public double retryMultiplier() { return retryMultiplier; }
    /** Longest wait between two attempts. */
    public Duration retryMaxInterval() { return retryMaxInterval; }
    /** Failure rate in percent above which a participant's circuit opens. */
    public float circuitBreakerFailureRateThreshold() { return circuitBreakerFailureRateThreshold; }
    /** Calls recorded before the failure rate is computed. */
    public int circuitBreakerMinimumCalls() { return circuitBreakerMinimumCalls; }
    /** Calls in the sliding window of a participant's circuit. */
    public int circuitBreakerSlidingWindowSize() { return circuitBreakerSlidingWindowSize; }
    /** How long an open circuit skips its participant before letting a trial call through. */
    public Duration circuitBreakerOpenDuration() { return circuitBreakerOpenDuration; }
    /** Pause between two recovery passes. */
    public Duration recoveryInterval() { return recoveryInterval; }
    /** How long one instance owns a transaction it drives before another may take it over. */
    public Duration recoveryLease() { return recoveryLease; }
    /** Phase-two rounds before a transaction becomes FAILED. */
    public int recoveryMaxRounds() { return recoveryMaxRounds; }
    /** Wait before the second round of a transaction. */
    public Duration recoveryInitialBackoff() { return recoveryInitialBackoff; }
    /** Longest wait between two rounds of a transaction. */
    public Duration recoveryMaxBackoff() { return recoveryMaxBackoff; }
    /** Rows one recovery pass handles per table. */
    public int recoveryBatchSize() { return recoveryBatchSize; }
    /**
     * How long the coordinator must stay unreachable (a connection failure, counted from the first
     * failed question about a hold) before hold expiry releases that hold without its answer; any
     * other failure of the question never lets a hold expire unasked. Zero expires at the first one.
     */
    public Duration coordinatorUnreachableAfter() { return coordinatorUnreachableAfter; }
    /** Extra time past a hold's deadline before the participant expires it. */
    public Duration holdExpiryGrace() { return holdExpiryGrace; }
    /** How long finished (CONFIRMED, CANCELLED) transactions are kept. */
    public Duration retentionFinished() { return retentionFinished; }
    /** How long finished barrier rows are kept after their hold deadline. */
    public Duration retentionBarrier() { return retentionBarrier; }
    /** Rows deleted per statement when purging. */
    public int retentionBatchSize() { return retentionBatchSize; }
    /**
     * Most decided transactions that asynchronous phase two drives together, with one local
     * transaction per participant database (and one log write) for all of them; 1 drives each
     * transaction alone. Applies to the runtime's own phase-two executor only.
     */
    public int phaseTwoBatchSize() { return phaseTwoBatchSize; }
    /**
     * Longest wait before the final state of a transaction whose branches are all done is
     * written, so that one log commit records many; zero writes it after each batch.
     */
    public Duration phaseTwoFinishLinger() { return phaseTwoFinishLinger; }

    /**
     * Longest {@code close()} lets queued phase two run before it returns; what is still queued then
     * stays decided in the log for recovery (logged with the count, and counted).
     */
    public Duration phaseTwoShutdownTimeout() { return phaseTwoShutdownTimeout; }

    /** Validating builder; each setter refuses a bad value at once. */
    public static final class Builder {
        private Duration defaultTimeout = Duration.ofSeconds(30);
        private Duration defaultHold = Duration.ofMinutes(15);
        private Duration safetyMargin = Duration.ofSeconds(2);
        private boolean asynchronousPhaseTwo = true;
        private int retryMaxAttempts = 3;
        private Duration retryInitialInterval = Duration.ofMillis(100);
        private double retryMultiplier = 2.0;
        private Duration retryMaxInterval = Duration.ofSeconds(2);
        private float circuitBreakerFailureRateThreshold = 50;
        private int circuitBreakerMinimumCalls = 10;
        private int circuitBreakerSlidingWindowSize = 20;
        private Duration circuitBreakerOpenDuration = Duration.ofSeconds(30);
        private Duration recoveryInterval = Duration.ofSeconds(5);
        private Duration recoveryLease = Duration.ofSeconds(30);
        private int recoveryMaxRounds = 10;
        private Duration recoveryInitialBackoff = Duration.ofSeconds(1);
        private Duration recoveryMaxBackoff = Duration.ofMinutes(5);
        private int recoveryBatchSize = 100;
        private Duration coordinatorUnreachableAfter = Duration.ofMinutes(1);
        private Duration holdExpiryGrace = Duration.ofSeconds(5);
        private Duration retentionFinished = Duration.ofDays(1);
        private Duration retentionBarrier = Duration.ofDays(1);
        private int retentionBatchSize = 500;
        private int phaseTwoBatchSize = 256;
        private Duration phaseTwoFinishLinger = Duration.ofMillis(20);
        private Duration phaseTwoShutdownTimeout = Duration.ofSeconds(5);

        private Builder() {
        }

        public Builder defaultTimeout(Duration v) { defaultTimeout = positive("transaction.timeout", v); return this; }
        public Builder defaultHold(Duration v) { defaultHold = positive("hold.default-duration", v); return this; }
        public Builder safetyMargin(Duration v) { safetyMargin = notNegative("hold.safety-margin", v); return this; }
        public Builder asynchronousPhaseTwo(boolean v) { asynchronousPhaseTwo = v; return this; }
        public Builder retryMaxAttempts(int v) { retryMaxAttempts = atLeast("retry.max-attempts", v, 1); return this; }
        public Builder retryInitialInterval(Duration v) { retryInitialInterval = positive("retry.initial-interval", v); return this; }
        public Builder retryMultiplier(double v) {
            if (!(v >= 1.0)) {
                throw new IllegalArgumentException("tcc.retry.multiplier must be at least 1.0 but was [" + v + "]");
            }
            retryMultiplier = v;
            return this;
        }
        public Builder retryMaxInterval(Duration v) { retryMaxInterval = positive("retry.max-interval", v); return this; }
        public Builder circuitBreakerFailureRateThreshold(float v) {
            if (!(v > 0 && v <= 100)) {
                throw new IllegalArgumentException("tcc.circuit-breaker.failure-rate-threshold must be in (0, 100] but was [" + v + "]");
            }
            circuitBreakerFailureRateThreshold = v;
            return this;
        }
        public Builder circuitBreakerMinimumCalls(int v) { circuitBreakerMinimumCalls = atLeast("circuit-breaker.minimum-calls", v, 1); return this; }
        public Builder circuitBreakerSlidingWindowSize(int v) { circuitBreakerSlidingWindowSize = atLeast("circuit-breaker.sliding-window-size", v, 1); return this; }
        public Builder circuitBreakerOpenDuration(Duration v) { circuitBreakerOpenDuration = positive("circuit-breaker.open-duration", v); return this; }
        public Builder recoveryInterval(Duration v) { recoveryInterval = positive("recovery.interval", v); return this; }
        public Builder recoveryLease(Duration v) { recoveryLease = positive("recovery.lease", v); return this; }
        public Builder recoveryMaxRounds(int v) { recoveryMaxRounds = atLeast("recovery.max-rounds", v, 1); return this; }
        public Builder recoveryInitialBackoff(Duration v) { recoveryInitialBackoff = positive("recovery.initial-backoff", v); return this; }
        public Builder recoveryMaxBackoff(Duration v) { recoveryMaxBackoff = positive("recovery.max-backoff", v); return this; }
        public Builder recoveryBatchSize(int v) { recoveryBatchSize = atLeast("recovery.batch-size", v, 1); return this; }
        public Builder coordinatorUnreachableAfter(Duration v) {
            coordinatorUnreachableAfter = notNegative("recovery.coordinator-unreachable-after", v);
            return this;
        }
        public Builder holdExpiryGrace(Duration v) { holdExpiryGrace = notNegative("hold.expiry-grace", v); return this; }
        public Builder retentionFinished(Duration v) { retentionFinished = positive("retention.finished", v); return this; }
        public Builder retentionBarrier(Duration v) { retentionBarrier = positive("retention.barrier", v); return this; }
        public Builder retentionBatchSize(int v) { retentionBatchSize = atLeast("retention.batch-size", v, 1); return this; }
        public Builder phaseTwoBatchSize(int v) { phaseTwoBatchSize = atLeast("phase-two.batch-size", v, 1); return this; }
        public Builder phaseTwoFinishLinger(Duration v) { phaseTwoFinishLinger = notNegative("phase-two.finish-linger", v); return this; }
        public Builder phaseTwoShutdownTimeout(Duration v) { phaseTwoShutdownTimeout = notNegative("phase-two.shutdown-timeout", v); return this; }

        /** Builds the settings, checking the rules that involve two values. */
        public TccSettings build() {
            if (recoveryMaxBackoff.compareTo(recoveryInitialBackoff) < 0) {
                throw new IllegalArgumentException("tcc.recovery.max-backoff [" + recoveryMaxBackoff
                        + "] must not be shorter than tcc.recovery.initial-backoff [" + recoveryInitialBackoff + "]");
            }
            if (safetyMargin.compareTo(defaultHold) >= 0) {
                throw new IllegalArgumentException("tcc.hold.safety-margin [" + safetyMargin
                        + "] must be shorter than tcc.hold.default-duration [" + defaultHold + "]: no transaction could ever confirm");
            }
            return new TccSettings(this);
        }

        private static Duration positive(String name, Duration v) {
            Objects.requireNonNull(v, () -> "tcc." + name + " must not be null");
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("tcc." + name + " must be positive but was [" + v + "]");
            }
            return v;
        }

        private static Duration notNegative(String name, Duration v) {
            Objects.requireNonNull(v, () -> "tcc." + name + " must not be null");
            if (v.isNegative()) {
                throw new IllegalArgumentException("tcc." + name + " must not be negative but was [" + v + "]");
            }
            return v;
        }

        private static int atLeast(String name, int v, int min) {
            if (v < min) {
                throw new IllegalArgumentException("tcc." + name + " must be at least " + min + " but was [" + v + "]");
            }
            return v;
        }
    }
}
