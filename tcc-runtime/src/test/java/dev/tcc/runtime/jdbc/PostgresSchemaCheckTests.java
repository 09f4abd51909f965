package dev.tcc.runtime.jdbc;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresSchemaCheckTests extends AbstractSchemaCheckTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
