package dev.tcc.crash.spring;

import dev.tcc.runtime.testing.TestDatabases;

/** The Spring Boot crash test on two H2 file databases. */
class H2SpringBankCrashTests extends AbstractSpringBankCrashTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }
}
