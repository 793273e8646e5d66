package dev.tern.e2e;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.tern.signal.SignalRelayNode;
import dev.tern.signal.SignalServer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dependency arrows of DESIGN.md, checked on the compiled classes of every module rather than by memory:
 * events depends on nothing of ours; command-side, query-side and network-projector only on events; protocol on
 * nothing of ours; signal-relay only on protocol and never on Spring or Axon; nothing depends on api or agent;
 * within api, only the data-path package runs the signal-relay node; test-support only on protocol, and no
 * production code on test-support.
 */
class ModuleDependencyRulesTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tern");
    }

    @Test
    void everyModuleIsOnTheClasspath() {
        // Guards the rules below against passing vacuously because a module's classes were not imported.
        for (String pkg : new String[] {"dev.tern.events", "dev.tern.command", "dev.tern.query", "dev.tern.projector",
                "dev.tern.protocol", "dev.tern.signal", "dev.tern.api", "dev.tern.agent", "dev.tern.testsupport"}) {
            assertThat(classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)))
                    .as("classes of %s imported", pkg).isTrue();
        }
    }

    @Test
    void eventsDependOnNothingOfOursAndNoFramework() {
        check(noClasses().that().resideInAPackage("dev.tern.events..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tern.command..", "dev.tern.query..", "dev.tern.projector..", "dev.tern.protocol..",
                        "dev.tern.signal..", "dev.tern.api..", "dev.tern.agent..",
                        "org.axonframework..", "org.springframework..", "com.fasterxml.jackson.."));
    }

    @Test
    void commandSideDependsOnlyOnEvents() {
        check(noClasses().that().resideInAPackage("dev.tern.command..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tern.query..", "dev.tern.projector..", "dev.tern.protocol..", "dev.tern.signal..",
                        "dev.tern.api..", "dev.tern.agent.."));
    }

    @Test
    void querySideDependsOnlyOnEvents() {
        check(noClasses().that().resideInAPackage("dev.tern.query..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tern.command..", "dev.tern.projector..", "dev.tern.protocol..", "dev.tern.signal..",
                        "dev.tern.api..", "dev.tern.agent.."));
    }

    @Test
    void networkProjectorCoreIsPlainJava() {
        check(noClasses().that().resideInAPackage("dev.tern.projector..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tern.command..", "dev.tern.query..", "dev.tern.protocol..", "dev.tern.signal..",
                        "dev.tern.api..", "dev.tern.agent..", "org.springframework.."));
        // Only the thin Axon adapter may know Axon.
        check(noClasses().that().resideInAPackage("dev.tern.projector..")
                .and().doNotHaveSimpleName("NetworkMapEventHandler")
                .should().dependOnClassesThat().resideInAPackage("org.axonframework.."));
    }

    @Test
    void protocolDependsOnNothingOfOurs() {
        check(noClasses().that().resideInAPackage("dev.tern.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tern.events..", "dev.tern.command..", "dev.tern.query..", "dev.tern.projector..",
                        "dev.tern.signal..", "dev.tern.api..", "dev.tern.agent.."));
    }

    @Test
    void signalRelayUsesOnlyProtocolAndNoSpringOrAxon() {
        check(noClasses().that().resideInAPackage("dev.tern.signal..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tern.events..", "dev.tern.command..", "dev.tern.query..", "dev.tern.projector..",
                        "dev.tern.api..", "dev.tern.agent..", "org.springframework..", "org.axonframework.."));
    }

    @Test
    void agentUsesOnlyProtocol() {
        check(noClasses().that().resideInAPackage("dev.tern.agent..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tern.events..", "dev.tern.command..", "dev.tern.query..", "dev.tern.projector..",
                        "dev.tern.signal..", "dev.tern.api..", "org.springframework..", "org.axonframework.."));
    }

    @Test
    void nothingDependsOnTheServerOrTheAgent() {
        check(noClasses().that().resideOutsideOfPackage("dev.tern.api..")
                .should().dependOnClassesThat().resideInAPackage("dev.tern.api.."));
        check(noClasses().that().resideOutsideOfPackage("dev.tern.agent..")
                .should().dependOnClassesThat().resideInAPackage("dev.tern.agent.."));
    }

    /** tern-server embeds the data-path node through one lifecycle instead of composing signal, STUN and relay. */
    @Test
    void onlyTheServersDataPathPackageRunsTheSignalRelayNode() {
        check(noClasses().that().resideInAPackage("dev.tern.api..")
                .and().resideOutsideOfPackage("dev.tern.api.datapath..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tern.signal.relay..", "dev.tern.signal.stun..")
                .orShould().dependOnClassesThat().belongToAnyOf(SignalServer.class, SignalRelayNode.class));
    }

    /**
     * Inside the query side, each read table's package (its projection beside its reads) stands alone, so a table
     * can change or leave without touching the others; the audit reads other tables by SQL, not by their classes.
     * Only point-in-time reads answer in several tables' shapes; the module's core knows none of them.
     */
    @Test
    void querySideReadTablesStandAlone() {
        List<String> tables = List.of("users", "setupkeys", "groups", "peers", "audit");
        for (String table : tables) {
            check(noClasses().that().resideInAPackage("dev.tern.query." + table + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(tables.stream().filter(t -> !t.equals(table))
                            .map(t -> "dev.tern.query." + t + "..").toArray(String[]::new)));
        }
        check(noClasses().that().resideInAPackage("dev.tern.query")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tern.query.users..",
                        "dev.tern.query.setupkeys..", "dev.tern.query.groups..", "dev.tern.query.peers..",
                        "dev.tern.query.audit..", "dev.tern.query.history.."));
    }

    @Test
    void testSupportUsesOnlyProtocolAndNoProductionCodeUsesIt() {
        // signal-relay's tests use test-support, so it cannot know signal-relay (nor api: it starts tern-server by path).
        check(noClasses().that().resideInAPackage("dev.tern.testsupport..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tern.events..", "dev.tern.command..", "dev.tern.query..", "dev.tern.projector..",
                        "dev.tern.signal..", "dev.tern.api..", "dev.tern.agent..",
                        "org.springframework..", "org.axonframework.."));
        check(noClasses().that().resideOutsideOfPackage("dev.tern.testsupport..")
                .should().dependOnClassesThat().resideInAPackage("dev.tern.testsupport.."));
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }
}
