package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.Try;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class OverriddenTccMethodsCountOnceTests {

    @Test
    void aSubclassOverridingAnAnnotatedTryStarts() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, AopAutoConfiguration.class, TccAutoConfiguration.class))
                .withPropertyValues("tcc.recovery.enabled=false", "spring.datasource.generate-unique-name=true")
                .withBean(Seats.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                });
    }

    abstract static class HoldService {
        @Try
        public String hold(String id) {
            return id;
        }

        @Confirm("hold")
        public void confirm(String id, TccContext c) {
        }

        @Cancel("hold")
        public void cancel(String id, TccContext c) {
        }
    }

    static class Seats extends HoldService {
        @Override
        public String hold(String id) {
            return super.hold(id);
        }
    }
}
