package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.spring.InvalidTccDefinitionException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Every start-up validation message, and its failure analysis. */
class TccDefinitionValidationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, AopAutoConfiguration.class, TccAutoConfiguration.class))
            .withPropertyValues("spring.datasource.generate-unique-name=true", "tcc.recovery.enabled=false");

    @Test
    void aWellFormedParticipantStarts() {
        contextRunner.withBean(GoodParticipant.class).run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aHoldPlaceholderIsResolvedFromTheEnvironment() {
        contextRunner.withBean(ConfiguredHold.class).withPropertyValues("sample.hold=7m").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(dev.tcc.runtime.TccRuntime.class).participant("configured").action().hold())
                    .isEqualTo(java.time.Duration.ofMinutes(7));
        });
    }

    @Test
    void aTryWithoutConfirmStopsStartUpNamingTheMethodAndTheFix() {
        failsWith(MissingConfirm.class, analysis -> {
            assertThat(analysis.getDescription()).contains("@Try action 'hold'")
                    .contains(MissingConfirm.class.getName() + ".hold(String, int)").contains("has no @Confirm method");
            assertThat(analysis.getAction()).contains("@Confirm(\"hold\")").contains("[String, int]").contains("TccContext");
        });
    }

    @Test
    void aTryWithoutCancelStopsStartUp() {
        failsWith(MissingCancel.class, analysis -> assertThat(analysis.getDescription()).contains("has no @Cancel method")
                .contains(MissingCancel.class.getName() + ".hold(String, int)"));
    }

    @Test
    void aConfirmWhoseParametersDoNotMatchTheTryStopsStartUp() {
        failsWith(MismatchedParameters.class, analysis -> {
            assertThat(analysis.getDescription()).contains("@Confirm(\"hold\") method '" + MismatchedParameters.class.getName()
                    + ".confirm(String, long)'").contains("has parameters [String, long]").contains("do not match");
            assertThat(analysis.getAction()).contains("[String, int]");
        });
    }

    @Test
    void aCancelWithParametersInTheWrongOrderStopsStartUp() {
        failsWith(ContextFirst.class, analysis -> assertThat(analysis.getDescription())
                .contains(ContextFirst.class.getName() + ".cancel(TccContext, String, int)"));
    }

    @Test
    void twoTriesWithOneActionNameInOneBeanStopStartUp() {
        failsWith(DuplicateInOneBean.class, analysis -> {
            assertThat(analysis.getDescription()).contains("Two @Try methods").contains("action 'hold'")
                    .contains(".first(String)").contains(".second(String)");
            assertThat(analysis.getAction()).contains("@Try(name = \"...\")");
        });
    }

    @Test
    void twoTriesWithOneActionNameInTwoBeansStopStartUp() {
        contextRunner.withBean(GoodParticipant.class).withBean(SameActionElsewhere.class).run(context -> {
            FailureAnalysis analysis = analyze(context);
            assertThat(analysis.getDescription()).contains("Two @Try methods are for action 'hold'")
                    .contains(GoodParticipant.class.getName()).contains(SameActionElsewhere.class.getName());
            assertThat(analysis.getAction()).contains("Action names are global");
        });
    }

    @Test
    void aConfirmForAnUnknownActionStopsStartUp() {
        failsWith(OrphanConfirm.class, analysis -> {
            assertThat(analysis.getDescription()).contains("@Confirm(\"holdd\")").contains("names no @Try action")
                    .contains("[hold]");
            assertThat(analysis.getAction()).contains("keep try, confirm and cancel in one bean");
        });
    }

    @Test
    void aPrivateTryStopsStartUpBecauseItCannotBeProxied() {
        failsWith(PrivateTry.class, analysis -> {
            assertThat(analysis.getDescription()).contains("@Try method '" + PrivateTry.class.getName() + ".hold(String)' is private")
                    .contains("Spring cannot intercept it");
            assertThat(analysis.getAction()).contains("Make 'hold' a non-private instance method");
        });
    }

    @Test
    void aFinalTryStopsStartUp() {
        failsWith(FinalTry.class, analysis -> assertThat(analysis.getDescription()).contains(".hold(String)' is final"));
    }

    @Test
    void aStaticConfirmStopsStartUp() {
        failsWith(StaticConfirm.class, analysis -> assertThat(analysis.getDescription())
                .contains("@Confirm method '" + StaticConfirm.class.getName() + ".confirm(String)' is static"));
    }

    @Test
    void aFinalCancelStopsStartUp() {
        failsWith(FinalCancel.class, analysis -> assertThat(analysis.getDescription()).contains(".cancel(String)' is final"));
    }

    @Test
    void aPrivateTccTransactionalMethodStopsStartUp() {
        failsWith(PrivateInitiator.class, analysis -> assertThat(analysis.getDescription())
                .contains("@TccTransactional method '" + PrivateInitiator.class.getName() + ".book()' is private"));
    }

    @Test
    void anInvalidTimeoutStopsStartUpNamingTheMethod() {
        failsWith(BadTimeout.class, analysis -> {
            assertThat(analysis.getDescription()).contains("[soon]").contains(BadTimeout.class.getName() + ".book()");
            assertThat(analysis.getAction()).contains("PT30S");
        });
    }

    @Test
    void anInvalidHoldStopsStartUpNamingTheMethod() {
        failsWith(BadHold.class, analysis -> {
            assertThat(analysis.getDescription()).contains("[forever]").contains(BadHold.class.getName() + ".hold(String)");
            assertThat(analysis.getAction()).contains("PT15M");
        });
    }

    @Test
    void anUnknownTransactionManagerStopsStartUpListingTheKnownOnes() {
        failsWith(UnknownTransactionManager.class, analysis -> {
            assertThat(analysis.getDescription()).contains("transaction manager 'ordersTransactionManager'")
                    .contains(UnknownTransactionManager.class.getName() + ".hold(String)");
            assertThat(analysis.getAction()).contains("[transactionManager]");
        });
    }

    @Test
    void theFailureAnalyzerIsRegisteredInSpringFactories() throws IOException {
        StringBuilder factories = new StringBuilder();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring.factories"))) {
            try (InputStream in = url.openStream()) {
                factories.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(factories.toString()).contains("org.springframework.boot.diagnostics.FailureAnalyzer=\\\n"
                + TccDefinitionFailureAnalyzer.class.getName());
    }

    private void failsWith(Class<?> participant, Consumer<FailureAnalysis> expectations) {
        contextRunner.withBean(participant).run(context -> expectations.accept(analyze(context)));
    }

    private static FailureAnalysis analyze(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        assertThat(context.getStartupFailure()).satisfiesAnyOf(
                failure -> assertThat(failure).isInstanceOf(InvalidTccDefinitionException.class),
                failure -> assertThat(failure).hasRootCauseInstanceOf(InvalidTccDefinitionException.class));
        FailureAnalysis analysis = new TccDefinitionFailureAnalyzer().analyze(context.getStartupFailure());
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).doesNotContain(analysis.getAction());
        return analysis;
    }

    static class GoodParticipant {
        @Try
        public String hold(String item, int count) {
            return item;
        }

        @Confirm("hold")
        public void confirm(String item, int count, TccContext context) {
        }

        @Cancel("hold")
        public void cancel(TccContext context) {
        }
    }

    static class ConfiguredHold {
        @Try(name = "configured", hold = "${sample.hold:45s}")
        public void hold(String item) {
        }

        @Confirm("configured")
        public void confirm(String item) {
        }

        @Cancel("configured")
        public void cancel(String item) {
        }
    }

    static class SameActionElsewhere {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class MissingConfirm {
        @Try
        public void hold(String item, int count) {
        }

        @Cancel("hold")
        public void cancel(String item, int count) {
        }
    }

    static class MissingCancel {
        @Try
        public void hold(String item, int count) {
        }

        @Confirm("hold")
        public void confirm(String item, int count) {
        }
    }

    static class MismatchedParameters {
        @Try
        public void hold(String item, int count) {
        }

        @Confirm("hold")
        public void confirm(String item, long count) {
        }

        @Cancel("hold")
        public void cancel(String item, int count) {
        }
    }

    static class ContextFirst {
        @Try
        public void hold(String item, int count) {
        }

        @Confirm("hold")
        public void confirm(String item, int count) {
        }

        @Cancel("hold")
        public void cancel(TccContext context, String item, int count) {
        }
    }

    static class DuplicateInOneBean {
        @Try(name = "hold")
        public void first(String item) {
        }

        @Try(name = "hold")
        public void second(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class OrphanConfirm {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Confirm("holdd")
        public void confirmTypo(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class PrivateTry {
        @Try
        private void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class FinalTry {
        @Try
        public final void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class StaticConfirm {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        public static void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class FinalCancel {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public final void cancel(String item) {
        }
    }

    static class PrivateInitiator {
        @TccTransactional
        private void book() {
        }
    }

    static class BadTimeout {
        @TccTransactional(timeout = "soon")
        public void book() {
        }
    }

    static class BadHold {
        @Try(hold = "forever")
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class UnknownTransactionManager {
        @Try(transactionManager = "ordersTransactionManager")
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }
}
