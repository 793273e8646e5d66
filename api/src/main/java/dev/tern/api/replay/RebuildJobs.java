package dev.tern.api.replay;

import dev.tern.events.values.Ids;
import dev.tern.query.ReadModelRebuild;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Read-model rebuilds on a running server, for {@code POST /api/admin/read-models/rebuild}: one at a time, on a
 * thread of their own, so REST keeps answering meanwhile. The last {@value #KEPT_JOBS} jobs are kept in memory for
 * their progress; a restart forgets them (an interrupted rebuild leaves the processor's token where it was, and the
 * next start resumes from it with the tables as far as the rebuild got: run it again).
 */
@Component
public class RebuildJobs {
    static final int KEPT_JOBS = 16;
    private static final Logger log = LoggerFactory.getLogger(RebuildJobs.class);

    public enum State { RUNNING, DONE, FAILED }

    /** A job as the API shows it. */
    public record Job(String id, Optional<String> projection, List<String> projections, State state, long eventsDone,
                      long eventsTotal, double eventsPerSecond, Instant startedAt, Instant finishedAt,
                      String error) {
    }

    private final ReadModelRebuild rebuild;
    private final Clock clock;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "read-model-rebuild");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, AtomicReference<Job>> jobs = new LinkedHashMap<>();

    @Autowired
    public RebuildJobs(ReadModelRebuild rebuild) {
        this(rebuild, Clock.systemUTC());
    }

    RebuildJobs(ReadModelRebuild rebuild, Clock clock) {
        this.rebuild = rebuild;
        this.clock = clock;
    }

    /**
     * Starts a rebuild of every projection or the named one.
     *
     * @throws ReadModelRebuild.UnknownProjectionException for a name nobody knows
     * @throws ReadModelRebuild.RebuildUnavailableException when a rebuild is running
     */
    public synchronized Job start(Optional<String> projection) {
        List<String> projections = rebuild.choose(projection);
        if (jobs.values().stream().anyMatch(job -> job.get().state() == State.RUNNING)) {
            throw new ReadModelRebuild.RebuildUnavailableException("a read-model rebuild is already running");
        }
        Job first = new Job(Ids.newId(), projection, projections, State.RUNNING, 0, 0, 0, clock.instant(), null,
                null);
        AtomicReference<Job> current = new AtomicReference<>(first);
        jobs.put(first.id(), current);
        while (jobs.size() > KEPT_JOBS) {
            jobs.remove(jobs.keySet().iterator().next());
        }
        runner.execute(() -> run(current, projection));
        return first;
    }

    /** A rebuild cut short leaves the token where it was; the next start resumes from it. */
    @PreDestroy
    void stop() {
        runner.shutdownNow();
    }

    public synchronized Optional<Job> job(String id) {
        return Optional.ofNullable(jobs.get(id)).map(AtomicReference::get);
    }

    private void run(AtomicReference<Job> current, Optional<String> projection) {
        try {
            ReadModelRebuild.Result result = rebuild.rebuild(projection, progress -> current.updateAndGet(job ->
                    with(job, State.RUNNING, progress.done(), progress.total(), progress.eventsPerSecond(), null)));
            current.updateAndGet(job -> with(job, State.DONE, result.events(), result.events(),
                    job.eventsPerSecond(), null));
            log.info("read models rebuilt ({}) from {} events in {} ms", String.join(", ", result.projections()),
                    result.events(), result.elapsed().toMillis());
        } catch (RuntimeException e) {
            log.error("read-model rebuild failed", e);
            current.updateAndGet(job -> with(job, State.FAILED, job.eventsDone(), job.eventsTotal(),
                    job.eventsPerSecond(), String.valueOf(e.getMessage())));
        }
    }

    private Job with(Job job, State state, long done, long total, double rate, String error) {
        return new Job(job.id(), job.projection(), job.projections(), state, done, total, rate, job.startedAt(),
                state == State.RUNNING ? null : clock.instant(), error);
    }
}
