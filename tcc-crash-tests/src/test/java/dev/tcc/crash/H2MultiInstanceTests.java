package dev.tcc.crash;

import dev.tcc.runtime.testing.TestDatabases;

/** Two instances on shared in-memory H2 databases. */
class H2MultiInstanceTests extends AbstractMultiInstanceTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
