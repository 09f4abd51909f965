package dev.tcc.api.operations;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an operator, a dashboard, a health check or a metric may read and do with the transactions
 * of the coordinator's log: list, find, count, retry a dead letter, force-finish one. The runtime
 * implements it ({@code TccRuntime.operations()}); the Spring Boot starter exposes it as a bean, and
 * the actuator endpoint, the health indicator and the metrics use only this.
 *
 * <p>Reads go to the log's database on every call; nothing is cached.
 */
public interface TccOperations {

    /** The newest transactions, in {@code state} or in any state when it is null, without their branches. */
    List<TransactionRecord> list(TransactionState state, int limit);

    /** One transaction with its branches. */
    Optional<TransactionRecord> find(String xid);

    /** How many transactions are in each state; states without any are left out. */
    Map<TransactionState, Long> countByState();

    /** Transactions still in phase two (CONFIRMING or CANCELLING) that were decided longer than {@code olderThan} ago. */
    long countStuck(Duration olderThan);

    /**
     * An operator's retry of a {@link TransactionState#FAILED} transaction: it goes back to phase two
     * and is driven at once.
     *
     * @return the state it reached, or empty when there is no FAILED transaction {@code xid}
     */
    Optional<TransactionState> retry(String xid);

    /**
     * An operator's statement that a {@link TransactionState#FAILED} transaction was finished by hand,
     * recorded with {@code note} as its cause.
     *
     * @param state a final state that FAILED may become ({@link TransactionState#successors()}): CONFIRMED,
     *              CANCELLED or HEURISTIC
     * @return false when there is no FAILED transaction {@code xid}
     * @throws IllegalArgumentException when {@code state} is not one of those
     */
    boolean forceFinish(String xid, TransactionState state, String note);
}
