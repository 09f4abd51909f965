package dev.tcc.crash.http;

import dev.tcc.runtime.testing.TestDatabases;

/** The crash test across HTTP with the initiator's log in an H2 file and the participant on H2 in memory. */
class H2InitiatorKilledTests extends AbstractInitiatorKilledTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
