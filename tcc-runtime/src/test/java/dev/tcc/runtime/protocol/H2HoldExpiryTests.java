package dev.tcc.runtime.protocol;

import dev.tcc.runtime.testing.TestDatabases;

class H2HoldExpiryTests extends AbstractHoldExpiryTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
