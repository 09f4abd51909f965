package dev.tcc.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Nothing of the framework on the benchmarks' class path (api, SPI, runtime) depends on the benchmarks or the sample. */
class ArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tcc");

    @Test
    void nothingDependsOnTheBenchmarksOrTheSample() {
        noClasses().that().resideOutsideOfPackages("dev.tcc.bench..", "dev.tcc.sample..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tcc.bench..", "dev.tcc.sample..")
                .check(CLASSES);
    }
}
