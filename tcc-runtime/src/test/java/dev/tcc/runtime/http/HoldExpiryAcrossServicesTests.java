package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hold expiry of branches whose coordinator is in another service: an erroring coordinator is asked once per pass. */
class HoldExpiryAcrossServicesTests {

    private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");
    private static final String DOWN = "http://down.test/tcc/coordinator";
    private static final String FAILING = "http://failing.test/tcc/coordinator";

    private final MutableClock clock = new MutableClock(START);
    private final AtomicInteger questions = new AtomicInteger();
    private HikariDataSource log;
    private HikariDataSource db;
    private TccRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        log = TestDatabases.h2("expiry-log");
        db = TestDatabases.h2("expiry-db");
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true).clock(clock)
                .settings(TccSettings.builder().holdExpiryGrace(Duration.ofSeconds(1))
                        .coordinatorUnreachableAfter(Duration.ofMinutes(1)).build())
                .remoteCoordinators(url -> new DecisionSource() {
                    @Override
                    public Decision read(String xid) {
                        return Decision.UNDECIDED;
                    }

                    @Override
                    public Decision decideCancelUnlessConfirmed(String xid, int branchId) throws Exception {
                        questions.incrementAndGet();
                        if (url.equals(DOWN)) {
                            throw new CoordinatorUnreachableException("connection refused", null);
                        }
                        throw new IllegalStateException("503 from the coordinator");
                    }
                })
                .build();
        runtime.action("hold", String.class, String.class).database("db", db).hold(Duration.ofSeconds(30))
                .onTry((c, a, ctx) -> "held").onConfirm((c, a, ctx) -> { }).onCancel((c, a, ctx) -> { }).register();
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        db.close();
        log.close();
    }

    private void tryAt(String coordinator, String xid) throws Exception {
        Instant deadline = START.plusSeconds(30);
        runtime.participant("hold").tryBranch(xid, 2, deadline, deadline, coordinator, new Object[] {"a"}, ctx -> "held");
    }

    private long tried() {
        return TestDatabases.queryLong(db, "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'");
    }

    @Test
    void holdsOfAnUnreachableCoordinatorEachAskForThemselvesAndAllExpireAloneOnceItStaysUnreachable() throws Exception {
        for (int i = 0; i < 5; i++) {
            tryAt(DOWN, "x-down-" + i);
        }
        clock.advance(Duration.ofSeconds(40)); // past the holds and the grace

        runtime.holdExpiry().runOnce();
        // each hold's own observation: a failure of another hold's question never speaks for it (a dead coordinator
        // is answered fast by its open circuit in production)
        assertThat(questions).as("a question per hold").hasValue(5);
        assertThat(tried()).isEqualTo(5);

        clock.advance(Duration.ofMinutes(2)); // unreachable for longer than coordinator-unreachable-after, for every hold
        runtime.holdExpiry().runOnce();

        assertThat(tried()).as("every hold's clock started at the first pass").isZero();
    }

    @Test
    void aCoordinatorThatAnswersWithErrorsIsAskedOncePerPassAndItsHoldsWaitWhileOthersGoOn() throws Exception {
        for (int i = 0; i < 3; i++) {
            tryAt(FAILING, "x-failing-" + i);
        }
        tryAt(DOWN, "x-down");
        clock.advance(Duration.ofSeconds(40));

        runtime.holdExpiry().runOnce();
        runtime.holdExpiry().runOnce();

        assertThat(questions).as("one question per pass for the erroring coordinator, one per hold for the unreachable")
                .hasValue(4);
        clock.advance(Duration.ofMinutes(2));
        runtime.holdExpiry().runOnce();
        assertThat(tried()).as("an error answer never lets a hold expire alone; the unreachable one did").isEqualTo(3);
    }
}
