package dev.tcc.runtime.protocol;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresProtocolTests extends AbstractProtocolTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
