package dev.tcc.sample.payments;

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
import dev.tcc.sample.common.Cards;
import dev.tcc.sample.common.Scenario;
import dev.tcc.sample.common.ScenarioHolder;
import dev.tcc.sample.hold.HoldLedger;
import dev.tcc.sample.hold.HoldRefusedException;
import dev.tcc.sample.hold.HoldRow;
import dev.tcc.sample.hold.HoldState;
import dev.tcc.sample.hold.InventoryItem;
import dev.tcc.sample.hold.Participant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The payments service's one action: authorises an amount on a card on its own database ('payments').
 * The authorisation holds part of the card's credit; the confirm captures it, the cancel gives it back.
 * A card marked as declining, too little credit, or the {@link Scenario#PAYMENT_DECLINED} scenario
 * (which {@link PaymentsController} binds from the request) refuses the try.
 */
@Service
public class PaymentService implements Participant {

    private final JdbcClient jdbc;
    private final HoldLedger holds;

    public PaymentService(DataSource payments, Clock clock) {
        this.jdbc = JdbcClient.create(payments);
        this.holds = new HoldLedger(payments, "payment_hold", clock);
    }

    /** Authorises {@code amount} on {@code card}; returns the authorisation's id. */
    @Try
    public String authorize(String card, BigDecimal amount) {
        Card c = find(card).orElseThrow(() -> new HoldRefusedException("Payment declined: unknown card " + mask(card)));
        if (c.declines() || ScenarioHolder.current() == Scenario.PAYMENT_DECLINED) {
            throw new HoldRefusedException("Payment declined: the issuer refused card " + mask(card));
        }
        int taken = jdbc.sql("UPDATE card SET available = available - ? WHERE number = ? AND available >= ?")
                .params(amount, card, amount).update();
        if (taken == 0) {
            throw new HoldRefusedException("Payment declined: card " + mask(card) + " has " + find(card).map(Card::available).orElse(BigDecimal.ZERO)
                    + " of credit left, " + amount + " needed");
        }
        return holds.hold(TccContextHolder.currentBranch(), card, 1, amount);
    }

    @Confirm("authorize")
    public void capture(String card, BigDecimal amount, TccContext ctx) {
        holds.confirm(ctx.tryResult(String.class));
    }

    @Cancel("authorize")
    public void voidAuthorization(String card, BigDecimal amount, TccContext ctx) {
        holds.release(ctx.tryResult(String.class)).ifPresent(hold ->
                jdbc.sql("UPDATE card SET available = available + ? WHERE number = ?").params(hold.amount(), hold.resource()).update());
    }

    public Optional<Card> find(String number) {
        return jdbc.sql("SELECT number, holder, credit_limit, available, declines FROM card WHERE number = ?").param(number)
                .query((rs, n) -> new Card(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getBigDecimal(4), rs.getBoolean(5)))
                .optional();
    }

    public List<Card> cards() {
        return jdbc.sql("SELECT number, holder, credit_limit, available, declines FROM card ORDER BY number")
                .query((rs, n) -> new Card(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getBigDecimal(4), rs.getBoolean(5)))
                .list();
    }

    private static String mask(String card) {
        return Cards.mask(card);
    }

    @Override
    public String service() {
        return "payments";
    }

    @Override
    public String unit() {
        return "credit";
    }

    @Override
    public List<InventoryItem> inventory() {
        Map<String, Map<HoldState, BigDecimal>> held = holds.amounts();
        return cards().stream().map(c -> {
            Map<HoldState, BigDecimal> a = held.getOrDefault(c.number(), Map.of());
            return new InventoryItem(mask(c.number()), c.holder() + (c.declines() ? " (always declines)" : ""), null, c.creditLimit(),
                    c.available(), a.getOrDefault(HoldState.PENDING, BigDecimal.ZERO), a.getOrDefault(HoldState.CONFIRMED, BigDecimal.ZERO));
        }).toList();
    }

    @Override
    public List<HoldRow> recentHolds(int limit) {
        return masked(holds.recent(limit));
    }

    @Override
    public List<HoldRow> holdsOf(String xid) {
        return masked(holds.ofTransaction(xid));
    }

    private static List<HoldRow> masked(List<HoldRow> rows) {
        return rows.stream()
                .map(h -> new HoldRow(h.id(), h.xid(), mask(h.resource()), h.quantity(), h.amount(), h.state(), h.createdAt(),
                        h.expiresAt(), h.finishedAt()))
                .toList();
    }

    @Override
    public long pendingHolds() {
        return holds.countPending();
    }

    /** A card and its credit line. */
    public record Card(String number, String holder, BigDecimal creditLimit, BigDecimal available, boolean declines) {
    }
}
