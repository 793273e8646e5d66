package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayMessageType;
import dev.tern.protocol.relay.RelayTokens;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RelayServerHandlerTest {
    private static final String URL = "rel://relay.test:33080";
    private final RelayTokens tokens = RelayTokens.fromSharedSecret("relay-test-secret", Clock.systemUTC());
    private final RelayHub hub = new RelayHub();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final PeerId alice = PeerId.ofPublicKey("alice-key=");
    private final PeerId bob = PeerId.ofPublicKey("bob-key=");

    @AfterEach
    void closeAll() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void validAuthIsAnsweredWithTheInstanceUrl() {
        EmbeddedChannel a = connect();
        send(a, new RelayFrame.Auth(alice, tokens.issue(Duration.ofMinutes(5), alice).marshal()));

        assertThat(read(a)).isEqualTo(new RelayFrame.AuthResponse(URL));
        assertThat(hub.isOnline(alice)).isTrue();
    }

    @Test
    void badTokenClosesTheConnectionWithoutAnswer() {
        EmbeddedChannel a = connect();
        RelayTokens other = RelayTokens.fromSharedSecret("somebody else's secret", Clock.systemUTC());
        send(a, new RelayFrame.Auth(alice, other.issue(Duration.ofMinutes(5), alice).marshal()));

        assertThat(a.isOpen()).isFalse();
        assertThat((Object) a.readOutbound()).isNull();
        assertThat(hub.isOnline(alice)).isFalse();
    }

    @Test
    void expiredTokenIsRefused() {
        EmbeddedChannel a = connect();
        send(a, new RelayFrame.Auth(alice, tokens.issue(Duration.ofSeconds(-5), alice).marshal()));

        assertThat(a.isOpen()).isFalse();
    }

    @Test
    void anythingBeforeAuthClosesTheConnection() {
        EmbeddedChannel a = connect();
        send(a, new RelayFrame.Transport(bob, new byte[]{1}));
        assertThat(a.isOpen()).isFalse();

        EmbeddedChannel b = connect();
        b.writeInbound(new TextWebSocketFrame("hello"));
        assertThat(b.isOpen()).isFalse();
    }

    @Test
    void silentClientIsDroppedAfterTheAuthTimeout() {
        EmbeddedChannel a = connect();
        a.advanceTimeBy(9, TimeUnit.SECONDS);
        a.runScheduledPendingTasks();
        assertThat(a.isOpen()).isTrue();

        a.advanceTimeBy(2, TimeUnit.SECONDS);
        a.runScheduledPendingTasks();
        assertThat(a.isOpen()).isFalse();
    }

    @Test
    void transportIsForwardedWithTheSendersIdAndUntouchedPayload() {
        EmbeddedChannel a = authenticated(alice);
        EmbeddedChannel b = authenticated(bob);
        byte[] wireguardPacket = {4, 0, 0, 0, 9, 9, 9, 9};

        send(a, new RelayFrame.Transport(bob, wireguardPacket));

        assertThat(read(b)).isEqualTo(new RelayFrame.Transport(alice, wireguardPacket));
        assertThat((Object) a.readOutbound()).isNull();
    }

    @Test
    void transportToAnAbsentPeerIsDroppedAndTheSenderStaysConnected() {
        EmbeddedChannel a = authenticated(alice);
        send(a, new RelayFrame.Transport(bob, new byte[]{1, 2}));

        assertThat(a.isOpen()).isTrue();
        assertThat((Object) a.readOutbound()).isNull();
    }

    @Test
    void aSenderToACongestedReceiverIsPausedNotDroppedAndResumesWhenTheReceiverDrains() {
        EmbeddedChannel a = authenticated(alice);
        EmbeddedChannel b = congested(authenticated(bob), 64);

        // mid-read: the sender's read loop is still running, nothing was flushed yet
        a.pipeline().fireChannelRead(transport(bob, new byte[]{1}));

        assertThat(a.config().isAutoRead()).as("alice is no longer read while bob is congested").isFalse();
        assertThat(a.isOpen()).isTrue();

        b.flushOutbound(); // bob's client reads: the backlog drains below the low watermark
        assertThat(a.config().isAutoRead()).as("alice is read again").isTrue();
        BinaryWebSocketFrame backlog = b.readOutbound();
        assertThat(backlog.content().readableBytes()).isEqualTo(64);
        backlog.release();
        assertThat(read(b)).as("the packet sent while bob was congested").isEqualTo(
                new RelayFrame.Transport(alice, new byte[]{1}));
    }

    @Test
    void aPausedSenderResumesWhenTheCongestedReceiverLeaves() {
        EmbeddedChannel a = authenticated(alice);
        EmbeddedChannel b = congested(authenticated(bob), 64);
        a.pipeline().fireChannelRead(transport(bob, new byte[]{1}));
        assertThat(a.config().isAutoRead()).isFalse();

        b.close();

        assertThat(a.config().isAutoRead()).isTrue();
        assertThat(a.isOpen()).isTrue();
    }

    @Test
    void aReceiverThatNeverReadsMakesTheRelayHoldAtMostTheBoundForIt() {
        EmbeddedChannel a = authenticated(alice);
        EmbeddedChannel c = authenticated(PeerId.ofPublicKey("carol-key="));
        EmbeddedChannel b = congested(authenticated(bob), 64);
        byte[] packet = new byte[RelayFrameCodec.MAX_MESSAGE_SIZE - 2 - PeerId.SIZE];
        int sent = 0;
        // two senders whose read loops still hand over what they had read before they were paused
        for (int i = 0; i < 2 * RelayDelivery.MAX_QUEUED_PER_RECEIVER / packet.length; i++) {
            a.pipeline().fireChannelRead(transport(bob, packet));
            c.pipeline().fireChannelRead(transport(bob, packet));
            sent += 2 * packet.length;
        }

        long queued = b.unsafe().outboundBuffer().totalPendingWriteBytes();
        assertThat(sent).isGreaterThan(2 * RelayDelivery.MAX_QUEUED_PER_RECEIVER);
        assertThat(queued).isLessThanOrEqualTo(RelayDelivery.MAX_QUEUED_PER_RECEIVER
                + RelayFrameCodec.MAX_MESSAGE_SIZE + 64);
        assertThat(a.config().isAutoRead()).isFalse();
        assertThat(c.config().isAutoRead()).isFalse();
    }

    @Test
    void packetsToSeveralReceiversGoOutWithOneFlushEachAtTheEndOfTheRead() {
        EmbeddedChannel a = authenticated(alice);
        EmbeddedChannel b = authenticated(bob);
        PeerId carol = PeerId.ofPublicKey("carol-key=");
        EmbeddedChannel c = authenticated(carol);

        a.pipeline().fireChannelRead(transport(bob, new byte[]{1}));
        a.pipeline().fireChannelRead(transport(carol, new byte[]{2}));
        a.pipeline().fireChannelRead(transport(bob, new byte[]{3}));
        assertThat((Object) b.readOutbound()).as("not flushed before the read completes").isNull();

        a.pipeline().fireChannelReadComplete();

        assertThat(read(b)).isEqualTo(new RelayFrame.Transport(alice, new byte[]{1}));
        assertThat(read(b)).isEqualTo(new RelayFrame.Transport(alice, new byte[]{3}));
        assertThat(read(c)).isEqualTo(new RelayFrame.Transport(alice, new byte[]{2}));
    }

    /** A receiver whose client stopped reading: {@code backlog} bytes wait unflushed above its high watermark. */
    private static EmbeddedChannel congested(EmbeddedChannel receiver, int backlog) {
        receiver.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(8, 16));
        receiver.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[backlog])));
        assertThat(receiver.isWritable()).isFalse();
        return receiver;
    }

    private static BinaryWebSocketFrame transport(PeerId destination, byte[] payload) {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(RelayFrameCodec.encode(
                new RelayFrame.Transport(destination, payload))));
    }

    @Test
    void subscribersLearnWhenWatchedPeersComeAndGo() {
        EmbeddedChannel a = authenticated(alice);
        send(a, new RelayFrame.PeerList(RelayMessageType.SUBSCRIBE_PEER_STATE, List.of(bob)));
        assertThat((Object) a.readOutbound()).isNull();

        EmbeddedChannel b = authenticated(bob);
        assertThat(read(a)).isEqualTo(new RelayFrame.PeerList(RelayMessageType.PEERS_ONLINE, List.of(bob)));

        b.close();
        assertThat(read(a)).isEqualTo(new RelayFrame.PeerList(RelayMessageType.PEERS_WENT_OFFLINE, List.of(bob)));
        assertThat(hub.isOnline(bob)).isFalse();
    }

    @Test
    void subscribingToAnOnlinePeerAnswersImmediately() {
        authenticated(bob);
        EmbeddedChannel a = authenticated(alice);

        send(a, new RelayFrame.PeerList(RelayMessageType.SUBSCRIBE_PEER_STATE, List.of(bob, PeerId.ofPublicKey("x"))));

        assertThat(read(a)).isEqualTo(new RelayFrame.PeerList(RelayMessageType.PEERS_ONLINE, List.of(bob)));
    }

    @Test
    void unsubscribedPeersAreNoLongerReported() {
        EmbeddedChannel a = authenticated(alice);
        send(a, new RelayFrame.PeerList(RelayMessageType.SUBSCRIBE_PEER_STATE, List.of(bob)));
        send(a, new RelayFrame.PeerList(RelayMessageType.UNSUBSCRIBE_PEER_STATE, List.of(bob)));

        authenticated(bob);

        assertThat((Object) a.readOutbound()).isNull();
    }

    @Test
    void healthChecksAreSentAndAClientThatStopsAnsweringIsDropped() {
        EmbeddedChannel a = authenticated(alice);

        a.advanceTimeBy(26, TimeUnit.SECONDS);
        a.runScheduledPendingTasks();
        assertThat(read(a)).isEqualTo(new RelayFrame.HealthCheck());
        send(a, new RelayFrame.HealthCheck());

        a.advanceTimeBy(25, TimeUnit.SECONDS);
        a.runScheduledPendingTasks();
        assertThat(read(a)).isEqualTo(new RelayFrame.HealthCheck());
        assertThat(a.isOpen()).isTrue();

        a.advanceTimeBy(25, TimeUnit.SECONDS);
        a.runScheduledPendingTasks();
        assertThat(a.isOpen()).isFalse();
        assertThat(hub.isOnline(alice)).isFalse();
    }

    @Test
    void reconnectUnderTheSameIdClosesTheOldConnection() {
        EmbeddedChannel first = authenticated(alice);
        EmbeddedChannel second = authenticated(alice);

        assertThat(read(first)).isEqualTo(new RelayFrame.Close());
        assertThat(first.isOpen()).isFalse();
        assertThat(hub.isOnline(alice)).isTrue();

        EmbeddedChannel b = authenticated(bob);
        send(b, new RelayFrame.Transport(alice, new byte[]{7}));
        assertThat(read(second)).isEqualTo(new RelayFrame.Transport(bob, new byte[]{7}));
    }

    @Test
    void malformedOrServerOnlyMessagesAfterAuthCloseTheConnection() {
        EmbeddedChannel a = authenticated(alice);
        a.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[]{1, 99})));
        assertThat(a.isOpen()).isFalse();

        EmbeddedChannel b = authenticated(bob);
        send(b, new RelayFrame.PeerList(RelayMessageType.PEERS_ONLINE, List.of(alice)));
        assertThat(b.isOpen()).isFalse();
    }

    @Test
    void closeMessageEndsTheSession() {
        EmbeddedChannel a = authenticated(alice);
        send(a, new RelayFrame.Close());
        assertThat(a.isOpen()).isFalse();
        assertThat(hub.isOnline(alice)).isFalse();
    }

    @Test
    void tokenIssuedForAnotherPeerIsRefusedWithoutAnswer() {
        EmbeddedChannel victim = authenticated(alice);
        EmbeddedChannel mallory = connect();
        // Mallory holds a valid token of its own, and claims alice's peer id.
        send(mallory, new RelayFrame.Auth(alice, tokens.issue(Duration.ofMinutes(5), bob).marshal()));

        assertThat(mallory.isOpen()).isFalse();
        assertThat((Object) mallory.readOutbound()).isNull();
        assertThat(victim.isOpen()).isTrue();
        assertThat(hub.channelOf(alice)).isSameAs(victim);
    }

    @Test
    void secondLoginWithAnOlderTokenDoesNotKickTheLiveSession() {
        EmbeddedChannel live = connect();
        send(live, new RelayFrame.Auth(alice, tokens.issue(Duration.ofMinutes(30), alice).marshal()));
        assertThat(read(live)).isInstanceOf(RelayFrame.AuthResponse.class);

        EmbeddedChannel replay = connect();
        send(replay, new RelayFrame.Auth(alice, tokens.issue(Duration.ofMinutes(5), alice).marshal()));

        assertThat(replay.isOpen()).isFalse();
        assertThat(live.isOpen()).isTrue();
        assertThat(hub.channelOf(alice)).isSameAs(live);
    }

    @Test
    void revokedPeerIsDisconnectedAndItsTokensIssuedSoFarAreRefused() {
        EmbeddedChannel a = authenticated(alice);
        EmbeddedChannel b = authenticated(bob);
        byte[] oldToken = tokens.issue(Duration.ofMinutes(5), alice).marshal();

        hub.revoke(alice, java.time.Instant.now().plus(Duration.ofMinutes(5)).plusSeconds(1));

        assertThat(a.isOpen()).isFalse();
        assertThat(hub.isOnline(alice)).isFalse();
        assertThat(b.isOpen()).isTrue();
        EmbeddedChannel retry = connect();
        send(retry, new RelayFrame.Auth(alice, oldToken));
        assertThat(retry.isOpen()).isFalse();
        assertThat(hub.isOnline(alice)).isFalse();

        // Logged in again: management issues a token that expires after every token it issued before.
        EmbeddedChannel renewed = connect();
        send(renewed, new RelayFrame.Auth(alice, tokens.issue(Duration.ofMinutes(10), alice).marshal()));
        assertThat(read(renewed)).isInstanceOf(RelayFrame.AuthResponse.class);
        assertThat(hub.isOnline(alice)).isTrue();
    }

    @Test
    void aConnectionWatchingMoreThanTheLimitOfPeersIsClosed() {
        EmbeddedChannel a = authenticated(alice);
        List<PeerId> many = new ArrayList<>();
        for (int i = 0; i < RelayServerHandler.MAX_SUBSCRIPTIONS; i++) {
            many.add(PeerId.ofPublicKey("peer-" + i + "="));
        }
        for (int from = 0; from < many.size(); from += RelayFrameCodec.MAX_PEERS_PER_MESSAGE) {
            send(a, new RelayFrame.PeerList(RelayMessageType.SUBSCRIBE_PEER_STATE,
                    many.subList(from, Math.min(many.size(), from + RelayFrameCodec.MAX_PEERS_PER_MESSAGE))));
        }
        assertThat(a.isOpen()).as("at the limit").isTrue();

        send(a, new RelayFrame.PeerList(RelayMessageType.SUBSCRIBE_PEER_STATE, List.of(bob)));

        assertThat(a.isOpen()).isFalse();
    }

    private EmbeddedChannel connect() {
        EmbeddedChannel channel = new EmbeddedChannel(new RelayServerHandler(hub,
                new RelaySessionSettings(tokens, URL, Duration.ofSeconds(10), Duration.ofSeconds(25))));
        channels.add(channel);
        return channel;
    }

    private EmbeddedChannel authenticated(PeerId id) {
        EmbeddedChannel channel = connect();
        send(channel, new RelayFrame.Auth(id, tokens.issue(Duration.ofMinutes(5), id).marshal()));
        assertThat(read(channel)).isInstanceOf(RelayFrame.AuthResponse.class);
        return channel;
    }

    private static void send(EmbeddedChannel channel, RelayFrame frame) {
        channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(RelayFrameCodec.encode(frame))));
    }

    private static RelayFrame read(EmbeddedChannel channel) {
        BinaryWebSocketFrame frame = channel.readOutbound();
        assertThat(frame).as("expected a message on the channel").isNotNull();
        try {
            return RelayFrameCodec.decode(ByteBufUtil.getBytes(frame.content()));
        } finally {
            frame.release();
        }
    }
}
