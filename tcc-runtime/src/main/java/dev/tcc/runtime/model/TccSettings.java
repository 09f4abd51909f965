package dev.tcc.runtime.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Every tunable of the runtime, immutable, in groups that mirror the Spring Boot properties below
 * {@code tcc.}: {@code settings.retry().maxAttempts()} is {@code tcc.retry.max-attempts}. Built by a
 * {@link Builder} that refuses a bad value at once with a message naming the property and the value.
 * The builder's starting values are the only place the defaults are written; the starter's properties
 * take theirs from {@link #defaults()}.
 */
public final class TccSettings {

    /**
     * {@code tcc.transaction.*}.
     *
     * @param timeout how long a transaction may stay undecided when its annotation names no timeout
     */
    public record Transaction(Duration timeout) {
    }

    /**
     * {@code tcc.hold.*}: the reservations a try makes.
     *
     * @param defaultDuration how long a hold lives unconfirmed when its {@code @Try} names no hold
     * @param safetyMargin a confirm is refused (and the transaction cancelled) when any hold expires sooner than this
     * @param expiryGrace extra time past a hold's deadline before the participant expires it
     */
    public record Hold(Duration defaultDuration, Duration safetyMargin, Duration expiryGrace) {
    }

    /**
     * {@code tcc.phase-two.*}.
     *
     * @param asynchronous whether phase two runs after the caller returns (the caller waits for tries plus the
     *        decision only)
     * @param batchSize most decided transactions that asynchronous phase two drives together, with one local
     *        transaction per participant database (and one log write) for all of them; 1 drives each transaction
     *        alone. Applies to the runtime's own phase-two executor only
     * @param drainers most batches driven at the same time, each by a drainer thread of its own (in addition to
     *        {@code tcc.phase-two.threads}, which run the one-by-one rounds, so neither waits for the other's threads):
     *        still one batch at a time
     *        per participant database or endpoint, so while one batch commits on the last database of its
     *        transactions, the next works on the first (a pipeline). A further drainer starts only once a whole batch
     *        waits: while fewer keep up, what arrives during a batch forms the next, larger one
     * @param finishLinger longest wait before the final state of a transaction whose branches are all done is
     *        written, so that one log commit records many; zero writes it after each batch
     * @param shutdownTimeout longest {@code close()} lets queued phase two run before it returns; what is still
     *        queued then stays decided in the log for recovery (logged with the count, and counted)
     */
    public record PhaseTwo(boolean asynchronous, int batchSize, int drainers, Duration finishLinger, Duration shutdownTimeout) {
    }

    /**
     * {@code tcc.retry.*}: retries of one phase-two call.
     *
     * @param maxAttempts attempts of one phase-two call before the round gives up and recovery takes over
     * @param initialInterval wait before the second attempt
     * @param multiplier factor by which the wait grows after each attempt
     * @param maxInterval longest wait between two attempts
     */
    public record Retry(int maxAttempts, Duration initialInterval, double multiplier, Duration maxInterval) {
    }

    /**
     * {@code tcc.circuit-breaker.*}: one circuit per participant.
     *
     * @param failureRateThreshold failure rate in percent above which a participant's circuit opens
     * @param minimumCalls calls recorded before the failure rate is computed
     * @param slidingWindowSize calls in the sliding window of a participant's circuit
     * @param openDuration how long an open circuit skips its participant before letting a trial call through
     */
    public record CircuitBreaker(float failureRateThreshold, int minimumCalls, int slidingWindowSize,
            Duration openDuration) {
    }

    /**
     * {@code tcc.recovery.*}.
     *
     * @param interval pause between two recovery passes
     * @param lease how long one instance owns a transaction it drives before another may take it over
     * @param maxRounds phase-two rounds before a transaction becomes FAILED
     * @param initialBackoff wait before the second round of a transaction
     * @param maxBackoff longest wait between two rounds of a transaction
     * @param batchSize rows one recovery pass handles per table
     * @param coordinatorUnreachableAfter how long the coordinator must stay unreachable (a connection failure,
     *        counted from the first failed question about a hold) before hold expiry releases that hold without
     *        its answer; any other failure of the question never lets a hold expire unasked. Zero expires at the
     *        first one
     */
    public record Recovery(Duration interval, Duration lease, int maxRounds, Duration initialBackoff,
            Duration maxBackoff, int batchSize, Duration coordinatorUnreachableAfter) {
    }

    /**
     * {@code tcc.retention.*}: purging of finished rows.
     *
     * @param finished how long finished (CONFIRMED, CANCELLED) transactions are kept
     * @param barrier how long finished barrier rows are kept after their hold deadline
     * @param batchSize rows deleted per statement when purging
     */
    public record Retention(Duration finished, Duration barrier, int batchSize) {
    }

    private final Transaction transaction;
    private final Hold hold;
    private final PhaseTwo phaseTwo;
    private final Retry retry;
    private final CircuitBreaker circuitBreaker;
    private final Recovery recovery;
    private final Retention retention;

    private TccSettings(Builder b) {
        this.transaction = new Transaction(b.defaultTimeout);
        this.hold = new Hold(b.defaultHold, b.safetyMargin, b.holdExpiryGrace);
        this.phaseTwo = new PhaseTwo(b.asynchronousPhaseTwo, b.phaseTwoBatchSize, b.phaseTwoDrainers, b.phaseTwoFinishLinger,
                b.phaseTwoShutdownTimeout);
        this.retry = new Retry(b.retryMaxAttempts, b.retryInitialInterval, b.retryMultiplier, b.retryMaxInterval);
        this.circuitBreaker = new CircuitBreaker(b.circuitBreakerFailureRateThreshold, b.circuitBreakerMinimumCalls,
                b.circuitBreakerSlidingWindowSize, b.circuitBreakerOpenDuration);
        this.recovery = new Recovery(b.recoveryInterval, b.recoveryLease, b.recoveryMaxRounds,
                b.recoveryInitialBackoff, b.recoveryMaxBackoff, b.recoveryBatchSize, b.coordinatorUnreachableAfter);
        this.retention = new Retention(b.retentionFinished, b.retentionBarrier, b.retentionBatchSize);
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
        return new Builder()
                .defaultTimeout(transaction.timeout())
                .defaultHold(hold.defaultDuration())
                .safetyMargin(hold.safetyMargin())
                .holdExpiryGrace(hold.expiryGrace())
                .asynchronousPhaseTwo(phaseTwo.asynchronous())
                .phaseTwoBatchSize(phaseTwo.batchSize())
                .phaseTwoDrainers(phaseTwo.drainers())
                .phaseTwoFinishLinger(phaseTwo.finishLinger())
                .phaseTwoShutdownTimeout(phaseTwo.shutdownTimeout())
                .retryMaxAttempts(retry.maxAttempts())
                .retryInitialInterval(retry.initialInterval())
                .retryMultiplier(retry.multiplier())
                .retryMaxInterval(retry.maxInterval())
                .circuitBreakerFailureRateThreshold(circuitBreaker.failureRateThreshold())
                .circuitBreakerMinimumCalls(circuitBreaker.minimumCalls())
                .circuitBreakerSlidingWindowSize(circuitBreaker.slidingWindowSize())
                .circuitBreakerOpenDuration(circuitBreaker.openDuration())
                .recoveryInterval(recovery.interval())
                .recoveryLease(recovery.lease())
                .recoveryMaxRounds(recovery.maxRounds())
                .recoveryInitialBackoff(recovery.initialBackoff())
                .recoveryMaxBackoff(recovery.maxBackoff())
                .recoveryBatchSize(recovery.batchSize())
                .coordinatorUnreachableAfter(recovery.coordinatorUnreachableAfter())
                .retentionFinished(retention.finished())
                .retentionBarrier(retention.barrier())
                .retentionBatchSize(retention.batchSize());
    }

    /** {@code tcc.transaction.*}. */
    public Transaction transaction() { return transaction; }
    /** {@code tcc.hold.*}. */
    public Hold hold() { return hold; }
    /** {@code tcc.phase-two.*}. */
    public PhaseTwo phaseTwo() { return phaseTwo; }
    /** {@code tcc.retry.*}. */
    public Retry retry() { return retry; }
    /** {@code tcc.circuit-breaker.*}. */
    public CircuitBreaker circuitBreaker() { return circuitBreaker; }
    /** {@code tcc.recovery.*}. */
    public Recovery recovery() { return recovery; }
    /** {@code tcc.retention.*}. */
    public Retention retention() { return retention; }

    @Override
    public boolean equals(Object o) {
        return o instanceof TccSettings s && transaction.equals(s.transaction) && hold.equals(s.hold)
                && phaseTwo.equals(s.phaseTwo) && retry.equals(s.retry) && circuitBreaker.equals(s.circuitBreaker)
                && recovery.equals(s.recovery) && retention.equals(s.retention);
    }

    @Override
    public int hashCode() {
        return Objects.hash(transaction, hold, phaseTwo, retry, circuitBreaker, recovery, retention);
    }

    @Override
    public String toString() {
        return "TccSettings[" + transaction + ", " + hold + ", " + phaseTwo + ", " + retry + ", " + circuitBreaker
                + ", " + recovery + ", " + retention + "]";
    }

    /**
     * Validating builder with flat setters named after the group and the setting; each setter refuses a bad
     * value at once. Its starting values are the defaults, written nowhere else.
     */
    public static final class Builder {
        private Duration defaultTimeout = Duration.ofSeconds(30);
        private Duration defaultHold = Duration.ofMinutes(15);
        private Duration safetyMargin = Duration.ofSeconds(2);
        private Duration holdExpiryGrace = Duration.ofSeconds(5);
        private boolean asynchronousPhaseTwo = true;
        private int phaseTwoBatchSize = 256;
        private int phaseTwoDrainers = 3;
        private Duration phaseTwoFinishLinger = Duration.ofMillis(20);
        private Duration phaseTwoShutdownTimeout = Duration.ofSeconds(5);
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
        private Duration retentionFinished = Duration.ofDays(1);
        private Duration retentionBarrier = Duration.ofDays(1);
        private int retentionBatchSize = 500;

        private Builder() {
        }

        public Builder defaultTimeout(Duration v) { defaultTimeout = positive("transaction.timeout", v); return this; }
        public Builder defaultHold(Duration v) { defaultHold = positive("hold.default-duration", v); return this; }
        public Builder safetyMargin(Duration v) { safetyMargin = notNegative("hold.safety-margin", v); return this; }
        public Builder holdExpiryGrace(Duration v) { holdExpiryGrace = notNegative("hold.expiry-grace", v); return this; }
        public Builder asynchronousPhaseTwo(boolean v) { asynchronousPhaseTwo = v; return this; }
        public Builder phaseTwoBatchSize(int v) { phaseTwoBatchSize = atLeast("phase-two.batch-size", v, 1); return this; }
        public Builder phaseTwoDrainers(int v) { phaseTwoDrainers = atLeast("phase-two.drainers", v, 1); return this; }
        public Builder phaseTwoFinishLinger(Duration v) { phaseTwoFinishLinger = notNegative("phase-two.finish-linger", v); return this; }
        public Builder phaseTwoShutdownTimeout(Duration v) { phaseTwoShutdownTimeout = notNegative("phase-two.shutdown-timeout", v); return this; }
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
        public Builder retentionFinished(Duration v) { retentionFinished = positive("retention.finished", v); return this; }
        public Builder retentionBarrier(Duration v) { retentionBarrier = positive("retention.barrier", v); return this; }
        public Builder retentionBatchSize(int v) { retentionBatchSize = atLeast("retention.batch-size", v, 1); return this; }

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
