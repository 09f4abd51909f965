package dev.tcc.sample.config;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * Four databases, as four separate services would have: 'booking' (the bookings, the idempotency
 * keys and the TCC transaction log; primary), and one per participant: 'flights', 'hotels',
 * 'payments'. Each has its own transaction manager; the participants name theirs in
 * {@code @Try(transactionManager = ...)}, so each hold row commits with its barrier row on its own
 * database. The sample's tables are created (and seeded) when each pool is built; the TCC tables
 * are created by the starter ({@code tcc.jdbc.initialize-schema}).
 */
@Configuration(proxyBeanMethods = false)
public class Databases {

    private static final Logger log = LoggerFactory.getLogger(Databases.class);

    @Bean
    @Primary
    HikariDataSource bookingDataSource(SampleProperties properties) {
        return open("booking", properties);
    }

    @Bean
    HikariDataSource flightsDataSource(SampleProperties properties) {
        return open("flights", properties);
    }

    @Bean
    HikariDataSource hotelsDataSource(SampleProperties properties) {
        return open("hotels", properties);
    }

    @Bean
    HikariDataSource paymentsDataSource(SampleProperties properties) {
        return open("payments", properties);
    }

    @Bean
    @Primary
    JdbcTransactionManager transactionManager(@Qualifier("bookingDataSource") DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    @Bean
    JdbcTransactionManager flightsTransactionManager(@Qualifier("flightsDataSource") DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    @Bean
    JdbcTransactionManager hotelsTransactionManager(@Qualifier("hotelsDataSource") DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    @Bean
    JdbcTransactionManager paymentsTransactionManager(@Qualifier("paymentsDataSource") DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    private static HikariDataSource open(String name, SampleProperties properties) {
        SampleProperties.Database settings = properties.getDatasource().get(name);
        if (settings == null || settings.getUrl() == null || settings.getUrl().isBlank()) {
            throw new IllegalStateException("No URL for the '" + name + "' database: set sample.datasource." + name + ".url");
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
