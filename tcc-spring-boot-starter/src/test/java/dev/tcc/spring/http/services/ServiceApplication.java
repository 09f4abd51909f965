package dev.tcc.spring.http.services;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.testing.TestDatabases;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * One service of the cross-service tests; started two or three times in one JVM ({@code service.name} a, b, c),
 * each on a random port with its own database. Any of them can begin a transaction ({@link Booking}) and take
 * part in another's ({@link HoldController}, whose handler calls the {@link Holds} try, which may call further).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ServiceApplication.Holds.class, ServiceApplication.HoldController.class, ServiceApplication.Booking.class,
        ServiceApplication.Outage.class, ServiceApplication.Gate.class})
public class ServiceApplication {

    /** {@code test.database} is h2 or postgresql; each service gets its own fresh database or schema. */
    @Bean
    DataSource dataSource(Environment environment) {
        TestDatabases.Kind kind = TestDatabases.Kind.valueOf(environment.getRequiredProperty("test.database").toUpperCase(Locale.ROOT));
        HikariDataSource pool = TestDatabases.create(kind, "svc_" + environment.getRequiredProperty("service.name"));
        pool.setMaximumPoolSize(4);
        pool.setConnectionTimeout(5_000);
        JdbcClient.create(pool).sql(HoldRows.DDL).update();
        return pool;
    }

    /** The client calls to other services go through: Boot's builder (so it carries the TCC context), short timeouts. */
    @Bean
    @Primary
    RestClient services(RestClient.Builder builder, @Value("${test.read-timeout:5s}") Duration readTimeout) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build());
        requests.setReadTimeout(readTimeout);
        return builder.requestFactory(requests).build();
    }

    /** A client whose read timeout passes while a blocked participant still holds the answer. */
    @Bean
    RestClient impatientServices(RestClient.Builder builder, @Value("${test.impatient-read-timeout:1s}") Duration readTimeout) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build());
        requests.setReadTimeout(readTimeout);
        return builder.requestFactory(requests).build();
    }

    /** While {@link Outage#down} is set, the participant endpoint answers 503, as a service that is down would. */
    @Bean
    FilterRegistrationBean<Filter> outageFilter(Outage outage, @Value("${tcc.http.participant-path:/tcc/participant}") String path) {
        Filter filter = (request, response, chain) -> {
            if (outage.down.get() && ((HttpServletRequest) request).getRequestURI().startsWith(path)) {
                ((HttpServletResponse) response).sendError(503, "down for the test");
                return;
            }
            chain.doFilter(request, response);
        };
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** The participant endpoint's availability. */
    public static class Outage {
        public final AtomicBoolean down = new AtomicBoolean();
    }

    /** Holds a request after its try committed until the test opens it: an answer that comes too late. */
    public static class Gate {
        private volatile CountDownLatch open = new CountDownLatch(0);
        private volatile CountDownLatch entered = new CountDownLatch(1);

        /** Closes the gate: the next blocking request waits until {@link #open()}. */
        public void close() {
            entered = new CountDownLatch(1);
            open = new CountDownLatch(1);
        }

        void pass() throws InterruptedException {
            entered.countDown();
            open.await(30, TimeUnit.SECONDS);
        }

        public boolean awaitEntered(Duration timeout) throws InterruptedException {
            return entered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public void open() {
            open.countDown();
        }
    }

    /** The action every service has: a hold row in its own database; its try may call the next service. */
    public static class Holds {
        private final JdbcClient jdbc;
        private final RestClient services;
        private final String service;

        Holds(DataSource dataSource, RestClient services, @Value("${service.name}") String service) {
            this.jdbc = JdbcClient.create(dataSource);
            this.services = services;
            this.service = service;
        }

        @Try(hold = "60s")
        public String hold(String booking, String next, boolean fail) {
            jdbc.sql("INSERT INTO hold_row (booking, service, state, confirms, cancels) VALUES (?, ?, 'PENDING', 0, 0)")
                    .params(booking, service).update();
            if (next != null) {
                services.post().uri(URI.create(next)).retrieve().toBodilessEntity();
            }
            if (fail) {
                throw new IllegalStateException("The hold of '" + booking + "' in " + service + " fails, as the test asked");
            }
            return service;
        }

        @Confirm("hold")
        public void confirm(String booking, String next, boolean fail) {
            jdbc.sql("UPDATE hold_row SET state = 'CONFIRMED', confirms = confirms + 1 WHERE booking = ?").param(booking).update();
        }

        @Cancel("hold")
        public void cancel(String booking, String next, boolean fail) {
            jdbc.sql("UPDATE hold_row SET state = 'CANCELLED', cancels = cancels + 1 WHERE booking = ?").param(booking).update();
        }

        /** A second try that always fails, after the first one committed. */
        @Try
        public void refuse(String booking) {
            throw new IllegalStateException("The second step of '" + booking + "' in " + service + " fails, as the test asked");
        }

        @Confirm("refuse")
        public void confirmRefuse(String booking) {
        }

        @Cancel("refuse")
        public void cancelRefuse(String booking) {
        }
    }

    /** What other services call: a hold here, inside the caller's transaction. */
    @RestController
    public static class HoldController {
        private final Holds holds;
        private final Gate gate;
        private final TccRuntime runtime;

        HoldController(Holds holds, Gate gate, TccRuntime runtime) {
            this.holds = holds;
            this.gate = gate;
            this.runtime = runtime;
        }

        /**
         * @param fail  none; try (the hold's try throws); after (the hold commits, then a second try throws)
         * @param next  a URL the hold's try calls in turn (nesting)
         * @param block whether the answer waits for the test's gate after the hold committed
         */
        @PostMapping("/holds")
        public Map<String, String> hold(@RequestParam String booking, @RequestParam(defaultValue = "none") String fail,
                                        @RequestParam(required = false) String next,
                                        @RequestParam(defaultValue = "false") boolean block) throws InterruptedException {
            String service = holds.hold(booking, next, fail.equals("try"));
            if (block) {
                gate.pass();
            }
            if (fail.equals("after")) {
                holds.refuse(booking);
            }
            return Map.of("booking", booking, "service", service);
        }

        /** Answers the body it reads: the filter read it first to check its signature. */
        @PostMapping("/echo")
        public String echo(@org.springframework.web.bind.annotation.RequestBody String body) {
            return body;
        }

        /** What the serving thread has bound: nothing, outside a joined call. */
        @GetMapping("/context")
        public Map<String, Object> context() {
            return Map.of("xid", TccContextHolder.currentXid().orElse(""),
                    "inTransaction", runtime.outboundCall("GET", URI.create("http://localhost/probe"), new byte[0]) != null);
        }
    }

    /** The initiator side: a transaction with a local hold and calls to other services. */
    public static class Booking {
        private final Holds holds;
        private final RestClient services;
        private final RestClient impatientServices;
        private volatile String lastXid;

        Booking(Holds holds, RestClient services, @Qualifier("impatientServices") RestClient impatientServices) {
            this.holds = holds;
            this.services = services;
            this.impatientServices = impatientServices;
        }

        @TccTransactional(timeout = "30s")
        public String book(String booking, List<String> calls) {
            lastXid = TccContextHolder.currentXid().orElseThrow();
            holds.hold(booking, null, false);
            for (String call : calls) {
                services.post().uri(URI.create(call)).retrieve().toBodilessEntity();
            }
            return lastXid;
        }

        /** As {@link #book}, with a client whose read timeout is short ({@code test.impatient-read-timeout}). */
        @TccTransactional(timeout = "30s")
        public String bookImpatiently(String booking, List<String> calls) {
            lastXid = TccContextHolder.currentXid().orElseThrow();
            holds.hold(booking, null, false);
            for (String call : calls) {
                impatientServices.post().uri(URI.create(call)).retrieve().toBodilessEntity();
            }
            return lastXid;
        }

        /** The xid of the last booking begun here, also when it failed. */
        public String lastXid() {
            return lastXid;
        }
    }
}
