package dev.tcc.spring.threads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.api.operations.BranchRecord;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spring.TccContextTaskDecorator;
import dev.tcc.spring.threads.TccContextPropagationTests.AsyncSeats;
import dev.tcc.spring.threads.TccContextPropagationTests.Booked;
import dev.tcc.spring.threads.TccContextPropagationTests.SeatService;
import dev.tcc.spring.threads.TccContextPropagationTests.Travel;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * Without {@link TccContextTaskDecorator}, Spring Boot's own context propagation
 * ({@code spring.task.execution.propagate-context=true}, Micrometer's {@code ContextSnapshot})
 * carries the TCC context too, through the starter's {@code ThreadLocalAccessor}.
 */
@SpringBootTest(classes = MicrometerContextPropagationTests.PropagatingApplication.class, properties = {
        "spring.task.execution.propagate-context=true",
        "tcc.phase-two.asynchronous=false", "tcc.recovery.enabled=false", "spring.main.banner-mode=off"})
class MicrometerContextPropagationTests {

    @Autowired
    Travel travel;

    @Autowired
    TccRuntime runtime;

    @Autowired
    DataSource dataSource;

    @Autowired
    ApplicationContext context;

    @Autowired
    @Qualifier("applicationTaskExecutor")
    AsyncTaskExecutor executor;

    @Test
    void aTryInAnAsyncMethodJoinsTheTransactionThroughMicrometersContextPropagation() {
        assertThat(context.getBeansOfType(TccContextTaskDecorator.class)).isEmpty();
        String flight = "F-" + UUID.randomUUID();

        Booked booked = travel.bookThroughAsync(flight);

        assertThat(booked.tryThread()).isNotEqualTo(booked.initiatorThread());
        assertThat(booked.tryXid()).isEqualTo(booked.xid());
        assertThat(runtime.find(booked.xid())).hasValueSatisfying(tx -> {
            assertThat(tx.state()).isEqualTo(TransactionState.CONFIRMED);
            assertThat(tx.branches()).extracting(BranchRecord::action).containsExactly("holdSeat");
        });
        assertThat(seatStates(flight)).containsExactly("CONFIRMED");
    }

    @Test
    void concurrentTriesOnCompletableFuturesAreBranchesOfOneTransaction() {
        List<String> flights = IntStream.range(0, 4).mapToObj(i -> "F-" + UUID.randomUUID()).toList();

        String xid = travel.bookInParallel(flights, executor);

        flights.forEach(f -> assertThat(seatStates(f)).as(f).containsExactly("CONFIRMED"));
        assertThat(runtime.find(xid)).hasValueSatisfying(tx -> assertThat(tx.branches()).hasSize(4));
    }

    private List<String> seatStates(String flight) {
        return JdbcClient.create(dataSource).sql("SELECT state FROM seat_hold WHERE flight = ?").param(flight)
                .query(String.class).list();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableAsync
    @Import({SeatService.class, AsyncSeats.class, Travel.class})
    static class PropagatingApplication {

        @Bean
        DataSource dataSource() {
            DataSource dataSource = TestDatabases.h2("seats");
            JdbcClient.create(dataSource).sql("CREATE TABLE seat_hold (id VARCHAR(64) PRIMARY KEY, flight VARCHAR(64),"
                    + " state VARCHAR(16))").update();
            return dataSource;
        }
    }
}
