package dev.tcc.runtime.protocol;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresBarrierRaceTests extends AbstractBarrierRaceTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
