package dev.tcc.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.tcc.api.TccContextHolder;
import dev.tcc.runtime.model.TransactionOptions;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Carrying a thread's TCC context to another thread, and what binding it there may not do. */
class TransactionContextSnapshotTests {

    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopWorker() {
        worker.shutdownNow();
    }

    @Test
    void aSnapshotCarriesTheTransactionAndTheXidToAWorkerAndTheWorkerIsCleanAfterwards() {
        GlobalTransaction tx = transaction("xid-1");
        TransactionContextSnapshot snapshot;
        try (TransactionContextHolder.Scope ignored = TransactionContextHolder.bind(tx, TransactionOptions.named("book"))) {
            snapshot = TransactionContextSnapshot.capture();
        }

        String seen = CompletableFuture.supplyAsync(snapshot.wrap(() -> TransactionContextHolder.current().xid() + "/"
                + TccContextHolder.currentXid().orElseThrow()), worker).join();
        String after = CompletableFuture.supplyAsync(() -> TransactionContextHolder.current() + "/"
                + TccContextHolder.currentXid().orElse(null), worker).join();

        assertThat(seen).isEqualTo("xid-1/xid-1");
        assertThat(after).isEqualTo("null/null");
    }

    @Test
    void bindingASecondTransactionOverABoundOneFailsLoudlyAndChangesNothing() {
        GlobalTransaction bound = transaction("xid-bound");
        GlobalTransaction other = transaction("xid-other");
        TransactionContextSnapshot otherSnapshot;
        try (TransactionContextHolder.Scope ignored = TransactionContextHolder.bind(other, TransactionOptions.named("other"))) {
            otherSnapshot = TransactionContextSnapshot.capture();
        }

        try (TransactionContextHolder.Scope ignored = TransactionContextHolder.bind(bound, TransactionOptions.named("bound"))) {
            assertThatIllegalStateException().isThrownBy(otherSnapshot::bind).withMessageContaining("xid-bound");
            assertThat(TransactionContextHolder.current()).isSameAs(bound);

            try (TransactionContextHolder.Scope same = TransactionContextSnapshot.capture().bind()) {
                assertThat(TransactionContextHolder.current()).as("a task run on the submitting thread").isSameAs(bound);
            }
            assertThat(TransactionContextHolder.current()).isSameAs(bound);
        }
        assertThat(TransactionContextHolder.current()).isNull();
    }

    @Test
    void anEmptySnapshotUnbindsWhileBoundAndRestores() {
        GlobalTransaction tx = transaction("xid-2");
        try (TransactionContextHolder.Scope ignored = TransactionContextHolder.bind(tx, TransactionOptions.named("book"))) {
            try (TransactionContextHolder.Scope cleared = TransactionContextSnapshot.none().bind()) {
                assertThat(TransactionContextHolder.current()).isNull();
                assertThat(TccContextHolder.currentXid()).isEmpty();
            }
            assertThat(TransactionContextHolder.current()).isSameAs(tx);
        }
    }

    private static GlobalTransaction transaction(String xid) {
        Instant now = Instant.parse("2026-12-03T08:00:00Z");
        return new GlobalTransaction(xid, "test", now, now.plusSeconds(30), 0);
    }
}
