package dev.tcc.sample.flights;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.Try;
import dev.tcc.sample.hold.HoldLedger;
import dev.tcc.sample.hold.HoldRefusedException;
import dev.tcc.sample.hold.HoldRow;
import dev.tcc.sample.hold.HoldState;
import dev.tcc.sample.hold.InventoryItem;
import dev.tcc.sample.hold.Participant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The flights service's one action: holds seats on its own database ('flights'). The try takes the
 * seats off the flight and writes a PENDING hold; the confirm makes the hold final; the cancel (the
 * booking service's, or this service's own when the hold expired) gives the seats back. The try runs
 * for {@code POST /holds} ({@link FlightsController}) as a branch of the caller's transaction; the
 * confirm and cancel run when the booking service calls this service's participant endpoint.
 */
@Service
public class SeatService implements Participant {

    private final JdbcClient jdbc;
    private final HoldLedger holds;

    public SeatService(DataSource flights, Clock clock) {
        this.jdbc = JdbcClient.create(flights);
        this.holds = new HoldLedger(flights, "seat_hold", clock);
    }

    /** Holds {@code seats} seats on {@code flight}; returns the hold's id. */
    @Try
    public String holdSeats(String flight, int seats) {
        Flight f = find(flight).orElseThrow(() -> new HoldRefusedException("Unknown flight [" + flight + "]"));
        int taken = jdbc.sql("UPDATE flight SET seats_available = seats_available - ? WHERE code = ? AND seats_available >= ?")
                .params(seats, flight, seats).update();
        if (taken == 0) {
            throw new HoldRefusedException("Flight " + flight + " is sold out: " + seats + " seat(s) requested, "
                    + find(flight).map(Flight::available).orElse(0) + " left");
        }
        return holds.hold(TccContextHolder.currentBranch(), flight, seats, f.price().multiply(BigDecimal.valueOf(seats)));
    }

    @Confirm("holdSeats")
    public void confirmSeats(String flight, int seats, TccContext ctx) {
        holds.confirm(ctx.tryResult(String.class));
    }

    @Cancel("holdSeats")
    public void releaseSeats(String flight, int seats, TccContext ctx) {
        holds.release(ctx.tryResult(String.class)).ifPresent(hold ->
                jdbc.sql("UPDATE flight SET seats_available = seats_available + ? WHERE code = ?")
                        .params(hold.quantity(), hold.resource()).update());
    }

    public Optional<Flight> find(String code) {
        return jdbc.sql("SELECT code, route, price, seats_total, seats_available FROM flight WHERE code = ?").param(code)
                .query((rs, n) -> new Flight(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getInt(4), rs.getInt(5)))
                .optional();
    }

    public List<Flight> flights() {
        return jdbc.sql("SELECT code, route, price, seats_total, seats_available FROM flight ORDER BY code")
                .query((rs, n) -> new Flight(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getInt(4), rs.getInt(5)))
                .list();
    }

    @Override
    public String service() {
        return "flights";
    }

    @Override
    public String unit() {
        return "seats";
    }

    @Override
    public List<InventoryItem> inventory() {
        Map<String, Map<HoldState, Long>> held = holds.quantities();
        return flights().stream().map(f -> {
            Map<HoldState, Long> h = held.getOrDefault(f.code(), Map.of());
            return new InventoryItem(f.code(), f.route(), f.price(), BigDecimal.valueOf(f.total()), BigDecimal.valueOf(f.available()),
                    BigDecimal.valueOf(h.getOrDefault(HoldState.PENDING, 0L)), BigDecimal.valueOf(h.getOrDefault(HoldState.CONFIRMED, 0L)));
        }).toList();
    }

    @Override
    public List<HoldRow> recentHolds(int limit) {
        return holds.recent(limit);
    }

    @Override
    public List<HoldRow> holdsOf(String xid) {
        return holds.ofTransaction(xid);
    }

    @Override
    public long pendingHolds() {
        return holds.countPending();
    }

    /** A flight and its seats. */
    public record Flight(String code, String route, BigDecimal price, int total, int available) {
    }
}
