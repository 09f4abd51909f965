package dev.tcc.crash.http.participant;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The business endpoint the initiator calls inside its transaction: holds a seat for a booking. */
@RestController
class SeatsController {

    private final SeatHolds holds;

    SeatsController(SeatHolds holds) {
        this.holds = holds;
    }

    @PostMapping("/seats/{booking}/hold")
    String hold(@PathVariable String booking) {
        holds.hold(booking);
        return "held " + booking;
    }
}
