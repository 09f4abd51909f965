package dev.tcc.runtime.barrier;

import dev.tcc.runtime.testing.TestDatabases;

class PostgresBatchedBarrierTests extends AbstractBatchedBarrierTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRESQL;
    }
}
