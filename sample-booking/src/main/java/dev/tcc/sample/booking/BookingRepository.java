package dev.tcc.sample.booking;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import dev.tcc.sample.common.Cards;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bookings on the 'booking' database. The idempotency key is a unique column of the booking row,
 * stored with the request's hash and, once known, its outcome: one insert decides which request
 * owns a key.
 */
@Repository
public class BookingRepository {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final JsonMapper json;

    public BookingRepository(DataSource booking, Clock clock, JsonMapper json) {
        this.jdbc = JdbcClient.create(booking);
        this.clock = clock;
        this.json = json;
    }

    /**
     * Inserts a PENDING booking.
     *
     * @throws org.springframework.dao.DuplicateKeyException when {@code idempotencyKey} is taken
     */
    public void insertPending(String id, String idempotencyKey, String requestHash, String requestJson, BigDecimal amount) {
        long now = clock.millis();
        jdbc.sql("INSERT INTO booking (id, idempotency_key, request_hash, request_json, status, amount, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, 'PENDING', ?, ?, ?)")
                .params(id, idempotencyKey, requestHash, requestJson, amount, now, now)
                .update();
    }

    /** PENDING -> {@code status}, with the xid, the reason and the holds. */
    public void complete(String id, BookingStatus status, String xid, String reason, TripHolds holds) {
        jdbc.sql("UPDATE booking SET status = ?, xid = ?, reason = ?, seat_hold = ?, room_hold = ?, payment_hold = ?, updated_at = ?"
                        + " WHERE id = ? AND status = 'PENDING'")
                .params(status.name(), xid, reason == null ? null : truncate(reason, 2000), holds == null ? null : holds.seats(),
                        holds == null ? null : holds.rooms(), holds == null ? null : holds.payment(), clock.millis(), id)
                .update();
    }

    public void recordXid(String id, String xid) {
        jdbc.sql("UPDATE booking SET xid = ? WHERE id = ?").params(xid, id).update();
    }

    public Optional<Stored> findById(String id) {
        return jdbc.sql("SELECT * FROM booking WHERE id = ?").param(id).query(this::row).optional();
    }

    public Optional<Stored> findByKey(String key) {
        return jdbc.sql("SELECT * FROM booking WHERE idempotency_key = ?").param(key).query(this::row).optional();
    }

    public List<Booking> recent(int limit) {
        return jdbc.sql("SELECT * FROM booking ORDER BY created_at DESC, id LIMIT ?").param(limit).query(this::row).list()
                .stream().map(Stored::booking).toList();
    }

    /** Booking id per xid, for the transactions the page lists. */
    public Map<String, String> idsByXid(Collection<String> xids) {
        Map<String, String> ids = new HashMap<>();
        if (xids.isEmpty()) {
            return ids;
        }
        jdbc.sql("SELECT id, xid FROM booking WHERE xid IN (:xids)").param("xids", xids)
                .query((ResultSet rs) -> {
                    ids.put(rs.getString("xid"), rs.getString("id"));
                });
        return ids;
    }

    public Map<BookingStatus, Long> countByStatus() {
        Map<BookingStatus, Long> counts = new HashMap<>();
        jdbc.sql("SELECT status, COUNT(*) AS n FROM booking GROUP BY status")
                .query((ResultSet rs) -> {
                    counts.put(BookingStatus.valueOf(rs.getString("status")), rs.getLong("n"));
                });
        return counts;
    }

    private Stored row(ResultSet rs, int n) throws SQLException {
        Trip trip = json.readValue(rs.getString("request_json"), Trip.class);
        String seatHold = rs.getString("seat_hold");
        TripHolds holds = seatHold == null ? null : new TripHolds(seatHold, rs.getString("room_hold"), rs.getString("payment_hold"));
        Booking booking = new Booking(rs.getString("id"), BookingStatus.valueOf(rs.getString("status")), rs.getString("reason"),
                rs.getString("xid"), rs.getBigDecimal("amount"),
                new Booking.TripView(trip.flight(), trip.seats(), trip.hotel(), trip.rooms(), trip.nights(),
                        Cards.mask(trip.card()), trip.simulate().name()),
                holds, rs.getString("idempotency_key"), rs.getLong("created_at"), rs.getLong("updated_at"));
        return new Stored(booking, rs.getString("request_hash"));
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** A booking with the hash of the request that created it. */
    public record Stored(Booking booking, String requestHash) {
    }
}
