package dev.tern.agent.ice;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our ice4j session against pion's ICE agent, the one NetBird's client runs (NetBird's fork, at the commit NetBird
 * v0.77.1 pins; {@code src/test/go/pion-ice-peer}), each side in either role: credentials and candidate lines in
 * NetBird's text forms, pion's connectivity checks accepted by ice4j and ice4j's by pion, one selected pair both
 * agree on, and datagrams on it (pion echoes them). Needs Go (1.23+) to build the peer: fails, never skips,
 * without it.
 */
class IcePionInteropTest {
    private static final Duration ICE_TIMEOUT = Duration.ofSeconds(30);
    private static Path peer;

    @BeforeAll
    static void buildPionPeer() throws Exception {
        Path module = Path.of("src", "test", "go", "pion-ice-peer").toAbsolutePath();
        peer = Path.of("target", "pion-ice-peer").toAbsolutePath();
        String go = Files.isExecutable(Path.of("/usr/local/go/bin/go")) ? "/usr/local/go/bin/go" : "go";
        ProcessBuilder build = new ProcessBuilder(go, "build", "-mod=readonly", "-trimpath", "-o", peer.toString(),
                ".").directory(module.toFile()).redirectErrorStream(true);
        build.environment().put("CGO_ENABLED", "0");
        build.environment().put("GOTOOLCHAIN", "local");
        Process process;
        try {
            process = build.start();
        } catch (IOException e) {
            throw new AssertionError("this test needs Go on PATH or in /usr/local/go/bin to build the pion peer", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("go build timed out").isTrue();
        assertThat(process.exitValue()).as("go build of the pion peer failed:\n%s", output).isZero();
    }

    @ParameterizedTest(name = "ice4j controlling: {0}")
    @ValueSource(booleans = {true, false})
    void ice4jAndPionSelectOnePairAndCarryDatagrams(boolean ice4jControls) throws Exception {
        Path pionLog = Path.of("target", "pion-ice-peer-" + (ice4jControls ? "controlled" : "controlling") + ".log");
        ProcessBuilder pionPeer = new ProcessBuilder(peer.toString(), ice4jControls ? "controlled" : "controlling")
                .redirectError(pionLog.toFile());
        pionPeer.environment().put("PION_LOG", "debug");
        Process pion = pionPeer.start();
        try (IceSession session = new IceSession(ice4jControls);
             Writer toPion = new OutputStreamWriter(pion.getOutputStream(), StandardCharsets.UTF_8)) {
            CompletableFuture<IceCredentials> pionCredentials = new CompletableFuture<>();
            CompletableFuture<String[]> pionSelected = new CompletableFuture<>();
            Thread reader = new Thread(() -> readPion(pion, session, pionCredentials, pionSelected));
            reader.setDaemon(true);
            reader.start();

            IceCredentials ours = session.localCredentials();
            // the same text NetBird's signal bodies carry: the payload ufrag:pwd, one pion-form line per candidate
            IceCredentials viaSignal = NetBirdIceSignals.parseOfferAnswer(NetBirdIceSignals.offer(
                    new IceOfferAnswer(ours, 51820, null, null), "tern-test")).credentials();
            toPion.write("CRED " + viaSignal.ufrag() + " " + viaSignal.password() + "\n");
            for (IceCandidate candidate : session.localCandidates()) {
                toPion.write("CAND " + NetBirdIceSignals.candidate(candidate).getPayload() + "\n");
            }
            toPion.flush();
            session.start(pionCredentials.get(10, TimeUnit.SECONDS));

            IceSession.SelectedPath path = session.awaitSelected(ICE_TIMEOUT);
            String[] theirs = pionSelected.get(ICE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(theirs[0]).as("pion's local end is our remote").isEqualTo(hostPort(path.remote()));
            assertThat(theirs[1]).as("pion's remote end is our local").isEqualTo(hostPort(path.local()));
            // host, or peer-reflexive when our first check reached pion before its agent loop had taken our
            // candidate lines (RFC 8445 7.3.1.3, a legitimate race): either way one of our host candidates
            assertThat(theirs[2]).isIn("host", "prflx");
            assertThat(session.localCandidates()).as("pion's remote end is one of our host candidates")
                    .anySatisfy(c -> {
                        assertThat(c.type()).isEqualTo("host");
                        assertThat(c.address() + ":" + c.port()).isEqualTo(theirs[1]);
                    });
            assertThat(path.relayed()).isFalse();

            byte[] datagram = {1, 0, 0, 0, 42, 43, 44, 45};
            session.socket().setSoTimeout(2000);
            DatagramPacket echo = new DatagramPacket(new byte[1500], 1500);
            boolean echoed = false;
            // the controlled side may start using the pair a moment after the controlling side nominated it
            for (int attempt = 0; attempt < 5 && !echoed; attempt++) {
                session.send(datagram, 0, datagram.length);
                try {
                    session.socket().receive(echo);
                    echoed = true;
                } catch (java.net.SocketTimeoutException e) {
                    // send again
                }
            }
            assertThat(echoed).as("pion echoed our datagram on the selected pair").isTrue();
            assertThat(Arrays.copyOf(echo.getData(), echo.getLength())).containsExactly(datagram);
            assertThat(echo.getSocketAddress()).isEqualTo(path.remote());
        } finally {
            pion.destroy();
            pion.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void readPion(Process pion, IceSession session, CompletableFuture<IceCredentials> credentials,
                                 CompletableFuture<String[]> selected) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(pion.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                String[] f = line.split(" ", 2);
                switch (f[0]) {
                    case "CRED" -> {
                        String[] c = f[1].split(" ");
                        credentials.complete(NetBirdIceSignals.parseOfferAnswer(NetBirdIceSignals.answer(
                                new IceOfferAnswer(new IceCredentials(c[0], c[1]), 51820, null, null), "pion"))
                                .credentials());
                    }
                    case "CAND" -> session.addRemoteCandidate(IceCandidate.parse(f[1]));
                    case "SELECTED" -> selected.complete(f[1].split(" "));
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            selected.completeExceptionally(e);
        }
        selected.completeExceptionally(new AssertionError("the pion peer exited without selecting a pair"));
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
