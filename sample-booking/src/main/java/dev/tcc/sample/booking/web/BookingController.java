package dev.tcc.sample.booking.web;

import java.net.URI;
import java.util.List;

import dev.tcc.sample.booking.Booking;
import dev.tcc.sample.booking.BookingRequest;
import dev.tcc.sample.booking.BookingService;
import dev.tcc.sample.booking.BookingStatus;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /bookings} answers 201 with a CONFIRMED booking, or 422 with a CANCELLED one (sold
 * out, declined, a hold expired); both carry the booking and its Location. A retry with the same
 * Idempotency-Key gets the same answer with {@code Idempotent-Replayed: true}.
 */
@RestController
@RequestMapping("/bookings")
public class BookingController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";

    private final BookingService bookings;

    public BookingController(BookingService bookings) {
        this.bookings = bookings;
    }

    @PostMapping
    public ResponseEntity<Booking> book(@RequestBody(required = false) BookingRequest request,
                                        @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        BookingService.Outcome outcome = bookings.book(request, key);
        Booking booking = outcome.booking();
        HttpStatus status = booking.status() == BookingStatus.CONFIRMED ? HttpStatus.CREATED : HttpStatus.UNPROCESSABLE_CONTENT;
        return ResponseEntity.status(status)
                .location(URI.create("/bookings/" + booking.id()))
                .header(REPLAYED, String.valueOf(outcome.replayed()))
                .body(booking);
    }

    @GetMapping("/{id}")
    public ResponseEntity<Booking> get(@PathVariable String id) {
        return ResponseEntity.of(bookings.find(id));
    }

    @GetMapping
    public List<Booking> recent(@RequestParam(defaultValue = "20") int limit) {
        return bookings.recent(Math.max(1, Math.min(limit, 200)));
    }
}
