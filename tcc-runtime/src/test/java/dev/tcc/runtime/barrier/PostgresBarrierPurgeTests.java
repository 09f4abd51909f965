package dev.tcc.runtime.barrier;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresBarrierPurgeTests extends AbstractBarrierPurgeTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
