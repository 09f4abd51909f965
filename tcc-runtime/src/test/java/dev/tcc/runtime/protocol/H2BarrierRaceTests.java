package dev.tcc.runtime.protocol;

import dev.tcc.runtime.testing.TestDatabases;

class H2BarrierRaceTests extends AbstractBarrierRaceTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
