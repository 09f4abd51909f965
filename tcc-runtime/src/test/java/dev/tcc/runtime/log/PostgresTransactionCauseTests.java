package dev.tcc.runtime.log;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresTransactionCauseTests extends AbstractTransactionCauseTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
