package dev.tcc.sample.flights;

import java.net.URI;
import java.util.List;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The flights service's API. {@code POST /holds} runs the {@code holdSeats} try: called inside the booking
 * service's TCC transaction (its context in the request headers, which the starter's filter joins), the
 * hold becomes a branch of that transaction, recorded in this service's database, and the answer's headers
 * tell the caller so. {@code GET /flights} is the catalog the booking service prices trips with.
 */
@RestController
public class FlightsController {

    private final SeatService seats;

    public FlightsController(SeatService seats) {
        this.seats = seats;
    }

    /** {@code POST /holds} body. */
    public record HoldSeats(String flight, int seats) {
    }

    /** The id of the hold taken. */
    public record Held(String hold) {
    }

    @PostMapping("/holds")
    public ResponseEntity<Held> hold(@RequestBody HoldSeats request) {
        if (request.flight() == null || request.seats() < 1) {
            throw new IllegalArgumentException("send {\"flight\": <code>, \"seats\": <1 or more>}");
        }
        String hold = seats.holdSeats(request.flight(), request.seats());
        return ResponseEntity.created(URI.create("/holds/" + hold)).body(new Held(hold));
    }

    @GetMapping("/flights")
    public List<SeatService.Flight> flights() {
        return seats.flights();
    }

    @GetMapping("/flights/{code}")
    public ResponseEntity<SeatService.Flight> flight(@PathVariable String code) {
        return ResponseEntity.of(seats.find(code));
    }
}
