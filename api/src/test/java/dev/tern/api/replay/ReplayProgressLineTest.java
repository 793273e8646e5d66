package dev.tern.api.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelRebuild.Progress;
import dev.tern.query.ReadModelRebuild.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplayProgressLineTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong();

    @Test
    void saysDoneTotalRateAndTimeLeft() {
        assertThat(ReplayProgressLine.format(new Progress(2_500, 10_000, Duration.ofSeconds(2))))
                .isEqualTo("replay: 2500/10000 events (25%), 1250 events/s, ETA 6.0s");
        assertThat(ReplayProgressLine.format(new Progress(0, 10_000, Duration.ZERO)))
                .isEqualTo("replay: 0/10000 events (0%), 0 events/s, ETA unknown");
        assertThat(ReplayProgressLine.format(new Progress(100_000, 1_000_000, Duration.ofSeconds(10))))
                .endsWith("ETA 1m30s");
        assertThat(ReplayProgressLine.format(new Progress(0, 0, Duration.ZERO))).contains("0/0 events (100%)")
                .endsWith("ETA 0s");
    }

    @Test
    void plainLinesAtMostOncePerIntervalButAlwaysTheFirstAndTheLast() {
        ReplayProgressLine line = new ReplayProgressLine(out, false, now::get, Duration.ofSeconds(1));
        line.progress(new Progress(0, 1_500, Duration.ZERO));
        now.set(Duration.ofMillis(400).toNanos());
        line.progress(new Progress(500, 1_500, Duration.ofMillis(400)));
        now.set(Duration.ofMillis(1_100).toNanos());
        line.progress(new Progress(1_000, 1_500, Duration.ofMillis(1_100)));
        now.set(Duration.ofMillis(1_200).toNanos());
        line.progress(new Progress(1_500, 1_500, Duration.ofMillis(1_200)));
        line.finish(new Result(List.of("peers", "setupkeys"), 1_500, Duration.ofMillis(1_200)));

        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "replay: 0/1500 events (0%), 0 events/s, ETA unknown",
                "replay: 1000/1500 events (66%), 909 events/s, ETA 0.6s",
                "replay: 1500/1500 events (100%), 1250 events/s, ETA 0s",
                "replay: rebuilt peers, setupkeys from 1500 events in 1.2s");
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlace() {
        ReplayProgressLine line = new ReplayProgressLine(out, true, now::get, Duration.ofSeconds(1));
        line.progress(new Progress(0, 10, Duration.ZERO));
        now.set(Duration.ofSeconds(2).toNanos());
        line.progress(new Progress(10, 10, Duration.ofSeconds(2)));
        line.finish(new Result(List.of("dns"), 10, Duration.ofSeconds(2)));

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\rreplay: 0/10 events").contains("\rreplay: 10/10 events (100%)");
        assertThat(text.chars().filter(c -> c == '\n').count()).as("newlines").isEqualTo(2);
    }
}
