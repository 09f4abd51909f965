package dev.tcc.sample.booking.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tcc.api.operations.BranchRecord;
import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.sample.booking.BookingRepository;
import dev.tcc.sample.booking.BookingStatus;
import dev.tcc.sample.booking.remote.ParticipantServices;
import dev.tcc.sample.booking.remote.ServiceClient;
import dev.tcc.sample.common.ServiceOutages;
import dev.tcc.sample.hold.HoldRow;
import dev.tcc.sample.hold.InventoryItem;
import dev.tcc.sample.hold.ParticipantInventory;
import dev.tcc.spring.autoconfigure.TccProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * What the page shows: the participant services' inventory and holds ({@code GET /inventory}, gathered
 * from each service's own {@code GET /inventory}; only the holds of one transaction with {@code ?xid=}),
 * the recent TCC transactions with their branches and the service each lives on ({@code GET /transactions}),
 * and the services' state with the outage switch ({@code /participants}).
 */
@RestController
public class DashboardController {

    private final ParticipantServices services;
    private final TccOperations tcc;
    private final TccProperties tccProperties;
    private final BookingRepository bookings;
    private final ObjectProvider<ServiceOutages> outages;
    private final ObjectProvider<MeterRegistry> meters;
    private final Clock clock;

    public DashboardController(ParticipantServices services, TccOperations tcc, TccProperties tccProperties,
                               BookingRepository bookings, ObjectProvider<ServiceOutages> outages,
                               ObjectProvider<MeterRegistry> meters, Clock clock) {
        this.services = services;
        this.tcc = tcc;
        this.tccProperties = tccProperties;
        this.bookings = bookings;
        this.outages = outages;
        this.meters = meters;
        this.clock = clock;
    }

    /**
     * One participant service as the page shows it. {@code reachable} is false when its {@code GET /inventory}
     * got no answer ({@code error} says why); then {@code items} and {@code holds} are empty.
     */
    public record ServiceInventory(String service, String url, String unit, boolean reachable, String error, Instant downUntil,
                                   List<InventoryItem> items, long pendingHolds, List<HoldRow> holds) {
    }

    public record Inventory(long now, Map<String, Object> settings, Map<BookingStatus, Long> bookings,
                            List<ServiceInventory> services) {
    }

    @GetMapping("/inventory")
    public Inventory inventory(@RequestParam(defaultValue = "8") int holds, @RequestParam(required = false) String xid) {
        int limit = Math.max(0, Math.min(holds, 100));
        List<ServiceInventory> inventories = services.all().stream().map(s -> inventory(s, xid, limit)).toList();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("holdMillis", tccProperties.getHold().getDefaultDuration().toMillis());
        settings.put("safetyMarginMillis", tccProperties.getHold().getSafetyMargin().toMillis());
        settings.put("expiryGraceMillis", tccProperties.getHold().getExpiryGrace().toMillis());
        settings.put("recoveryIntervalMillis", tccProperties.getRecovery().getInterval().toMillis());
        return new Inventory(clock.millis(), settings, bookings.countByStatus(), inventories);
    }

    private ServiceInventory inventory(ServiceClient service, String xid, int limit) {
        Instant downUntil = downUntil(service.name());
        try {
            ParticipantInventory inventory = service.inventory(xid, limit);
            return new ServiceInventory(service.name(), service.url(), inventory.unit(), true, null, downUntil, inventory.items(),
                    inventory.pendingHolds(), inventory.holds());
        } catch (RuntimeException e) {
            return new ServiceInventory(service.name(), service.url(), null, false, e.getMessage(), downUntil, List.of(), 0, List.of());
        }
    }

    /**
     * One branch of a transaction. {@code participant} is where phase two reaches it: for a branch in another
     * service, the URL of that service's participant endpoint; {@code service} names that service.
     */
    public record Branch(int branchId, String action, String service, String participant, String state, Instant holdDeadline,
                         int attempts, String lastError) {
    }

    public record Transaction(String xid, String bookingId, String name, TransactionState state, String decision, String cause,
                              Instant createdAt, Instant decidedAt, Instant finishedAt, int rounds, Instant nextAttemptAt,
                              List<Branch> branches) {
    }

    public record Transactions(Map<TransactionState, Long> counts, List<Transaction> transactions) {
    }

    @GetMapping("/transactions")
    public Transactions transactions(@RequestParam(required = false) TransactionState state,
                                     @RequestParam(defaultValue = "12") int limit) {
        List<TransactionRecord> listed = tcc.list(state, Math.max(1, Math.min(limit, 100)));
        Map<String, String> bookingIds = bookings.idsByXid(listed.stream().map(TransactionRecord::xid).toList());
        List<Transaction> transactions = new ArrayList<>();
        for (TransactionRecord r : listed) {
            transactions.add(transaction(tcc.find(r.xid()).orElse(r), bookingIds.get(r.xid())));
        }
        return new Transactions(tcc.countByState(), transactions);
    }

    @GetMapping("/transactions/{xid}")
    public ResponseEntity<Transaction> transaction(@PathVariable String xid) {
        return ResponseEntity.of(tcc.find(xid).map(full -> transaction(full, bookings.idsByXid(List.of(xid)).get(xid))));
    }

    private Transaction transaction(TransactionRecord full, String bookingId) {
        // the branches in the order a trip holds them (flights, hotels, payments): the branch ids of calls are
        // taken from the top of the transaction's range, so their order says nothing to a reader
        List<Branch> branches = full.branches().stream().map(this::branch)
                .sorted(Comparator.comparingInt((Branch b) -> serviceOrder(b.service())).thenComparingInt(Branch::branchId))
                .toList();
        return new Transaction(full.xid(), bookingId, full.name(), full.state(), full.decision() == null ? null : full.decision().name(),
                full.cause(), full.createdAt(), full.decidedAt(), full.finishedAt(), full.rounds(), full.nextAttemptAt(), branches);
    }

    private Branch branch(BranchRecord b) {
        String service = services.owning(b.participant()).map(ServiceClient::name).orElse("booking");
        return new Branch(b.branchId(), b.action(), service, b.participant(), b.state() == null ? null : b.state().name(),
                b.holdDeadline(), b.attempts(), b.lastError());
    }

    private static int serviceOrder(String service) {
        int i = ParticipantServices.NAMES.indexOf(service);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    public record ServiceState(String service, String url, boolean down, Instant downUntil) {
    }

    /** The services, and the state of each circuit breaker phase two uses (by service, or by action for a local one). */
    public record Participants(List<ServiceState> services, Map<String, String> circuitBreakers) {
    }

    @GetMapping("/participants")
    public Participants participants() {
        List<ServiceState> states = services.all().stream().map(s -> {
            Instant until = downUntil(s.name());
            return new ServiceState(s.name(), s.url(), until != null, until);
        }).toList();
        Map<String, String> circuits = new LinkedHashMap<>();
        MeterRegistry registry = meters.getIfAvailable();
        if (registry != null) {
            for (Gauge gauge : registry.find("tcc.circuit.breaker.state").gauges()) {
                String participant = gauge.getId().getTag("participant");
                // a remote participant is its endpoint's URL: name its service
                String name = services.owning(participant).map(ServiceClient::name).orElse(participant);
                int value = (int) gauge.value();
                circuits.put(name, switch (value) {
                    case 0 -> "CLOSED";
                    case 1 -> "OPEN";
                    case 2 -> "HALF_OPEN";
                    default -> String.valueOf(value);
                });
            }
        }
        return new Participants(states, circuits);
    }

    /**
     * Takes a participant service down for {@code seconds}: its application is closed (its port refuses
     * connections) and started again, on the same port and database, when the time is up.
     */
    @PostMapping("/participants/{service}/outage")
    public ServiceState down(@PathVariable String service, @RequestParam(defaultValue = "20") long seconds) {
        if (seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("seconds must be between 1 and 600 but was [" + seconds + "]");
        }
        Instant until = switchboard().takeDown(service, Duration.ofSeconds(seconds));
        return new ServiceState(service, url(service), true, until);
    }

    /** Starts a participant service again at once; answers once it is up. */
    @DeleteMapping("/participants/{service}/outage")
    public ServiceState up(@PathVariable String service) {
        switchboard().bringUp(service);
        return new ServiceState(service, url(service), false, null);
    }

    private Instant downUntil(String service) {
        ServiceOutages switchboard = outages.getIfAvailable();
        return switchboard == null ? null : switchboard.downUntil(service);
    }

    private String url(String service) {
        return services.all().stream().filter(s -> s.name().equals(service)).map(ServiceClient::url).findFirst().orElse(null);
    }

    private ServiceOutages switchboard() {
        ServiceOutages switchboard = outages.getIfAvailable();
        if (switchboard == null) {
            throw new ResponseStatusException(HttpStatus.NOT_IMPLEMENTED,
                    "The outage switch needs the four services in one JVM: start them with dev.tcc.sample.TripSample");
        }
        return switchboard;
    }
}
