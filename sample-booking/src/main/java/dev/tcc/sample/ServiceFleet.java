package dev.tcc.sample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.tcc.sample.booking.BookingApplication;
import dev.tcc.sample.common.ServiceOutages;
import dev.tcc.sample.flights.FlightsApplication;
import dev.tcc.sample.hotels.HotelsApplication;
import dev.tcc.sample.payments.PaymentsApplication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The sample's four services in one JVM: four separate Spring Boot applications (no parent context,
 * each scanning only its own package), started participants first so that booking learns their ports.
 * Each reads the same {@code application.properties} and arguments and takes its own part: its port
 * ({@code sample.services.<name>.port}, which wins over {@code server.port}) and its database
 * ({@code sample.datasource.<name>}). Booking gets {@code sample.services.<name>.url} of each participant
 * (unless configured) and this fleet as its {@link ServiceOutages} switch.
 *
 * <p>An outage is real: the participant's application is closed (web server, TCC runtime, pool), so its port
 * refuses connections, and at the deadline a new application is started on the same port and database,
 * as a restarted process would be: its TCC runtime finds the holds in its database and recovers them.
 */
public final class ServiceFleet implements ServiceOutages, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceFleet.class);

    /** The participant services, started first, in this order. */
    public static final List<String> PARTICIPANTS = List.of(FlightsApplication.NAME, HotelsApplication.NAME, PaymentsApplication.NAME);

    private static final Duration RESTART_RETRY = Duration.ofSeconds(1);

    private final String[] args;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private volatile boolean bannerShown;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sample-outages");
        thread.setDaemon(true);
        return thread;
    });

    private ServiceFleet(String[] args) {
        this.args = args.clone();
        nodes.put(FlightsApplication.NAME, new Node(FlightsApplication.NAME, FlightsApplication.class, 8081));
        nodes.put(HotelsApplication.NAME, new Node(HotelsApplication.NAME, HotelsApplication.class, 8082));
        nodes.put(PaymentsApplication.NAME, new Node(PaymentsApplication.NAME, PaymentsApplication.class, 8083));
        nodes.put(BookingApplication.NAME, new Node(BookingApplication.NAME, BookingApplication.class, 8080));
    }

    /** Starts the four services with {@code args} (command-line arguments, given to each); returns once all answer. */
    public static ServiceFleet start(String... args) {
        ServiceFleet fleet = new ServiceFleet(args);
        try {
            for (Node node : fleet.nodes.values()) {
                synchronized (node) {
                    fleet.startNode(node);
                }
            }
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
        log.info("Trip booking sample is up: booking {} (open it: the page), flights {}, hotels {}, payments {}", fleet.url("booking"),
                fleet.url("flights"), fleet.url("hotels"), fleet.url("payments"));
        return fleet;
    }

    /** The port {@code service} listens on (also while it is down: it comes back on the same one). */
    public int port(String service) {
        return node(service).port;
    }

    /** {@code http://localhost:<port>} of {@code service}. */
    public String url(String service) {
        return "http://localhost:" + port(service);
    }

    /** The running application of {@code service}, or null while it is down. */
    public ConfigurableApplicationContext context(String service) {
        return node(service).context;
    }

    @Override
    public Instant takeDown(String service, Duration duration) {
        Node node = participant(service);
        synchronized (node) {
            Instant until = clock.instant().plus(duration);
            node.downUntil = until;
            cancelRestart(node);
            ConfigurableApplicationContext context = node.context;
            if (context != null) {
                node.context = null;
                context.close();
                log.warn("Outage: the {} service is down until {} (port {} refuses connections)", service, until, node.port);
            }
            node.restart = restarts.schedule(() -> restart(node), duration.toMillis(), TimeUnit.MILLISECONDS);
            return until;
        }
    }

    @Override
    public void bringUp(String service) {
        Node node = participant(service);
        synchronized (node) {
            cancelRestart(node);
            startIfDown(node);
        }
    }

    @Override
    public Instant downUntil(String service) {
        return participant(service).downUntil;
    }

    /** Closes the four applications, booking first. */
    @Override
    public void close() {
        restarts.shutdownNow();
        List<Node> all = List.copyOf(nodes.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            Node node = all.get(i);
            synchronized (node) {
                ConfigurableApplicationContext context = node.context;
                node.context = null;
                if (context != null) {
                    context.close();
                }
            }
        }
    }

    private void restart(Node node) {
        synchronized (node) {
            node.restart = null;
            try {
                startIfDown(node);
                log.info("Outage over: the {} service is back on port {}", node.name, node.port);
            } catch (RuntimeException e) {
                log.error("Could not start the {} service again after its outage; retrying in {}", node.name, RESTART_RETRY, e);
                node.restart = restarts.schedule(() -> restart(node), RESTART_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void startIfDown(Node node) {
        if (node.context == null) {
            startNode(node);
        }
        node.downUntil = null;
    }

    private static void cancelRestart(Node node) {
        if (node.restart != null) {
            node.restart.cancel(false);
            node.restart = null;
        }
    }

    /** Starts {@code node}'s application; the caller holds its lock. */
    private void startNode(Node node) {
        boolean banner = !bannerShown;
        bannerShown = true;
        ConfigurableApplicationContext context = new SpringApplicationBuilder(node.application)
                .properties(Map.of("spring.application.name", node.name))
                .bannerMode(banner ? Banner.Mode.CONSOLE : Banner.Mode.OFF)
                .initializers(c -> configure(c, node))
                .run(args);
        node.port = ((WebServerApplicationContext) context).getWebServer().getPort();
        node.context = context;
    }

    /** The service's own settings, ahead of everything else: its name and its port (the one it had, after an outage). */
    private void configure(ConfigurableApplicationContext context, Node node) {
        ConfigurableEnvironment environment = context.getEnvironment();
        int port = node.port > 0 ? node.port
                : environment.getProperty("sample.services." + node.name + ".port", Integer.class, node.defaultPort);
        Map<String, Object> own = new LinkedHashMap<>();
        own.put("spring.application.name", node.name);
        own.put("server.port", port);
        environment.getPropertySources().addFirst(new MapPropertySource("sample service " + node.name, own));
        if (node.name.equals(BookingApplication.NAME)) {
            Map<String, Object> urls = new LinkedHashMap<>();
            for (String participant : PARTICIPANTS) {
                urls.put("sample.services." + participant + ".url", url(participant));
            }
            environment.getPropertySources().addLast(new MapPropertySource("sample participant urls", urls));
            context.getBeanFactory().registerSingleton("serviceOutages", this);
        }
    }

    private Node node(String service) {
        Node node = nodes.get(service);
        if (node == null) {
            throw new IllegalArgumentException("Unknown service [" + service + "]: use one of " + nodes.keySet());
        }
        return node;
    }

    private Node participant(String service) {
        if (!PARTICIPANTS.contains(service)) {
            throw new IllegalArgumentException("Unknown service [" + service + "]: use one of " + PARTICIPANTS);
        }
        return node(service);
    }

    /** One service: its application class, its port once known, and its outage. Guarded by its own monitor. */
    private static final class Node {
        final String name;
        final Class<?> application;
        final int defaultPort;
        volatile int port;
        volatile ConfigurableApplicationContext context;
        volatile Instant downUntil;
        ScheduledFuture<?> restart;

        Node(String name, Class<?> application, int defaultPort) {
            this.name = name;
            this.application = application;
            this.defaultPort = defaultPort;
        }
    }
}
