package dev.tcc.spring.scenario;

import org.springframework.test.context.TestPropertySource;

/** The two-bank transfer on two H2 databases. */
@TestPropertySource(properties = "test.database=h2")
class H2TwoBankTransactionTests extends AbstractTwoBankTransactionTests {
}
