package dev.tcc.spring.http.services;

import dev.tcc.runtime.testing.TestDatabases;

/** The cross-service scenarios of {@link AbstractAcrossServicesTests} on three H2 databases. */
class H2AcrossServicesTests extends AbstractAcrossServicesTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
