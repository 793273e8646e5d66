package dev.tern.api.config;

import dev.tern.api.storage.TernDatabase;
import dev.tern.api.tls.ListenerTls;
import dev.tern.query.users.SetupReads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tells the operator, once tern-server is ready, where it listens, where its data is, and — on a fresh
 * install — how to get the first admin token. Never prints a password or token.
 */
@Component
class StartupReport {

    private static final Logger log = LoggerFactory.getLogger("tern-server");

    private final TernSettings settings;
    private final TernDatabase database;
    private final ObjectProvider<SetupReads> readModel;
    private final ListenerTls tls;

    StartupReport(TernSettings settings, TernDatabase database, ObjectProvider<SetupReads> readModel, ListenerTls tls) {
        this.settings = settings;
        this.database = database;
        this.readModel = readModel;
        this.tls = tls;
    }

    @EventListener
    void onReady(ApplicationReadyEvent event) {
        int httpPort = httpPort(event.getApplicationContext());
        String scheme = tls.enabled() ? "https" : "http";
        log.info("REST API listening on {}://localhost:{}/api", scheme, httpPort);
        if (tls.enabled()) {
            log.info("TLS on every listener (REST, management gRPC, in-process signal and relay): {}", tls.source());
        } else {
            log.warn(PLAINTEXT_WARNING);
        }
        log.info("Management gRPC port {}", settings.listeners().grpcPort() == 0 ? "(free port chosen at start)" : settings.listeners().grpcPort());
        log.info("Signal: {}", settings.dataPath().signalUrl().map(Object::toString).orElse("in-process signal node on port "
                + (settings.dataPath().node().signalPort() == 0 ? "(free port chosen at start)" : settings.dataPath().node().signalPort())));
        log.info("STUN: {}", stunDescription(settings));
        log.info("Relay: {}", relayDescription(settings));
        log.info("Data directory {}", settings.storage().dataDir());
        log.info("Database: {}", database.description());
        log.info("DNS domain {}", settings.dnsDomain());
        if (setupRequired()) {
            log.info("Setup required: create the owner and the first admin token with\n"
                    + "  curl -X POST {}://localhost:{}/api/setup -H 'Content-Type: application/json' \\\n"
                    + "       -d '{\"email\":\"admin@example.com\",\"password\":\"<at least 8 characters>\","
                    + "\"name\":\"Admin\",\"create_pat\":true}'\n"
                    + "  The response's personal_access_token is shown only once; use it as "
                    + "'Authorization: Token nbp_...'.", scheme, httpPort);
        }
        log.info("tern-server started");
    }

    /**
     * The listeners bind every interface, so without TLS setup keys, admin tokens and passwords cross the network
     * readable. Plaintext stays allowed (localhost development, a TLS-terminating proxy in front), but loudly.
     */
    static final String PLAINTEXT_WARNING = "TLS IS OFF: REST, management gRPC, signal and relay listen in "
            + "PLAINTEXT on every interface; admin tokens, setup keys and peer traffic metadata cross the network "
            + "readable. Fine for localhost development only: set " + TlsSettings.CERT_FILE + " and "
            + TlsSettings.KEY_FILE + " (PEM), or " + TlsSettings.ACME_DOMAIN + " to get a certificate from ACME.";

    static String stunDescription(TernSettings settings) {
        if (!settings.dataPath().stunUrls().isEmpty()) {
            return joined(settings.dataPath().stunUrls());
        }
        if (settings.dataPath().runsStunInProcess()) {
            return "in-process STUN on udp port " + port(settings.dataPath().node().stunPort().getAsInt());
        }
        return "none handed out" + (settings.dataPath().signalUrl().isPresent() ? " (set " + TernSettings.STUN_URLS + ")" : "");
    }

    /** Says where the secret comes from, never what it is. */
    static String relayDescription(TernSettings settings) {
        if (!settings.dataPath().relayUrls().isEmpty()) {
            return joined(settings.dataPath().relayUrls()) + ", tokens signed with " + TernSettings.RELAY_SECRET;
        }
        if (settings.dataPath().runsRelayInProcess()) {
            return "in-process relay on port " + port(settings.dataPath().node().relayPort()) + ", tokens signed with "
                    + (settings.dataPath().node().relaySecret().isPresent() ? TernSettings.RELAY_SECRET : "a secret generated at start");
        }
        return "none handed out (set " + TernSettings.RELAY_URLS + ")";
    }

    private static String joined(java.util.List<java.net.URI> urls) {
        return String.join(", ", urls.stream().map(Object::toString).toList());
    }

    private static String port(int port) {
        return port == 0 ? "(free port chosen at start)" : Integer.toString(port);
    }

    private boolean setupRequired() {
        SetupReads model = readModel.getIfAvailable();
        if (model == null) {
            return false;
        }
        try {
            return model.setupRequired();
        } catch (RuntimeException e) {
            log.warn("Could not tell whether setup is still required: {}", e.toString());
            return false;
        }
    }

    private static int httpPort(ApplicationContext context) {
        if (context instanceof WebServerApplicationContext web && web.getWebServer() != null) {
            return web.getWebServer().getPort();
        }
        return -1;
    }
}
