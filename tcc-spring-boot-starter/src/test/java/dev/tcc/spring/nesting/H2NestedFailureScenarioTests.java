package dev.tcc.spring.nesting;

import org.springframework.test.context.TestPropertySource;

/** The nested-failure scenarios on two H2 databases. */
@TestPropertySource(properties = "test.database=h2")
class H2NestedFailureScenarioTests extends AbstractNestedFailureScenarioTests {
}
