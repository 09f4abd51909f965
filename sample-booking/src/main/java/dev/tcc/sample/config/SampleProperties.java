package dev.tcc.sample.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the sample: its four databases and the failure scenarios. */
@ConfigurationProperties("sample")
public class SampleProperties {

    /** Connection settings per database: booking (also the TCC transaction log), flights, hotels, payments. */
    private final Map<String, Database> datasource = new LinkedHashMap<>();

    /** Whether to create missing PostgreSQL databases at start-up (connecting to the 'postgres' database). */
    private boolean createDatabases = false;

    private final Failures failures = new Failures();

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

        /** How long a participant stays down in the "participant down" scenario. */
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
