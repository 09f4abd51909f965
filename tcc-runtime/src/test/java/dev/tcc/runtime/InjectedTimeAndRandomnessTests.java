package dev.tcc.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.TccContextHolder;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.TccEvent;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runtime takes its xids, instance id and durations from the sources its builder was given. */
class InjectedTimeAndRandomnessTests {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private HikariDataSource log;
    private HikariDataSource shop;
    private final List<TccEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicLong ticks = new AtomicLong();

    @BeforeEach
    void setUp() {
        log = TestDatabases.h2("log");
        shop = TestDatabases.h2("shop");
    }

    @AfterEach
    void tearDown() {
        log.close();
        shop.close();
    }

    private TccRuntime runtime(long seed) {
        return TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build())
                .random(new Random(seed))
                .ticker(() -> ticks.addAndGet(SECOND)) // every reading is one second later
                .listener(events::add)
                .build();
    }

    @Test
    void theDefaultInstanceIdIsDrawnFromTheInjectedRandomSource() {
        try (TccRuntime first = runtime(42); TccRuntime second = runtime(42); TccRuntime third = runtime(7)) {
            assertThat(first.instanceId()).matches("tcc-[0-9a-f]{8}").isEqualTo(second.instanceId());
            assertThat(third.instanceId()).isNotEqualTo(first.instanceId());
        }
    }

    @Test
    void transactionsAndPhaseTwoAreTimedOnTheInjectedTicker() throws Exception {
        try (TccRuntime runtime = runtime(42)) {
            TccAction<String, String> order = runtime.action("order", String.class, String.class)
                    .database("shop", shop)
                    .onTry((c, arg, ctx) -> arg)
                    .onConfirm((c, arg, ctx) -> { })
                    .onCancel((c, arg, ctx) -> { })
                    .register();

            runtime.execute(TransactionOptions.named("checkout"), () -> order.tryAction("book"));
        }

        List<TccEvent> timed = events.stream()
                .filter(e -> e.type() == TccEvent.Type.DECIDED || e.type() == TccEvent.Type.PHASE_TWO_COMPLETED)
                .toList();
        assertThat(timed).hasSize(2).allSatisfy(e -> {
            assertThat(e.duration()).isPositive();
            assertThat(e.duration().toNanos() % SECOND).as("whole seconds of the injected ticker").isZero();
        });
    }

    @Test
    void xidsAreDrawnFromTheInjectedRandomSource() throws Exception {
        String first;
        String second;
        try (TccRuntime runtime = runtime(42)) {
            first = runtime.execute(TransactionOptions.named("a"), () -> TccContextHolder.currentXid().orElseThrow());
        }
        try (TccRuntime runtime = runtime(42)) {
            second = runtime.execute(TransactionOptions.named("a"), () -> TccContextHolder.currentXid().orElseThrow());
        }
        assertThat(first).isEqualTo(second);
    }
}
