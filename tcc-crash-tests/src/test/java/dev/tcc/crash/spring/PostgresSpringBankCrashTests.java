package dev.tcc.crash.spring;

import dev.tcc.runtime.testing.TestDatabases;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Spring Boot crash test on two fresh schemas of the local PostgreSQL server; skipped outside
 * CI when no server answers, failing in CI ({@code CI=true}).
 */
class PostgresSpringBankCrashTests extends AbstractSpringBankCrashTests {

    @BeforeAll
    static void requirePostgres() {
        TestDatabases.requirePostgres();
    }

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
