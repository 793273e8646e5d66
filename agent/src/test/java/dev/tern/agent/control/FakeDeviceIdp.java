package dev.tern.agent.control;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tern.signal.tls.Certificates;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A tiny HTTPS stand-in for an identity provider's two device-flow endpoints (RFC 8628): the device authorization
 * endpoint answers {@link #deviceAnswer}, the token endpoint the scripted {@link #tokenAnswers} one per poll (then
 * {@code authorization_pending}). It records every form it receives. Its certificate is issued by {@link #ca}.
 */
final class FakeDeviceIdp implements AutoCloseable {
    record Answer(int status, String json) {
    }

    final Certificates.Issued ca = Certificates.certificateAuthority("idp test CA", Duration.ofDays(1));
    final List<Map<String, String>> deviceForms = new CopyOnWriteArrayList<>();
    final List<Map<String, String>> tokenForms = new CopyOnWriteArrayList<>();
    final Queue<Answer> tokenAnswers = new ConcurrentLinkedQueue<>();
    volatile Answer deviceAnswer = new Answer(200, """
            {"device_code":"DEVICE-CODE-SECRET","user_code":"WDJB-MJHT",
             "verification_uri":"https://idp.test/device",
             "verification_uri_complete":"https://idp.test/device?user_code=WDJB-MJHT",
             "expires_in":300,"interval":2}""");
    private final HttpsServer server;

    FakeDeviceIdp() throws Exception {
        Certificates.Issued certificate = Certificates.serverCertificate(ca, Duration.ofDays(1), "localhost", "127.0.0.1");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", certificate.keys().getPrivate(), new char[0],
                new X509Certificate[]{certificate.certificate(), ca.certificate()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/device_authorization", exchange -> {
            deviceForms.add(form(exchange));
            respond(exchange, deviceAnswer);
        });
        server.createContext("/token", exchange -> {
            tokenForms.add(form(exchange));
            Answer next = tokenAnswers.poll();
            respond(exchange, next != null ? next : new Answer(400, "{\"error\":\"authorization_pending\"}"));
        });
        server.start();
    }

    String url(String path) {
        return "https://localhost:" + server.getAddress().getPort() + path;
    }

    static Answer token(String accessToken) {
        return new Answer(200, "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":300}");
    }

    static Answer error(String error) {
        return new Answer(400, "{\"error\":\"" + error + "\"}");
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        return Arrays.stream(body.split("&")).filter(pair -> !pair.isEmpty()).map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                        pair -> pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : "",
                        (a, b) -> b, LinkedHashMap::new));
    }

    private static void respond(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.json().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
