package dev.tcc.runtime.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tcc.api.ArgumentEncodingException;
import dev.tcc.api.TccDefinitionException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JsonCodecTests {

    enum Cabin { ECONOMY, BUSINESS }

    record Seat(String flight, int row, Cabin cabin) {
    }

    @SuppressWarnings("unused")
    static void holdSeats(Seat seat, long amountInCents, int count, BigDecimal price, Instant at, UUID id, List<Seat> seats,
                          Map<String, Long> fees, Long boxed, Object untyped) {
    }

    static final class Unwritable {
        public String getValue() {
            throw new IllegalStateException("no");
        }
    }

    /** Stands for a class whose construction has side effects: it counts every instance built. */
    public static final class Gadget implements Payment {
        static final AtomicInteger BUILT = new AtomicInteger();
        public String command;

        public Gadget() {
            BUILT.incrementAndGet();
        }
    }

    /** A payload whose field lets the JSON name any class. */
    record Envelope(String reference, @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object payload) {
    }

    /** A declared type whose subtypes are chosen by class name. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.MINIMAL_CLASS)
    public interface Payment {
    }

    record Order(String id, List<Envelope> lines) {
    }

    /** The safe form: subtypes chosen by a name from a closed list. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes(@JsonSubTypes.Type(value = Card.class, name = "card"))
    public interface PaymentMethod {
    }

    record Card(String number) implements PaymentMethod {
    }

    private final JsonCodec codec = new JsonCodec();

    private static Method method() throws NoSuchMethodException {
        for (Method m : JsonCodecTests.class.getDeclaredMethods()) {
            if (m.getName().equals("holdSeats")) {
                return m;
            }
        }
        throw new NoSuchMethodException("holdSeats");
    }

    @Test
    void argumentsRoundTripExactlyIntoTheDeclaredTypes() throws Exception {
        Type[] types = method().getGenericParameterTypes();
        String[] names = {"seat", "amountInCents", "count", "price", "at", "id", "seats", "fees", "boxed", "untyped"};
        UUID id = UUID.randomUUID();
        Object[] args = {new Seat("LH123", 7, Cabin.BUSINESS), 3L, 2, new BigDecimal("19.90"),
                Instant.parse("2026-05-01T10:15:30.123456Z"), id, List.of(new Seat("LH1", 1, Cabin.ECONOMY)),
                Map.of("tax", 120L), 5L, Map.of("k", "v")};

        Object[] decoded = codec.decodeArguments("holdSeats", types, codec.encodeArguments("holdSeats", types, names, args));

        assertThat(decoded).containsExactly(args);
        assertThat(decoded[1]).isInstanceOf(Long.class);
        assertThat(decoded[2]).isInstanceOf(Integer.class);
        assertThat(((BigDecimal) decoded[3]).scale()).isEqualTo(2);
        assertThat(((List<?>) decoded[6]).get(0)).isInstanceOf(Seat.class);
        assertThat(((Map<?, ?>) decoded[7]).get("tax")).isInstanceOf(Long.class);
    }

    @Test
    void noTypeNameIsWrittenSoTheDatabaseCannotChooseAClass() throws Exception {
        Type[] types = {Object.class};
        String json = codec.encodeArguments("m", types, new String[] {"value"}, new Object[] {new Seat("LH1", 1, Cabin.ECONOMY)});

        assertThat(json).doesNotContain("Seat").doesNotContain("@class");
        assertThat(codec.decodeArguments("m", types, json)[0]).isInstanceOf(Map.class);
    }

    @Test
    void anArgumentThatCannotBeWrittenIsNamedInTheError() {
        assertThatThrownBy(() -> codec.encodeArguments("SeatService.holdSeats", new Type[] {Unwritable.class},
                new String[] {"payload"}, new Object[] {new Unwritable()}))
                .isInstanceOf(ArgumentEncodingException.class)
                .hasMessageContaining("Argument 'payload' (parameter 1 of SeatService.holdSeats)");
    }

    @Test
    void storedArgumentsThatNoLongerFitTheParametersGiveAClearError() {
        assertThatThrownBy(() -> codec.decodeArguments("SeatService.holdSeats", new Type[] {String.class, int.class}, "[\"LH1\"]"))
                .isInstanceOf(ArgumentEncodingException.class)
                .hasMessageContaining("fewer values");
    }

    @Test
    void storedJsonNamingAClassInAFieldTypedByClassNameNeverBuildsThatClass() {
        Gadget.BUILT.set(0);
        String stored = "[{\"reference\":\"r1\",\"payload\":[\"" + Gadget.class.getName() + "\",{\"command\":\"rm -rf\"}]}]";

        assertThatThrownBy(() -> codec.decodeArguments("PaymentService.pay", new Type[] {Envelope.class}, stored))
                .isInstanceOf(ArgumentEncodingException.class);
        assertThatThrownBy(() -> codec.decodeArguments("PaymentService.pay", new Type[] {Order.class},
                "[{\"id\":\"o1\",\"lines\":" + stored.substring(1, stored.length() - 1) + "}]"))
                .isInstanceOf(ArgumentEncodingException.class);
        assertThatThrownBy(() -> codec.decodeValue("PaymentService.pay", Payment.class, "[\".JsonCodecTests$Gadget\",{}]"))
                .isInstanceOf(ArgumentEncodingException.class);
        assertThat(Gadget.BUILT).hasValue(0);
    }

    @Test
    void aDeclaredTypeWhoseJsonMayNameAClassIsRefusedBeforeAnythingIsStored() {
        assertThatThrownBy(() -> codec.checkDecodable("Parameter 'envelope' of PaymentService.pay", Envelope.class))
                .isInstanceOf(TccDefinitionException.class)
                .hasMessageContaining("Parameter 'envelope' of PaymentService.pay")
                .hasMessageContaining("[" + Envelope.class.getTypeName() + "]")
                .hasMessageContaining("@JsonTypeInfo(use = NAME)");
        assertThatThrownBy(() -> codec.checkDecodable("Result of PaymentService.pay", Payment.class))
                .isInstanceOf(TccDefinitionException.class)
                .hasMessageContaining("Result of PaymentService.pay");
        assertThatThrownBy(() -> codec.checkDecodable("Parameter 'orders' of PaymentService.pay",
                listOfOrders()))
                .isInstanceOf(TccDefinitionException.class);
    }

    @Test
    void primitivesRecordsAndCollectionsPassTheStartUpCheck() throws Exception {
        for (Type type : method().getGenericParameterTypes()) {
            codec.checkDecodable("Parameter of holdSeats", type);
        }
        codec.checkDecodable("Parameter of pay", Order.class.getRecordComponents()[0].getType());
        codec.checkDecodable("Result of hold", boolean.class);
    }

    @Test
    void subtypesChosenByNameFromAClosedListStillRoundTrip() {
        codec.checkDecodable("Parameter 'method' of PaymentService.pay", PaymentMethod.class);
        String json = codec.encodeValue("PaymentService.pay", PaymentMethod.class, new Card("4111"));

        assertThat(codec.<PaymentMethod>decodeValue("PaymentService.pay", PaymentMethod.class, json)).isEqualTo(new Card("4111"));
    }

    @SuppressWarnings("unused")
    static void orders(List<Order> orders) {
    }

    private static Type listOfOrders() {
        for (Method m : JsonCodecTests.class.getDeclaredMethods()) {
            if (m.getName().equals("orders")) {
                return m.getGenericParameterTypes()[0];
            }
        }
        throw new IllegalStateException("orders");
    }
}
