package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.history.PointInTime;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.query.history.AccountEventsAt;
import dev.tern.query.history.ReadModelAt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code GET /api/peers?as_of=} answered from the account's events alone, without building the read tables as of
 * the instant: on a history with renames (names whose order depends on the database's collation), SSH and expiry
 * toggles, membership changes, a group renamed and one deleted, a peer deleted, the list is byte for byte the one
 * the read tables give, for an admin and for a plain user, with the name filter; and no read table is built for it.
 */
@TernIntegrationTest
class AsOfPeersFromEventsApiTest extends ApiTestSupport {
    @Autowired
    PointInTime pointInTime;
    @Autowired
    ReadModelAt readModel;
    @Autowired
    AccountEventsAt events;

    private String token;

    private void put(String path, Map<String, Object> body) {
        TestHttp.Response r = http.put(path, token, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private Instant lastEventTime(String accountId) {
        List<DomainEventMessage<?>> all = events.all(accountId);
        return all.get(all.size() - 1).getTimestamp();
    }

    private String list(String query, Instant at, String caller) {
        TestHttp.Response r = http.get("/api/peers?" + query + "as_of=" + at, caller);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    private void rename(String peer, String name, boolean ssh, boolean loginExpiration) {
        put("/api/peers/" + peer, Map.of("name", name, "ssh_enabled", ssh, "login_expiration_enabled",
                loginExpiration, "inactivity_expiration_enabled", !loginExpiration));
    }

    @Test
    void peersAsOfWithoutTheReadTablesAreThoseThroughThemByteForByte() {
        OtherAccount account = otherAccount();
        token = account.token();
        String suffix = unique("");
        String dev = createGroup(token, "dev" + suffix, List.of());
        String ops = createGroup(token, "Ops" + suffix, List.of());
        String gone = createGroup(token, "_gone" + suffix, List.of());
        CreatedKey key = createSetupKey(token, "reusable", 0, List.of(dev));
        List<Instant> instants = new ArrayList<>();
        String a = register(key.key(), "alpha" + suffix).peerId();
        instants.add(lastEventTime(account.accountId()));
        String b = register(key.key(), "Beta" + suffix).peerId();
        String c = register(key.key(), "beta" + suffix).peerId();
        String d = register(createSetupKey(token, "reusable", 0, List.of()).key(), "_delta" + suffix).peerId();
        instants.add(lastEventTime(account.accountId()));
        rename(a, "Zeta one" + suffix, true, false);
        rename(d, "zeta-One" + suffix, false, true);
        put("/api/groups/" + ops, Map.of("name", "ops" + suffix, "peers", List.of(b, c, d)));
        put("/api/groups/" + gone, Map.of("name", "_gone" + suffix, "peers", List.of(a, b)));
        instants.add(lastEventTime(account.accountId()));
        assertThat(http.delete("/api/groups/" + gone, token).status()).isEqualTo(200);
        assertThat(http.delete("/api/peers/" + c, token).status()).isEqualTo(200);
        put("/api/groups/" + dev, Map.of("name", "Dev" + suffix, "peers", List.of(a, d)));
        instants.add(lastEventTime(account.accountId()));
        String plain = serviceUser("user").token();

        for (Instant at : instants) {
            long tableReads = readModel.readsStarted();
            List<String> withoutTables = List.of(list("", at, token), list("name=beta" + suffix + "&", at, token),
                    list("", at, plain));
            assertThat(readModel.readsStarted()).as("read tables built for peers lists as of %s", at)
                    .isEqualTo(tableReads);
            pointInTime.readTablesAlways(true);
            try {
                assertThat(withoutTables).as("as of %s", at).containsExactly(list("", at, token),
                        list("name=beta" + suffix + "&", at, token), list("", at, plain));
                assertThat(readModel.readsStarted()).isEqualTo(tableReads + 3);
            } finally {
                pointInTime.readTablesAlways(false);
            }
        }
        // the history shows in the answers: every peer then; at the end c gone and the renames
        assertThat(texts(http.get("/api/peers?as_of=" + instants.get(1), token).json(), "id"))
                .containsExactlyInAnyOrder(a, b, c, d);
        assertThat(texts(http.get("/api/peers?as_of=" + instants.get(3), token).json(), "name"))
                .containsExactlyInAnyOrder("Beta" + suffix, "Zeta one" + suffix, "zeta-One" + suffix);
    }
}
