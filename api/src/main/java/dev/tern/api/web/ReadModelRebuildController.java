package dev.tern.api.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tern.api.auth.Caller;
import dev.tern.api.replay.RebuildJobs;
import dev.tern.query.ReadModelRebuild;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tern extension: rebuild the read models on a running server, as {@code tern-server replay} does offline.
 * {@code POST /api/admin/read-models/rebuild} (optional body {@code {"projection": NAME}}) answers 202 with the job;
 * {@code GET /api/admin/read-models/rebuild/{id}} shows its progress. Owners and admins only. While it runs, REST
 * keeps answering: reads see the tables as they were until the rebuild commits, then the rebuilt ones; writes are
 * accepted, but show up in reads only once the rebuild has finished (their read-your-writes wait gives up after
 * its bound, the write itself stands). One rebuild at a time (409 otherwise).
 */
@RestController
class ReadModelRebuildController {
    static final String PATH = "/api/admin/read-models/rebuild";

    private final RebuildJobs jobs;

    ReadModelRebuildController(RebuildJobs jobs) {
        this.jobs = jobs;
    }

    record RebuildRequest(String projection) {
    }

    record RebuildJob(String id, String projection, List<String> projections, String state,
                      @JsonProperty("events_done") long eventsDone,
                      @JsonProperty("events_total") long eventsTotal,
                      @JsonProperty("events_per_second") long eventsPerSecond,
                      @JsonProperty("started_at") Instant startedAt,
                      @JsonProperty("finished_at") Instant finishedAt,
                      String error) {
        static RebuildJob of(RebuildJobs.Job job) {
            return new RebuildJob(job.id(), job.projection().orElse(null), job.projections(),
                    job.state().name().toLowerCase(Locale.ROOT), job.eventsDone(), job.eventsTotal(),
                    Math.round(job.eventsPerSecond()), job.startedAt(), job.finishedAt(), job.error());
        }
    }

    @PostMapping(PATH)
    ResponseEntity<RebuildJob> start(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                     @RequestBody(required = false) byte[] body) {
        caller.requireWrite();
        Optional<String> projection = Optional.empty();
        if (body != null && body.length > 0) {
            projection = Optional.ofNullable(JsonBodies.read(body, RebuildRequest.class).projection());
        }
        RebuildJobs.Job job;
        try {
            job = jobs.start(projection);
        } catch (ReadModelRebuild.UnknownProjectionException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (ReadModelRebuild.RebuildUnavailableException e) {
            throw new ApiException(HttpStatus.CONFLICT, e.getMessage());
        }
        return ResponseEntity.accepted().location(URI.create(PATH + "/" + job.id())).body(RebuildJob.of(job));
    }

    @GetMapping(PATH + "/{jobId}")
    RebuildJob job(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String jobId) {
        caller.requireWrite();
        return jobs.job(jobId).map(RebuildJob::of)
                .orElseThrow(() -> ApiException.notFound("rebuild job " + jobId + " not found"));
    }
}
