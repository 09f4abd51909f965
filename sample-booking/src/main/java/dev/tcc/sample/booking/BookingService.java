package dev.tcc.sample.booking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import dev.tcc.api.TransactionCancelledException;
import dev.tcc.api.TransactionLogException;
import dev.tcc.sample.booking.remote.ServiceUnreachableException;
import dev.tcc.sample.hold.HoldRefusedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Books trips exactly once per Idempotency-Key. A booking row is written first (PENDING, owning
 * the key, with the request's hash); then the TCC transaction runs; then the row records the
 * outcome. A retry with the same key and body gets the stored outcome and books nothing; the same
 * key with another body, or while the first request still runs, gets 409.
 */
@Service
public class BookingService {

    private static final Logger log = LoggerFactory.getLogger(BookingService.class);

    static final int MAX_KEY_LENGTH = 255;

    private final TripValidator validator;
    private final TripBooker booker;
    private final BookingRepository bookings;
    private final JsonMapper json;

    public BookingService(TripValidator validator, TripBooker booker, BookingRepository bookings, JsonMapper json) {
        this.validator = validator;
        this.booker = booker;
        this.bookings = bookings;
        this.json = json;
    }

    /** What {@code POST /bookings} answers. {@code replayed} is true when the key's stored outcome was returned. */
    public record Outcome(Booking booking, boolean replayed) {
    }

    public Outcome book(BookingRequest request, String idempotencyKey) {
        String key = checkKey(idempotencyKey);
        Trip trip = validator.validate(request);
        String requestJson = json.writeValueAsString(trip);
        String hash = sha256(requestJson);
        if (key != null) {
            Optional<BookingRepository.Stored> existing = bookings.findByKey(key);
            if (existing.isPresent()) {
                return replay(key, existing.get(), hash);
            }
        }
        String id = UUID.randomUUID().toString();
        try {
            bookings.insertPending(id, key, hash, requestJson, trip.amount());
        } catch (DuplicateKeyException raced) {
            // a concurrent request with the same key inserted first: it owns the key
            return replay(key, bookings.findByKey(key).orElseThrow(() -> raced), hash);
        }
        run(id, trip);
        return new Outcome(find(id).orElseThrow(), false);
    }

    public Optional<Booking> find(String id) {
        return bookings.findById(id).map(BookingRepository.Stored::booking);
    }

    public List<Booking> recent(int limit) {
        return bookings.recent(limit);
    }

    private void run(String id, Trip trip) {
        AtomicReference<String> xid = new AtomicReference<>();
        try {
            TripHolds holds = booker.book(trip, x -> {
                xid.set(x);
                bookings.recordXid(id, x);
            });
            bookings.complete(id, BookingStatus.CONFIRMED, xid.get(), null, holds);
        } catch (HoldRefusedException | ServiceUnreachableException e) {
            bookings.complete(id, BookingStatus.CANCELLED, xid.get(), e.getMessage() + ". Every hold taken was released.", null);
        } catch (TransactionCancelledException e) {
            bookings.complete(id, BookingStatus.CANCELLED, xid.get(), "A hold expired before the booking could be confirmed,"
                    + " so every hold was released. (" + e.getMessage() + ")", null);
        } catch (TransactionLogException e) {
            // the outcome is not known here: the booking stays PENDING; recovery settles the holds
            log.error("Booking {} [{}]: the TCC transaction log failed; outcome unknown", id, xid.get(), e);
            throw e;
        } catch (RuntimeException e) {
            log.warn("Booking {} [{}] failed: {}", id, xid.get(), e.toString());
            bookings.complete(id, BookingStatus.CANCELLED, xid.get(), "The booking failed and was cancelled: " + e.getMessage(), null);
        }
    }

    private Outcome replay(String key, BookingRepository.Stored stored, String hash) {
        Booking booking = stored.booking();
        if (!stored.requestHash().equals(hash)) {
            throw new IdempotencyConflictException("Idempotency-Key [" + key + "] was already used for a different request"
                    + " (booking " + booking.id() + "). Use a new key for a new booking.", booking.id());
        }
        if (booking.status() == BookingStatus.PENDING) {
            throw new IdempotencyConflictException("The request with Idempotency-Key [" + key + "] is still running (booking "
                    + booking.id() + "). Retry in a moment to get its outcome.", booking.id());
        }
        return new Outcome(booking, true);
    }

    private static String checkKey(String key) {
        if (key == null) {
            return null;
        }
        String trimmed = key.trim();
        if (trimmed.isEmpty() || trimmed.length() > MAX_KEY_LENGTH) {
            throw new BadRequestException(List.of("Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " characters"));
        }
        return trimmed;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
