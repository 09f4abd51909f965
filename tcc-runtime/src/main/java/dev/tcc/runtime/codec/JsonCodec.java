package dev.tcc.runtime.codec;

import dev.tcc.api.ArgumentEncodingException;
import dev.tcc.api.TccDefinitionException;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores try arguments and results as JSON and decodes them only into the declared types of
 * the method that replays them. No type name is ever written or read, so nothing from the
 * database decides which class is instantiated. Records, enums, {@code long} vs {@code int},
 * {@code BigDecimal} scale, {@code Instant}, {@code UUID}, lists and maps round-trip exactly.
 * <p>
 * A declared type can still let JSON name a class: {@code @JsonTypeInfo(use = CLASS | MINIMAL_CLASS)} on the type,
 * on a field or on a type reachable from it makes Jackson (3.x as 2.x) build whatever class the JSON names. The codec
 * refuses such typing on every mapper it uses ({@link NoClassNameSubtypes}, default typing off), and
 * {@link #checkDecodable} reports such a type at start-up. Subtypes chosen by name from {@code @JsonSubTypes} work.
 */
public final class JsonCodec {

    private final JsonMapper mapper;
    // readers and writers are immutable and thread-safe: one per declared type, built once
    private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();
    private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();
    private final Map<Type, ObjectReader> elementReaders = new ConcurrentHashMap<>();

    public JsonCodec() {
        this(JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build());
    }

    /**
     * A codec on a mapper the application configured (modules, naming). Its default typing is turned off and
     * subtypes named by class are refused, whatever the mapper allowed.
     */
    public JsonCodec(JsonMapper mapper) {
        this.mapper = mapper.rebuild()
                .deactivateDefaultTyping()
                .polymorphicTypeValidator(NoClassNameSubtypes.INSTANCE)
                .build();
    }

    /**
     * Checks at start-up that values of {@code type} can be read back without the JSON choosing a class.
     *
     * @param what names the value for the message, such as {@code "Parameter 'seat' of SeatService.holdSeats"}
     * @throws TccDefinitionException naming {@code what}, the type and the fix
     */
    public void checkDecodable(String what, Type type) {
        try {
            // reading null builds (and caches) the deserializers of the type and of every type reachable from it
            reader(type).readValue("null");
        } catch (MismatchedInputException e) {
            if (e instanceof InvalidTypeIdException) {
                throw refused(what, type, e);
            }
            // the deserializer was built; null itself does not fit (a primitive): nothing to refuse
        } catch (JacksonException e) {
            throw refused(what, type, e);
        }
    }

    private static TccDefinitionException refused(String what, Type type, JacksonException e) {
        return new TccDefinitionException(what + " has type [" + type.getTypeName() + "] that cannot be read back from JSON"
                + " safely: " + e.getOriginalMessage() + ". A type whose JSON names the class to build"
                + " (@JsonTypeInfo(use = CLASS or MINIMAL_CLASS) on the type, a field or a type reachable from it) is refused:"
                + " stored arguments must never choose a class. Use @JsonTypeInfo(use = NAME) with @JsonSubTypes listing the"
                + " allowed subtypes, or a concrete type", e);
    }

    /**
     * Encodes arguments as a JSON array, each element by its declared type.
     *
     * @throws ArgumentEncodingException naming the parameter that cannot be encoded
     */
    public String encodeArguments(String owner, Type[] types, String[] names, Object[] args) {
        StringBuilder json = new StringBuilder(64).append('[');
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            try {
                json.append(writer(types[i]).writeValueAsString(args[i]));
            } catch (JacksonException | IllegalArgumentException e) {
                throw new ArgumentEncodingException("Argument '" + names[i] + "' (parameter " + (i + 1) + " of " + owner
                        + ") of type [" + types[i].getTypeName() + "] cannot be stored as JSON: " + message(e)
                        + ". Use a type Jackson can write and read back (a record, a bean with a default constructor, a value type)", e);
            }
        }
        return json.append(']').toString();
    }

    /** Decodes a JSON array written by {@link #encodeArguments} into the declared types. */
    public Object[] decodeArguments(String owner, Type[] types, String json) {
        Object[] values = new Object[types.length];
        try (JsonParser parser = mapper.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new ArgumentEncodingException("Stored arguments of " + owner + " are not a JSON array: [" + json + "]");
            }
            for (int i = 0; i < types.length; i++) {
                if (parser.nextToken() == JsonToken.END_ARRAY) {
                    throw new ArgumentEncodingException("Stored arguments of " + owner + " hold fewer values than its "
                            + types.length + " parameters: [" + json + "]. Did the method's parameters change while branches were in flight?");
                }
                values[i] = elementReaders.computeIfAbsent(types[i], t -> reader(t).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS))
                        .readValue(parser);
            }
            return values;
        } catch (JacksonException e) {
            throw new ArgumentEncodingException("Stored arguments of " + owner + " cannot be decoded into its parameter types: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Encodes one value by its declared type; {@code null} stays {@code null}. */
    public String encodeValue(String owner, Type type, Object value) {
        if (value == null) {
            return null;
        }
        try {
            return writer(type).writeValueAsString(value);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ArgumentEncodingException("Result of " + owner + " of type [" + type.getTypeName()
                    + "] cannot be stored as JSON: " + e.getMessage(), e);
        }
    }

    /** Decodes one value into {@code type}; {@code null} JSON gives {@code null}. */
    public <T> T decodeValue(String owner, Type type, String json) {
        if (json == null) {
            return null;
        }
        try {
            return reader(type).readValue(json);
        } catch (JacksonException e) {
            throw new ArgumentEncodingException("Stored result of " + owner + " cannot be decoded into [" + type.getTypeName()
                    + "]: " + e.getOriginalMessage(), e);
        }
    }

    private static String message(RuntimeException e) {
        return e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
    }

    private ObjectWriter writer(Type type) {
        return writers.computeIfAbsent(type, t -> mapper.writerFor(javaType(t)));
    }

    private ObjectReader reader(Type type) {
        return readers.computeIfAbsent(type, t -> mapper.readerFor(javaType(t)));
    }

    private JavaType javaType(Type type) {
        return mapper.getTypeFactory().constructType(type);
    }
}
