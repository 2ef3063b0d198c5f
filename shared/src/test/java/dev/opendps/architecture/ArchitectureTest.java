package dev.opendps.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the architecture visible (docs/style.md): the domain core and its use cases import no Azure SDK,
 * no Functions library and no adapter, so they run and test anywhere and adapters stay swappable.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.opendps");
    }

    @Test
    void theDomainCoreImportsNoAzureSdkAndNoFunctionsLibrary() {
        noClasses().that().resideInAnyPackage("dev.opendps.domain..", "dev.opendps.service..")
                .should().dependOnClassesThat().resideInAnyPackage("com.azure..", "com.microsoft.azure..")
                .check(classes);
    }

    @Test
    void theDomainCoreDependsOnNoAdapterHostOrWireFormat() {
        noClasses().that().resideInAnyPackage("dev.opendps.domain..", "dev.opendps.service..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.opendps.adapters..", "dev.opendps.app..",
                        "dev.opendps.api..", "dev.opendps.wire..", "java.sql..")
                .check(classes);
    }

    @Test
    void nothingInSharedImportsTheFunctionsLibrary() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("com.microsoft.azure.functions..")
                .check(classes);
    }

    @Test
    void adaptersAreNotUsedByTheApiLayer() {
        noClasses().that().resideInAnyPackage("dev.opendps.api..", "dev.opendps.wire..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.opendps.adapters.sqlite..")
                .check(classes);
    }
}
