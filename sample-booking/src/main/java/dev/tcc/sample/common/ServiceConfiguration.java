package dev.tcc.sample.common;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * What every service of the sample configures the same way: its settings, a clock, and its own
 * database: the one named by {@code spring.application.name} in {@code sample.datasource.<name>}
 * (booking keeps its bookings, idempotency keys and TCC transaction log there; a participant its
 * inventory, holds and barrier rows). The sample's tables are created (and seeded) from
 * {@code db/<name>.sql} when the pool is built; the TCC tables by the starter
 * ({@code tcc.jdbc.initialize-schema}). Imported by each service's application class, never scanned.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SampleProperties.class)
public class ServiceConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ServiceConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    HikariDataSource dataSource(SampleProperties properties, @Value("${spring.application.name}") String service) {
        return open(service, properties);
    }

    @Bean
    JdbcTransactionManager transactionManager(DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    private static HikariDataSource open(String name, SampleProperties properties) {
        SampleProperties.Database settings = properties.getDatasource().get(name);
        if (settings == null || settings.getUrl() == null || settings.getUrl().isBlank()) {
            throw new IllegalStateException("No URL for the database of the '" + name + "' service: set sample.datasource." + name + ".url");
        }
        if (properties.isCreateDatabases() && settings.getUrl().startsWith("jdbc:postgresql:")) {
            createPostgresDatabase(settings);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(settings.getUrl());
        config.setUsername(settings.getUsername());
        config.setPassword(settings.getPassword());
        config.setMaximumPoolSize(settings.getMaximumPoolSize());
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            new ResourceDatabasePopulator(new ClassPathResource("db/" + name + ".sql")).execute(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return dataSource;
    }

    /** Creates the database named by a PostgreSQL URL when it does not exist yet. */
    private static void createPostgresDatabase(SampleProperties.Database settings) {
        String url = settings.getUrl();
        int slash = url.lastIndexOf('/');
        int query = url.indexOf('?', slash);
        String database = query < 0 ? url.substring(slash + 1) : url.substring(slash + 1, query);
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalStateException("Cannot create PostgreSQL database [" + database + "]: use lower-case letters, digits and '_'");
        }
        String admin = url.substring(0, slash + 1) + "postgres" + (query < 0 ? "" : url.substring(query));
        try (Connection c = DriverManager.getConnection(admin, settings.getUsername(), settings.getPassword());
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                create.execute("CREATE DATABASE " + database);
                log.info("Created PostgreSQL database [{}]", database);
            }
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                return; // created concurrently
            }
            throw new IllegalStateException("Could not create PostgreSQL database [" + database + "] via " + admin + ": " + e.getMessage(), e);
        }
    }
}
