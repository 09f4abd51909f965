package dev.tcc.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.spring.InvalidTccDefinitionException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

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
    void aTryWithATccContextParameterStopsStartUpSayingATryReadsItsBranchThroughTheHolder() {
        failsWith(ContextInTry.class, analysis -> {
            assertThat(analysis.getDescription()).contains("@Try method '" + ContextInTry.class.getName() + ".hold(String, TccContext)'")
                    .contains("TccContext parameter");
            assertThat(analysis.getAction()).contains("TccContextHolder.currentBranch()");
        });
    }

    @Test
    void aHoldNotLongerThanTheSafetyMarginStopsStartUpLikeThePropertyDoes() {
        contextRunner.withBean(HoldWithinMargin.class).withPropertyValues("tcc.hold.safety-margin=5s").run(context -> {
            FailureAnalysis analysis = analyze(context);
            assertThat(analysis.getDescription()).contains(HoldWithinMargin.class.getName() + ".hold(String)")
                    .contains("[PT5S]").contains("tcc.hold.safety-margin");
            assertThat(analysis.getAction()).contains("longer than [PT5S]");
        });
    }

    @Test
    void aHoldLongerThanTheSafetyMarginStarts() {
        contextRunner.withBean(HoldWithinMargin.class).withPropertyValues("tcc.hold.safety-margin=4s")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void anUnresolvedHoldPlaceholderNamesTheClassAndTheMethod() {
        failsWith(UnresolvedHold.class, analysis -> {
            assertThat(analysis.getDescription()).contains(UnresolvedHold.class.getName() + ".hold(String)")
                    .contains("${booking.unknown-hold}").contains("booking.unknown-hold");
            assertThat(analysis.getAction()).contains("${name:15m}");
        });
    }

    @Test
    void anUnresolvedHoldPlaceholderNamesTheClassAndTheMethodWithBootsStrictPlaceholderConfigurer() {
        contextRunner.withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class))
                .withBean(UnresolvedHold.class).run(context -> {
                    FailureAnalysis analysis = analyze(context);
                    assertThat(analysis.getDescription()).contains(UnresolvedHold.class.getName() + ".hold(String)")
                            .contains("${booking.unknown-hold}").contains("cannot be resolved");
                    assertThat(analysis.getAction()).contains("${name:15m}");
                });
    }

    @Test
    void everyProblemOfTheApplicationIsReportedAtOnce() {
        contextRunner.withBean(MissingConfirm.class).withBean(ContextInTry.class).withBean(BadTimeout.class)
                .withBean(UnresolvedHold.class).withBean(HoldWithinMargin.class).withPropertyValues("tcc.hold.safety-margin=5s")
                .run(context -> {
                    FailureAnalysis analysis = analyze(context);
                    assertThat(analysis.getDescription()).contains("5 problems")
                            .contains(MissingConfirm.class.getName() + ".hold(String, int)' has no @Confirm method")
                            .contains(ContextInTry.class.getName() + ".hold(String, TccContext)")
                            .contains(BadTimeout.class.getName() + ".book()")
                            .contains(UnresolvedHold.class.getName() + ".hold(String)")
                            .contains(HoldWithinMargin.class.getName() + ".hold(String)");
                    assertThat(analysis.getAction()).contains("@Confirm(\"hold\")").contains("TccContextHolder")
                            .contains("PT30S").contains("${name:15m}").contains("longer than [PT5S]");
                    assertThat(((InvalidTccDefinitionException) rootCause(context)).problems()).hasSize(5);
                });
    }

    @Test
    void twoProblemsInOneClassAreBothReported() {
        failsWith(TwoProblems.class, analysis -> assertThat(analysis.getDescription()).contains("2 problems")
                .contains(".confirm(String)' is final").contains("@Cancel(\"hold\") method '" + TwoProblems.class.getName()
                        + ".cancel(String, long)' has parameters"));
    }

    // ---------------------------------------------------------------- the barrier's transaction manager

    @Test
    void theBarrierFollowsTheTransactionManagerTheClassLevelTransactionalNames() {
        contextRunner.withUserConfiguration(TwoBanks.class).withBean(CreditOnBankB.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TccRuntime.class).participant("credit").action().runner().name()).isEqualTo("bankBTx");
        });
    }

    @Test
    void theBarrierFollowsAQualifierValueOfTheTransactionalOnTheTryMethod() {
        contextRunner.withUserConfiguration(TwoBanks.class).withBean(CreditByQualifier.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TccRuntime.class).participant("credit").action().runner().name()).isEqualTo("bankBTx");
        });
    }

    @Test
    void withoutATransactionalTheBarrierUsesThePrimaryTransactionManager() {
        contextRunner.withUserConfiguration(TwoBanks.class).withBean(GoodParticipant.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TccRuntime.class).participant("hold").action().runner().name()).isEqualTo("transactionManager");
        });
    }

    @Test
    void confirmAndCancelThatJoinTheBarriersTransactionStart() {
        contextRunner.withUserConfiguration(TwoBanks.class).withBean(JoiningPhases.class)
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aTryWhoseTransactionalNamesAnotherManagerThanTheTryStopsStartUpNamingBoth() {
        contextRunner.withUserConfiguration(TwoBanks.class).withBean(TryAndClassDisagree.class).run(context -> {
            FailureAnalysis analysis = analyze(context);
            assertThat(analysis.getDescription()).contains("@Try method '" + TryAndClassDisagree.class.getName() + ".credit(String)'")
                    .contains("names transaction manager 'transactionManager' for its barrier")
                    .contains("runs the body in 'bankBTx'");
            assertThat(analysis.getAction()).contains("Name one manager in both").contains("leave @Try(transactionManager) empty");
        });
    }

    @Test
    void aTryOnAnotherManagerWithAnUnqualifiedTransactionalStopsStartUp() {
        contextRunner.withUserConfiguration(TwoBanks.class).withBean(TryOnBankBUnqualifiedTransactional.class).run(context -> {
            FailureAnalysis analysis = analyze(context);
            assertThat(analysis.getDescription()).contains(TryOnBankBUnqualifiedTransactional.class.getName() + ".credit(String)")
                    .contains("'bankBTx' for its barrier").contains("runs the body in 'transactionManager' (it names none, so the one Spring picks");
            assertThat(analysis.getAction()).contains("@Transactional(\"bankBTx\")");
        });
    }

    @Test
    void anUnknownManagerNamedOnlyByTheClassLevelTransactionalStopsStartUpSayingWhereItCameFrom() {
        failsWith(UnknownManagerInTransactional.class, analysis -> {
            assertThat(analysis.getDescription()).contains(UnknownManagerInTransactional.class.getName() + ".credit(String)")
                    .contains("(through its @Transactional)").contains("transaction manager 'ledgerTx'");
            assertThat(analysis.getAction()).contains("[transactionManager]").contains("@Transactional(...)");
        });
    }

    @Test
    void aConfirmTransactionalOnAnotherManagerThanTheBarrierStopsStartUp() {
        contextRunner.withUserConfiguration(TwoBanks.class).withBean(ConfirmOnAnotherManager.class).run(context -> {
            FailureAnalysis analysis = analyze(context);
            assertThat(analysis.getDescription()).contains("@Confirm(\"credit\") method '" + ConfirmOnAnotherManager.class.getName()
                    + ".apply(String)' is @Transactional on transaction manager 'transactionManager'")
                    .contains("the barrier of action 'credit' commits with 'bankBTx'");
            assertThat(analysis.getAction()).contains("@Transactional(\"bankBTx\") on 'apply'");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesOutsideTheBarriersTransaction")
    void aTransactionalPropagationThatRunsABodyOutsideTheBarriersTransactionStopsStartUp(Class<?> participant, String method,
                                                                                       String propagation) {
        failsWith(participant, analysis -> {
            assertThat(analysis.getDescription()).contains(" method '" + participant.getName() + "." + method + "(String)'")
                    .contains("@Transactional(propagation = " + propagation + ")").contains("outside the barrier's transaction");
            assertThat(analysis.getAction()).contains("Remove the propagation from '" + method + "'");
        });
    }

    @Test
    void aTryInAReadOnlyTransactionalClassStopsStartUp() {
        failsWith(ReadOnlyTry.class, analysis -> {
            assertThat(analysis.getDescription()).contains("@Try method '" + ReadOnlyTry.class.getName() + ".hold(String)'")
                    .contains("@Transactional(readOnly = true)");
            assertThat(analysis.getAction()).contains("Remove readOnly from the @Transactional of 'hold'");
        });
    }

    static Stream<Arguments> bodiesOutsideTheBarriersTransaction() {
        return Stream.of(Arguments.of(RequiresNewTry.class, "hold", "REQUIRES_NEW"),
                Arguments.of(NotSupportedTry.class, "hold", "NOT_SUPPORTED"),
                Arguments.of(NeverTry.class, "hold", "NEVER"),
                Arguments.of(RequiresNewConfirm.class, "confirm", "REQUIRES_NEW"),
                Arguments.of(NotSupportedCancel.class, "cancel", "NOT_SUPPORTED"),
                Arguments.of(NeverCancel.class, "cancel", "NEVER"));
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

    private static Throwable rootCause(AssertableApplicationContext context) {
        Throwable failure = context.getStartupFailure();
        while (!(failure instanceof InvalidTccDefinitionException) && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
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

    static class ContextInTry {
        @Try(name = "contextual")
        public void hold(String item, TccContext context) {
        }

        @Confirm("contextual")
        public void confirm(String item, TccContext context) {
        }

        @Cancel("contextual")
        public void cancel(TccContext context) {
        }
    }

    static class HoldWithinMargin {
        @Try(name = "brief", hold = "5s")
        public void hold(String item) {
        }

        @Confirm("brief")
        public void confirm(String item) {
        }

        @Cancel("brief")
        public void cancel(String item) {
        }
    }

    static class UnresolvedHold {
        @Try(name = "unresolved", hold = "${booking.unknown-hold}")
        public void hold(String item) {
        }

        @Confirm("unresolved")
        public void confirm(String item) {
        }

        @Cancel("unresolved")
        public void cancel(String item) {
        }
    }

    static class TwoProblems {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        public final void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item, long count) {
        }
    }

    /**
     * Bank A (the auto-configured DataSource) is primary; bank B is another database with its own
     * manager (its DataSource is no bean, so the application keeps a single DataSource).
     */
    @Configuration(proxyBeanMethods = false)
    static class TwoBanks {
        @Bean
        @Primary
        JdbcTransactionManager transactionManager(DataSource dataSource) {
            return new JdbcTransactionManager(dataSource);
        }

        @Bean
        @Qualifier("bankB")
        JdbcTransactionManager bankBTx() {
            return new JdbcTransactionManager(new DriverManagerDataSource("jdbc:h2:mem:bankB-" + UUID.randomUUID()));
        }
    }

    @Transactional("bankBTx")
    static class CreditOnBankB {
        @Try
        public void credit(String transfer) {
        }

        @Confirm("credit")
        public void apply(String transfer) {
        }

        @Cancel("credit")
        public void drop(String transfer) {
        }
    }

    static class CreditByQualifier {
        @Try
        @Transactional("bankB")
        public void credit(String transfer) {
        }

        @Confirm("credit")
        @Transactional("bankBTx")
        public void apply(String transfer) {
        }

        @Cancel("credit")
        public void drop(String transfer) {
        }
    }

    @Transactional
    static class JoiningPhases {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        @Transactional(propagation = Propagation.MANDATORY)
        public void confirm(String item) {
        }

        @Cancel("hold")
        @Transactional(propagation = Propagation.NESTED)
        public void cancel(String item) {
        }
    }

    @Transactional("bankBTx")
    static class TryAndClassDisagree {
        @Try(transactionManager = "transactionManager")
        public void credit(String transfer) {
        }

        @Confirm("credit")
        public void apply(String transfer) {
        }

        @Cancel("credit")
        public void drop(String transfer) {
        }
    }

    @Transactional
    static class TryOnBankBUnqualifiedTransactional {
        @Try(transactionManager = "bankBTx")
        public void credit(String transfer) {
        }

        @Confirm("credit")
        @Transactional("bankBTx")
        public void apply(String transfer) {
        }

        @Cancel("credit")
        @Transactional("bankBTx")
        public void drop(String transfer) {
        }
    }

    @Transactional("ledgerTx")
    static class UnknownManagerInTransactional {
        @Try
        public void credit(String transfer) {
        }

        @Confirm("credit")
        public void apply(String transfer) {
        }

        @Cancel("credit")
        public void drop(String transfer) {
        }
    }

    @Transactional("bankBTx")
    static class ConfirmOnAnotherManager {
        @Try
        public void credit(String transfer) {
        }

        @Confirm("credit")
        @Transactional("transactionManager")
        public void apply(String transfer) {
        }

        @Cancel("credit")
        public void drop(String transfer) {
        }
    }

    @Transactional(readOnly = true)
    static class ReadOnlyTry {
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

    static class RequiresNewTry {
        @Try
        @Transactional(propagation = Propagation.REQUIRES_NEW)
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class NotSupportedTry {
        @Try
        @Transactional(propagation = Propagation.NOT_SUPPORTED)
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class NeverTry {
        @Try
        @Transactional(propagation = Propagation.NEVER)
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    @Transactional
    static class RequiresNewConfirm {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        @Transactional(propagation = Propagation.REQUIRES_NEW)
        public void confirm(String item) {
        }

        @Cancel("hold")
        public void cancel(String item) {
        }
    }

    static class NotSupportedCancel {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        @Transactional(propagation = Propagation.NOT_SUPPORTED)
        public void cancel(String item) {
        }
    }

    static class NeverCancel {
        @Try
        public void hold(String item) {
        }

        @Confirm("hold")
        public void confirm(String item) {
        }

        @Cancel("hold")
        @Transactional(propagation = Propagation.NEVER)
        public void cancel(String item) {
        }
    }
}
