package dev.tcc.runtime.plain;

import dev.tcc.runtime.testing.TestDatabases;

class H2BatchedPhaseTwoTests extends AbstractBatchedPhaseTwoTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
