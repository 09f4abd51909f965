package dev.tcc.sample.hotels;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.Try;
import dev.tcc.sample.common.SampleProperties;
import dev.tcc.sample.common.Scenario;
import dev.tcc.sample.common.ScenarioHolder;
import dev.tcc.sample.hold.HoldLedger;
import dev.tcc.sample.hold.HoldRefusedException;
import dev.tcc.sample.hold.HoldRow;
import dev.tcc.sample.hold.HoldState;
import dev.tcc.sample.hold.InventoryItem;
import dev.tcc.sample.hold.Participant;
import dev.tcc.spring.autoconfigure.TccProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The hotels service's one action: holds rooms for a number of nights on its own database ('hotels').
 * In the {@link Scenario#HOTEL_SLOW} scenario (which {@link HotelsController} binds from the request) its
 * try takes longer than the flight's hold.
 */
@Service
public class RoomService implements Participant {

    private static final Logger log = LoggerFactory.getLogger(RoomService.class);

    private final JdbcClient jdbc;
    private final HoldLedger holds;
    private final TccProperties tcc;
    private final SampleProperties properties;

    public RoomService(DataSource hotels, Clock clock, TccProperties tcc, SampleProperties properties) {
        this.jdbc = JdbcClient.create(hotels);
        this.holds = new HoldLedger(hotels, "room_hold", clock);
        this.tcc = tcc;
        this.properties = properties;
    }

    /** Holds {@code rooms} rooms at {@code hotel} for {@code nights} nights; returns the hold's id. */
    @Try
    public String holdRooms(String hotel, int rooms, int nights) {
        if (ScenarioHolder.current() == Scenario.HOTEL_SLOW) {
            Duration delay = slowDelay();
            log.info("Scenario HOTEL_SLOW: the hotel answers in {} (the flight's hold lasts {})", delay, tcc.getHold().getDefaultDuration());
            try {
                Thread.sleep(delay.toMillis()); // the simulated slowness itself, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while simulating a slow hotel", e);
            }
        }
        Hotel h = find(hotel).orElseThrow(() -> new HoldRefusedException("Unknown hotel [" + hotel + "]"));
        int taken = jdbc.sql("UPDATE hotel SET rooms_available = rooms_available - ? WHERE code = ? AND rooms_available >= ?")
                .params(rooms, hotel, rooms).update();
        if (taken == 0) {
            throw new HoldRefusedException("Hotel " + hotel + " is fully booked: " + rooms + " room(s) requested, "
                    + find(hotel).map(Hotel::available).orElse(0) + " left");
        }
        BigDecimal amount = h.pricePerNight().multiply(BigDecimal.valueOf((long) rooms * nights));
        return holds.hold(TccContextHolder.currentBranch(), hotel, rooms, amount);
    }

    @Confirm("holdRooms")
    public void confirmRooms(String hotel, int rooms, int nights, TccContext ctx) {
        holds.confirm(ctx.tryResult(String.class));
    }

    @Cancel("holdRooms")
    public void releaseRooms(String hotel, int rooms, int nights, TccContext ctx) {
        holds.release(ctx.tryResult(String.class)).ifPresent(hold ->
                jdbc.sql("UPDATE hotel SET rooms_available = rooms_available + ? WHERE code = ?")
                        .params(hold.quantity(), hold.resource()).update());
    }

    /** How long the slow hotel takes: past the flight's hold, its expiry grace and two recovery passes. */
    public Duration slowDelay() {
        Duration configured = properties.getFailures().getHotelDelay();
        if (configured != null) {
            return configured;
        }
        TccProperties.Hold hold = tcc.getHold();
        return hold.getDefaultDuration().plus(hold.getExpiryGrace()).plus(tcc.getRecovery().getInterval().multipliedBy(2))
                .plusSeconds(1);
    }

    public Optional<Hotel> find(String code) {
        return jdbc.sql("SELECT code, name, price_per_night, rooms_total, rooms_available FROM hotel WHERE code = ?").param(code)
                .query((rs, n) -> new Hotel(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getInt(4), rs.getInt(5)))
                .optional();
    }

    public List<Hotel> hotels() {
        return jdbc.sql("SELECT code, name, price_per_night, rooms_total, rooms_available FROM hotel ORDER BY code")
                .query((rs, n) -> new Hotel(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getInt(4), rs.getInt(5)))
                .list();
    }

    @Override
    public String service() {
        return "hotels";
    }

    @Override
    public String unit() {
        return "rooms";
    }

    @Override
    public List<InventoryItem> inventory() {
        Map<String, Map<HoldState, Long>> held = holds.quantities();
        return hotels().stream().map(h -> {
            Map<HoldState, Long> q = held.getOrDefault(h.code(), Map.of());
            return new InventoryItem(h.code(), h.name(), h.pricePerNight(), BigDecimal.valueOf(h.total()),
                    BigDecimal.valueOf(h.available()), BigDecimal.valueOf(q.getOrDefault(HoldState.PENDING, 0L)),
                    BigDecimal.valueOf(q.getOrDefault(HoldState.CONFIRMED, 0L)));
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

    /** A hotel and its rooms. */
    public record Hotel(String code, String name, BigDecimal pricePerNight, int total, int available) {
    }
}
