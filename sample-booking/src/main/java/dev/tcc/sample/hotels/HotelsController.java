package dev.tcc.sample.hotels;

import java.net.URI;
import java.util.List;

import dev.tcc.sample.common.Scenario;
import dev.tcc.sample.common.ScenarioHolder;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The hotels service's API. {@code POST /holds} runs the {@code holdRooms} try as a branch of the caller's
 * TCC transaction (see {@code FlightsController}); {@code simulate} is the sample's failure switch
 * ({@code HOTEL_SLOW}). {@code GET /hotels} is the catalog the booking service prices trips with.
 */
@RestController
public class HotelsController {

    private final RoomService rooms;

    public HotelsController(RoomService rooms) {
        this.rooms = rooms;
    }

    /** {@code POST /holds} body; {@code simulate} is optional. */
    public record HoldRooms(String hotel, int rooms, int nights, Scenario simulate) {
    }

    /** The id of the hold taken. */
    public record Held(String hold) {
    }

    @PostMapping("/holds")
    public ResponseEntity<Held> hold(@RequestBody HoldRooms request) {
        if (request.hotel() == null || request.rooms() < 1 || request.nights() < 1) {
            throw new IllegalArgumentException("send {\"hotel\": <code>, \"rooms\": <1 or more>, \"nights\": <1 or more>}");
        }
        String hold = ScenarioHolder.with(request.simulate(),
                () -> rooms.holdRooms(request.hotel(), request.rooms(), request.nights()));
        return ResponseEntity.created(URI.create("/holds/" + hold)).body(new Held(hold));
    }

    @GetMapping("/hotels")
    public List<RoomService.Hotel> hotels() {
        return rooms.hotels();
    }

    @GetMapping("/hotels/{code}")
    public ResponseEntity<RoomService.Hotel> hotel(@PathVariable String code) {
        return ResponseEntity.of(rooms.find(code));
    }
}
