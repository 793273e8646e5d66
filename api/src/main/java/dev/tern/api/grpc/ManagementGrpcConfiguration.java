package dev.tern.api.grpc;

import dev.tern.api.commands.PeerRegistrationService;
import dev.tern.api.config.TernSettings;
import dev.tern.api.datapath.PeerDataPathConfig;
import dev.tern.api.idp.DeviceLoginSettings;
import dev.tern.api.signin.JwtDeviceLogins;
import dev.tern.api.tls.ListenerTls;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.query.peers.PeerStatusStore;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.axonframework.config.EventProcessingConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Wires the management gRPC service from {@link TernSettings}; two internal knobs come from the environment:
 * {@code tern.grpc-last-seen-refresh} (a Duration, default 30s), how often open streams refresh last_seen, and
 * {@code tern.grpc-config-refresh} (default half of {@code TERN_RELAY_TOKEN_TTL}), how often open streams get a fresh
 * relay token.
 */
@Configuration(proxyBeanMethods = false)
class ManagementGrpcConfiguration {
    /** Unary calls block on the command side; a bounded pool keeps a login storm from spawning unbounded threads. */
    private static final int CALL_THREADS = 32;
    /** Map pushes only seal and hand bytes to Netty; their own pool keeps them from queueing behind logins. */
    private static final int PUSH_THREADS = 2;

    @Bean
    ServerKeyStore.ServerKey managementServerKey(JdbcTemplate jdbc) {
        return new ServerKeyStore(jdbc, Clock.systemUTC()).loadOrCreate();
    }

    /** Status writes leave the gRPC call path: a slow or absent database must not hold up a Sync. */
    @Bean(destroyMethod = "close")
    BackgroundPeerStatusWriter backgroundPeerStatusWriter(PeerStatusStore statusStore) {
        return new BackgroundPeerStatusWriter(statusStore, BackgroundPeerStatusWriter.DEFAULT_MAX_PENDING);
    }

    @Bean
    SyncSessions syncSessions(BackgroundPeerStatusWriter statusWriter) {
        return new SyncSessions(statusWriter.asStore(), Clock.systemUTC());
    }

    @Bean
    ManagementGrpcServer managementGrpcServer(TernSettings settings, Environment environment,
                                              ServerKeyStore.ServerKey serverKey, PeerRegistrationService registrations,
                                              NetworkMapProjector projector,
                                              PeerDataPathConfig dataPath,
                                              SyncSessions sessions,
                                              ObjectProvider<EventProcessingConfiguration> processing,
                                              ListenerTls tls,
                                              JwtDeviceLogins jwtLogins,
                                              ObjectProvider<DeviceLoginSettings> deviceLogin) {
        ExecutorService callExecutor = Executors.newFixedThreadPool(CALL_THREADS,
                new DefaultThreadFactory("mgmt-grpc", true));
        ExecutorService pushExecutor = Executors.newFixedThreadPool(PUSH_THREADS,
                new DefaultThreadFactory("mgmt-push", true));
        ManagementService service = new ManagementService(serverKey, registrations, jwtLogins,
                deviceLogin.getIfAvailable(), projector,
                dataPath, sessions, pushExecutor, new NetworkMapReadiness(processing), Clock.systemUTC(),
                GrpcLimits.CLIENT_RECEIVE_LIMIT);
        Duration refresh = environment.getProperty("tern.grpc-last-seen-refresh", Duration.class,
                Duration.ofSeconds(30));
        // Half the token lifetime: a stream's newest token is then never older than that, so a client always
        // holds one with at least half its lifetime left.
        Duration configRefresh = environment.getProperty("tern.grpc-config-refresh", Duration.class,
                dataPath.tokenLifetime().dividedBy(2));
        ManagementGrpcServer server = new ManagementGrpcServer(settings.listeners().grpcPort(), service, sessions,
                List.of(callExecutor, pushExecutor), callExecutor, refresh, configRefresh,
                GrpcLimits.withCallsPerAddress(settings.listeners().grpcMaxCallsPerAddress()));
        tls.serverTls().ifPresent(server::tls);
        return server;
    }
}
