package dev.tern.api.replay;

import dev.tern.query.ReadModelRebuild;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress of {@code tern-server replay} on stderr: events done out of the total, events per second and the
 * time left. Throttled to one line per {@code every} (plus the first and the last), so a fast replay does not spend
 * its time printing. On a terminal the line is redrawn in place; otherwise (a log, a pipe) each report is a plain
 * line of its own.
 */
final class ReplayProgressLine implements ReadModelRebuild.ProgressListener {
    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private final long everyNanos;
    private long lastPrinted = Long.MIN_VALUE;
    private int lastLength;

    ReplayProgressLine(PrintStream out, boolean terminal, LongSupplier nanoTime, Duration every) {
        this.out = out;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
        this.everyNanos = every.toNanos();
    }

    @Override
    public void progress(ReadModelRebuild.Progress progress) {
        long now = nanoTime.getAsLong();
        boolean last = progress.done() >= progress.total();
        if (!last && lastPrinted != Long.MIN_VALUE && now - lastPrinted < everyNanos) {
            return;
        }
        lastPrinted = now;
        String line = format(progress);
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the progress display with what was done. */
    void finish(ReadModelRebuild.Result result) {
        if (terminal && lastLength > 0) {
            out.println();
        }
        out.println(String.format(Locale.ROOT, "replay: rebuilt %s from %d events in %s",
                String.join(", ", result.projections()), result.events(), seconds(result.elapsed())));
        out.flush();
    }

    static String format(ReadModelRebuild.Progress progress) {
        long percent = progress.total() == 0 ? 100 : progress.done() * 100 / progress.total();
        String eta = progress.done() >= progress.total() ? "0s"
                : progress.remaining().map(ReplayProgressLine::seconds).orElse("unknown");
        return String.format(Locale.ROOT, "replay: %d/%d events (%d%%), %.0f events/s, ETA %s",
                progress.done(), progress.total(), percent, progress.eventsPerSecond(), eta);
    }

    private static String seconds(Duration duration) {
        long s = duration.toSeconds();
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }
}
