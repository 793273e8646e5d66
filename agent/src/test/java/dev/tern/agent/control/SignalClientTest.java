package dev.tern.agent.control;

import dev.tern.agent.TestKeys;
import dev.tern.agent.common.Backoff;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.signal.Body;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SignalClientTest {
    private final String name = "signal-client-" + System.nanoTime();
    private final FakeSignalServer node = new FakeSignalServer();
    private final X25519KeyPair key = NaclBox.generateKeyPair();
    private final AtomicInteger connects = new AtomicInteger();
    private final List<String> states = new CopyOnWriteArrayList<>();
    private final List<Body> received = new CopyOnWriteArrayList<>();
    private Server server;
    private ManagedChannel channel;
    private SignalClient client;

    private Server start() throws IOException {
        return InProcessServerBuilder.forName(name).addService(node.withHeaderRegistration(true)).build().start();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    private SignalClient client() {
        return client(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)));
    }

    private SignalClient client(Backoff backoff) {
        channel = InProcessChannelBuilder.forName(name).build();
        client = new SignalClient(channel, key, new SignalClient.Listener() {
            @Override
            public void onMessage(String senderKey, Body body) {
                received.add(body);
            }

            @Override
            public void onConnected() {
                connects.incrementAndGet();
            }

            @Override
            public void onStateChange(String state, String error) {
                states.add(state);
            }
        }, backoff);
        return client;
    }

    @Test
    void registersUnderItsKeyAndReconnectsAfterTheNodeRestarts() throws Exception {
        server = start();
        client().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> connects.get() == 1);
        assertThat(node.streams).containsKey(key.publicKeyBase64());
        assertThat(states).endsWith("connected");

        node.streams.clear();
        server.shutdownNow().awaitTermination();
        await().atMost(Duration.ofSeconds(30)).until(() -> states.contains("disconnected"));
        server = start();

        await().atMost(Duration.ofSeconds(30)).until(() -> connects.get() == 2);
        assertThat(node.streams).containsKey(key.publicKeyBase64());
    }

    @Test
    void retryNowCutsALongBackoffShort() throws Exception {
        client(new Backoff(Duration.ofMinutes(5), Duration.ofMinutes(5)));
        client.start(); // no node yet: the first attempt fails and the client waits its 5 minutes
        await().atMost(Duration.ofSeconds(30)).until(() -> states.contains("disconnected"));
        server = start();

        client.retryNow();

        await().atMost(Duration.ofSeconds(10)).until(() -> connects.get() == 1);
        assertThat(node.streams).containsKey(key.publicKeyBase64());
    }

    @Test
    void messagesForUsAreOpenedAndOthersOrForgeriesAreDropped() throws Exception {
        server = start();
        X25519KeyPair other = NaclBox.generateKeyPair();
        client().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> connects.get() == 1);
        var stream = node.streams.get(key.publicKeyBase64());
        Body offer = Body.newBuilder().setType(Body.Type.OFFER).setPayload("u:p").setWgListenPort(51820).build();

        // sealed by someone else but claiming to come from `other`: does not open, dropped
        var forged = dev.tern.protocol.crypto.SignalMessages.seal(offer, NaclBox.generateKeyPair(), key.publicKeyBase64())
                .toBuilder().setKey(other.publicKeyBase64()).build();
        // addressed to another key: dropped
        var misrouted = dev.tern.protocol.crypto.SignalMessages.seal(offer, other, TestKeys.publicKey());
        var genuine = dev.tern.protocol.crypto.SignalMessages.seal(offer, other, key.publicKeyBase64());
        synchronized (stream) {
            stream.onNext(forged);
            stream.onNext(misrouted);
            stream.onNext(genuine);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> !received.isEmpty());
        assertThat(received).containsExactly(offer);
    }
}
