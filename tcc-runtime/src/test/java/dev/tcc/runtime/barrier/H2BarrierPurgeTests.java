package dev.tcc.runtime.barrier;

import dev.tcc.runtime.testing.TestDatabases;

class H2BarrierPurgeTests extends AbstractBarrierPurgeTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
