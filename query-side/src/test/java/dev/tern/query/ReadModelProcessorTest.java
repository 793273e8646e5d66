package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ReadModelProcessorTest extends ReadModelTestBase {
    @Autowired
    EventProcessingConfiguration processing;

    @Test
    void theReadModelRunsOnATrackingProcessorWithTokensInTheDatabase() {
        newAccount();
        awaitProjection();
        assertThat(processing.eventProcessor(QuerySideConfiguration.READ_MODEL))
                .containsInstanceOf(TrackingEventProcessor.class);
        assertThat(jdbc.queryForObject(
                "SELECT COUNT(*) FROM token_entry WHERE processor_name = ? AND token IS NOT NULL", Integer.class,
                QuerySideConfiguration.READ_MODEL)).isPositive();
        assertThat(processing.eventProcessor(QuerySideConfiguration.READ_MODEL).orElseThrow().isRunning()).isTrue();
    }
}
