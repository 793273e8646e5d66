package dev.tern.api.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.grpc.TestPeer;
import dev.tern.api.support.TestHttp;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import dev.tern.testsupport.process.TernServerProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two tern-server nodes on one PostgreSQL (the scale-out design), conflicting commands sent to both at once: the
 * account's invariants hold whichever node decided, and a change made through one node reaches a Sync stream held
 * by the other within a second.
 *
 * <p>The account's network is a /{@value #NETWORK_PREFIX} ({@code TERN_ACCOUNT_NETWORK_PREFIX}), so its last free
 * addresses can be raced for too.
 */
class TwoNodesConflictTest {
    private static final int REQUESTS_PER_NODE = 3;
    /** 14 host addresses: room for the peers of the races below, few enough to fill. */
    private static final int NETWORK_PREFIX = 28;
    /** Left free before the last race, fewer than the registrations racing for them. */
    private static final int LAST_FREE = 2;
    private static final int PROPAGATION_ROUNDS = 6;

    private final ServerNodes servers = new ServerNodes();

    @AfterEach
    void leaveNoProcessBehind() {
        servers.close();
    }

    @Test
    void conflictingCommandsOnTwoNodesKeepEveryInvariantAndChangesReachTheOtherNodesSyncStreams() throws Exception {
        try (ExternalPostgres postgres = ExternalPostgres.start()) {
            // One after the other, so the second finds the schema in place; the races are the commands, not Flyway.
            Map<String, String> env = new HashMap<>(postgres.env());
            env.put("TERN_ACCOUNT_NETWORK_PREFIX", Integer.toString(NETWORK_PREFIX));
            TernServerProcess a = servers.start(env);
            TernServerProcess b = servers.start(env);
            List<TernServerProcess> nodes = List.of(a, b);
            TestHttp httpA = TestHttp.forPort(a.httpPort());
            String token = AccountFixture.owner(httpA, "nodes@tern.test");
            AccountFixture.everyoneReachesEveryone(httpA, token);
            await("node b knows the owner").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> TestHttp.forPort(b.httpPort()).get("/api/users", token).status() == 200);

            ExecutorService pool = Executors.newFixedThreadPool(nodes.size() * REQUESTS_PER_NODE);
            try {
                sameGroupNameOnBothNodes(nodes, token, pool);
                lastUsesOfASetupKeyOnBothNodes(nodes, httpA, token, pool);
                aChangeThroughOneNodeReachesASyncStreamOnTheOther(a, b, httpA, token);
                lastFreeAddressesOfTheNetworkOnBothNodes(nodes, postgres, httpA, token, pool);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private void sameGroupNameOnBothNodes(List<TernServerProcess> nodes, String token, ExecutorService pool)
            throws Exception {
        List<TestHttp.Response> answers = all(pool, nodes, node -> () ->
                TestHttp.forPort(node.httpPort()).post("/api/groups", token, Map.of("name", "contested")));
        assertThat(answers).filteredOn(r -> r.status() == 200).as("%s", answers).hasSize(1);
        assertThat(answers).filteredOn(r -> r.status() != 200).allSatisfy(r -> {
            assertThat(r.status()).as("%s", r).isEqualTo(409);
            assertThat(r.json().get("code").asInt()).isEqualTo(409);
            assertThat(r.errorMessage()).contains("already exists");
        });
        for (TernServerProcess node : nodes) {
            await("both read models agree").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<String> names = new ArrayList<>();
                TestHttp.forPort(node.httpPort()).get("/api/groups", token).json()
                        .forEach(g -> names.add(g.get("name").asText()));
                assertThat(names).filteredOn("contested"::equals).hasSize(1);
            });
        }
    }

    private void lastUsesOfASetupKeyOnBothNodes(List<TernServerProcess> nodes, TestHttp http, String token,
                                                ExecutorService pool) throws Exception {
        int usageLimit = 2;
        JsonNode key = AccountFixture.setupKey(http, token, "reusable", usageLimit);
        List<TestPeer> peers = new ArrayList<>();
        try {
            List<Status> outcomes = registrations(pool, nodes, key.get("key").asText(), "contender", peers);
            assertThat(outcomes).filteredOn(Status::isOk).as("%s", outcomes).hasSize(usageLimit);
            assertThat(outcomes).filteredOn(s -> !s.isOk()).extracting(Status::getCode).as("%s", outcomes)
                    .doesNotContain(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.OK);
            String keyId = key.get("id").asText();
            for (TernServerProcess node : nodes) {
                TestHttp nodeHttp = TestHttp.forPort(node.httpPort());
                await("both read models count the uses").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(nodeHttp.get("/api/setup-keys/" + keyId, token).json().get("used_times").asInt())
                            .isEqualTo(usageLimit);
                    assertThat(nodeHttp.get("/api/peers", token).json()).hasSize(usageLimit);
                });
            }
        } finally {
            for (TestPeer peer : peers) {
                peer.close();
            }
        }
    }

    private void aChangeThroughOneNodeReachesASyncStreamOnTheOther(TernServerProcess a, TernServerProcess b,
                                                                   TestHttp httpA, String token) throws Exception {
        String key = AccountFixture.setupKey(httpA, token, "reusable", 0).get("key").asText();
        try (TestPeer onB = new TestPeer(b.grpcPort())) {
            onB.login(key, "held-on-b");
            TestPeer.SyncHandle sync = onB.sync();
            assertThat(sync.nextMatching(0, map -> true, Duration.ofSeconds(30)).getSerial()).isPositive();
            // Several changes, not one: node b learns of node a's commits by polling the shared store, and one lucky
            // change could arrive just after a poll.
            for (int round = 0; round < PROPAGATION_ROUNDS; round++) {
                while (sync.next(Duration.ofMillis(300)) != null) {
                    // let the maps of the last change settle, so the one awaited below is this change's
                }
                try (TestPeer onA = new TestPeer(a.grpcPort())) {
                    onA.login(key, "joins-through-a-" + round);
                    // The bound is the spec: a second from the change's acknowledgement on node a.
                    await("node b pushes node a's change " + round).atMost(Duration.ofSeconds(1))
                            .pollInterval(Duration.ofMillis(20)).until(() -> {
                                var response = sync.next(Duration.ZERO);
                                return response != null && AccountFixture.remoteKeys(response.getNetworkMap())
                                        .contains(onA.publicKey());
                            });
                }
            }
        }
    }

    /**
     * Fills the network up to its last {@value #LAST_FREE} addresses, then races more registrations than that on
     * both nodes: as many win as there were addresses, each with an address of its own; the others are refused as
     * NetBird's gRPC refuses (a status, FAILED_PRECONDITION naming the full network) and append nothing.
     */
    private void lastFreeAddressesOfTheNetworkOnBothNodes(List<TernServerProcess> nodes, ExternalPostgres postgres,
                                                         TestHttp http, String token, ExecutorService pool)
            throws Exception {
        Cidr network = Cidr.parse(http.get("/api/accounts", token).json().get(0).get("settings")
                .get("network_range").asText());
        assertThat(network.prefixLength()).isEqualTo(NETWORK_PREFIX);
        int hosts = (int) network.size() - 2;
        JsonNode setupKey = AccountFixture.setupKey(http, token, "reusable", 0);
        String key = setupKey.get("key").asText();
        for (TernServerProcess node : nodes) {
            await("every node knows the key").atMost(Duration.ofSeconds(30)).until(() -> TestHttp
                    .forPort(node.httpPort()).get("/api/setup-keys/" + setupKey.get("id").asText(), token).status() == 200);
        }
        List<TestPeer> peers = new ArrayList<>();
        try {
            int registered = http.get("/api/peers", token).json().size();
            long eventsPerRegistration = 0;
            while (registered < hosts - LAST_FREE) {
                long before = eventCount(postgres);
                TestPeer filler = new TestPeer(nodes.get(registered % nodes.size()).grpcPort());
                peers.add(filler);
                try {
                    filler.login(key, "filler-" + registered);
                } catch (StatusRuntimeException e) {
                    throw new AssertionError("filler " + registered + " on node " + (registered % nodes.size())
                            + ": " + e.getStatus() + "\n" + nodes.get(registered % nodes.size()).stdout(), e);
                }
                registered++;
                eventsPerRegistration = eventCount(postgres) - before;
            }
            assertThat(eventsPerRegistration).as("events of one registration").isPositive();

            long eventsBefore = eventCount(postgres);
            List<Status> outcomes = registrations(pool, nodes, key, "last-address", peers);
            assertThat(outcomes.size()).isGreaterThan(LAST_FREE);
            assertThat(outcomes).filteredOn(Status::isOk).as("%s", outcomes).hasSize(LAST_FREE);
            assertThat(outcomes).filteredOn(o -> !o.isOk()).as("%s", outcomes).allSatisfy(refused -> {
                assertThat(refused.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                assertThat(refused.getDescription()).contains(network + " has no free address");
            });
            assertThat(eventCount(postgres) - eventsBefore).as("events appended by the race")
                    .isEqualTo(LAST_FREE * eventsPerRegistration);

            List<String> storedAddresses = postgres.column("SELECT convert_from(payload, 'UTF8')::json->'ip'->>'address'"
                    + " FROM domain_event_entry WHERE payload_type = 'dev.tern.events.PeerRegistered'");
            assertThat(storedAddresses).as("addresses in the event store").hasSize(hosts).doesNotHaveDuplicates()
                    .allSatisfy(ip -> assertThat(network.contains(new MeshIp(ip))).as(ip).isTrue());
            for (TernServerProcess node : nodes) {
                TestHttp nodeHttp = TestHttp.forPort(node.httpPort());
                await("both read models hold every address once").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    List<String> addresses = new ArrayList<>();
                    nodeHttp.get("/api/peers", token).json().forEach(p -> addresses.add(p.get("ip").asText()));
                    assertThat(addresses).containsExactlyInAnyOrderElementsOf(storedAddresses);
                });
            }
        } finally {
            for (TestPeer peer : peers) {
                peer.close();
            }
        }
    }

    private static long eventCount(ExternalPostgres postgres) throws Exception {
        return Long.parseLong(postgres.column("SELECT count(*) FROM domain_event_entry").get(0));
    }

    /** New devices registering with {@code setupKey} on every node at once (see {@link #all}): their statuses. */
    private static List<Status> registrations(ExecutorService pool, List<TernServerProcess> nodes, String setupKey,
                                              String hostname, List<TestPeer> peers) throws Exception {
        return all(pool, nodes, node -> {
            TestPeer peer = new TestPeer(node.grpcPort());
            synchronized (peers) {
                peers.add(peer);
            }
            return () -> {
                try {
                    peer.login(setupKey, hostname);
                    return Status.OK;
                } catch (StatusRuntimeException refused) {
                    return refused.getStatus();
                }
            };
        });
    }

    /** {@value #REQUESTS_PER_NODE} calls per node, released together; their results in order. */
    private static <T> List<T> all(ExecutorService pool, List<TernServerProcess> nodes,
                                   java.util.function.Function<TernServerProcess, Callable<T>> call) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < REQUESTS_PER_NODE; i++) {
            for (TernServerProcess node : nodes) {
                Callable<T> task = call.apply(node);
                futures.add(pool.submit(() -> {
                    go.await();
                    return task.call();
                }));
            }
        }
        go.countDown();
        List<T> out = new ArrayList<>();
        for (Future<T> future : futures) {
            out.add(future.get());
        }
        return out;
    }
}
