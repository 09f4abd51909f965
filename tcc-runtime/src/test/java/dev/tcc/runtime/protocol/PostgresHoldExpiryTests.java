package dev.tcc.runtime.protocol;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresHoldExpiryTests extends AbstractHoldExpiryTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
