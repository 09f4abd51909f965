package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.runtime.model.TccSettings;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.json.JsonParserFactory;

/**
 * Every {@code tcc.*} property, found by walking {@link TccProperties}, either reaches one runtime setting
 * through {@link TccSettingsMapper} or is listed as the starter's own; a new property with neither fails
 * here. And every default of the properties is the runtime's default.
 */
class TccSettingsMapperTests {

    /** Where each property lands in the runtime's settings. */
    private static final Map<String, Function<TccSettings, Object>> RUNTIME_SETTING = new LinkedHashMap<>();

    static {
        RUNTIME_SETTING.put("tcc.transaction.timeout", s -> s.transaction().timeout());
        RUNTIME_SETTING.put("tcc.hold.default-duration", s -> s.hold().defaultDuration());
        RUNTIME_SETTING.put("tcc.hold.safety-margin", s -> s.hold().safetyMargin());
        RUNTIME_SETTING.put("tcc.hold.expiry-grace", s -> s.hold().expiryGrace());
        RUNTIME_SETTING.put("tcc.phase-two.asynchronous", s -> s.phaseTwo().asynchronous());
        RUNTIME_SETTING.put("tcc.phase-two.batch-size", s -> s.phaseTwo().batchSize());
        RUNTIME_SETTING.put("tcc.phase-two.drainers", s -> s.phaseTwo().drainers());
        RUNTIME_SETTING.put("tcc.phase-two.finish-linger", s -> s.phaseTwo().finishLinger());
        RUNTIME_SETTING.put("tcc.phase-two.shutdown-timeout", s -> s.phaseTwo().shutdownTimeout());
        RUNTIME_SETTING.put("tcc.retry.max-attempts", s -> s.retry().maxAttempts());
        RUNTIME_SETTING.put("tcc.retry.initial-interval", s -> s.retry().initialInterval());
        RUNTIME_SETTING.put("tcc.retry.multiplier", s -> s.retry().multiplier());
        RUNTIME_SETTING.put("tcc.retry.max-interval", s -> s.retry().maxInterval());
        RUNTIME_SETTING.put("tcc.circuit-breaker.failure-rate-threshold", s -> s.circuitBreaker().failureRateThreshold());
        RUNTIME_SETTING.put("tcc.circuit-breaker.minimum-calls", s -> s.circuitBreaker().minimumCalls());
        RUNTIME_SETTING.put("tcc.circuit-breaker.sliding-window-size", s -> s.circuitBreaker().slidingWindowSize());
        RUNTIME_SETTING.put("tcc.circuit-breaker.open-duration", s -> s.circuitBreaker().openDuration());
        RUNTIME_SETTING.put("tcc.recovery.interval", s -> s.recovery().interval());
        RUNTIME_SETTING.put("tcc.recovery.lease", s -> s.recovery().lease());
        RUNTIME_SETTING.put("tcc.recovery.max-rounds", s -> s.recovery().maxRounds());
        RUNTIME_SETTING.put("tcc.recovery.initial-backoff", s -> s.recovery().initialBackoff());
        RUNTIME_SETTING.put("tcc.recovery.max-backoff", s -> s.recovery().maxBackoff());
        RUNTIME_SETTING.put("tcc.recovery.batch-size", s -> s.recovery().batchSize());
        RUNTIME_SETTING.put("tcc.recovery.coordinator-unreachable-after", s -> s.recovery().coordinatorUnreachableAfter());
        RUNTIME_SETTING.put("tcc.retention.finished", s -> s.retention().finished());
        RUNTIME_SETTING.put("tcc.retention.barrier", s -> s.retention().barrier());
        RUNTIME_SETTING.put("tcc.retention.batch-size", s -> s.retention().batchSize());
    }

    /** Properties the starter uses itself (wiring, health, schema creation); they have no runtime setting. */
    private static final Set<String> STARTER_ONLY = Set.of("tcc.enabled", "tcc.instance-id", "tcc.phase-two.threads",
            "tcc.recovery.enabled", "tcc.jdbc.initialize-schema", "tcc.health.stuck-after",
            "tcc.health.fail-on-dead-letters", "tcc.health.fail-on-stuck");

    /** Properties that reach the runtime's HttpSettings instead (TccHttpSettingsMapperTests) or the web wiring. */
    private static final Set<String> HTTP = Set.of("tcc.http.participant-path", "tcc.http.coordinator-path",
            "tcc.http.coordinator-url", "tcc.http.participant-url", "tcc.http.connect-timeout", "tcc.http.read-timeout",
            "tcc.http.authentication", "tcc.http.signing.key-id", "tcc.http.signing.keys", "tcc.http.signing.max-skew",
            "tcc.http.endpoints.enabled", "tcc.http.max-body-size", "tcc.http.propagate-safe-methods");

    @Test
    void everyPropertyIsEitherMappedToARuntimeSettingOrTheStartersOwn() {
        List<String> properties = new ArrayList<>(propertiesOf(TccProperties.class, "tcc").keySet());
        List<String> known = new ArrayList<>(RUNTIME_SETTING.keySet());
        known.addAll(STARTER_ONLY);
        known.addAll(HTTP);

        assertThat(properties).containsExactlyInAnyOrderElementsOf(known);
    }

    @Test
    void aNonDefaultValueOfEveryPropertyReachesItsRuntimeSetting() {
        TccSettings defaults = TccSettings.defaults();
        propertiesOf(TccProperties.class, "tcc").forEach((name, type) -> {
            Function<TccSettings, Object> setting = RUNTIME_SETTING.get(name);
            if (setting == null) {
                return;
            }
            Object value = nonDefault(setting.apply(defaults));
            TccProperties properties = bind(name, value);

            TccSettings settings = TccSettingsMapper.toSettings(properties);

            assertThat(setting.apply(settings)).as(name).isEqualTo(value);
            RUNTIME_SETTING.forEach((other, otherSetting) -> {
                if (!other.equals(name)) {
                    assertThat(otherSetting.apply(settings)).as(name + " leaves " + other + " alone")
                            .isEqualTo(otherSetting.apply(defaults));
                }
            });
        });
    }

    @Test
    void everyDefaultOfThePropertiesIsTheRuntimesDefault() {
        assertThat(TccSettingsMapper.toSettings(new TccProperties())).isEqualTo(TccSettings.defaults());
    }

    @Test
    void aBadValueOfEveryPropertyIsReportedUnderThatPropertyWithTheValue() {
        TccSettings defaults = TccSettings.defaults();
        RUNTIME_SETTING.forEach((name, setting) -> {
            Object bad = bad(setting.apply(defaults));
            if (bad == null) {
                return; // a boolean has no bad value
            }
            assertThatThrownBy(() -> TccSettingsMapper.toSettings(bind(name, bad)))
                    .as(name)
                    .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                            e -> assertThat(e.getName()).isEqualTo(name))
                    .hasMessageContaining(name)
                    .hasMessageContaining("[" + bad + "]");
        });
    }

    /** A value every builder setter of that type refuses: negative durations, numbers below their minimum. */
    private static Object bad(Object defaultValue) {
        if (defaultValue instanceof Duration) {
            return Duration.ofSeconds(-1);
        }
        if (defaultValue instanceof Integer) {
            return 0;
        }
        if (defaultValue instanceof Double) {
            return 0.5;
        }
        if (defaultValue instanceof Float) {
            return 0.0f;
        }
        return null;
    }

    /**
     * The annotation processor cannot read defaults that come from {@link TccSettings#defaults()}, so
     * {@code additional-spring-configuration-metadata.json} states them for IDEs; they must be the runtime's.
     */
    @Test
    void theConfigurationMetadataShowsTheRuntimesDefaults() throws Exception {
        Map<String, Object> defaults = new LinkedHashMap<>();
        for (Map<String, Object> property : metadataProperties()) {
            if (property.get("defaultValue") != null) {
                defaults.put((String) property.get("name"), property.get("defaultValue"));
            }
        }
        TccSettings runtimeDefaults = TccSettings.defaults();
        RUNTIME_SETTING.forEach((name, setting) -> {
            assertThat(defaults).as("metadata default of " + name).containsKey(name);
            TccSettings fromMetadata = TccSettingsMapper.toSettings(bind(name, defaults.get(name)));
            assertThat(setting.apply(fromMetadata)).as(name + " [" + defaults.get(name) + "]")
                    .isEqualTo(setting.apply(runtimeDefaults));
        });
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> metadataProperties() throws Exception {
        var resources = TccSettingsMapperTests.class.getClassLoader().getResources("META-INF/spring-configuration-metadata.json");
        while (resources.hasMoreElements()) {
            try (var in = resources.nextElement().openStream()) {
                String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (json.contains("\"tcc.retry.max-attempts\"")) {
                    return (List<Map<String, Object>>) JsonParserFactory.getJsonParser().parseMap(json).get("properties");
                }
            }
        }
        throw new IllegalStateException("no configuration metadata of the starter on the class path");
    }

    private static TccProperties bind(String name, Object value) {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(name, value.toString())));
        return binder.bind("tcc", Bindable.ofInstance(new TccProperties())).get();
    }

    /** A valid value other than the default: longer durations, larger numbers, the other boolean. */
    private static Object nonDefault(Object defaultValue) {
        if (defaultValue instanceof Duration d) {
            return d.plusSeconds(1);
        }
        if (defaultValue instanceof Integer i) {
            return i + 1;
        }
        if (defaultValue instanceof Double d) {
            return d + 1;
        }
        if (defaultValue instanceof Float f) {
            return f + 1;
        }
        if (defaultValue instanceof Boolean b) {
            return !b;
        }
        throw new IllegalStateException("no non-default value for [" + defaultValue + "]: add one to this test");
    }

    /** The leaf properties below {@code prefix}, by walking the JavaBean and its nested group classes. */
    private static Map<String, Class<?>> propertiesOf(Class<?> bean, String prefix) {
        Map<String, Class<?>> properties = new LinkedHashMap<>();
        try {
            for (PropertyDescriptor p : Introspector.getBeanInfo(bean, Object.class).getPropertyDescriptors()) {
                String name = prefix + "." + kebab(p.getName());
                Class<?> type = p.getPropertyType();
                if (isGroup(type)) {
                    properties.putAll(propertiesOf(type, name));
                } else {
                    properties.put(name, type);
                }
            }
        } catch (java.beans.IntrospectionException e) {
            throw new IllegalStateException(e);
        }
        return properties;
    }

    /** A nested class of TccProperties, at any depth (tcc.http.signing): a group, not a leaf. */
    private static boolean isGroup(Class<?> type) {
        for (Class<?> c = type.getEnclosingClass(); c != null && !type.isEnum(); c = c.getEnclosingClass()) {
            if (c == TccProperties.class) {
                return true;
            }
        }
        return false;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
