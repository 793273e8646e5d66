package dev.tern.command;

import dev.tern.events.meta.EventMetadata;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.snapshotting.SnapshotFilter;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the account aggregate into Axon's Spring Boot auto-configuration. The bean names are referenced by
 * {@link Account}'s {@code @Aggregate} annotation, so the aggregate uses exactly these (and not Axon's defaults).
 * Importing this class (or scanning {@code dev.tern}) is all a Spring Boot application needs.
 */
@Configuration(proxyBeanMethods = false)
@ComponentScan(basePackageClasses = CommandSideConfiguration.class)
public class CommandSideConfiguration {
    public static final String COMMAND_TARGET_RESOLVER = "accountCommandTargetResolver";
    public static final String ACCOUNT_CACHE = "accountCache";
    public static final String SNAPSHOT_TRIGGER = "accountSnapshotTrigger";
    public static final String SNAPSHOT_FILTER = "accountSnapshotFilter";
    /**
     * Snapshot every this many events. A snapshot of a 10,000-peer account is about 1 MB of JSON and costs the
     * snapshotter a read plus a write of it (tens of ms); every 1,000 events keeps that under 0.1 ms per event while
     * a cold load (restart, cache eviction) replays at most 1,000 events after the snapshot.
     */
    public static final int SNAPSHOT_EVERY_EVENTS = 1000;
    /** Accounts kept loaded; a self-hosted server usually has one, a 10,000-peer account is tens of MB of heap. */
    public static final int CACHED_ACCOUNTS = 64;

    @Bean(COMMAND_TARGET_RESOLVER)
    public CommandTargetResolver accountCommandTargetResolver() {
        return new AccountCommandTargetResolver();
    }

    /**
     * Keeps the most recently used accounts loaded so a hot account is not re-sourced per command. Strong LRU
     * rather than Axon's WeakReferenceCache, which loses its entries at every young GC; an entry behind the shared
     * event store (another node wrote) is reloaded (see {@link AccountCache}).
     */
    @Bean(ACCOUNT_CACHE)
    public Cache accountCache(ObjectProvider<EventStore> eventStore) {
        // looked up at first use, so that building the cache does not pull in the event store
        return new AccountCache(CACHED_ACCOUNTS, accountId -> eventStore.getObject().lastSequenceNumberFor(accountId));
    }

    /**
     * The account cache of a process that is its event store's only writer (the benchmarks' history generator): no
     * other node can append behind its back, so nothing is checked against the store.
     */
    public static Cache soleWriterAccountCache() {
        return new AccountCache(CACHED_ACCOUNTS);
    }

    /** Axon's snapshotter, moved off the command thread (see {@link BackgroundSnapshotter}). */
    @Bean(destroyMethod = "close")
    BackgroundSnapshotter accountBackgroundSnapshotter(Snapshotter snapshotter) {
        return new BackgroundSnapshotter(snapshotter);
    }

    @Bean(SNAPSHOT_TRIGGER)
    public SnapshotTriggerDefinition accountSnapshotTrigger(BackgroundSnapshotter accountBackgroundSnapshotter) {
        return new EventCountSnapshotTriggerDefinition(accountBackgroundSnapshotter.snapshotter(), SNAPSHOT_EVERY_EVENTS);
    }

    /** Ignores snapshots of an older account shape; the account is then rebuilt from its events. */
    @Bean(SNAPSHOT_FILTER)
    public SnapshotFilter accountSnapshotFilter() {
        return new SnapshotRevisionFilter();
    }

    /** Copies actor and source address from each command's metadata onto every event it causes (the audit trail). */
    @Bean
    public CorrelationDataProvider actorMetadataProvider() {
        return new SimpleCorrelationDataProvider(EventMetadata.PROPAGATED.toArray(String[]::new));
    }
}
