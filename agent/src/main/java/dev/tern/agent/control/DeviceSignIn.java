package dev.tern.agent.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.agent.common.AgentException;
import dev.tern.agent.common.Json;
import dev.tern.agent.common.TlsTrust;
import dev.tern.protocol.management.ProviderConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Signs a user in through OAuth's device authorization grant (RFC 8628), as NetBird's client does for
 * {@code netbird up} without a setup key: asks the identity provider the management server names for a device
 * code, shows the verification URL and user code, and polls the token endpoint until someone signs in there. The
 * token it returns goes into {@code LoginRequest.jwtToken}.
 *
 * <p>The provider is reached over {@code java.net.http} with the agent's trust ({@code --ca-file} or the system
 * store; host names checked), every answer read up to {@link #MAX_ANSWER_BYTES}. The device code and the tokens
 * are never logged.
 */
public final class DeviceSignIn {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSignIn.class);
    /** RFC 8628 §3.2: the interval when the provider names none; NetBird's client would panic on a missing one. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** RFC 8628 §3.5: {@code slow_down} adds 5 seconds to the interval for this and all later polls. */
    static final Duration SLOW_DOWN_STEP = Duration.ofSeconds(5);
    /** How long a device code lives when the provider does not say (Spring Authorization Server's default). */
    static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(5);
    /** Device and token answers are a few hundred bytes; anything past this is not an OAuth answer. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

    /** Where the sign-in URL goes: the user's terminal, and {@code tern status}. */
    @FunctionalInterface
    public interface Prompt {
        void show(String verificationUrl, String userCode);
    }

    /** Waits between polls; throws InterruptedException when the agent stops meanwhile. */
    @FunctionalInterface
    interface Pause {
        void sleep(Duration delay) throws InterruptedException;
    }

    private final HttpClient http;
    private final Prompt prompt;
    private final Pause pause;
    private final LongSupplier nanoTime;
    private volatile boolean cancelled;

    /** @param trust what the provider's certificate must chain to: the agent's {@code --ca-file}, as for gRPC */
    public DeviceSignIn(TlsTrust trust, Prompt prompt) {
        this(trust, prompt, null, System::nanoTime);
    }

    /** Tests pass a pause that does not sleep and a clock they move. */
    DeviceSignIn(TlsTrust trust, Prompt prompt, Pause pause, LongSupplier nanoTime) {
        this.http = HttpClient.newBuilder().sslContext(trust.sslContext()).connectTimeout(REQUEST_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.prompt = prompt;
        this.pause = pause != null ? pause : this::sleepUnlessCancelled;
        this.nanoTime = nanoTime;
    }

    /** What the device authorization endpoint handed out. */
    record DeviceCode(String deviceCode, String userCode, String verificationUrl, Duration interval, Duration expiresIn) {
    }

    /**
     * Runs the whole flow against the provider the management server named.
     *
     * @return the token for {@code LoginRequest.jwtToken}: the ID token when the server asks for it, else the access token
     * @throws AgentException (MANAGEMENT) when the settings are unusable, the provider refuses, the user denies the
     *                        sign-in or the code expires before anyone signs in; (FAILURE) when the agent stops meanwhile
     */
    public String signIn(ProviderConfig provider) {
        requireUsable(provider);
        DeviceCode code = requestDeviceCode(provider);
        prompt.show(code.verificationUrl(), code.userCode());
        return awaitToken(provider, code);
    }

    /** Ends a wait in progress (the agent is stopping). */
    public void cancel() {
        cancelled = true;
    }

    /** NetBird's client refuses the same gaps ({@code validateDeviceAuthConfig}). */
    private static void requireUsable(ProviderConfig provider) {
        for (Map.Entry<String, String> field : Map.of("ClientID", provider.getClientID(),
                "DeviceAuthEndpoint", provider.getDeviceAuthEndpoint(),
                "TokenEndpoint", provider.getTokenEndpoint()).entrySet()) {
            if (field.getValue().isBlank()) {
                throw new AgentException(AgentException.MANAGEMENT, "the management server's device login settings "
                        + "have no " + field.getKey() + "; use a setup key");
            }
        }
    }

    DeviceCode requestDeviceCode(ProviderConfig provider) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", provider.getClientID());
        if (!provider.getAudience().isBlank()) {
            form.put("audience", provider.getAudience());
        }
        // NetBird's client asks for "openid" when the server names no scope.
        form.put("scope", provider.getScope().isBlank() ? "openid" : provider.getScope());
        Answer answer;
        try {
            answer = post(provider.getDeviceAuthEndpoint(), form);
        } catch (IOException e) {
            throw new AgentException(AgentException.MANAGEMENT, "cannot reach the identity provider at "
                    + provider.getDeviceAuthEndpoint() + ": " + describe(e));
        }
        if (answer.status() != 200) {
            throw new AgentException(AgentException.MANAGEMENT, "the identity provider at "
                    + provider.getDeviceAuthEndpoint() + " refused the device authorization: HTTP " + answer.status()
                    + errorOf(answer.body()));
        }
        JsonNode body = answer.body();
        String deviceCode = text(body, "device_code");
        String userCode = text(body, "user_code");
        String verificationUrl = text(body, "verification_uri_complete");
        if (verificationUrl.isEmpty()) {
            verificationUrl = text(body, "verification_uri");
        }
        if (deviceCode.isEmpty() || userCode.isEmpty() || verificationUrl.isEmpty()) {
            throw new AgentException(AgentException.MANAGEMENT, "the identity provider at "
                    + provider.getDeviceAuthEndpoint() + " answered without device_code, user_code or verification_uri");
        }
        long interval = body.path("interval").asLong(0);
        long expiresIn = body.path("expires_in").asLong(0);
        return new DeviceCode(deviceCode, userCode, verificationUrl,
                interval > 0 ? Duration.ofSeconds(interval) : DEFAULT_INTERVAL,
                expiresIn > 0 ? Duration.ofSeconds(expiresIn) : DEFAULT_EXPIRY);
    }

    String awaitToken(ProviderConfig provider, DeviceCode code) {
        long deadline = nanoTime.getAsLong() + code.expiresIn().toNanos();
        Duration interval = code.interval();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", provider.getClientID());
        form.put("grant_type", DEVICE_CODE_GRANT);
        form.put("device_code", code.deviceCode());
        while (true) {
            if (cancelled) {
                throw stopped();
            }
            try {
                pause.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw stopped();
            }
            if (nanoTime.getAsLong() - deadline >= 0) {
                throw expired();
            }
            Answer answer;
            try {
                answer = post(provider.getTokenEndpoint(), form);
            } catch (IOException e) {
                // A blip while someone is signing in must not cost them the code: ask again next interval.
                LOG.warn("cannot reach the identity provider's token endpoint {} ({}); asking again",
                        provider.getTokenEndpoint(), describe(e));
                continue;
            }
            if (answer.status() == 200) {
                String token = text(answer.body(), provider.getUseIDToken() ? "id_token" : "access_token");
                if (token.isEmpty()) {
                    throw new AgentException(AgentException.MANAGEMENT, "the identity provider's token answer has no "
                            + (provider.getUseIDToken() ? "id_token" : "access_token"));
                }
                return token;
            }
            String error = text(answer.body(), "error");
            switch (error) {
                case "authorization_pending" -> {
                }
                case "slow_down" -> interval = interval.plus(SLOW_DOWN_STEP);
                case "expired_token" -> throw expired();
                case "access_denied" -> throw new AgentException(AgentException.MANAGEMENT,
                        "the sign-in was denied at the identity provider; run tern up again to retry, or use a setup key");
                default -> throw new AgentException(AgentException.MANAGEMENT, "the identity provider at "
                        + provider.getTokenEndpoint() + " refused the sign-in: HTTP " + answer.status()
                        + errorOf(answer.body()));
            }
        }
    }

    private static AgentException expired() {
        return new AgentException(AgentException.MANAGEMENT,
                "the sign-in code expired before anyone signed in; run tern up again for a new one");
    }

    private static AgentException stopped() {
        return new AgentException(AgentException.FAILURE, "stopped while waiting for the sign-in");
    }

    private void sleepUnlessCancelled(Duration delay) throws InterruptedException {
        long end = System.nanoTime() + delay.toNanos();
        while (!cancelled && System.nanoTime() - end < 0) {
            Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    private record Answer(int status, JsonNode body) {
    }

    private Answer post(String endpoint, Map<String, String> form) throws IOException {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new AgentException(AgentException.MANAGEMENT, "the management server named an unusable identity "
                    + "provider endpoint: " + endpoint);
        }
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw stopped();
        } catch (IllegalArgumentException e) {
            throw new AgentException(AgentException.MANAGEMENT, "the management server named an unusable identity "
                    + "provider endpoint: " + endpoint);
        }
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
        }
        if (bytes.length > MAX_ANSWER_BYTES) {
            throw new AgentException(AgentException.MANAGEMENT, "the identity provider at " + endpoint
                    + " answered with more than " + MAX_ANSWER_BYTES + " bytes");
        }
        JsonNode json;
        try {
            json = bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            json = Json.MAPPER.createObjectNode();
        }
        return new Answer(response.statusCode(), json == null ? Json.MAPPER.createObjectNode() : json);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.path(field);
        return value.isTextual() ? value.asText() : "";
    }

    private static String errorOf(JsonNode body) {
        String error = text(body, "error");
        String description = text(body, "error_description");
        return (error.isEmpty() ? "" : " " + error) + (description.isEmpty() ? "" : " (" + description + ")");
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
