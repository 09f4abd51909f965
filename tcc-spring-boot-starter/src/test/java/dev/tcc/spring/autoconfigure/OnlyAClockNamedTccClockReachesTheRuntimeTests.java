package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class OnlyAClockNamedTccClockReachesTheRuntimeTests {

    @Test
    void anApplicationsMockedClockDoesNotReachTheRuntime() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, AopAutoConfiguration.class, TccAutoConfiguration.class))
                .withPropertyValues("tcc.recovery.enabled=false", "tcc.phase-two.asynchronous=false", "spring.datasource.generate-unique-name=true")
                .withBean(Clock.class, () -> Mockito.mock(Clock.class)) // as @MockitoBean Clock in a test of the application's own code
                .withBean(Payments.class).withBean(Checkout.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Throwable t = catchThrowable(() -> context.getBean(Checkout.class).pay("o"));
                    assertThat(t).isNull();
                });
    }

    static class Payments {
        @Try
        public String authorize(String order) {
            return order;
        }

        @Confirm("authorize")
        public void capture(String order, TccContext context) {
        }

        @Cancel("authorize")
        public void release(String order, TccContext context) {
        }
    }

    static class Checkout {
        private final Payments payments;

        Checkout(Payments payments) {
            this.payments = payments;
        }

        @TccTransactional
        public String pay(String order) {
            return payments.authorize(order);
        }
    }
}
