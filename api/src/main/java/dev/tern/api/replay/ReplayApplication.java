package dev.tern.api.replay;

import dev.tern.query.QuerySideConfiguration;

import java.util.Map;

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
    /**
     * What a replay application runs with: no read-model processor, and a rebuild that may lock the read tables
     * (nothing else reads them; {@link QuerySideConfiguration#OFFLINE_REBUILD_PROPERTY}).
     */
    public static Map<String, Object> properties() {
        return Map.of(QuerySideConfiguration.AUTO_START_PROPERTY, "false",
                QuerySideConfiguration.OFFLINE_REBUILD_PROPERTY, "true");
    }
}
