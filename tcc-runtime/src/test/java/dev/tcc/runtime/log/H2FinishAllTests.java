package dev.tcc.runtime.log;

import dev.tcc.runtime.testing.TestDatabases;

class H2FinishAllTests extends AbstractFinishAllTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
