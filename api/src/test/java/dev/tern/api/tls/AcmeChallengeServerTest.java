package dev.tern.api.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The HTTP-01 listener answers exactly the challenges in progress and holds nothing for anyone else. */
class AcmeChallengeServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersOfferedTokensOnlyAndForgetsWithdrawnOnes() throws Exception {
        try (AcmeChallengeServer server = new AcmeChallengeServer().start(0)) {
            server.offer("tok3n", "tok3n.thumbprint");
            HttpResponse<String> answer = get(server.port(), "/.well-known/acme-challenge/tok3n");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("tok3n.thumbprint");

            HttpResponse<String> unknown = get(server.port(), "/.well-known/acme-challenge/other");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).isEqualTo("{\"message\":\"not an ACME challenge in progress\",\"code\":404}");
            assertThat(get(server.port(), "/api/peers").statusCode()).isEqualTo(404);

            server.withdraw("tok3n");
            assertThat(get(server.port(), "/.well-known/acme-challenge/tok3n").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void anOversizedRequestIsDroppedWithoutAnAnswer() throws Exception {
        try (AcmeChallengeServer server = new AcmeChallengeServer().start(0);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /.well-known/acme-challenge/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "a".repeat(16_384)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(reply).doesNotContain("200 OK");
        }
    }
}
