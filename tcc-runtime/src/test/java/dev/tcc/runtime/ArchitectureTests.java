package dev.tcc.runtime;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/** The runtime's architecture rules: they fail the build when broken. */
class ArchitectureTests {

    private static final String RUNTIME = "dev.tcc.runtime";

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(RUNTIME);

    @Test
    void theRuntimeImportsNoSpring() {
        noClasses().that().resideInAPackage(RUNTIME + "..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..")
                .because("tcc-runtime is usable without Spring; the starter is the wiring")
                .check(CLASSES);
    }

    @Test
    void theRuntimesPackagesFormNoCycle() {
        slices().assignedFrom(RUNTIME_PACKAGES).should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void theModelDependsOnNoOtherRuntimePackage() {
        noClasses().that().resideInAPackage(RUNTIME + ".model..")
                .should().dependOnClassesThat(resideInAPackage(RUNTIME + "..").and(not(resideInAPackage(RUNTIME + ".model.."))))
                .because("dev.tcc.runtime.model is the floor every other package stands on")
                .check(CLASSES);
    }

    /** One slice per direct subpackage of dev.tcc.runtime, and one for the root package itself. */
    private static final SliceAssignment RUNTIME_PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            if (!pkg.equals(RUNTIME) && !pkg.startsWith(RUNTIME + ".")) {
                return SliceIdentifier.ignore();
            }
            String rest = pkg.equals(RUNTIME) ? "(root)" : pkg.substring(RUNTIME.length() + 1);
            int dot = rest.indexOf('.');
            return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
        }

        @Override
        public String getDescription() {
            return "the packages of dev.tcc.runtime (the root package and each direct subpackage)";
        }
    };
}
