package dev.tcc.sample.common;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample: its four services (ports, and the URLs booking calls them at), their
 * databases and the failure scenarios. Every service reads the same properties and takes its own part.
 */
@ConfigurationProperties("sample")
public class SampleProperties {

    /**
     * Ports and URLs per service: booking, flights, hotels, payments. The launcher fills in the URLs of the
     * services it started; set them to call services that run elsewhere.
     */
    private final Map<String, Service> services = new LinkedHashMap<>();

    /** Connection settings per service's database: booking (also its TCC transaction log), flights, hotels, payments. */
    private final Map<String, Database> datasource = new LinkedHashMap<>();

    /** Whether to create missing PostgreSQL databases at start-up (connecting to the 'postgres' database). */
    private boolean createDatabases = false;

    private final Failures failures = new Failures();

    public Map<String, Service> getServices() {
        return services;
    }

    public Map<String, Database> getDatasource() {
        return datasource;
    }

    public boolean isCreateDatabases() {
        return createDatabases;
    }

    public void setCreateDatabases(boolean createDatabases) {
        this.createDatabases = createDatabases;
    }

    public Failures getFailures() {
        return failures;
    }

    /** Where one service listens and is reached. */
    public static class Service {
        /** Port of the service's web server; 0 picks a free one. */
        private int port;
        /** Base URL other services call it at, e.g. http://localhost:8081. */
        private String url;

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }
    }

    /** One JDBC database. */
    public static class Database {
        /** JDBC URL. */
        private String url;
        /** Login user. */
        private String username = "sa";
        /** Login password. */
        private String password = "";
        /** Largest number of pooled connections. */
        private int maximumPoolSize = 16;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public int getMaximumPoolSize() {
            return maximumPoolSize;
        }

        public void setMaximumPoolSize(int maximumPoolSize) {
            this.maximumPoolSize = maximumPoolSize;
        }
    }

    /** The failure scenarios. */
    public static class Failures {
        /**
         * How long the hotel's try takes in the "hotel slow" scenario. Empty: long enough for the
         * flight's hold to expire and be released by recovery first (hold + expiry grace + two
         * recovery intervals + 1s).
         */
        private Duration hotelDelay;

        /** How long the payments service stays down in the "payment service down" scenario. */
        private Duration outage = Duration.ofSeconds(20);

        public Duration getHotelDelay() {
            return hotelDelay;
        }

        public void setHotelDelay(Duration hotelDelay) {
            this.hotelDelay = hotelDelay;
        }

        public Duration getOutage() {
            return outage;
        }

        public void setOutage(Duration outage) {
            this.outage = outage;
        }
    }
}
