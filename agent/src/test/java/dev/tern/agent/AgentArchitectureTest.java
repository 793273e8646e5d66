package dev.tern.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The agent's parts and which way their arrows point, checked on the compiled classes: the command line and the
 * daemon's life cycle on top; the engine below them; control, relay, NetBird's ICE and the data plane below the
 * engine, none of them knowing another; the status model and the shared basics at the bottom. ArchUnit fails a layer with no
 * classes, so a package that is renamed or emptied cannot make these rules pass vacuously.
 */
class AgentArchitectureTest {
    private static JavaClasses agent;

    @BeforeAll
    static void importProductionClasses() {
        agent = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tern.agent");
    }

    @Test
    void thePartsFormNoCycles() {
        slices().matching("dev.tern.agent.(*)..").should().beFreeOfCycles().check(agent);
    }

    @Test
    void dependenciesPointDownTheLayers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Cli").definedBy("dev.tern.agent")
                .layer("Daemon").definedBy("dev.tern.agent.daemon..")
                .layer("Engine").definedBy("dev.tern.agent.engine..")
                .layer("Control").definedBy("dev.tern.agent.control..")
                .layer("Relay").definedBy("dev.tern.agent.relay..")
                .layer("Ice").definedBy("dev.tern.agent.ice..")
                .layer("DataPlane").definedBy("dev.tern.agent.dataplane..")
                .layer("Dns").definedBy("dev.tern.agent.dns..")
                .layer("Routing").definedBy("dev.tern.agent.routing..")
                .layer("Status").definedBy("dev.tern.agent.status..")
                .layer("Common").definedBy("dev.tern.agent.common..")
                .whereLayer("Cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("Daemon").mayOnlyBeAccessedByLayers("Cli")
                .whereLayer("Engine").mayOnlyBeAccessedByLayers("Cli")
                .whereLayer("Control").mayOnlyBeAccessedByLayers("Cli", "Engine")
                .whereLayer("Relay").mayOnlyBeAccessedByLayers("Cli", "Engine")
                .whereLayer("Ice").mayOnlyBeAccessedByLayers("Cli", "Engine")
                .whereLayer("DataPlane").mayOnlyBeAccessedByLayers("Cli", "Daemon", "Engine", "Dns", "Routing")
                .whereLayer("Dns").mayOnlyBeAccessedByLayers("Cli", "Engine")
                .whereLayer("Status").mayOnlyBeAccessedByLayers("Cli", "Engine", "Dns", "Routing")
                .whereLayer("Routing").mayOnlyBeAccessedByLayers("Cli", "Engine")
                .whereLayer("Common").mayOnlyBeAccessedByLayers("Cli", "Daemon", "Engine", "Control", "Relay",
                        "Ice", "DataPlane", "Status", "Dns", "Routing")
                .check(agent);
    }

    /** dnsjava stays behind the dns package's own types. */
    @Test
    void onlyTheDnsPackageUsesDnsjava() {
        noClasses().that().resideOutsideOfPackage("dev.tern.agent.dns..")
                .should().dependOnClassesThat().resideInAnyPackage("org.xbill..")
                .check(agent);
    }

    /** ice4j (and the jitsi libraries it brings) stay behind the ice package's own types. */
    @Test
    void onlyTheIcePackageUsesIce4j() {
        noClasses().that().resideOutsideOfPackage("dev.tern.agent.ice..")
                .should().dependOnClassesThat().resideInAnyPackage("org.ice4j..", "org.jitsi..")
                .check(agent);
    }
}
