package dev.tcc.sample.payments;

import java.math.BigDecimal;
import java.net.URI;

import dev.tcc.sample.common.Scenario;
import dev.tcc.sample.common.ScenarioHolder;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The payments service's API. {@code POST /holds} runs the {@code authorize} try as a branch of the
 * caller's TCC transaction (see {@code FlightsController}); {@code simulate} is the sample's failure
 * switch ({@code PAYMENT_DECLINED}).
 */
@RestController
public class PaymentsController {

    private final PaymentService payments;

    public PaymentsController(PaymentService payments) {
        this.payments = payments;
    }

    /** {@code POST /holds} body; {@code simulate} is optional. */
    public record Authorize(String card, BigDecimal amount, Scenario simulate) {
    }

    /** The id of the authorisation taken. */
    public record Held(String hold) {
    }

    @PostMapping("/holds")
    public ResponseEntity<Held> hold(@RequestBody Authorize request) {
        if (request.card() == null || request.amount() == null || request.amount().signum() <= 0) {
            throw new IllegalArgumentException("send {\"card\": <number>, \"amount\": <more than 0>}");
        }
        String hold = ScenarioHolder.with(request.simulate(), () -> payments.authorize(request.card(), request.amount()));
        return ResponseEntity.created(URI.create("/holds/" + hold)).body(new Held(hold));
    }
}
