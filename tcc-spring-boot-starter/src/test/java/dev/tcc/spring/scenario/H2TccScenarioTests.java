package dev.tcc.spring.scenario;

import org.springframework.test.context.TestPropertySource;

/** The annotation scenarios on two H2 databases. */
@TestPropertySource(properties = "test.database=h2")
class H2TccScenarioTests extends AbstractTccScenarioTests {
}
