package dev.tcc.spring.actuate;

import dev.tcc.api.operations.BranchRecord;
import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code tcc} actuator endpoint: {@code GET /actuator/tcc?state=FAILED&limit=50} lists the
 * newest transactions (in one state, or in any; {@code limit} 1 to 1000, default 100) with the counts
 * per state, {@code GET /actuator/tcc/{xid}} shows one with its branches, and
 * {@code POST /actuator/tcc/{xid}} retries a FAILED one: it goes back to phase two and is driven at once.
 * A bad parameter is refused with a message ({@link TccEndpointWebExtension} puts it in the HTTP 400 body).
 */
@Endpoint(id = "tcc")
public class TccEndpoint {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final TccOperations operations;

    public TccEndpoint(TccOperations operations) {
        this.operations = operations;
    }

    @ReadOperation
    public TransactionsDescriptor transactions(@Nullable String state, @Nullable Integer limit) {
        TransactionState filter = state == null || state.isBlank() ? null : parse(state);
        if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
            throw invalid("Parameter 'limit' must be between 1 and " + MAX_LIMIT + ", was [" + limit + "]");
        }
        int max = limit == null ? DEFAULT_LIMIT : limit;
        List<TransactionSummary> transactions = operations.list(filter, max).stream().map(TransactionSummary::of).toList();
        return new TransactionsDescriptor(operations.countByState(), transactions);
    }

    @ReadOperation
    public @Nullable TransactionDescriptor transaction(@Selector String xid) {
        return operations.find(xid).map(TransactionDescriptor::of).orElse(null);
    }

    @WriteOperation
    public RetryDescriptor retry(@Selector String xid) {
        TransactionState before = operations.find(xid).map(TransactionRecord::state).orElse(null);
        if (before == null) {
            throw invalid("No TCC transaction [" + xid + "]");
        }
        if (before != TransactionState.FAILED) {
            return new RetryDescriptor(xid, false, before, "Only FAILED transactions can be retried; this one is " + before);
        }
        TransactionState after = operations.retry(xid).orElse(before);
        return new RetryDescriptor(xid, true, after, "Phase two ran again; the transaction is now " + after);
    }

    private static TransactionState parse(String state) {
        try {
            return TransactionState.valueOf(state.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("Unknown transaction state [" + state + "]: use one of " + List.of(TransactionState.values()));
        }
    }

    private static InvalidEndpointRequestException invalid(String message) {
        return new InvalidEndpointRequestException(message, message);
    }

    /** Counts per state and the listed transactions. */
    public record TransactionsDescriptor(Map<TransactionState, Long> counts, List<TransactionSummary> transactions)
            implements OperationResponseBody {
    }

    /** One transaction in a list, without its branches ({@code GET /actuator/tcc/{xid}} shows them). */
    public record TransactionSummary(String xid, String name, TransactionState state, String decision, String cause,
                                     Instant createdAt, Instant timeoutAt, Instant decidedAt, Instant finishedAt, int rounds,
                                     Instant nextAttemptAt, String leaseOwner) {

        static TransactionSummary of(TransactionRecord r) {
            return new TransactionSummary(r.xid(), r.name(), r.state(), r.decision() == null ? null : r.decision().name(),
                    r.cause(), r.createdAt(), r.timeoutAt(), r.decidedAt(), r.finishedAt(), r.rounds(), r.nextAttemptAt(),
                    r.leaseOwner());
        }
    }

    /** One transaction with its branches. */
    public record TransactionDescriptor(String xid, String name, TransactionState state, String decision, String cause,
                                        Instant createdAt, Instant timeoutAt, Instant decidedAt, Instant finishedAt, int rounds,
                                        Instant nextAttemptAt, String leaseOwner, List<BranchRecord> branches)
            implements OperationResponseBody {

        static TransactionDescriptor of(TransactionRecord r) {
            return new TransactionDescriptor(r.xid(), r.name(), r.state(), r.decision() == null ? null : r.decision().name(),
                    r.cause(), r.createdAt(), r.timeoutAt(), r.decidedAt(), r.finishedAt(), r.rounds(), r.nextAttemptAt(),
                    r.leaseOwner(), r.branches());
        }
    }

    /** What a retry did. */
    public record RetryDescriptor(String xid, boolean retried, TransactionState state, String message)
            implements OperationResponseBody {
    }
}
