package dev.tern.agent.ice;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two ice4j sessions on this host's own addresses, wired to each other the way two peers are over signal: each
 * learns the other's credentials and candidate lines (through their text form, as signal carries them), runs
 * the checks, agrees on one pair and carries datagrams on it both ways.
 */
class IceSessionTest {
    private static final Duration ICE_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void twoSessionsSelectTheSameHostPairAndCarryDatagramsBothWays() throws Exception {
        try (IceSession controlling = new IceSession(true); IceSession controlled = new IceSession(false)) {
            assertThat(controlling.localCandidates()).as("host candidates on a non-loopback interface").isNotEmpty();
            assertThat(controlling.localCandidates()).allSatisfy(c -> assertThat(c.type()).isEqualTo("host"));

            exchange(controlling, controlled);
            exchange(controlled, controlling);
            controlling.start(viaSignal(controlled.localCredentials()));
            controlled.start(viaSignal(controlling.localCredentials()));

            IceSession.SelectedPath a = controlling.awaitSelected(ICE_TIMEOUT);
            IceSession.SelectedPath b = controlled.awaitSelected(ICE_TIMEOUT);
            assertThat(a.local()).isEqualTo(b.remote());
            assertThat(a.remote()).isEqualTo(b.local());
            assertThat(a.relayed()).isFalse();
            assertThat(a.localType()).isEqualTo("host");

            assertThat(roundTrip(controlling, controlled, "from the controlling side")).isTrue();
            assertThat(roundTrip(controlled, controlling, "from the controlled side")).isTrue();
        }
    }

    @Test
    void candidatesTrickledAfterTheStartStillConnect() throws Exception {
        try (IceSession controlling = new IceSession(true); IceSession controlled = new IceSession(false)) {
            controlling.start(viaSignal(controlled.localCredentials()));
            controlled.start(viaSignal(controlling.localCredentials()));
            exchange(controlling, controlled);
            exchange(controlled, controlling);

            IceSession.SelectedPath a = controlling.awaitSelected(ICE_TIMEOUT);
            assertThat(controlled.awaitSelected(ICE_TIMEOUT).remote()).isEqualTo(a.local());
        }
    }

    @Test
    void candidatesOtherThanUdpIpLiteralsAreNotUsed() throws Exception {
        try (IceSession session = new IceSession(true)) {
            assertThat(session.addRemoteCandidate(IceCandidate.parse(
                    "1 1 tcp 1518280447 192.0.2.9 9 typ host tcptype active"))).isFalse();
            assertThat(session.addRemoteCandidate(IceCandidate.parse(
                    "2 1 udp 2130706431 f3b1c0de-1111-2222-3333-444455556666.local 51820 typ host"))).isFalse();
            assertThat(session.addRemoteCandidate(IceCandidate.parse(
                    "3 1 udp 2130706431 192.0.2.9 51820 typ host"))).isTrue();
        }
    }

    @Test
    void aPeerCannotMakeASessionHoldMoreThanItsShareOfCandidates() throws Exception {
        try (IceSession session = new IceSession(false)) {
            session.start(new IceCredentials("ufragB", "passwordOfPeerBxxxxxxxx"));
            int accepted = 0;
            for (int i = 0; i < 3 * IceSession.MAX_REMOTE_CANDIDATES; i++) {
                if (session.addRemoteCandidate(IceCandidate.parse(
                        "candidate:" + i + " 1 udp 2130706431 192.0.2." + (i % 250 + 1) + " " + (40000 + i)
                                + " typ host"))) {
                    accepted++;
                }
            }

            assertThat(accepted).isEqualTo(IceSession.MAX_REMOTE_CANDIDATES);
        }
    }

    private static void exchange(IceSession from, IceSession to) {
        List<IceCandidate> candidates = from.localCandidates();
        for (IceCandidate candidate : candidates) {
            IceCandidate received = NetBirdIceSignals.parseCandidate(NetBirdIceSignals.candidate(candidate));
            to.addRemoteCandidate(received);
        }
    }

    private static IceCredentials viaSignal(IceCredentials credentials) {
        return IceCredentials.parse(credentials.payload());
    }

    private static boolean roundTrip(IceSession sender, IceSession receiver, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        receiver.socket().setSoTimeout(5000);
        // the first datagrams may race the other side's switch to the nominated pair: send a few
        for (int attempt = 0; attempt < 5; attempt++) {
            sender.send(data, 0, data.length);
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            try {
                receiver.socket().receive(packet);
            } catch (java.net.SocketTimeoutException e) {
                continue;
            }
            String got = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            assertThat(got).isEqualTo(text);
            assertThat(packet.getSocketAddress()).isEqualTo(receiver.selected().get().remote());
            return true;
        }
        return false;
    }
}
