package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.sse.SseStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class AuditStreamApiTest extends ApiTestSupport {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void streamSendsNewEntriesInTheEventShapeAndResumesAfterLastEventId() throws Exception {
        RoleUser admin = serviceUser("admin");
        String tag = unique("streamed");
        try (SseStream stream = open(admin.token(), "?activity_code=group.add", Map.of())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.nextComment(WAIT)).isEqualTo("connected");
            String first = createGroup(admin.token(), tag + "-1", List.of());
            String second = createGroup(admin.token(), tag + "-2", List.of());
            List<SseStream.Event> mine = awaitTargets(stream, List.of(first, second));
            JsonNode entry = json(mine.get(0));
            assertThat(entry.get("activity_code").asText()).isEqualTo("group.add");
            assertThat(entry.get("initiator_id").asText()).isEqualTo(admin.userId());
            assertThat(entry.get("meta").get("name").asText()).isEqualTo(tag + "-1");
            assertThat(entry.has("timestamp")).isTrue();
            // The SSE id is a cursor that grows with every entry; the entry keeps its audit page id.
            assertThat(Long.parseLong(mine.get(1).id())).isGreaterThan(Long.parseLong(mine.get(0).id()));
            JsonNode page = http.get("/api/events/audit?target_id=" + first, admin.token()).json();
            assertThat(entry.get("id").asText()).isEqualTo(page.get(0).get("id").asText());

            // A new connection with Last-Event-ID of the first entry starts at the second one, nothing twice.
            String third = createGroup(admin.token(), tag + "-3", List.of());
            try (SseStream resumed = open(admin.token(), "?activity_code=group.add",
                    Map.of("Last-Event-ID", mine.get(0).id()))) {
                List<SseStream.Event> after = awaitTargets(resumed, List.of(second, third));
                assertThat(after.get(0).id()).isEqualTo(mine.get(1).id());
                assertThat(targets(after)).doesNotContain(first);
            }
            // ?after= does the same for clients that cannot set the header.
            try (SseStream resumed = open(admin.token(), "?after=" + mine.get(1).id()
                    + "&activity_code=group.add", Map.of())) {
                List<SseStream.Event> after = awaitTargets(resumed, List.of(third));
                assertThat(targets(after)).doesNotContain(first, second);
            }
        }
    }

    @Test
    void filtersOfTheAuditPageApply() throws Exception {
        RoleUser admin = serviceUser("admin");
        String group = createGroup(admin.token(), unique("filtered"), List.of());
        String other = createGroup(admin.token(), unique("unfiltered"), List.of());
        try (SseStream stream = open(admin.token(), "?target_id=" + group, Map.of())) {
            List<SseStream.Event> events = awaitTargets(stream, List.of(group));
            assertThat(targets(events)).containsOnly(group).doesNotContain(other);
        }
    }

    @Test
    void ownersAndAdminsOnlyBadCursorsAre400AndStreamsPerUserAreCapped() throws Exception {
        for (String role : List.of("user", "auditor")) {
            try (SseStream refused = open(serviceUser(role).token(), "", Map.of("Accept", "*/*"))) {
                assertThat(refused.status()).as(role).isEqualTo(403);
                assertThat(MAPPER.readTree(refused.errorBody()).get("code").asInt()).isEqualTo(403);
            }
        }
        RoleUser admin = serviceUser("admin");
        for (String bad : List.of("?after=-1", "?after=x", "?from=yesterday")) {
            try (SseStream refused = open(admin.token(), bad, Map.of("Accept", "*/*"))) {
                assertThat(refused.status()).as(bad).isEqualTo(400);
                assertThat(MAPPER.readTree(refused.errorBody()).get("message").asText()).isNotBlank();
            }
        }
        try (SseStream refused = open(admin.token(), "", Map.of("Accept", "*/*", "Last-Event-ID", "12abc"))) {
            assertThat(refused.status()).isEqualTo(400);
        }
        List<SseStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < AuditStreams.PER_USER; i++) {
                open.add(open(admin.token(), "", Map.of()));
                assertThat(open.get(i).status()).isEqualTo(200);
            }
            try (SseStream onTooMany = open(admin.token(), "", Map.of("Accept", "*/*"))) {
                assertThat(onTooMany.status()).isEqualTo(429);
                JsonNode error = MAPPER.readTree(onTooMany.errorBody());
                assertThat(error.get("code").asInt()).isEqualTo(429);
                assertThat(error.get("message").asText()).contains("audit streams per user");
            }
            // Another user of the account is not held back by this one's streams.
            try (SseStream otherUser = open(serviceUser("admin").token(), "", Map.of())) {
                assertThat(otherUser.status()).isEqualTo(200);
            }
        } finally {
            open.forEach(SseStream::close);
        }
    }

    @Test
    void exportIsJsonLinesOldestFirstWithTheNextCursorInAHeader() throws Exception {
        RoleUser admin = serviceUser("admin");
        String tag = unique("exported");
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            groups.add(createGroup(admin.token(), tag + "-" + i, List.of()));
        }
        String filter = "&activity_code=group.add&initiator_id=" + admin.userId();
        TestHttp.Response first = http.get("/api/events/audit/export?limit=3" + filter, admin.token());
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.headers().get("content-type").get(0)).startsWith("application/x-ndjson");
        List<JsonNode> lines = lines(first);
        assertThat(lines).hasSize(3);
        assertThat(lines).allSatisfy(line -> assertThat(line.get("activity_code").asText()).isEqualTo("group.add"));
        String cursor = first.headers().get("x-next-cursor").get(0);

        TestHttp.Response rest = http.get("/api/events/audit/export?limit=3&after=" + cursor + filter, admin.token());
        List<JsonNode> more = lines(rest);
        assertThat(more).hasSize(2);
        List<String> exported = new ArrayList<>();
        lines.forEach(l -> exported.add(l.get("target_id").asText()));
        more.forEach(l -> exported.add(l.get("target_id").asText()));
        assertThat(exported).containsExactlyElementsOf(groups);

        // Past the end: no lines, the cursor stays where it was, so a shipper can poll with it.
        String end = rest.headers().get("x-next-cursor").get(0);
        TestHttp.Response none = http.get("/api/events/audit/export?after=" + end + filter, admin.token());
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.body()).isEmpty();
        assertThat(none.headers().get("x-next-cursor")).containsExactly(end);

        assertError(http.get("/api/events/audit/export?limit=0", admin.token()), 400);
        assertError(http.get("/api/events/audit/export?limit=100001", admin.token()), 400);
        assertError(http.get("/api/events/audit/export?after=-5", admin.token()), 400);
        assertError(http.get("/api/events/audit/export", serviceUser("auditor").token()), 403);
    }

    private SseStream open(String token, String query, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Authorization", "Token " + token);
        return SseStream.open(http.uri("/api/events/audit/stream" + query), all);
    }

    /** Events until every target in {@code wanted} has come (fails after {@link #WAIT}), in the order they came. */
    private static List<SseStream.Event> awaitTargets(SseStream stream, List<String> wanted) throws Exception {
        List<SseStream.Event> got = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!targets(got).containsAll(wanted)) {
            SseStream.Event event = stream.next(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            assertThat(event).as("events %s, waiting for %s", got, wanted).isNotNull();
            got.add(event);
        }
        return got.stream().filter(e -> wanted.contains(target(e))).toList();
    }

    private static List<String> targets(List<SseStream.Event> events) {
        return events.stream().map(AuditStreamApiTest::target).toList();
    }

    private static String target(SseStream.Event event) {
        return json(event).get("target_id").asText();
    }

    private static JsonNode json(SseStream.Event event) {
        try {
            return MAPPER.readTree(event.data());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + event, e);
        }
    }

    private static List<JsonNode> lines(TestHttp.Response response) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (!line.isEmpty()) {
                out.add(MAPPER.readTree(line));
            }
        }
        return out;
    }
}
