package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TestHttp;
import dev.tern.query.history.AccountEventsAt;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;
import org.springframework.beans.factory.annotation.Autowired;

/** The as-of API tests' requests: as one account's {@link #token}, each expected to succeed. */
abstract class AsOfApiTestSupport extends ApiTestSupport {
    @Autowired
    AccountEventsAt events;

    protected String token;

    protected JsonNode get(String path) {
        TestHttp.Response r = http.get(path, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** Creates; the new resource's id. */
    protected String post(String path, Map<String, Object> body) {
        TestHttp.Response r = http.post(path, token, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    protected void put(String path, Map<String, Object> body) {
        TestHttp.Response r = http.put(path, token, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    /** The timestamp of the account's newest event: "just after the last write". */
    protected Instant lastEventTime(String accountId) {
        List<DomainEventMessage<?>> all = events.all(accountId);
        return all.get(all.size() - 1).getTimestamp();
    }
}
