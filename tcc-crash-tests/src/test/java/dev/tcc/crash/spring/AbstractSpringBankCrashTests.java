package dev.tcc.crash.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.runtime.testing.TestDatabases;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's acceptance test: a Spring Boot application with two banks on two DataSources, whose
 * credit participant names its transaction manager only by a class-level
 * {@code @Transactional("bankBTx")}, is killed with {@code kill -9} {@value #KILLS} times while it
 * runs transfers, restarted each time, then settled; no body may have run twice, money is
 * conserved, no hold is left, and every barrier row is on its participant's own database.
 * Subclasses choose the database product.
 */
abstract class AbstractSpringBankCrashTests {

    static final int KILLS = 4;

    abstract TestDatabases.Kind kind();

    @Test
    void anApplicationKilledWhileTransferringConvergesWithEveryBodyRunOnceOnItsOwnDatabase() throws Exception {
        long seed = Long.getLong("tcc.crash.seed", 20261203L) + kind().ordinal();

        SpringBankCrash.Result result = SpringBankCrash.run(kind(), seed, KILLS);

        System.out.println("spring crash run " + kind() + " (seed " + seed + "): " + result);
        assertThat(result.kills()).as("children really killed by SIGKILL while transferring").isEqualTo(KILLS);
        assertThat(result.killsThatLeftWork()).as("kills that left work for recovery: " + result).isPositive();
        assertThat(result.report().violations()).as("invariants after " + KILLS + " kill -9 and a settle run on " + kind()
                + " (seed " + seed + "); child output in " + result.dir()).isEmpty();
        assertThat(result.converged()).as("the settle run finished everything: " + result.settleVerdict()).isTrue();
        assertThat(result.report().confirmed()).as("confirmed transfers").isPositive();
    }
}
