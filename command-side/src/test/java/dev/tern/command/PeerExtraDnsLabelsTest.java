package dev.tern.command;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.PRECONDITION_FAILED;

import dev.tern.events.PeerExtraDnsLabelsSet;
import dev.tern.events.PeerRegistered;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.SetupKeyType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 10 item 1: extra DNS labels a NetBird client asks for at registration (NetBird's --extra-dns-labels). */
class PeerExtraDnsLabelsTest extends AccountFixtureSupport {

    private static SetupKeyCreated key(String keyId, boolean allowExtraDnsLabels) {
        return new SetupKeyCreated(ACC, keyId, keyId, SetupKeyType.REUSABLE, hash(keyId), "ABCD", null, 0, List.of(),
                false, allowExtraDnsLabels, NOW);
    }

    private static RegisterPeer register(String peerId, int key, String hostname, String keyId, List<String> labels) {
        return new RegisterPeer(ACC, peerId, hash(keyId), wgKey(key), PeerSystemMeta.ofHostname(hostname), labels);
    }

    private static PeerRegistered registered(String peerId, int key, String ip, String label, String keyId) {
        return new PeerRegistered(ACC, peerId, wgKey(key), new MeshIp(ip), label, label,
                PeerSystemMeta.ofHostname(label), keyId, null, false, false, NOW);
    }

    @Test
    void aKeyThatAllowsThemRegistersThePeerWithItsLabelsLowerCasedAndWithoutDuplicates() {
        fixture.givenCurrentTime(NOW).andGiven(account(key("k1", true)))
                .when(register("p1", 1, "build01", "k1", List.of("Registry", "ci", "registry", "build01")))
                .expectEvents(new PeerRegistered(ACC, "p1", wgKey(1), new MeshIp("100.64.0.1"), "build01",
                        "build01", PeerSystemMeta.ofHostname("build01"), "k1", null, false, false, NOW,
                        List.of("registry", "ci")));
    }

    @Test
    void labelsARegistrationCarriedAreTheAccountsAsAreThoseOfTheOlderSeparateEvent() {
        PeerRegistered withLabels = new PeerRegistered(ACC, "p1", wgKey(1), new MeshIp("100.64.0.1"), "web", "web",
                PeerSystemMeta.ofHostname("web"), "k1", null, false, false, NOW, List.of("registry"));
        fixture.givenCurrentTime(NOW).andGiven(account(key("k1", true), withLabels))
                .when(register("p2", 2, "build01", "k1", List.of("registry")))
                .expectException(rejected(CONFLICT, "extra DNS label 'registry' is already in use in the account"))
                .expectNoEvents();
    }

    @Test
    void aKeyThatDoesNotAllowThemRefusesTheRegistrationAsNetBirdDoes() {
        fixture.givenCurrentTime(NOW).andGiven(account(key("k1", false)))
                .when(register("p1", 1, "build01", "k1", List.of("registry")))
                .expectException(rejected(PRECONDITION_FAILED,
                        "couldn't add peer: setup key doesn't allow extra DNS labels"))
                .expectNoEvents();
    }

    @Test
    void invalidLabelsAreRefused() {
        for (String bad : List.of("", "-registry", "registry-", "reg.istry", "reg_istry", "x".repeat(64))) {
            fixture.givenCurrentTime(NOW).andGiven(account(key("k1", true)))
                    .when(register("p1", 1, "build01", "k1", List.of(bad)))
                    .expectException(rejected(INVALID, "invalid extra DNS label '" + bad + "'"))
                    .expectNoEvents();
        }
    }

    /** Peer web (p1) with the extra label registry. */
    private static List<Object> withRegistryOnWeb() {
        return account(key("k1", true), registered("p1", 1, "100.64.0.1", "web", "k1"),
                new PeerExtraDnsLabelsSet(ACC, "p1", List.of("registry")));
    }

    @Test
    void aLabelInUseInTheAccountAsAPeersOwnOrExtraLabelIsAConflict() {
        fixture.givenCurrentTime(NOW).andGiven(withRegistryOnWeb())
                .when(register("p2", 2, "build01", "k1", List.of("web")))
                .expectException(rejected(CONFLICT, "extra DNS label 'web' is already in use in the account"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(withRegistryOnWeb())
                .when(register("p2", 2, "build01", "k1", List.of("registry")))
                .expectException(rejected(CONFLICT, "extra DNS label 'registry' is already in use in the account"))
                .expectNoEvents();
    }

    @Test
    void aLaterPeersOwnLabelAvoidsAnotherPeersExtraLabel() {
        fixture.givenCurrentTime(NOW).andGiven(withRegistryOnWeb())
                .when(register("p2", 2, "registry", "k1", List.of()))
                .expectEvents(new PeerRegistered(ACC, "p2", wgKey(2), new MeshIp("100.64.0.2"), "registry-1",
                        "registry", PeerSystemMeta.ofHostname("registry"), "k1", null, false, false, NOW));
    }
}
