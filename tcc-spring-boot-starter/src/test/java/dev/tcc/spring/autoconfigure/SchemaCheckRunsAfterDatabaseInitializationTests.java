package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.Try;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SchemaCheckRunsAfterDatabaseInitializationTests {

    @TempDir
    Path dir;

    @Test
    void tablesCreatedBySpringSqlInitAreSeenByTheStartUpCheck() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, DataSourceInitializationAutoConfiguration.class,
                        AopAutoConfiguration.class, TccAutoConfiguration.class))
                .withPropertyValues("tcc.recovery.enabled=false", "tcc.jdbc.initialize-schema=never",
                        "spring.datasource.url=jdbc:h2:file:" + dir.resolve("shop").toAbsolutePath(),
                        "spring.sql.init.mode=always", "spring.sql.init.schema-locations=classpath:META-INF/tcc/schema-h2.sql")
                .withBean(Payments.class)
                .run(context -> assertThat(context).hasNotFailed());
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
}
