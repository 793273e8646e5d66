package dev.tern.signal.relay;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Puts the two ends of a relayed pair on one event loop, and runs work for a connection on whichever loop it is on.
 *
 * <p>Why: a frame relayed between connections on two loops costs a task hand-over and usually a wake-up of the
 * other loop's thread; on one loop it is a plain write, flushed once per read. NetBird's relay protocol names the
 * peer a connection talks to only in its first Transport message, so connections are accepted round robin and the
 * sender of the first Transport between two connections on different loops is moved (deregistered, registered
 * again) to its receiver's loop. Each connection is placed once, by the first partner it exchanges a Transport with
 * in either direction: a peer that relays to several others stays where its first pair put it, instead of moving
 * back and forth.
 *
 * <p>A connection's loop can therefore change, so work for a connection handed over from another thread goes through
 * {@link #onLoop}, which runs it on the loop the connection is on when the work runs (a task that finds the connection
 * gone to another loop passes itself on) — never on two threads at once. Frames handed over around the move may
 * overtake each other; WireGuard, the relay's payload, takes packets out of order.
 */
final class RelayLoops {
    private static final Logger log = LoggerFactory.getLogger(RelayLoops.class);
    /** Set once a connection's loop is decided: it is not moved again. */
    private static final AttributeKey<Boolean> PLACED = AttributeKey.valueOf("tern.relay.placed");
    private static final Object PLACEMENT_LOCK = new Object();

    private RelayLoops() {
    }

    /**
     * Called on the sender's loop with its first Transport's receiver. Moves the sender to the receiver's loop unless
     * one of the two was placed already; the move takes effect after the sender's current read.
     *
     * @return whether the sender moves
     */
    static boolean colocate(Channel sender, Channel receiver) {
        EventLoop target;
        synchronized (PLACEMENT_LOCK) {
            if (sender.hasAttr(PLACED) || receiver.hasAttr(PLACED)) {
                return false;
            }
            sender.attr(PLACED).set(Boolean.TRUE);
            receiver.attr(PLACED).set(Boolean.TRUE);
            target = receiver.eventLoop();
            // Only between loops of one group (the relay's workers); never for test channels without a group.
            if (target == sender.eventLoop() || target.parent() == null || target.parent() != sender.eventLoop().parent()) {
                return false;
            }
        }
        move(sender, target);
        return true;
    }

    /**
     * Deregisters (after the current read completes) and registers with {@code target}. Registration resumes reading
     * unless the sender is paused; the flush after it writes what was queued while the connection had no loop.
     */
    private static void move(Channel channel, EventLoop target) {
        channel.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess() || !channel.isOpen()) {
                return;
            }
            try {
                target.register(channel).addListener(registered -> {
                    if (registered.isSuccess()) {
                        channel.flush();
                    } else {
                        log.debug("relay connection could not move to its partner's loop: {}", registered.cause().toString());
                        channel.close();
                    }
                });
            } catch (RejectedExecutionException shuttingDown) {
                channel.close();
            }
        });
    }

    /** Runs {@code work} on the loop the channel is on when it runs (now, when called there). */
    static void onLoop(Channel channel, Consumer<Channel> work) {
        onLoop(channel, work, () -> {
        });
    }

    /**
     * As {@link #onLoop(Channel, Consumer)}; {@code rejected} runs instead when the loop no longer takes tasks (the
     * node shuts down), e.g. to release buffers the work would have written.
     */
    static void onLoop(Channel channel, Consumer<Channel> work, Runnable rejected) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            work.accept(channel);
            return;
        }
        try {
            loop.execute(() -> onLoop(channel, work, rejected));
        } catch (RejectedExecutionException shuttingDown) {
            rejected.run();
        }
    }

    /** Writes and flushes {@code message} on the channel's loop (released if the node shuts down first). */
    static void writeAndFlush(Channel channel, Object message) {
        onLoop(channel, c -> c.writeAndFlush(message), () -> ReferenceCountUtil.release(message));
    }

    /** Closes the channel on its loop. */
    static void close(Channel channel) {
        onLoop(channel, Channel::close, channel::close);
    }
}
