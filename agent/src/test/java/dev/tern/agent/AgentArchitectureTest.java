package dev.tern.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Layers inside the agent: {@code dev.tern.agent.ice} (NetBird's ICE over ice4j) sits below the engine and knows
 * nothing of it, so it can be tested, and replaced, on its own; ice4j stays inside that package.
 */
class AgentArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.tern.agent");

    @Test
    void icePackageDependsOnNothingAboveIt() {
        noClasses().that().resideInAPackage("dev.tern.agent.ice..")
                .should().dependOnClassesThat().resideInAPackage("dev.tern.agent")
                .check(CLASSES);
    }

    @Test
    void onlyTheIcePackageUsesIce4j() {
        noClasses().that().resideOutsideOfPackage("dev.tern.agent.ice..")
                .should().dependOnClassesThat().resideInAnyPackage("org.ice4j..", "org.jitsi..")
                .check(CLASSES);
    }
}
