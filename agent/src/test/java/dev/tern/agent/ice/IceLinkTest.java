package dev.tern.agent.ice;

import dev.tern.protocol.signal.Body;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two links wired through a signal that carries serialized bodies, one OFFER from A: both sides end up with a
 * loopback endpoint for their WireGuard, and WireGuard datagrams cross the selected pair.
 */
class IceLinkTest {
    @Test
    void anOfferAndItsAnswerBringBothSidesToADirectPathForWireGuard() throws Exception {
        try (DatagramSocket wgA = IceProxyTest.loopbackSocket(); DatagramSocket wgB = IceProxyTest.loopbackSocket()) {
            CompletableFuture<String> directA = new CompletableFuture<>();
            CompletableFuture<String> directB = new CompletableFuture<>();
            List<Body> offersFromA = new ArrayList<>();
            IceLink[] links = new IceLink[2];
            links[0] = new IceLink(true, wgA.getLocalPort(), () -> "rel://relay:33080", "tern-test",
                    body -> {
                        offersFromA.add(body);
                        links[1].onSignal(viaSignal(body));
                    }, directA::complete);
            links[1] = new IceLink(false, wgB.getLocalPort(), () -> null, "tern-test",
                    body -> links[0].onSignal(viaSignal(body)), directB::complete);
            try (IceLink a = links[0]; IceLink b = links[1]) {
                a.offer();
                // NetBird re-sends its offer until it hears an answer: a repeat is answered, not restarted
                a.offer();

                String endpointA = directA.get(20, TimeUnit.SECONDS);
                String endpointB = directB.get(20, TimeUnit.SECONDS);
                assertThat(offersFromA.get(0).getType()).isEqualTo(Body.Type.OFFER);
                assertThat(offersFromA.get(0).getRelayServerAddress()).isEqualTo("rel://relay:33080");
                assertThat(offersFromA.get(0).hasSessionId()).isTrue();
                // NetBird's client takes an id of any other length for none (ICESessionIDFromBytes)
                assertThat(offersFromA.get(0).getSessionId().size()).isEqualTo(5);

                byte[] initiation = {1, 0, 0, 0, 9, 8, 7};
                DatagramPacket got = IceProxyTest.sendUntilReceived(wgA, endpointA, initiation, wgB);
                assertThat(Arrays.copyOf(got.getData(), got.getLength())).containsExactly(initiation);
                assertThat(got.getSocketAddress()).isEqualTo(IceProxyTest.address(endpointB));
            }
        }
    }

    @Test
    void anOfferWithANewSessionIdAfterAPairWasSelectedEndsTheLinkUnanswered() throws Exception {
        try (DatagramSocket wgA = IceProxyTest.loopbackSocket(); DatagramSocket wgB = IceProxyTest.loopbackSocket()) {
            CompletableFuture<String> directA = new CompletableFuture<>();
            CompletableFuture<String> failedA = new CompletableFuture<>();
            List<Body> sentByA = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Body> offersFromB = new java.util.concurrent.CopyOnWriteArrayList<>();
            IceLink[] links = new IceLink[2];
            links[0] = new IceLink(new IceSession(true), wgA.getLocalPort(), () -> null, "tern-test",
                    new IcePeer.Listener() {
                        @Override
                        public void send(Body body) {
                            sentByA.add(body);
                            links[1].onSignal(viaSignal(body));
                        }

                        @Override
                        public void onDirect(String endpoint) {
                            directA.complete(endpoint);
                        }

                        @Override
                        public void onFailed(String why) {
                            failedA.complete(why);
                        }
                    });
            links[1] = new IceLink(false, wgB.getLocalPort(), () -> null, "0.77.1", body -> {
                if (body.getType() == Body.Type.OFFER) {
                    offersFromB.add(body);
                }
                links[0].onSignal(viaSignal(body));
            }, endpoint -> { });
            try (IceLink a = links[0]; IceLink b = links[1]) {
                b.offer();
                directA.get(20, TimeUnit.SECONDS);
                // the same session again (NetBird re-offers until answered) is answered, the link goes on
                a.onSignal(offersFromB.get(0));
                assertThat(failedA).isNotDone();
                int sent = sentByA.size();

                // B's ICE restarted: same credentials, another session id
                a.onSignal(offersFromB.get(0).toBuilder()
                        .setSessionId(com.google.protobuf.ByteString.copyFrom(new byte[] {9, 9, 9, 9, 9})).build());

                assertThat(failedA.get(5, TimeUnit.SECONDS)).contains("restarted");
                assertThat(sentByA).as("no answer: the next link answers").hasSize(sent);
            }
        }
    }

    @Test
    void anOfferWithoutIceCredentialsIsAnsweredSoTheClientLearnsOurRelayButStartsNoChecks() throws Exception {
        List<Body> sent = new ArrayList<>();
        CompletableFuture<String> direct = new CompletableFuture<>();
        try (IceLink link = new IceLink(true, 51820, () -> "rel://relay:33080", "tern-test", sent::add,
                direct::complete)) {
            link.onSignal(Body.newBuilder().setType(Body.Type.OFFER).setPayload(":").setWgListenPort(51820)
                    .setNetBirdVersion("0.77.1").build());

            assertThat(sent.get(0).getType()).isEqualTo(Body.Type.ANSWER);
            assertThat(sent.get(0).getRelayServerAddress()).isEqualTo("rel://relay:33080");
            // a real OFFER later is taken like any other
            link.onSignal(Body.newBuilder().setType(Body.Type.OFFER).setPayload("ufragB:passwordOfPeerBxxxxxxxx")
                    .setWgListenPort(51820).setNetBirdVersion("0.77.1").build());
            assertThat(sent).filteredOn(body -> body.getType() == Body.Type.ANSWER).hasSize(2);
        }
    }

    private static Body viaSignal(Body body) {
        try {
            return Body.parseFrom(body.toByteArray());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
