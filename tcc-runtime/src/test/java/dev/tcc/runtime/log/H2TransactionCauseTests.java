package dev.tcc.runtime.log;

import dev.tcc.runtime.testing.TestDatabases;

class H2TransactionCauseTests extends AbstractTransactionCauseTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
