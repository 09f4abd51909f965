package dev.tcc.runtime.barrier;

import dev.tcc.runtime.testing.TestDatabases;

class H2BatchedBarrierTests extends AbstractBatchedBarrierTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
