package dev.tcc.spring.http.services;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.testing.TestDatabases;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** One started {@link ServiceApplication}: its port, its database, its runtime. */
public record RunningService(String name, ConfigurableApplicationContext context, int port) implements AutoCloseable {

    /** The key every service shares in these tests. */
    public static final String KEY_ID = "k1";
    public static final String SECRET = "cross-service-test-secret-0123456789abcdef";

    /** Starts service {@code name} on a random port with a fresh database of {@code kind}. */
    public static RunningService start(String name, TestDatabases.Kind kind, String... properties) {
        List<String> args = new ArrayList<>(List.of("--service.name=" + name, "--spring.application.name=" + name,
                "--test.database=" + kind.name().toLowerCase(java.util.Locale.ROOT), "--server.port=0",
                "--spring.main.banner-mode=off", "--tcc.jdbc.initialize-schema=always", "--tcc.recovery.enabled=false",
                "--tcc.phase-two.asynchronous=false", "--tcc.retry.max-attempts=2", "--tcc.retry.initial-interval=20ms",
                "--tcc.recovery.initial-backoff=50ms", "--tcc.recovery.max-backoff=100ms",
                // the scenarios take participants down on purpose, one after another in one class: a circuit opened by
                // an earlier scenario would skip the next one's phase two for its open duration (30s)
                "--tcc.circuit-breaker.minimum-calls=1000", "--tcc.circuit-breaker.sliding-window-size=1000",
                "--tcc.http.signing.key-id=" + KEY_ID, "--tcc.http.signing.keys." + KEY_ID + "=" + SECRET,
                "--management.endpoints.access.default=none"));
        for (String property : properties) {
            args.add("--" + property);
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ServiceApplication.class)
                .run(args.toArray(String[]::new));
        int port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
        return new RunningService(name, context, port);
    }

    public String url(String pathAndQuery) {
        return "http://localhost:" + port + pathAndQuery;
    }

    /** {@code /holds?booking=...} with more query parameters, e.g. {@code "fail=try"}. */
    public String holds(String booking, String... parameters) {
        StringBuilder url = new StringBuilder(url("/holds?booking=" + encode(booking)));
        for (String parameter : parameters) {
            url.append('&').append(parameter);
        }
        return url.toString();
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    public TccRuntime runtime() {
        return context.getBean(TccRuntime.class);
    }

    public ServiceApplication.Booking booking() {
        return context.getBean(ServiceApplication.Booking.class);
    }

    public ServiceApplication.Outage outage() {
        return context.getBean(ServiceApplication.Outage.class);
    }

    public ServiceApplication.Gate gate() {
        return context.getBean(ServiceApplication.Gate.class);
    }

    public HoldRows rows() {
        return new HoldRows(name, context.getBean(DataSource.class));
    }

    @Override
    public void close() {
        context.close();
    }
}
