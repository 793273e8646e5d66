package dev.tern.api.replay;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * The part of tern-server that {@code tern-server replay} runs: settings, the database (embedded or external, under
 * the same data-directory lock), Axon's JDBC stores and the query side, and nothing that listens (no REST, no gRPC,
 * no data-path node, no sweepers, no network maps). The read-model processor does not start
 * ({@code tern.read-model.auto-start=false}): {@link dev.tern.query.ReadModelRebuild} replays into the tables
 * itself, up to where the processor stood.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(basePackages = {"dev.tern.api.config", "dev.tern.api.storage", "dev.tern.api.axon", "dev.tern.query"},
        excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX,
                pattern = "dev\\.tern\\.api\\.config\\.StartupReport"))
public class ReplayApplication {
}
