package dev.tcc.crash.http;

import dev.tcc.runtime.testing.TestDatabases;
import org.junit.jupiter.api.BeforeAll;

/**
 * The crash test across HTTP on two fresh schemas of the local PostgreSQL server; skipped outside CI when no server
 * answers, failing in CI ({@code CI=true}).
 */
class PostgresInitiatorKilledTests extends AbstractInitiatorKilledTests {

    @BeforeAll
    static void requirePostgres() {
        TestDatabases.requirePostgres();
    }

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
