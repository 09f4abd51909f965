package dev.tcc.crash.spring;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * The application of the Spring Boot crash test, written as a user writes one: two banks on two
 * {@link DataSource}s, bank A {@code @Primary} with the primary transaction manager (it also holds
 * the TCC transaction log), bank B with its own {@code bankBTx}. {@link DebitService} works on
 * bank A, {@link CreditService} on bank B, {@link TransferService} is the initiator.
 *
 * <p>Run as a child JVM by {@link SpringBankCrash}; {@code crash.mode} says what
 * {@link TransferWorkload} does once the context is up. Settings: {@code bank-application.properties}.
 */
@SpringBootApplication
public class BankApplication {

    public static void main(String[] args) throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(BankApplication.class)
                .properties("spring.config.name=bank-application")
                .run(args);
        int exit = context.getBean(TransferWorkload.class).run();
        System.out.flush();
        Runtime.getRuntime().halt(exit); // no shutdown: the next start finds the databases as this one left them
    }

    @Bean
    @Primary
    @ConfigurationProperties("bank.a.datasource")
    HikariDataSource bankA() {
        return DataSourceBuilder.create().type(HikariDataSource.class).build();
    }

    @Bean
    @ConfigurationProperties("bank.b.datasource")
    HikariDataSource bankB() {
        return DataSourceBuilder.create().type(HikariDataSource.class).build();
    }

    @Bean
    @Primary
    JdbcTransactionManager transactionManager(@Qualifier("bankA") DataSource bankA) {
        return new JdbcTransactionManager(bankA);
    }

    @Bean
    DataSourceTransactionManager bankBTx(@Qualifier("bankB") DataSource bankB) {
        return new DataSourceTransactionManager(bankB);
    }
}
