package dev.tcc.sample;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The sample is an application like any user's: of the framework it uses only the api, the SPI and
 * the starter; and nothing of the framework depends on the sample or the benchmarks.
 */
class ArchitectureTests {

    /** The sample and everything of ours on its class path: api, SPI, runtime, starter. */
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tcc");

    @Test
    void theSampleUsesOnlyTheApiTheSpiAndTheStarter() {
        noClasses().that().resideInAPackage("dev.tcc.sample..")
                .should().dependOnClassesThat(resideInAPackage("dev.tcc..")
                        .and(not(resideInAnyPackage("dev.tcc.api..", "dev.tcc.spi..", "dev.tcc.spring..", "dev.tcc.sample.."))))
                .because("a user's application can only use what the api and the starter offer; the sample shows that it is enough")
                .check(CLASSES);
    }

    @Test
    void nothingDependsOnTheSampleOrTheBenchmarks() {
        noClasses().that().resideOutsideOfPackages("dev.tcc.sample..", "dev.tcc.bench..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tcc.sample..", "dev.tcc.bench..")
                .check(CLASSES);
    }
}
