package dev.tcc.runtime.plain;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresBatchedPhaseTwoTests extends AbstractBatchedPhaseTwoTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
