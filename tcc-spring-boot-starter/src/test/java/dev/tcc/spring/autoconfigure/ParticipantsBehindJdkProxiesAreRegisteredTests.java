package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.transaction.annotation.Transactional;

class ParticipantsBehindJdkProxiesAreRegisteredTests {

    @Test
    void aParticipantBehindAJdkProxyIsRegisteredAndConfirmed() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                        AopAutoConfiguration.class, TccAutoConfiguration.class))
                .withPropertyValues("tcc.recovery.enabled=false", "tcc.phase-two.asynchronous=false",
                        "spring.datasource.generate-unique-name=true", "spring.aop.proxy-target-class=false")
                .withBean("credit", Credit.class).withBean("initiator", Initiator.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(AopUtils.isJdkDynamicProxy(context.getBean(CreditApi.class))).isTrue();
                    context.getBean(InitiatorApi.class).run(context.getBean(CreditApi.class));
                    assertThat(Credit.confirmed).isEqualTo(1);
                });
    }

    public interface CreditApi {
        String credit(String id);
    }

    public interface InitiatorApi {
        void run(CreditApi api);
    }

    public static class Initiator implements InitiatorApi {
        @TccTransactional
        @Override
        public void run(CreditApi api) {
            api.credit("a");
        }
    }

    @Transactional
    public static class Credit implements CreditApi {
        static int confirmed;

        @Try
        @Override
        public String credit(String id) {
            return id;
        }

        @Confirm("credit")
        public void confirm(String id, TccContext c) {
            confirmed++;
        }

        @Cancel("credit")
        public void cancel(String id, TccContext c) {
        }
    }
}
