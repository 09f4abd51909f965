package dev.tcc.spring.http;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.spring.autoconfigure.TccAutoConfiguration;
import dev.tcc.spring.autoconfigure.TccProperties;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * TCC across HTTP (docs/across-services.md): Boot's {@code RestClient.Builder} and {@code RestTemplateBuilder}
 * carry the transaction onto calls; in a servlet web application a filter joins the callers' transactions and
 * Spring MVC routes expose the participant and coordinator endpoints, after a check that they are authenticated.
 */
@AutoConfiguration(after = TccAutoConfiguration.class)
@ConditionalOnBean(TccRuntime.class)
public final class TccHttpAutoConfiguration {

    private static Supplier<TccRuntime> lazy(ObjectProvider<TccRuntime> runtime) {
        return SingletonSupplier.of(runtime::getObject);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({RestClient.class, RestClientCustomizer.class})
    static class RestClientPropagation {

        @Bean
        @ConditionalOnMissingBean(name = "tccRestClientCustomizer")
        TccRestClientCustomizer tccRestClientCustomizer(ObjectProvider<TccRuntime> runtime, TccProperties properties) {
            return new TccRestClientCustomizer(new TccClientHttpRequestInterceptor(lazy(runtime),
                    properties.getHttp().isPropagateSafeMethods()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({RestTemplate.class, RestTemplateCustomizer.class})
    static class RestTemplatePropagation {

        @Bean
        @ConditionalOnMissingBean(name = "tccRestTemplateCustomizer")
        TccRestTemplateCustomizer tccRestTemplateCustomizer(ObjectProvider<TccRuntime> runtime, TccProperties properties) {
            return new TccRestTemplateCustomizer(new TccClientHttpRequestInterceptor(lazy(runtime),
                    properties.getHttp().isPropagateSafeMethods()));
        }
    }

    /** The inbound side, only where a servlet container serves requests. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({OncePerRequestFilter.class, FilterRegistrationBean.class})
    static class Servlet {

        /** Spring Security's filter chain runs at this order unless 'spring.security.filter.order' says otherwise. */
        static final int SECURITY_FILTER_ORDER = -100;

        /**
         * The filter runs after Spring Security's (so that mode authenticates first) and, as a filter that wraps the
         * request, at an order not above {@code OrderedFilter.REQUEST_WRAPPER_FILTER_MAX_ORDER} (0) when it can.
         */
        /** Start-up fails here when the filter and the endpoints would accept calls nobody authenticates. */
        @Bean
        TccHttpAuthenticationCheck tccHttpAuthenticationCheck(TccProperties properties, ApplicationContext context) {
            return TccHttpAuthenticationCheck.run(properties.getHttp(), context.getClassLoader());
        }

        @Bean
        @ConditionalOnMissingBean(name = "tccInboundCallFilter")
        FilterRegistrationBean<TccInboundCallFilter> tccInboundCallFilter(ObjectProvider<TccRuntime> runtime,
                                                                           TccHttpAuthenticationCheck checked,
                                                                           Environment environment, TccProperties properties) {
            FilterRegistrationBean<TccInboundCallFilter> registration = new FilterRegistrationBean<>(new TccInboundCallFilter(
                    lazy(runtime), properties.getHttp().getMaxBodySize().toBytes()));
            registration.setName("tccInboundCallFilter");
            if (!properties.getHttp().getEndpoints().isEnabled() && properties.getHttp().getParticipantUrl() == null) {
                // joining without a participant endpoint would take holds that no confirm or cancel can reach
                registration.setEnabled(false);
            }
            int securityOrder = environment.getProperty("spring.security.filter.order", Integer.class, SECURITY_FILTER_ORDER);
            registration.setOrder(Math.max(securityOrder + 1, Math.min(securityOrder + 50, 0)));
            return registration;
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass({DispatcherServlet.class, RouterFunction.class})
        @ConditionalOnBooleanProperty(name = "tcc.http.endpoints.enabled", matchIfMissing = true)
        static class Endpoints {

            @Bean
            @ConditionalOnMissingBean(name = "tccEndpointsRouterFunction")
            RouterFunction<ServerResponse> tccEndpointsRouterFunction(ObjectProvider<TccRuntime> runtime,
                                                                       TccProperties properties,
                                                                       TccHttpAuthenticationCheck checked) {
                return new TccEndpointsRouter(lazy(runtime)).routes(properties.getHttp().getParticipantPath(),
                        properties.getHttp().getCoordinatorPath());
            }
        }
    }

    /** Adds the interceptor to every {@code RestClient.Builder} Boot provides, last: it signs what goes out. */
    static final class TccRestClientCustomizer implements RestClientCustomizer, Ordered {

        private final TccClientHttpRequestInterceptor interceptor;

        TccRestClientCustomizer(TccClientHttpRequestInterceptor interceptor) {
            this.interceptor = interceptor;
        }

        @Override
        public void customize(RestClient.Builder builder) {
            builder.requestInterceptor(interceptor);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /** Adds the interceptor to every {@code RestTemplate} built by Boot's {@code RestTemplateBuilder}, last. */
    static final class TccRestTemplateCustomizer implements RestTemplateCustomizer, Ordered {

        private final TccClientHttpRequestInterceptor interceptor;

        TccRestTemplateCustomizer(TccClientHttpRequestInterceptor interceptor) {
            this.interceptor = interceptor;
        }

        @Override
        public void customize(RestTemplate restTemplate) {
            restTemplate.getInterceptors().add(interceptor);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
