package dev.tcc.crash;

import dev.tcc.runtime.testing.TestDatabases;

/** Two instances on one PostgreSQL database (a fresh schema per database role). */
class PostgresMultiInstanceTests extends AbstractMultiInstanceTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
