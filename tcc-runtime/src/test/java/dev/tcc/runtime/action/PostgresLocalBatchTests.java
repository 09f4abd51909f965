package dev.tcc.runtime.action;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresLocalBatchTests extends AbstractLocalBatchTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
