package dev.tcc.sample.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tcc.api.operations.BranchRecord;
import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.sample.booking.BookingRepository;
import dev.tcc.sample.booking.BookingStatus;
import dev.tcc.sample.failure.FailureInjection;
import dev.tcc.sample.hold.HoldRow;
import dev.tcc.sample.hold.InventoryItem;
import dev.tcc.sample.hold.Participant;
import dev.tcc.spring.autoconfigure.TccProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the page shows: the participants' inventory and holds ({@code GET /inventory}; only the holds
 * of one transaction with {@code ?xid=}), the recent
 * TCC transactions with their branches ({@code GET /transactions}), and the participant services'
 * state with the outage switch ({@code /participants}).
 */
@RestController
public class DashboardController {

    private final List<Participant> participants;
    private final TccOperations tcc;
    private final TccProperties tccProperties;
    private final BookingRepository bookings;
    private final FailureInjection failures;
    private final ObjectProvider<MeterRegistry> meters;
    private final Clock clock;

    public DashboardController(List<Participant> participants, TccOperations tcc, TccProperties tccProperties,
                               BookingRepository bookings, FailureInjection failures, ObjectProvider<MeterRegistry> meters,
                               Clock clock) {
        this.participants = participants;
        this.tcc = tcc;
        this.tccProperties = tccProperties;
        this.bookings = bookings;
        this.failures = failures;
        this.meters = meters;
        this.clock = clock;
    }

    public record ServiceInventory(String service, String unit, Instant downUntil, List<InventoryItem> items, long pendingHolds,
                                   List<HoldRow> holds) {
    }

    public record Inventory(long now, Map<String, Object> settings, Map<BookingStatus, Long> bookings,
                            List<ServiceInventory> services) {
    }

    @GetMapping("/inventory")
    public Inventory inventory(@RequestParam(defaultValue = "8") int holds, @RequestParam(required = false) String xid) {
        int limit = Math.max(0, Math.min(holds, 100));
        List<ServiceInventory> services = participants.stream()
                .map(p -> new ServiceInventory(p.service(), p.unit(), failures.downUntil(p.service()), p.inventory(),
                        p.pendingHolds(), xid == null ? p.recentHolds(limit) : p.holdsOf(xid)))
                .toList();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("holdMillis", tccProperties.getHold().getDefaultDuration().toMillis());
        settings.put("safetyMarginMillis", tccProperties.getHold().getSafetyMargin().toMillis());
        settings.put("expiryGraceMillis", tccProperties.getHold().getExpiryGrace().toMillis());
        settings.put("recoveryIntervalMillis", tccProperties.getRecovery().getInterval().toMillis());
        return new Inventory(clock.millis(), settings, bookings.countByStatus(), services);
    }

    public record Branch(int branchId, String action, String participant, String state, Instant holdDeadline, int attempts,
                         String lastError) {
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
            TransactionRecord full = tcc.find(r.xid()).orElse(r);
            List<Branch> branches = full.branches().stream().map(DashboardController::branch).toList();
            transactions.add(new Transaction(full.xid(), bookingIds.get(full.xid()), full.name(), full.state(),
                    full.decision() == null ? null : full.decision().name(), full.cause(), full.createdAt(), full.decidedAt(),
                    full.finishedAt(), full.rounds(), full.nextAttemptAt(), branches));
        }
        return new Transactions(tcc.countByState(), transactions);
    }

    @GetMapping("/transactions/{xid}")
    public ResponseEntity<Transaction> transaction(@PathVariable String xid) {
        return ResponseEntity.of(tcc.find(xid).map(full -> new Transaction(full.xid(),
                bookings.idsByXid(List.of(xid)).get(xid), full.name(), full.state(),
                full.decision() == null ? null : full.decision().name(), full.cause(), full.createdAt(), full.decidedAt(),
                full.finishedAt(), full.rounds(), full.nextAttemptAt(),
                full.branches().stream().map(DashboardController::branch).toList())));
    }

    private static Branch branch(BranchRecord b) {
        return new Branch(b.branchId(), b.action(), b.participant(), b.state() == null ? null : b.state().name(), b.holdDeadline(),
                b.attempts(), b.lastError());
    }

    public record ServiceState(String service, boolean down, Instant downUntil) {
    }

    public record Participants(List<ServiceState> services, Map<String, String> circuitBreakers) {
    }

    @GetMapping("/participants")
    public Participants participants() {
        List<ServiceState> services = FailureInjection.SERVICES.stream().map(name -> {
            Instant until = failures.downUntil(name);
            return new ServiceState(name, until != null, until);
        }).toList();
        Map<String, String> circuits = new LinkedHashMap<>();
        MeterRegistry registry = meters.getIfAvailable();
        if (registry != null) {
            for (Gauge gauge : registry.find("tcc.circuit.breaker.state").gauges()) {
                String participant = gauge.getId().getTag("participant");
                int value = (int) gauge.value();
                circuits.put(participant, switch (value) {
                    case 0 -> "CLOSED";
                    case 1 -> "OPEN";
                    case 2 -> "HALF_OPEN";
                    default -> String.valueOf(value);
                });
            }
        }
        return new Participants(services, circuits);
    }

    /** Takes a participant service down for {@code seconds} (every try, confirm and cancel to it fails meanwhile). */
    @PostMapping("/participants/{service}/outage")
    public ServiceState down(@PathVariable String service, @RequestParam(defaultValue = "20") long seconds) {
        if (seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("seconds must be between 1 and 600 but was [" + seconds + "]");
        }
        Instant until = failures.takeDown(service, Duration.ofSeconds(seconds));
        return new ServiceState(service, true, until);
    }

    /** Brings a participant service back at once. */
    @DeleteMapping("/participants/{service}/outage")
    public ServiceState up(@PathVariable String service) {
        failures.bringUp(service);
        return new ServiceState(service, false, null);
    }
}
