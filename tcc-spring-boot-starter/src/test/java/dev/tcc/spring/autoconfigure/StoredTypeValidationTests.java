package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccDefinitionException;
import dev.tcc.api.Try;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A try whose stored arguments or result could name the class to build stops start-up. */
class StoredTypeValidationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, AopAutoConfiguration.class, TccAutoConfiguration.class))
            .withPropertyValues("spring.datasource.generate-unique-name=true", "tcc.recovery.enabled=false");

    @Test
    void aParameterWithAFieldTypedByClassNameStopsStartUpNamingTheActionMethodParameterAndFix() {
        contextRunner.withBean(PaymentService.class).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new TccDefinitionFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).as("analysed as a %s", TccDefinitionException.class.getSimpleName()).isNotNull();
            assertThat(analysis.getDescription())
                    .contains("Parameter 'lines' of " + PaymentService.class.getSimpleName() + ".pay")
                    .contains("action 'pay'")
                    .contains("java.util.List<" + Line.class.getName() + ">")
                    .contains("@JsonTypeInfo(use = NAME) with @JsonSubTypes");
        });
    }

    @Test
    void aResultWhoseSubtypesAreChosenByClassNameStopsStartUp() {
        contextRunner.withBean(CardService.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(new TccDefinitionFailureAnalyzer().analyze(context.getStartupFailure()).getDescription())
                    .contains("Result of " + CardService.class.getSimpleName() + ".authorize");
        });
    }

    @Test
    void subtypesChosenByNameFromAClosedListStart() {
        contextRunner.withBean(NamedSubtypes.class).run(context -> assertThat(context).hasNotFailed());
    }

    record Line(String sku, @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object detail) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.MINIMAL_CLASS)
    public interface Authorization {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes(@JsonSubTypes.Type(value = Card.class, name = "card"))
    public interface PaymentMethod {
    }

    record Card(String number) implements PaymentMethod {
    }

    static class PaymentService {
        @Try
        public void pay(String order, List<Line> lines) {
        }

        @Confirm("pay")
        public void confirm(TccContext context) {
        }

        @Cancel("pay")
        public void cancel(TccContext context) {
        }
    }

    static class CardService {
        @Try
        public Authorization authorize(String card) {
            return null;
        }

        @Confirm("authorize")
        public void confirm(TccContext context) {
        }

        @Cancel("authorize")
        public void cancel(TccContext context) {
        }
    }

    static class NamedSubtypes {
        @Try
        public PaymentMethod charge(PaymentMethod method) {
            return method;
        }

        @Confirm("charge")
        public void confirm(PaymentMethod method, TccContext context) {
        }

        @Cancel("charge")
        public void cancel(TccContext context) {
        }
    }
}
