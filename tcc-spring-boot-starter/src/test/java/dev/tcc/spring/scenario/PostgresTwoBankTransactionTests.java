package dev.tcc.spring.scenario;

import dev.tcc.runtime.testing.TestDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.TestPropertySource;

/**
 * The two-bank transfer on two fresh schemas of the local PostgreSQL server; skipped outside CI
 * when no server answers, failing in CI ({@code CI=true}).
 */
@TestPropertySource(properties = "test.database=postgresql")
class PostgresTwoBankTransactionTests extends AbstractTwoBankTransactionTests {

    @BeforeAll
    static void requirePostgres() {
        TestDatabases.requirePostgres();
    }
}
