package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.axonframework.config.Configuration;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.ReplayToken;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/** The catch-up decision itself, with the processor's segment statuses under the test's control. */
class ProcessorReadYourWritesTest {
    private static final Serializer SERIALIZER = JacksonSerializer.defaultSerializer();
    private static HikariDataSource dataSource;
    private static JdbcTemplate jdbc;

    private final StreamingEventProcessor processor = mock(StreamingEventProcessor.class);
    private static final String OTHER_GROUP = "other-group";
    private final StreamingEventProcessor otherProcessor = mock(StreamingEventProcessor.class);
    private ProcessorReadYourWrites readYourWrites;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated();
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterAll
    static void closeDatabase() {
        dataSource.close();
    }

    @BeforeEach
    void wire() {
        jdbc.execute("TRUNCATE domain_event_entry, token_entry");
        EventProcessingConfiguration processing = mock(EventProcessingConfiguration.class);
        when(processing.eventProcessor(QuerySideConfiguration.READ_MODEL, StreamingEventProcessor.class))
                .thenReturn(Optional.of(processor));
        when(processor.getName()).thenReturn(QuerySideConfiguration.READ_MODEL);
        // Another group whose processor Axon finds through the group assignment, as the API's network map.
        when(processing.eventProcessorByProcessingGroup(OTHER_GROUP, StreamingEventProcessor.class))
                .thenReturn(Optional.of(otherProcessor));
        when(otherProcessor.getName()).thenReturn("other-processor");
        Configuration axon = mock(Configuration.class);
        when(axon.serializer()).thenReturn(SERIALIZER);
        StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("processing", processing, "axon", axon));
        readYourWrites = new ProcessorReadYourWrites(jdbc, beans.getBeanProvider(EventProcessingConfiguration.class),
                beans.getBeanProvider(Configuration.class));
    }

    @Test
    void anEmptyStoreIsCaughtUpWithoutAnyProcessor() {
        StaticListableBeanFactory none = new StaticListableBeanFactory();
        ReadYourWrites withoutAxon = new ProcessorReadYourWrites(jdbc,
                none.getBeanProvider(EventProcessingConfiguration.class), none.getBeanProvider(Configuration.class));
        assertThat(withoutAxon.awaitCaughtUp(Duration.ZERO)).isTrue();
    }

    @Test
    void eventsButNoProcessorIsATimeout() {
        storeEvents(1);
        StaticListableBeanFactory none = new StaticListableBeanFactory();
        ReadYourWrites withoutAxon = new ProcessorReadYourWrites(jdbc,
                none.getBeanProvider(EventProcessingConfiguration.class), none.getBeanProvider(Configuration.class));
        assertThat(withoutAxon.awaitCaughtUp(Duration.ofMillis(50))).isFalse();
    }

    @Test
    void caughtUpWhenEverySegmentReachedTheHead() {
        storeEvents(1, 2, 3);
        segments(status(Segment.computeSegment(0, 0, 1), token(3)), status(Segment.computeSegment(1, 0, 1), token(5)));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ZERO)).isTrue();
    }

    @Test
    void oneSegmentBehindIsATimeout() {
        storeEvents(1, 2, 3);
        segments(status(Segment.computeSegment(0, 0, 1), token(3)), status(Segment.computeSegment(1, 0, 1), token(2)));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(50))).isFalse();
    }

    @Test
    void aSegmentWithoutTokenOrInErrorIsNotCaughtUp() {
        storeEvents(1);
        segments(status(Segment.ROOT_SEGMENT, null));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).isFalse();

        EventTrackerStatus failing = status(Segment.ROOT_SEGMENT, token(1));
        when(failing.isErrorState()).thenReturn(true);
        segments(failing);
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).isFalse();
    }

    @Test
    void withoutStoredTokensSegmentsClaimedElsewhereAreUnknownProgress() {
        storeEvents(1);
        segments(status(Segment.computeSegment(0, 0, 1), token(1))); // segment 1 of 2 is not held here
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).isFalse();
        segments();
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).isFalse();
    }

    @Test
    void segmentsOfOtherNodesCountWithTheirCommittedTokens() {
        storeEvents(1, 2, 3);
        segments(status(Segment.computeSegment(0, 0, 1), token(3)));
        storedToken(0, token(1)); // this node's own row lags behind its status: the status wins
        storedToken(1, token(2));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).as("other node at 2").isFalse();

        storedToken(1, GapAwareTrackingToken.newInstance(3, Set.of(2L)));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).as("other node owes event 2").isFalse();

        storedToken(1, token(3));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ZERO)).as("other node at 3").isTrue();

        segments(); // this node holds nothing: every position comes from the store
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).as("segment 0 stored at 1").isFalse();
        storedToken(0, token(3));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ZERO)).isTrue();

        storedToken(1, null); // a segment that never stored a token has processed nothing
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).isFalse();
    }

    @Test
    void aGapThatIsNowAnEventMustBeProcessedFirst() {
        // Event 2 committed after the processor had passed 3: the processor still owes it.
        storeEvents(1, 2, 3);
        segments(status(Segment.ROOT_SEGMENT, GapAwareTrackingToken.newInstance(3, Set.of(2L))));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(50))).isFalse();
    }

    @Test
    void aGapNoEventFillsIsNoReasonToWait() {
        // 2 was a rolled-back append: it never appears, and the processor keeps it as a gap for a while.
        storeEvents(1, 3);
        segments(status(Segment.ROOT_SEGMENT, GapAwareTrackingToken.newInstance(3, Set.of(2L))));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ZERO)).isTrue();
    }

    @Test
    void aReplayCountsWhereItHasGotTo() {
        storeEvents(1, 2, 3, 4);
        TrackingToken replayingAt2 = ReplayToken.createReplayToken(token(4), token(2));
        segments(status(Segment.ROOT_SEGMENT, replayingAt2));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(20))).isFalse();

        TrackingToken replayingAt4 = ReplayToken.createReplayToken(token(6), token(4));
        segments(status(Segment.ROOT_SEGMENT, replayingAt4));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ZERO)).isTrue();
    }

    @Test
    void waitsForProgressUntilTheProcessorArrives() {
        storeEvents(1, 2);
        EventTrackerStatus behind = status(Segment.ROOT_SEGMENT, token(1));
        EventTrackerStatus arrived = status(Segment.ROOT_SEGMENT, token(2));
        Map<Integer, EventTrackerStatus> first = Map.of(0, behind);
        Map<Integer, EventTrackerStatus> later = Map.of(0, arrived);
        when(processor.processingStatus()).thenReturn(first, first, first, later);
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void awaitsEveryConfiguredGroupAndOnlyThose() {
        storeEvents(1, 2, 3);
        segments(status(Segment.ROOT_SEGMENT, token(3)));
        otherSegments(status(Segment.ROOT_SEGMENT, token(2)));
        ReadYourWrites both = readYourWrites.awaiting(List.of(QuerySideConfiguration.READ_MODEL, OTHER_GROUP));
        ReadYourWrites otherOnly = readYourWrites.awaiting(List.of(OTHER_GROUP));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ZERO)).as("read model alone").isTrue();
        assertThat(both.awaitCaughtUp(Duration.ofMillis(20))).as("other group behind").isFalse();
        assertThat(otherOnly.awaitCaughtUp(Duration.ofMillis(20))).isFalse();

        otherSegments(status(Segment.ROOT_SEGMENT, token(3)));
        segments(status(Segment.ROOT_SEGMENT, token(2)));
        assertThat(otherOnly.awaitCaughtUp(Duration.ZERO)).isTrue();
        assertThat(both.awaitCaughtUp(Duration.ofMillis(20))).as("read model behind").isFalse();

        segments(status(Segment.ROOT_SEGMENT, token(3)));
        assertThat(both.awaitCaughtUp(Duration.ZERO)).isTrue();
        assertThat(readYourWrites.awaiting(List.of("no-such-group")).awaitCaughtUp(Duration.ofMillis(20)))
                .as("a group without a processor never catches up").isFalse();
    }

    @Test
    void storedTokensAreReadUnderTheAwaitedProcessorsName() {
        storeEvents(1, 2);
        // The other group's processor holds segment 0 of 2 here; segment 1 is another node's.
        otherSegments(status(Segment.computeSegment(0, 0, 1), token(2)));
        ReadYourWrites otherOnly = readYourWrites.awaiting(List.of(OTHER_GROUP));
        storedToken(1, token(2)); // the read model's row: not the other processor's
        assertThat(otherOnly.awaitCaughtUp(Duration.ofMillis(20))).isFalse();
        storedToken("other-processor", 1, token(2));
        assertThat(otherOnly.awaitCaughtUp(Duration.ZERO)).isTrue();
    }

    private void otherSegments(EventTrackerStatus status) {
        Map<Integer, EventTrackerStatus> statuses = Map.of(status.getSegment().getSegmentId(), status);
        when(otherProcessor.processingStatus()).thenReturn(statuses);
    }

    @Test
    void noGroupsIsAMistake() {
        assertThatThrownBy(() -> readYourWrites.awaiting(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static void storedToken(int segment, TrackingToken token) {
        storedToken(QuerySideConfiguration.READ_MODEL, segment, token);
    }

    private static void storedToken(String processorName, int segment, TrackingToken token) {
        SerializedObject<byte[]> serialized = token == null ? null : SERIALIZER.serialize(token, byte[].class);
        jdbc.update("""
                INSERT INTO token_entry (processor_name, segment, token, token_type, timestamp, owner)
                VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z', 'other-node')
                ON CONFLICT (processor_name, segment) DO UPDATE SET token = EXCLUDED.token,
                    token_type = EXCLUDED.token_type""",
                processorName, segment, serialized == null ? null : serialized.getData(),
                serialized == null ? null : serialized.getType().getName());
    }

    private static TrackingToken token(long index) {
        return GapAwareTrackingToken.newInstance(index, Set.of());
    }

    private static EventTrackerStatus status(Segment segment, TrackingToken token) {
        EventTrackerStatus status = mock(EventTrackerStatus.class);
        when(status.getSegment()).thenReturn(segment);
        when(status.getTrackingToken()).thenReturn(token);
        return status;
    }

    private void segments(EventTrackerStatus... statuses) {
        Map<Integer, EventTrackerStatus> bySegment = new HashMap<>();
        for (EventTrackerStatus status : statuses) {
            bySegment.put(status.getSegment().getSegmentId(), status);
        }
        when(processor.processingStatus()).thenReturn(bySegment);
    }

    /** Rows at exactly these global indexes (the processor is mocked, so the payload does not matter). */
    private static void storeEvents(long... globalIndexes) {
        for (long index : globalIndexes) {
            jdbc.update("""
                    INSERT INTO domain_event_entry (global_index, aggregate_identifier, sequence_number, type,
                        event_identifier, payload, payload_type, time_stamp)
                    VALUES (?, 'account', ?, 'Account', ?, '\\x7b7d'::bytea, 'x', '2026-01-01T00:00:00Z')""",
                    index, index, "event-" + index);
        }
    }

}
