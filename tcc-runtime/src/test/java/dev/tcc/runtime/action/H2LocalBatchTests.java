package dev.tcc.runtime.action;

import dev.tcc.runtime.testing.TestDatabases;

class H2LocalBatchTests extends AbstractLocalBatchTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
