package dev.tern.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PolicyCreated;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.UserRole;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tern.command.GroupCommandsTest.policyBetween;
import static org.assertj.core.api.Assertions.assertThat;

/** The server snapshots accounts with Axon's JacksonSerializer: a populated account must survive the round trip. */
class AccountSnapshotJacksonTest extends AccountFixtureSupport {

    private Account populatedAccount() {
        List<Object> history = new ArrayList<>(accountEvents());
        history.add(group("g1", "dev"));
        history.add(group("g2", "ops"));
        history.add(new UserCreated(ACC, "u2", "b@example.com", "B", UserRole.ADMIN, false, List.of("g1"), NOW));
        history.add(new UserCreated(ACC, "svc", "", "ci", UserRole.USER, true, List.of(), NOW));
        history.add(new PersonalAccessTokenCreated(ACC, "t1", "u2", "tok", "h1", NOW.plus(Duration.ofDays(3)), "u2", NOW));
        history.add(new UserBlocked(ACC, "svc"));
        history.add(reusableKey("k1", 10, NOW.plus(Duration.ofDays(2)), "g1", "g2"));
        history.add(reusableKey("k2", 0, null));
        history.add(new SetupKeyRevoked(ACC, "k2"));
        for (int i = 1; i <= 6; i++) {
            history.add(peer("p" + i, i, "100.64.0." + i, i == 1 ? "web" : "web-" + (i - 1), "k1"));
            history.add(member("g1", "p" + i));
        }
        history.add(new PeerDeleted(ACC, "p3", wgKey(3)));
        history.add(new PeerRenamed(ACC, "p4", "web-3", "db", "db"));
        history.add(new PeerSshChanged(ACC, "p5", true));
        history.add(new dev.tern.events.PeerExtraDnsLabelsSet(ACC, "p6", List.of("registry")));
        history.add(new PolicyCreated(ACC, "pol1", policyBetween("dev-ops", "g1", "g2")));
        history.add(new dev.tern.events.DnsSettingsUpdated(ACC, List.of(), List.of("g2")));
        history.add(new dev.tern.events.NameServerGroupCreated(ACC, "ns1", DnsCommandsTest.corp("corp", "g1")));
        history.add(new dev.tern.events.DnsZoneCreated(ACC, "z1", DnsCommandsTest.zone("office", "office.example",
                "g1")));
        history.add(new dev.tern.events.DnsRecordCreated(ACC, "z1", "r1",
                new dev.tern.events.values.DnsRecordDefinition("registry.office.example",
                        dev.tern.events.values.DnsRecordType.AAAA, "fd00::5", 300)));
        history.add(new dev.tern.events.RouteCreated(ACC, "r1", RouteCommandsTest.siteVia("p1", List.of(),
                "10.10.10.0/24", 10)));
        history.add(new dev.tern.events.NetworkCreated(ACC, "n1", "site", ""));
        history.add(new dev.tern.events.NetworkResourceCreated(ACC, "n1", "res1",
                new dev.tern.events.values.NetworkResourceDefinition("lab", "", "10.20.0.0/24", "subnet",
                        dev.tern.events.values.Cidr.parse("10.20.0.0/24"), null, true, List.of("g2"))));
        history.add(new dev.tern.events.NetworkRouterCreated(ACC, "n1", "rt1",
                new dev.tern.events.values.NetworkRouterDefinition("p2", List.of(), 5, true, true)));
        AtomicReference<Account> state = new AtomicReference<>();
        fixture.givenCurrentTime(NOW).andGiven(history)
                .when(new RegisterPeer(ACC, "p7", hash("k1"), wgKey(7), PeerSystemMeta.ofHostname("web")))
                .expectSuccessfulHandlerExecution()
                .expectState(state::set);
        return state.get();
    }

    private static Account roundTrip(Serializer serializer, Account account) {
        SerializedObject<byte[]> serialized = serializer.serialize(account, byte[].class);
        assertThat(serialized.getType().getName()).isEqualTo(Account.class.getName());
        return serializer.deserialize(serialized);
    }

    @Test
    void aPopulatedAccountSurvivesAxonsDefaultJacksonSerializer() {
        Account account = populatedAccount();
        Account restored = roundTrip(JacksonSerializer.defaultSerializer(), account);
        assertThat(restored).usingRecursiveComparison().usingOverriddenEquals().isEqualTo(account);
    }

    @Test
    void aPopulatedAccountSurvivesAMapperWithEveryModuleRegistered() {
        Account account = populatedAccount();
        Serializer serializer = JacksonSerializer.builder()
                .objectMapper(new ObjectMapper().findAndRegisterModules()).build();
        Account restored = roundTrip(serializer, account);
        assertThat(restored).usingRecursiveComparison().usingOverriddenEquals().isEqualTo(account);
    }

    @Test
    void aPopulatedAccountSurvivesSpringBootsObjectMapper() {
        // Axon's auto-configuration hands Spring Boot's ObjectMapper (parameter-names module, lenient on unknown
        // properties) to the JacksonSerializer; the public constructor taking CreateAccount must not confuse it
        Account account = populatedAccount();
        Serializer serializer = JacksonSerializer.builder()
                .objectMapper(Jackson2ObjectMapperBuilder.json().build()).build();
        Account restored = roundTrip(serializer, account);
        assertThat(restored).usingRecursiveComparison().usingOverriddenEquals().isEqualTo(account);
    }

    @Test
    void theSnapshotHoldsPrimaryDataNotDerivedIndexes() {
        Account account = populatedAccount();
        byte[] json = JacksonSerializer.defaultSerializer().serialize(account, byte[].class).getData();
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"accountId\":\"acc-1\"", "\"dnsDomain\":\"tern.internal\"", "100.64.0.6", "web-2",
                        "registry.office.example", "corp.example")
                .doesNotContain("lowestFree", "idByWgKey", "byGroup");
    }

    @Test
    void restoredIndexesDecideLikeTheOriginal() {
        Account account = populatedAccount();
        Account restored = roundTrip(JacksonSerializer.defaultSerializer(), account);
        // p7 took p3's address and label; the next "web" gets the label p4 gave up when renamed
        assertThat(nextPeer(restored)).isEqualTo(nextPeer(account)).isEqualTo("100.64.0.7 web-3");
        assertThat(restored.peerBook().labelTaken("registry")).isTrue();
        assertThat(restored.peerBook().proposeLabel("registry", null)).isEqualTo("registry-1");
    }

    @Test
    void aSnapshotFromBeforeExtraDnsLabelsRestoresPeersWithout() {
        Account account = populatedAccount();
        byte[] json = JacksonSerializer.defaultSerializer().serialize(account, byte[].class).getData();
        // peers were arrays ending at expiry (null for these) before the extra labels (and the user) followed it
        String old = new String(json, StandardCharsets.UTF_8).replace(",null,[],null]", ",null]")
                .replace(",null,[\"registry\"],null]", ",null]");
        assertThat(old).doesNotContain("registry\"]");
        Account restored = JacksonSerializer.defaultSerializer().deserialize(new org.axonframework.serialization
                .SimpleSerializedObject<>(old.getBytes(StandardCharsets.UTF_8), byte[].class, Account.class.getName(),
                null));
        assertThat(restored.peerBook().get("p6").extraDnsLabels()).isEmpty();
        assertThat(restored.peerBook().get("p5").sshEnabled()).isTrue();
        assertThat(nextPeer(restored)).isEqualTo("100.64.0.7 web-3");
    }

    private static String nextPeer(Account account) {
        PeerBook peers = account.peerBook();
        return peers.nextAddress() + " " + peers.proposeLabel("web", null);
    }
}
