package dev.tcc.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.HttpSettings;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import dev.tcc.spring.autoconfigure.TccProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;
import org.springframework.web.servlet.function.RouterFunction;

/**
 * The wiring of TCC across HTTP: the start-up check of the endpoints' authentication (and its failure analysis),
 * the mapping of {@code tcc.http.*} onto the runtime's settings, and the interceptor on Boot's client builders.
 */
@ExtendWith(OutputCaptureExtension.class)
class TccHttpAutoConfigurationTests {

    private static final String SECRET = "a-secret-nobody-may-see-0123456789";

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TccAutoConfiguration.class,
                    TccHttpAutoConfiguration.class, RestClientAutoConfiguration.class, RestTemplateAutoConfiguration.class))
            .withPropertyValues("spring.datasource.generate-unique-name=true", "tcc.recovery.enabled=false");

    private final WebApplicationContextRunner signed = web.withPropertyValues("tcc.http.signing.key-id=k1",
            "tcc.http.signing.keys.k1=" + SECRET);

    @Test
    void aWebApplicationWithoutSigningKeysFailsToStartAndSaysHowToAuthenticateOrOptOut() {
        web.run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new TccHttpAuthenticationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("no signing key is configured");
            assertThat(analysis.getAction()).contains("'tcc.http.signing.key-id'", "'tcc.http.signing.keys.<key-id>'",
                    "'tcc.http.authentication=spring-security'", "'tcc.http.authentication=none'");
        });
    }

    @Test
    void aKeyIdWithoutItsSecretFailsToStartNamingTheProperty() {
        web.withPropertyValues("tcc.http.signing.key-id=k2", "tcc.http.signing.keys.k1=" + SECRET).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new TccHttpAuthenticationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("'tcc.http.signing.keys.k2' is not set").doesNotContain(SECRET);
            assertThat(analysis.getAction()).contains("'tcc.http.signing.keys.k2'", "[k1]");
        });
    }

    @Test
    void secretsWithoutAKeyIdFailToStartEvenWithoutAWebServer() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TccAutoConfiguration.class,
                        TccHttpAutoConfiguration.class))
                .withPropertyValues("spring.datasource.generate-unique-name=true", "tcc.recovery.enabled=false",
                        "tcc.http.signing.keys.k1=" + SECRET)
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new TccHttpAuthenticationFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("'tcc.http.signing.key-id' is not set");
                });
    }

    @Test
    void withAuthenticationNoneItStartsAndWarnsThatTheEndpointsAcceptAnyone(CapturedOutput output) {
        web.withPropertyValues("tcc.http.authentication=none").run(context -> {
            assertThat(context).hasNotFailed().hasBean("tccInboundCallFilter").hasBean("tccEndpointsRouterFunction");
            assertThat(context.getBean(HttpSettings.class).keys()).isNull();
        });
        assertThat(output).contains("WARN").contains("tcc.http.authentication=none")
                .contains("accept unauthenticated requests");
    }

    @Test
    void withAuthenticationSpringSecurityButNoSpringSecurityItFailsToStart() {
        web.withPropertyValues("tcc.http.authentication=spring-security")
                .withClassLoader(new FilteredClassLoader(TccHttpAuthenticationCheck.SECURITY_FILTER_CHAIN))
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new TccHttpAuthenticationFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("Spring Security is not on the class path");
                    assertThat(analysis.getAction()).contains("spring-boot-starter-security");
                });
    }

    @Test
    void withAuthenticationSpringSecurityAndSpringSecurityItStartsWithoutSigning() {
        web.withPropertyValues("tcc.http.authentication=spring-security").run(context -> {
            assertThat(context).hasNotFailed().hasBean("tccEndpointsRouterFunction");
            assertThat(context.getBean(HttpSettings.class).keys()).isNull();
        });
    }

    @Test
    void anApplicationWithoutAWebServerNeedsNoKeysAndGetsNoFilterNorEndpoints() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TccAutoConfiguration.class,
                        TccHttpAutoConfiguration.class, RestClientAutoConfiguration.class))
                .withPropertyValues("spring.datasource.generate-unique-name=true", "tcc.recovery.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean("tccInboundCallFilter")
                            .doesNotHaveBean("tccEndpointsRouterFunction");
                    assertThat(interceptorsOf(context.getBean(RestClient.Builder.class)))
                            .hasAtLeastOneElementOfType(TccClientHttpRequestInterceptor.class);
                });
    }

    @Test
    void theEndpointsCanBeSwitchedOffWhileTheFilterStays() {
        signed.withPropertyValues("tcc.http.endpoints.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().hasBean("tccInboundCallFilter").doesNotHaveBean("tccEndpointsRouterFunction");
            assertThat(context).doesNotHaveBean(RouterFunction.class);
        });
    }

    @Test
    void theInboundFilterRunsAfterSpringSecuritysFilterChain() {
        signed.run(context -> {
            FilterRegistrationBean<?> filter = context.getBean("tccInboundCallFilter", FilterRegistrationBean.class);
            assertThat(filter.getOrder()).isGreaterThan(-100).isLessThanOrEqualTo(0);
        });
        signed.withPropertyValues("spring.security.filter.order=10").run(context ->
                assertThat(context.getBean("tccInboundCallFilter", FilterRegistrationBean.class).getOrder()).isGreaterThan(10));
    }

    @Test
    void bootsRestClientBuilderAndRestTemplateBuilderCarryTheInterceptorLast() {
        signed.run(context -> {
            assertThat(interceptorsOf(context.getBean(RestClient.Builder.class)))
                    .last().isInstanceOf(TccClientHttpRequestInterceptor.class);
            assertThat(context.getBean(RestTemplateBuilder.class).build().getInterceptors())
                    .last().isInstanceOf(TccClientHttpRequestInterceptor.class);
        });
    }

    @Test
    void withoutATccRuntimeNothingOfItIsConfigured() {
        signed.withPropertyValues("tcc.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean("tccInboundCallFilter")
                    .doesNotHaveBean("tccEndpointsRouterFunction").doesNotHaveBean(TccRuntime.class);
            assertThat(interceptorsOf(context.getBean(RestClient.Builder.class)))
                    .noneMatch(TccClientHttpRequestInterceptor.class::isInstance);
        });
    }

    @Test
    void withoutSpringBootsRestClientModuleTheRestStillStarts() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TccAutoConfiguration.class,
                        TccHttpAutoConfiguration.class))
                .withPropertyValues("spring.datasource.generate-unique-name=true", "tcc.recovery.enabled=false",
                        "tcc.http.signing.key-id=k1", "tcc.http.signing.keys.k1=" + SECRET)
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.restclient")).run(context -> {
            assertThat(context).hasNotFailed().hasBean("tccInboundCallFilter").hasBean("tccEndpointsRouterFunction")
                    .doesNotHaveBean("tccRestClientCustomizer").doesNotHaveBean("tccRestTemplateCustomizer");
        });
    }

    @Test
    void withoutSpringMvcThereAreNoEndpointsButCallsStillJoin() {
        signed.withClassLoader(new FilteredClassLoader(org.springframework.web.servlet.DispatcherServlet.class)).run(context -> {
            assertThat(context).hasNotFailed().hasBean("tccInboundCallFilter").doesNotHaveBean("tccEndpointsRouterFunction");
        });
    }

    @Test
    void thePropertiesReachTheRuntimesHttpSettings() {
        signed.withPropertyValues("tcc.http.participant-path=/x/participant", "tcc.http.coordinator-path=/x/coordinator",
                "tcc.http.participant-url=https://flights.example/x/participant", "tcc.http.connect-timeout=3s",
                "tcc.http.read-timeout=4s", "tcc.http.signing.max-skew=45s", "tcc.http.signing.keys.k0=old-secret")
                .run(context -> {
                    HttpSettings settings = context.getBean(TccRuntime.class).httpSettings();
                    assertThat(settings).isSameAs(context.getBean(HttpSettings.class));
                    assertThat(settings.participantPath()).isEqualTo("/x/participant");
                    assertThat(settings.participantUrl()).isEqualTo("https://flights.example/x/participant");
                    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(settings.keys().currentKeyId()).isEqualTo("k1");
                    assertThat(settings.keys().secrets()).containsEntry("k1", SECRET).containsEntry("k0", "old-secret");
                    assertThat(settings.keys().maxSkew()).isEqualTo(Duration.ofSeconds(45));
                });
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        signed.run(context -> {
            HttpSettings settings = context.getBean(HttpSettings.class);
            assertThat(settings.participantPath()).isEqualTo("/tcc/participant");
            assertThat(settings.participantUrl()).isNull();
            assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(settings.keys().maxSkew()).isEqualTo(Duration.ofSeconds(30));
            TccProperties.Http http = context.getBean(TccProperties.class).getHttp();
            assertThat(http.getCoordinatorPath()).isEqualTo("/tcc/coordinator");
            assertThat(http.getAuthentication()).isEqualTo(TccProperties.HttpAuthentication.HMAC);
        });
    }

    @Test
    void theCoordinatorUrlIsComputedFromThePortTheServerGotWhenFirstAskedFor() {
        signed.withPropertyValues("server.servlet.context-path=/booking").run(context -> {
            HttpSettings settings = context.getBean(HttpSettings.class);
            org.springframework.boot.test.util.TestPropertyValues.of("local.server.port=43210").applyTo(context);
            assertThat(settings.coordinatorUrl().get()).isEqualTo("http://localhost:43210/booking/tcc/coordinator");
            assertThat(settings.participantPath()).as("advertised under the context path").isEqualTo("/booking/tcc/participant");
        });
        signed.withPropertyValues("tcc.http.coordinator-url=https://booking.example/tcc/coordinator").run(context ->
                assertThat(context.getBean(HttpSettings.class).coordinatorUrl().get())
                        .isEqualTo("https://booking.example/tcc/coordinator"));
    }

    @Test
    void theCoordinatorUrlIsNotGuessedBeforeTheServerHasAPort() {
        signed.run(context -> {
            HttpSettings settings = context.getBean(HttpSettings.class);
            org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(settings.coordinatorUrl()::get)
                    .withMessageContaining("'tcc.http.coordinator-url'");
        });
    }

    @Test
    void badValuesAreReportedUnderTheirProperty() {
        for (String bad : List.of("tcc.http.connect-timeout=0s", "tcc.http.read-timeout=-1s", "tcc.http.signing.max-skew=0s",
                "tcc.http.participant-path=tcc/participant", "tcc.http.coordinator-url=localhost:8080/tcc")) {
            signed.withPropertyValues(bad).run(context -> {
                assertThat(context).as(bad).hasFailed();
                assertThat(context.getStartupFailure()).as(bad).rootCause().hasMessageContaining(bad.split("=")[0]);
            });
        }
    }

    @Test
    void noSecretAppearsInTheSettingsOrThePropertiesAsText() {
        signed.run(context -> {
            assertThat(context.getBean(HttpSettings.class).toString()).doesNotContain(SECRET).contains("k1");
            TccProperties properties = context.getBean(TccProperties.class);
            assertThat(properties.getHttp().getSigning().toString()).doesNotContain(SECRET).contains("k1");
            assertThat(properties.getHttp().toString()).doesNotContain(SECRET);
            assertThat(properties.toString()).doesNotContain(SECRET);
        });
    }

    private static List<ClientHttpRequestInterceptor> interceptorsOf(RestClient.Builder builder) {
        List<ClientHttpRequestInterceptor> found = new ArrayList<>();
        builder.requestInterceptors(found::addAll);
        return found;
    }
}
