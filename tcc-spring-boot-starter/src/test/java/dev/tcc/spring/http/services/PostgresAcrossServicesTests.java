package dev.tcc.spring.http.services;

import dev.tcc.runtime.testing.TestDatabases;

/**
 * The cross-service scenarios of {@link AbstractAcrossServicesTests} across three services, each on its own schema
 * of the local PostgreSQL server; skipped outside CI when no server answers, failing in CI ({@code CI=true}).
 */
class PostgresAcrossServicesTests extends AbstractAcrossServicesTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
