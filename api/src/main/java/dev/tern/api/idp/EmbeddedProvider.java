package dev.tern.api.idp;

import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import org.springframework.boot.web.servlet.context.ServletWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The embedded provider's identity: its issuer ({@code <TERN_REST_URL>/oauth2}, or this host's REST port as
 * {@code localhost} when no public URL is configured), the audience of its access tokens, and its keys.
 */
final class EmbeddedProvider implements EmbeddedIssuer, ApplicationListener<ServletWebServerInitializedEvent> {
    /** The {@code aud} of access tokens meant for Tern's REST API. */
    static final String AUDIENCE = "tern-api";

    private final IdpSettings settings;
    private final boolean tls;
    private final SigningKeys keys;
    private volatile URI restUrl;

    EmbeddedProvider(IdpSettings settings, boolean tls, SigningKeys keys) {
        this.settings = settings;
        this.tls = tls;
        this.keys = keys;
        this.restUrl = settings.restUrl().orElse(null);
    }

    @Override
    public void onApplicationEvent(ServletWebServerInitializedEvent event) {
        if (settings.restUrl().isEmpty()) {
            restUrl = URI.create((tls ? "https" : "http") + "://localhost:" + event.getWebServer().getPort());
        }
    }

    /** The public base URL of the REST API: requests to the provider are seen as made to it. */
    URI restUrl() {
        URI url = restUrl;
        if (url == null) {
            throw new IllegalStateException("the REST port is not bound yet");
        }
        return url;
    }

    @Override
    public String issuer() {
        return IdpSettings.issuerOf(restUrl());
    }

    @Override
    public String audience() {
        return AUDIENCE;
    }

    @Override
    public JWKSet publicKeys() {
        return keys.published().toPublicJWKSet();
    }
}
