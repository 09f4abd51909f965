package dev.tcc.runtime.jdbc;

import dev.tcc.runtime.testing.TestDatabases;

class H2SchemaCheckTests extends AbstractSchemaCheckTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
