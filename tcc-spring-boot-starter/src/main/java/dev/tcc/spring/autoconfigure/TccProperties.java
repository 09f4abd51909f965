package dev.tcc.spring.autoconfigure;

import dev.tcc.runtime.model.TccSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the TCC framework, under {@code tcc.}. The names match the names
 * {@link TccSettings} uses in its messages, so an invalid value is reported
 * under the property the user wrote. The defaults of the properties that reach the runtime come from
 * {@link TccSettings#defaults()}, so they are written once.
 */
@ConfigurationProperties("tcc")
public class TccProperties {

    /** The runtime's defaults, the one place they are written. */
    private static final TccSettings DEFAULTS = TccSettings.defaults();

    /** Whether to auto-configure the TCC runtime, its interceptors and its observability. */
    private boolean enabled = true;

    /** Name of this instance in recovery leases. Defaults to a random id per start. */
    private String instanceId;

    private final Transaction transaction = new Transaction();

    private final Hold hold = new Hold();

    private final PhaseTwo phaseTwo = new PhaseTwo();

    private final Retry retry = new Retry();

    private final CircuitBreaker circuitBreaker = new CircuitBreaker();

    private final Recovery recovery = new Recovery();

    private final Retention retention = new Retention();

    private final Jdbc jdbc = new Jdbc();

    private final Health health = new Health();

    private final Http http = new Http();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId;
    }

    public Transaction getTransaction() {
        return transaction;
    }

    public Hold getHold() {
        return hold;
    }

    public PhaseTwo getPhaseTwo() {
        return phaseTwo;
    }

    public Retry getRetry() {
        return retry;
    }

    public CircuitBreaker getCircuitBreaker() {
        return circuitBreaker;
    }

    public Recovery getRecovery() {
        return recovery;
    }

    public Retention getRetention() {
        return retention;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Health getHealth() {
        return health;
    }

    public Http getHttp() {
        return http;
    }

    /** Global transactions. */
    public static class Transaction {

        /** How long a transaction may stay undecided when its @TccTransactional names no timeout. */
        private Duration timeout = DEFAULTS.transaction().timeout();

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Holds (the reservations a try makes). */
    public static class Hold {

        /** How long a hold lives unconfirmed when its @Try names no hold. */
        private Duration defaultDuration = DEFAULTS.hold().defaultDuration();

        /** Confirm is refused, and the transaction cancelled, when a hold expires sooner than this. */
        private Duration safetyMargin = DEFAULTS.hold().safetyMargin();

        /** Extra time past a hold's deadline before its participant expires it. */
        private Duration expiryGrace = DEFAULTS.hold().expiryGrace();

        public Duration getDefaultDuration() {
            return defaultDuration;
        }

        public void setDefaultDuration(Duration defaultDuration) {
            this.defaultDuration = defaultDuration;
        }

        public Duration getSafetyMargin() {
            return safetyMargin;
        }

        public void setSafetyMargin(Duration safetyMargin) {
            this.safetyMargin = safetyMargin;
        }

        public Duration getExpiryGrace() {
            return expiryGrace;
        }

        public void setExpiryGrace(Duration expiryGrace) {
            this.expiryGrace = expiryGrace;
        }
    }

    /** Phase two (confirming or cancelling every branch). */
    public static class PhaseTwo {

        /** Whether phase two runs after the caller returns; the caller then waits only for its tries and the decision. */
        private boolean asynchronous = DEFAULTS.phaseTwo().asynchronous();

        /**
         * Threads that run asynchronous phase two's rounds of transactions a batch could not finish, and phase two
         * when batching is off. Batches are driven by drainer threads of their own (tcc.phase-two.drainers), in
         * addition to these.
         */
        private int threads = 4;

        /**
         * Most decided transactions asynchronous phase two drives together, with one local transaction
         * per participant database and one batch request (of at most 64 branches each) per participant endpoint in
         * another service for all of them; 1 drives each transaction alone.
         */
        private int batchSize = DEFAULTS.phaseTwo().batchSize();

        /**
         * Most batches driven at the same time, each by a drainer thread of its own (in addition to
         * tcc.phase-two.threads, which run the one-by-one rounds). Still one batch at a time per participant database or endpoint: while one batch
         * works on the last database of its transactions, the next works on the first. A further drainer starts only once a
         * whole batch waits: while fewer keep up, larger batches cost less per transaction.
         */
        private int drainers = DEFAULTS.phaseTwo().drainers();

        /** Longest wait before the final state of finished transactions is written, so one commit records many. */
        private Duration finishLinger = DEFAULTS.phaseTwo().finishLinger();

        /**
         * Longest wait at shutdown for queued phase two to run; what is still queued then is left,
         * decided in the log, to recovery (logged with the count, and counted).
         */
        private Duration shutdownTimeout = DEFAULTS.phaseTwo().shutdownTimeout();

        public boolean isAsynchronous() {
            return asynchronous;
        }

        public void setAsynchronous(boolean asynchronous) {
            this.asynchronous = asynchronous;
        }

        public int getThreads() {
            return threads;
        }

        public void setThreads(int threads) {
            this.threads = threads;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public int getDrainers() {
            return drainers;
        }

        public void setDrainers(int drainers) {
            this.drainers = drainers;
        }

        public Duration getFinishLinger() {
            return finishLinger;
        }

        public void setFinishLinger(Duration finishLinger) {
            this.finishLinger = finishLinger;
        }

        public Duration getShutdownTimeout() {
            return shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }
    }

    /** Retries of one phase-two call to a participant (exponential backoff with jitter). */
    public static class Retry {

        /** Attempts of one phase-two call before the round gives up and recovery takes over. */
        private int maxAttempts = DEFAULTS.retry().maxAttempts();

        /** Wait before the second attempt. */
        private Duration initialInterval = DEFAULTS.retry().initialInterval();

        /** Factor by which the wait grows after each attempt. */
        private double multiplier = DEFAULTS.retry().multiplier();

        /** Longest wait between two attempts. */
        private Duration maxInterval = DEFAULTS.retry().maxInterval();

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialInterval() {
            return initialInterval;
        }

        public void setInitialInterval(Duration initialInterval) {
            this.initialInterval = initialInterval;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public Duration getMaxInterval() {
            return maxInterval;
        }

        public void setMaxInterval(Duration maxInterval) {
            this.maxInterval = maxInterval;
        }
    }

    /** Circuit breaker per participant, so that a dead participant is skipped until it recovers. */
    public static class CircuitBreaker {

        /** Failure rate in percent above which a participant's circuit opens. */
        private float failureRateThreshold = DEFAULTS.circuitBreaker().failureRateThreshold();

        /** Calls recorded before the failure rate is computed. */
        private int minimumCalls = DEFAULTS.circuitBreaker().minimumCalls();

        /** Calls in the sliding window of a participant's circuit. */
        private int slidingWindowSize = DEFAULTS.circuitBreaker().slidingWindowSize();

        /** How long an open circuit skips its participant before it lets a trial call through. */
        private Duration openDuration = DEFAULTS.circuitBreaker().openDuration();

        public float getFailureRateThreshold() {
            return failureRateThreshold;
        }

        public void setFailureRateThreshold(float failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
        }

        public int getMinimumCalls() {
            return minimumCalls;
        }

        public void setMinimumCalls(int minimumCalls) {
            this.minimumCalls = minimumCalls;
        }

        public int getSlidingWindowSize() {
            return slidingWindowSize;
        }

        public void setSlidingWindowSize(int slidingWindowSize) {
            this.slidingWindowSize = slidingWindowSize;
        }

        public Duration getOpenDuration() {
            return openDuration;
        }

        public void setOpenDuration(Duration openDuration) {
            this.openDuration = openDuration;
        }
    }

    /** Background recovery: re-drives stuck transactions, cancels timed-out ones, expires holds. */
    public static class Recovery {

        /** Whether this instance runs recovery passes in the background. */
        private boolean enabled = true;

        /** Pause between two recovery passes. */
        private Duration interval = DEFAULTS.recovery().interval();

        /** How long one instance owns a transaction it drives before another may take it over. */
        private Duration lease = DEFAULTS.recovery().lease();

        /** Phase-two rounds before a transaction becomes FAILED and needs an operator; a round in which open circuits skipped every call is not counted. */
        private int maxRounds = DEFAULTS.recovery().maxRounds();

        /** Wait before the second phase-two round of a transaction. */
        private Duration initialBackoff = DEFAULTS.recovery().initialBackoff();

        /** Longest wait between two phase-two rounds of a transaction. */
        private Duration maxBackoff = DEFAULTS.recovery().maxBackoff();

        /** Rows one recovery pass handles per table. */
        private int batchSize = DEFAULTS.recovery().batchSize();

        /**
         * How long the coordinator must stay unreachable (a connection failure, not a lock timeout or a
         * busy pool), counted from the first failed question about a hold, before hold expiry releases
         * that expired hold without its answer. 0 releases it at the first such failure.
         */
        private Duration coordinatorUnreachableAfter = DEFAULTS.recovery().coordinatorUnreachableAfter();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public int getMaxRounds() {
            return maxRounds;
        }

        public void setMaxRounds(int maxRounds) {
            this.maxRounds = maxRounds;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getCoordinatorUnreachableAfter() {
            return coordinatorUnreachableAfter;
        }

        public void setCoordinatorUnreachableAfter(Duration coordinatorUnreachableAfter) {
            this.coordinatorUnreachableAfter = coordinatorUnreachableAfter;
        }
    }

    /** Purging of finished rows, so the tables stay small under constant load. */
    public static class Retention {

        /** How long finished (CONFIRMED, CANCELLED) transactions are kept. */
        private Duration finished = DEFAULTS.retention().finished();

        /** How long finished barrier rows are kept after their hold deadline. */
        private Duration barrier = DEFAULTS.retention().barrier();

        /** Rows deleted per statement when purging. */
        private int batchSize = DEFAULTS.retention().batchSize();

        public Duration getFinished() {
            return finished;
        }

        public void setFinished(Duration finished) {
            this.finished = finished;
        }

        public Duration getBarrier() {
            return barrier;
        }

        public void setBarrier(Duration barrier) {
            this.barrier = barrier;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }
    }

    /** The TCC tables. */
    public static class Jdbc {

        /** When to create the TCC tables on the transaction log's and every participant's database. */
        private InitializeSchema initializeSchema = InitializeSchema.EMBEDDED;

        public InitializeSchema getInitializeSchema() {
            return initializeSchema;
        }

        public void setInitializeSchema(InitializeSchema initializeSchema) {
            this.initializeSchema = initializeSchema;
        }
    }

    /** When the starter creates the TCC tables. */
    public enum InitializeSchema {
        /** On each database that is embedded (H2, HSQLDB, Derby): the log's and each participant's, decided per database. */
        EMBEDDED,
        /** Always; every statement is idempotent. */
        ALWAYS,
        /** Never: the tables come from META-INF/tcc/schema-*.sql through Flyway, Liquibase or by hand. */
        NEVER
    }

    /** The health contributor. */
    public static class Health {

        /** Age of a decision after which a transaction still in phase two counts as stuck. */
        private Duration stuckAfter = Duration.ofMinutes(5);

        /**
         * Whether FAILED or HEURISTIC transactions (dead letters, waiting for an operator) make the health component
         * OUT_OF_SERVICE. By default they are reported in its details, in the 'tcc.transactions.dead.letters' gauge and
         * in the log, and the instance stays UP: a dead letter is a reason to alert an operator, not to take a working
         * instance out of a load balancer.
         */
        private boolean failOnDeadLetters = false;

        /**
         * Whether transactions stuck in phase two longer than 'stuck-after' make the health component OUT_OF_SERVICE.
         * By default they are reported in its details ('stuck') and the instance stays UP: the transaction log is
         * shared, so a stuck transaction would take every instance out of the load balancer at once.
         */
        private boolean failOnStuck = false;

        public Duration getStuckAfter() {
            return stuckAfter;
        }

        public void setStuckAfter(Duration stuckAfter) {
            this.stuckAfter = stuckAfter;
        }

        public boolean isFailOnDeadLetters() {
            return failOnDeadLetters;
        }

        public void setFailOnDeadLetters(boolean failOnDeadLetters) {
            this.failOnDeadLetters = failOnDeadLetters;
        }

        public boolean isFailOnStuck() {
            return failOnStuck;
        }

        public void setFailOnStuck(boolean failOnStuck) {
            this.failOnStuck = failOnStuck;
        }
    }

    /** Transactions across HTTP (docs/across-services.md): propagation, the participant and coordinator endpoints. */
    public static class Http {

        /** Base path of this service's participant endpoint, where callers confirm and cancel its branches. */
        private String participantPath = "/tcc/participant";

        /** Base path of this service's coordinator endpoint, where participants ask for decisions. */
        private String coordinatorPath = "/tcc/coordinator";

        /**
         * Absolute URL of this service's coordinator endpoint as other services reach it. Defaults to
         * http://localhost:{local.server.port}{server.servlet.context-path}{coordinator-path}: set it in any deployment
         * where other services do not reach this one on localhost.
         */
        private String coordinatorUrl;

        /**
         * Absolute URL of this service's participant endpoint as callers reach it. By default the answer names the
         * participant path and the caller resolves it against the URL it called.
         */
        private String participantUrl;

        /** Connect timeout of phase-two calls and decision questions. */
        private Duration connectTimeout = Duration.ofSeconds(2);

        /** Read timeout of phase-two calls and decision questions. */
        private Duration readTimeout = Duration.ofSeconds(10);

        /**
         * How calls between services are authenticated: hmac (signed with tcc.http.signing.*), spring-security (the
         * application's own Spring Security setup), or none (an explicit opt-out: the endpoints accept anyone).
         */
        private HttpAuthentication authentication = HttpAuthentication.HMAC;

        /**
         * Largest body of a call carrying a TCC transaction that this service reads (it is signed, so it is read whole
         * before the handler runs); a larger one is refused with 413.
         */
        private org.springframework.util.unit.DataSize maxBodySize = org.springframework.util.unit.DataSize.ofMegabytes(1);

        /**
         * Whether GET, HEAD, OPTIONS and TRACE calls made inside a transaction carry it too. Off by default: a safe
         * method changes nothing (RFC 9110), so it runs no try, and a read that fails or times out must not cancel
         * the transaction as a lost answer would.
         */
        private boolean propagateSafeMethods = false;

        private final Signing signing = new Signing();

        private final Endpoints endpoints = new Endpoints();

        public org.springframework.util.unit.DataSize getMaxBodySize() {
            return maxBodySize;
        }

        public void setMaxBodySize(org.springframework.util.unit.DataSize maxBodySize) {
            this.maxBodySize = maxBodySize;
        }

        public boolean isPropagateSafeMethods() {
            return propagateSafeMethods;
        }

        public void setPropagateSafeMethods(boolean propagateSafeMethods) {
            this.propagateSafeMethods = propagateSafeMethods;
        }

        public String getParticipantPath() {
            return participantPath;
        }

        public void setParticipantPath(String participantPath) {
            this.participantPath = participantPath;
        }

        public String getCoordinatorPath() {
            return coordinatorPath;
        }

        public void setCoordinatorPath(String coordinatorPath) {
            this.coordinatorPath = coordinatorPath;
        }

        public String getCoordinatorUrl() {
            return coordinatorUrl;
        }

        public void setCoordinatorUrl(String coordinatorUrl) {
            this.coordinatorUrl = coordinatorUrl;
        }

        public String getParticipantUrl() {
            return participantUrl;
        }

        public void setParticipantUrl(String participantUrl) {
            this.participantUrl = participantUrl;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getReadTimeout() {
            return readTimeout;
        }

        public void setReadTimeout(Duration readTimeout) {
            this.readTimeout = readTimeout;
        }

        public HttpAuthentication getAuthentication() {
            return authentication;
        }

        public void setAuthentication(HttpAuthentication authentication) {
            this.authentication = authentication;
        }

        public Signing getSigning() {
            return signing;
        }

        public Endpoints getEndpoints() {
            return endpoints;
        }
    }

    /** How calls between services are authenticated. */
    public enum HttpAuthentication {
        /** HMAC-SHA256 signatures with the shared secrets of tcc.http.signing.keys (docs/protocol.md, "Signatures"). */
        HMAC,
        /** The application's own Spring Security filter chain authenticates the endpoints and the joined calls. */
        SPRING_SECURITY,
        /** No authentication: anyone who reaches the endpoints can confirm or cancel. An explicit opt-out. */
        NONE
    }

    /** The shared secrets of HMAC signatures; {@link #toString()} never shows a secret. */
    public static class Signing {

        /** Id of the key outgoing calls are signed with; must be one of tcc.http.signing.keys. */
        private String keyId;

        /**
         * Shared secrets by key id. Incoming calls signed with any of them are accepted, so a secret can be rotated by
         * adding the new key everywhere first, then switching key-id.
         */
        private Map<String, String> keys = new LinkedHashMap<>();

        /** How far the timestamp of an incoming signature may be from this clock. */
        private Duration maxSkew = Duration.ofSeconds(30);

        public String getKeyId() {
            return keyId;
        }

        public void setKeyId(String keyId) {
            this.keyId = keyId;
        }

        public Map<String, String> getKeys() {
            return keys;
        }

        public void setKeys(Map<String, String> keys) {
            this.keys = keys;
        }

        public Duration getMaxSkew() {
            return maxSkew;
        }

        public void setMaxSkew(Duration maxSkew) {
            this.maxSkew = maxSkew;
        }

        @Override
        public String toString() {
            return "Signing[keyId=" + keyId + ", keyIds=" + keys.keySet() + ", maxSkew=" + maxSkew + "]";
        }
    }

    /** The participant and coordinator endpoints the starter exposes in a Spring MVC application. */
    public static class Endpoints {

        /** Whether to expose the participant and coordinator endpoints. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
