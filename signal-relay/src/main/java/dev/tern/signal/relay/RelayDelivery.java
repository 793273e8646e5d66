package dev.tern.signal.relay;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.util.AttributeKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands one sender's transport frames to their receivers. A receiver that cannot keep up slows its senders down
 * instead of losing their packets: once its write buffer passes the high watermark, every sender that wrote to it
 * stops being read (TCP then holds the sender back) until the buffer drains below the low watermark or the receiver
 * leaves. What a sender had already read when it was paused is still queued, up to
 * {@link #MAX_QUEUED_PER_RECEIVER} per receiver; beyond that it is dropped, so many senders aimed at one stalled
 * receiver cannot make the relay hold more.
 *
 * <p>Frames for a receiver on another event loop are collected during the sender's read and handed over in one task
 * with one flush when the read completes, instead of a task and a wake-up per frame; they count against the
 * receiver's bound while they travel. Used on the sender's event loop only.
 */
final class RelayDelivery {
    /** Bytes queued for one receiver beyond which packets for it are dropped (senders are paused well before). */
    static final int MAX_QUEUED_PER_RECEIVER = 2 * 1024 * 1024;
    private static final AttributeKey<Backlog> BACKLOG = AttributeKey.valueOf("tern.relay.backlog");

    /** On each receiver's channel: the senders paused until it drains, the bytes handed over but not yet written. */
    private static final class Backlog {
        final Set<Channel> pausedSenders = ConcurrentHashMap.newKeySet();
        final AtomicLong inTransit = new AtomicLong();
    }

    /** What one read of the sender brought for one receiver; frames only for a receiver on another event loop. */
    private static final class Batch {
        final List<BinaryWebSocketFrame> frames = new ArrayList<>();
        long bytes;
    }

    private final Channel sender;
    private final Map<Channel, Batch> batches = new LinkedHashMap<>();

    RelayDelivery(Channel sender) {
        this.sender = sender;
    }

    /** Queues the frame for the receiver (or drops it beyond the bound) and takes over the caller's reference. */
    void send(Channel receiver, BinaryWebSocketFrame frame) {
        Backlog backlog = backlogOf(receiver);
        if (queued(receiver, backlog) > MAX_QUEUED_PER_RECEIVER) {
            frame.release(); // WireGuard recovers from loss, not from unbounded memory
        } else {
            Batch batch = batches.computeIfAbsent(receiver, r -> new Batch());
            if (receiver.eventLoop().inEventLoop()) {
                receiver.write(frame, receiver.voidPromise());
            } else {
                int size = frame.content().readableBytes();
                batch.frames.add(frame);
                batch.bytes += size;
                backlog.inTransit.addAndGet(size);
            }
        }
        if (congested(receiver, backlog)) {
            pauseSender(receiver, backlog);
        }
    }

    /** The sender's read completed: everything queued goes out, one flush per receiver. */
    void flush() {
        for (Map.Entry<Channel, Batch> entry : batches.entrySet()) {
            Channel receiver = entry.getKey();
            Batch batch = entry.getValue();
            if (batch.frames.isEmpty()) {
                receiver.flush();
            } else {
                handOver(receiver, batch);
            }
        }
        batches.clear();
    }

    private static void handOver(Channel receiver, Batch batch) {
        Backlog backlog = backlogOf(receiver);
        // On the receiver's loop as it is when the task runs: the receiver may have moved (RelayLoops) meanwhile.
        RelayLoops.onLoop(receiver, r -> {
            for (BinaryWebSocketFrame frame : batch.frames) {
                r.write(frame, r.voidPromise()); // released by Netty if the receiver is gone
            }
            r.flush();
            backlog.inTransit.addAndGet(-batch.bytes);
            if (!congested(r, backlog)) {
                resumeSenders(backlog);
            }
        }, () -> {
            batch.frames.forEach(BinaryWebSocketFrame::release);
            backlog.inTransit.addAndGet(-batch.bytes);
        });
    }

    /** The receiver drained below its low watermark, or left: its paused senders are read again. */
    static void receiverDrained(Channel receiver) {
        Backlog backlog = receiver.attr(BACKLOG).get();
        if (backlog != null) {
            resumeSenders(backlog);
        }
    }

    /**
     * Stops reading from the sender until the receiver drains. The sender is paused first, registered next and the
     * receiver checked last: a receiver that drains after the registration resumes the sender itself, one that
     * drained before is seen by the check. (Registered before pausing, a resume in between would be undone by the
     * pause and the sender, no longer registered, would wait for ever.)
     */
    private void pauseSender(Channel receiver, Backlog backlog) {
        sender.config().setAutoRead(false);
        backlog.pausedSenders.add(sender);
        if (!congested(receiver, backlog) || !receiver.isActive()) {
            resumeSenders(backlog);
        }
    }

    private static void resumeSenders(Backlog backlog) {
        for (Channel paused : backlog.pausedSenders) {
            if (backlog.pausedSenders.remove(paused)) {
                RelayLoops.onLoop(paused, p -> p.config().setAutoRead(true)); // on the loop the sender is on now
            }
        }
    }

    private static boolean congested(Channel receiver, Backlog backlog) {
        return !receiver.isWritable() || backlog.inTransit.get() > receiver.bytesBeforeUnwritable();
    }

    /** Bytes waiting for the receiver, approximately, as Netty counts them for the watermarks, plus those in transit. */
    private static long queued(Channel receiver, Backlog backlog) {
        long buffered = receiver.isWritable()
                ? receiver.config().getWriteBufferHighWaterMark() - receiver.bytesBeforeUnwritable()
                : receiver.bytesBeforeWritable() + receiver.config().getWriteBufferLowWaterMark();
        return buffered + backlog.inTransit.get();
    }

    private static Backlog backlogOf(Channel receiver) {
        Backlog backlog = receiver.attr(BACKLOG).get();
        if (backlog == null) {
            Backlog fresh = new Backlog();
            backlog = receiver.attr(BACKLOG).setIfAbsent(fresh);
            if (backlog == null) {
                backlog = fresh;
            }
        }
        return backlog;
    }
}
