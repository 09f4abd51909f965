package dev.tcc.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.CircuitBreakerStates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The three state gauges of one scrape share one query of the transaction log. */
class AScrapeReadsTheStateCountsOnceTests {

    @Test
    void theInDoubtAndDeadLetterGaugesOfOneScrapeCountTheStatesOnce() {
        TccOperations operations = mock(TccOperations.class);
        when(operations.countByState()).thenReturn(Map.of(TransactionState.CONFIRMING, 2L, TransactionState.FAILED, 1L));
        TccRuntime runtime = mock(TccRuntime.class);
        when(runtime.circuitBreakers()).thenReturn(mock(CircuitBreakerStates.class));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new TccMeterBinder(operations, runtime).bindTo(registry);

        double inDoubt = registry.get("tcc.transactions.in.doubt").gauge().value();
        double failed = registry.get("tcc.transactions.dead.letters").tag("state", "FAILED").gauge().value();
        double heuristic = registry.get("tcc.transactions.dead.letters").tag("state", "HEURISTIC").gauge().value();

        assertThat(new double[] {inDoubt, failed, heuristic}).containsExactly(2, 1, 0);
        verify(operations, times(1)).countByState();
    }

    @Test
    void theNextScrapeReadsThemAgain() {
        TccOperations operations = mock(TccOperations.class);
        when(operations.countByState()).thenReturn(Map.of(TransactionState.FAILED, 1L), Map.of(TransactionState.FAILED, 4L));
        TccRuntime runtime = mock(TccRuntime.class);
        when(runtime.circuitBreakers()).thenReturn(mock(CircuitBreakerStates.class));
        AtomicLong nanoTime = new AtomicLong();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new TccMeterBinder(operations, runtime, nanoTime::get).bindTo(registry);
        assertThat(registry.get("tcc.transactions.dead.letters").tag("state", "FAILED").gauge().value()).isEqualTo(1);

        nanoTime.addAndGet(Duration.ofSeconds(15).toNanos()); // the next scrape

        assertThat(registry.get("tcc.transactions.dead.letters").tag("state", "FAILED").gauge().value()).isEqualTo(4);
    }
}
