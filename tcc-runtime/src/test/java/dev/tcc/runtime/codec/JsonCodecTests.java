package dev.tcc.runtime.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.api.ArgumentEncodingException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
}
