package dev.tcc.runtime.log;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresFinishAllTests extends AbstractFinishAllTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
