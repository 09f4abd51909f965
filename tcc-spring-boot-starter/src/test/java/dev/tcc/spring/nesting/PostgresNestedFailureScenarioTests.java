package dev.tcc.spring.nesting;

import dev.tcc.runtime.testing.TestDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.TestPropertySource;

/** The nested-failure scenarios on two fresh schemas of the local PostgreSQL server (failing in CI when none answers). */
@TestPropertySource(properties = "test.database=postgresql")
class PostgresNestedFailureScenarioTests extends AbstractNestedFailureScenarioTests {

    @BeforeAll
    static void requirePostgres() {
        TestDatabases.requirePostgres();
    }
}
