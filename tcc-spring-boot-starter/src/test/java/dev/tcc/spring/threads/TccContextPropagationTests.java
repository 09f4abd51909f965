package dev.tcc.spring.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.NoTccTransactionException;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.TransactionMarkedCancelOnlyException;
import dev.tcc.api.Try;
import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.api.operations.BranchRecord;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spring.TccContextTaskDecorator;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * The TCC context is bound to the initiator's thread. With {@link TccContextTaskDecorator} as a
 * bean, Spring Boot's {@code applicationTaskExecutor} carries it to {@code @Async} methods and to
 * {@code CompletableFuture} tasks run on it; without it a try on another thread says why it fails.
 */
@SpringBootTest(classes = TccContextPropagationTests.AsyncApplication.class, properties = {
        "tcc.phase-two.asynchronous=false", "tcc.recovery.enabled=false", "spring.main.banner-mode=off"})
class TccContextPropagationTests {

    @Autowired
    Travel travel;

    @Autowired
    TccRuntime runtime;

    @Autowired
    DataSource dataSource;

    @Autowired
    @Qualifier("applicationTaskExecutor")
    AsyncTaskExecutor decorated;

    private final ExecutorService plain = Executors.newFixedThreadPool(2);

    String flight;

    @BeforeEach
    void freshFlight() {
        flight = "F-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stopPlainExecutor() {
        plain.shutdownNow();
    }

    @Test
    void aTryInAnAsyncMethodBecomesABranchAndIsConfirmed() {
        Booked booked = travel.bookThroughAsync(flight);

        assertThat(booked.tryThread()).isNotEqualTo(booked.initiatorThread());
        assertThat(booked.tryXid()).isEqualTo(booked.xid());
        assertThat(booked.tryMdcXid()).as("the MDC key tcc.xid on the worker").isEqualTo(booked.xid());
        assertThat(seatStates(flight)).containsExactly("CONFIRMED");
        assertThat(runtime.find(booked.xid())).hasValueSatisfying(tx -> {
            assertThat(tx.state()).isEqualTo(TransactionState.CONFIRMED);
            assertThat(tx.branches()).extracting(BranchRecord::action).containsExactly("holdSeat");
        });
    }

    @Test
    void concurrentTriesOnCompletableFuturesOfADecoratedExecutorAreBranchesOfOneTransaction() {
        List<String> flights = IntStream.range(0, 6).mapToObj(i -> flight + "-" + i).toList();

        String xid = travel.bookInParallel(flights, decorated);

        flights.forEach(f -> assertThat(seatStates(f)).as(f).containsExactly("CONFIRMED"));
        assertThat(runtime.find(xid)).hasValueSatisfying(tx -> assertThat(tx.branches())
                .extracting(BranchRecord::branchId).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6));
    }

    @Test
    void concurrentTriesAreCancelledWhenTheInitiatorThrowsAfterJoiningThem() {
        List<String> flights = IntStream.range(0, 4).mapToObj(i -> flight + "-" + i).toList();

        assertThatThrownBy(() -> travel.bookInParallelThenFail(flights, decorated)).hasMessage("changed my mind");

        flights.forEach(f -> assertThat(seatStates(f)).as(f).containsExactly("RELEASED"));
    }

    @Test
    void aTryOnAnUndecoratedThreadSaysThatTheContextIsBoundToTheCallingThread() {
        assertThatThrownBy(() -> travel.bookInParallel(List.of(flight), plain))
                .rootCause()
                .isInstanceOf(NoTccTransactionException.class)
                .hasMessageContaining("'holdSeat'")
                .hasMessageContaining("bound to the thread")
                .hasMessageContaining("TccContextTaskDecorator");

        assertThat(seatStates(flight)).isEmpty();
    }

    @Test
    void anInitiatorThatReturnsWhileATryStillRunsIsCancelledNotConfirmed() throws Exception {
        SLOW_TRY_STARTED.set(new CountDownLatch(1));
        RELEASE_SLOW_TRY.set(new CountDownLatch(1));
        CompletableFuture<?>[] left = new CompletableFuture<?>[1];

        assertThatExceptionOfType(TransactionMarkedCancelOnlyException.class)
                .isThrownBy(() -> travel.bookWithoutWaiting(flight, decorated, left))
                .withMessageContaining("still running on other threads")
                .withMessageContaining("join its future");

        RELEASE_SLOW_TRY.get().countDown();
        left[0].get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTryThatBeginsAfterTheInitiatorReturnedIsRefused() {
        CountDownLatch release = new CountDownLatch(1);

        CompletableFuture<String> late = travel.bookAndForget(flight, decorated, release);
        release.countDown();

        assertThat(late).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingRootCause().isInstanceOf(TryRefusedException.class).withMessageContaining("already decided");
        assertThat(seatStates(flight)).isEmpty();
    }

    private List<String> seatStates(String flight) {
        return JdbcClient.create(dataSource).sql("SELECT state FROM seat_hold WHERE flight = ?").param(flight)
                .query(String.class).list();
    }

    record Booked(String xid, String tryXid, String tryMdcXid, String initiatorThread, String tryThread) {
    }

    record Hold(String id, String xid, String mdcXid, String thread) {
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableAsync
    @Import({SeatService.class, AsyncSeats.class, Travel.class})
    static class AsyncApplication {

        @Bean
        DataSource dataSource() {
            DataSource dataSource = TestDatabases.h2("seats");
            JdbcClient.create(dataSource).sql("CREATE TABLE seat_hold (id VARCHAR(64) PRIMARY KEY, flight VARCHAR(64),"
                    + " state VARCHAR(16))").update();
            return dataSource;
        }

        @Bean
        TccContextTaskDecorator tccContextTaskDecorator() {
            return new TccContextTaskDecorator();
        }
    }

    static class SeatService {
        private final JdbcClient jdbc;

        SeatService(JdbcClient jdbc) {
            this.jdbc = jdbc;
        }

        @Try
        public Hold holdSeat(String flight) {
            String id = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO seat_hold (id, flight, state) VALUES (?, ?, 'PENDING')").params(id, flight).update();
            return new Hold(id, TccContextHolder.currentXid().orElseThrow(), MDC.get("tcc.xid"), Thread.currentThread().getName());
        }

        @Confirm("holdSeat")
        public void confirmSeat(TccContext context) {
            jdbc.sql("UPDATE seat_hold SET state = 'CONFIRMED' WHERE id = ?").param(context.tryResult(Hold.class).id()).update();
        }

        @Cancel("holdSeat")
        public void releaseSeat(TccContext context) {
            jdbc.sql("UPDATE seat_hold SET state = 'RELEASED' WHERE id = ?").param(context.tryResult(Hold.class).id()).update();
        }

        /** Tells {@link #SLOW_TRY_STARTED} it runs, then waits for {@link #RELEASE_SLOW_TRY}. */
        @Try(name = "holdSeatSlowly")
        public Hold holdSeatSlowly(String flight) {
            SLOW_TRY_STARTED.get().countDown();
            await(RELEASE_SLOW_TRY.get());
            return holdSeat(flight);
        }

        @Confirm("holdSeatSlowly")
        public void confirmSlowSeat(TccContext context) {
            confirmSeat(context);
        }

        @Cancel("holdSeatSlowly")
        public void releaseSlowSeat(TccContext context) {
            releaseSeat(context);
        }
    }

    static final AtomicReference<CountDownLatch> SLOW_TRY_STARTED = new AtomicReference<>();
    static final AtomicReference<CountDownLatch> RELEASE_SLOW_TRY = new AtomicReference<>();

    static class AsyncSeats {
        private final SeatService seats;

        AsyncSeats(SeatService seats) {
            this.seats = seats;
        }

        @Async
        public CompletableFuture<Hold> holdSeat(String flight) {
            return CompletableFuture.completedFuture(seats.holdSeat(flight));
        }
    }

    static class Travel {
        private final SeatService seats;
        private final AsyncSeats asyncSeats;

        Travel(SeatService seats, AsyncSeats asyncSeats) {
            this.seats = seats;
            this.asyncSeats = asyncSeats;
        }

        @TccTransactional
        public Booked bookThroughAsync(String flight) {
            Hold hold = asyncSeats.holdSeat(flight).join();
            return new Booked(TccContextHolder.currentXid().orElseThrow(), hold.xid(), hold.mdcXid(), Thread.currentThread().getName(),
                    hold.thread());
        }

        @TccTransactional
        public String bookInParallel(List<String> flights, Executor executor) {
            List<CompletableFuture<Hold>> holds = flights.stream()
                    .map(f -> CompletableFuture.supplyAsync(() -> seats.holdSeat(f), executor)).toList();
            CompletableFuture.allOf(holds.toArray(CompletableFuture[]::new)).join();
            return TccContextHolder.currentXid().orElseThrow();
        }

        @TccTransactional
        public void bookInParallelThenFail(List<String> flights, Executor executor) {
            bookInParallel(flights, executor);
            throw new IllegalStateException("changed my mind");
        }

        @TccTransactional
        public void bookWithoutWaiting(String flight, Executor executor, CompletableFuture<?>[] left)
                throws InterruptedException {
            left[0] = CompletableFuture.runAsync(() -> seats.holdSeatSlowly(flight), executor);
            SLOW_TRY_STARTED.get().await(10, TimeUnit.SECONDS);
            // returns without joining the future: the try is still running
        }

        @TccTransactional
        public CompletableFuture<String> bookAndForget(String flight, Executor executor, CountDownLatch release) {
            return CompletableFuture.supplyAsync(() -> {
                await(release);
                return seats.holdSeat(flight).id();
            }, executor);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
