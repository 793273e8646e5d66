package dev.tern.signal;

/**
 * What one client, and all clients together, can make the signal node hold. Signal messages are a few hundred
 * bytes (sealed ICE credentials and candidates), so the limits sit far above honest use and far below what would
 * exhaust the node.
 *
 * @param maxStreams                  open ConnectStream calls on the node; more are refused with RESOURCE_EXHAUSTED
 * @param maxStreamsPerConnection     open ConnectStream calls on one HTTP/2 connection (a NetBird client keeps one;
 *                                    a reconnect may briefly hold two); more are refused with RESOURCE_EXHAUSTED
 * @param maxCallsPerConnection       concurrent calls of any kind on one connection (HTTP/2 MAX_CONCURRENT_STREAMS)
 * @param maxMessageBytes             largest inbound message; larger ones end the call with RESOURCE_EXHAUSTED
 * @param maxQueuedMessagesPerStream  messages kept for a recipient that is not reading; beyond, the oldest is
 *                                    dropped (signalling is retried by the peers, a stale candidate is worthless)
 * @param maxQueuedBytes              bytes queued for all slow recipients together; beyond, messages are dropped
 */
public record SignalLimits(int maxStreams, int maxStreamsPerConnection, int maxCallsPerConnection,
                           int maxMessageBytes, int maxQueuedMessagesPerStream, long maxQueuedBytes) {
    public static final int DEFAULT_MAX_STREAMS = 50_000;
    public static final int DEFAULT_MAX_STREAMS_PER_CONNECTION = 4;
    static final int DEFAULT_MAX_CALLS_PER_CONNECTION = 32;
    static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    static final int DEFAULT_MAX_QUEUED_MESSAGES_PER_STREAM = 32;
    static final long DEFAULT_MAX_QUEUED_BYTES = 64L * 1024 * 1024;

    public SignalLimits {
        if (maxStreams < 1 || maxStreamsPerConnection < 1 || maxCallsPerConnection < 2 || maxMessageBytes < 1024
                || maxQueuedMessagesPerStream < 1 || maxQueuedBytes < maxMessageBytes) {
            throw new IllegalArgumentException("signal limits out of range: " + this);
        }
    }

    public static SignalLimits defaults() {
        return new SignalLimits(DEFAULT_MAX_STREAMS, DEFAULT_MAX_STREAMS_PER_CONNECTION,
                DEFAULT_MAX_CALLS_PER_CONNECTION, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_QUEUED_MESSAGES_PER_STREAM,
                DEFAULT_MAX_QUEUED_BYTES);
    }

    public SignalLimits withStreams(int maxStreams, int maxStreamsPerConnection) {
        return new SignalLimits(maxStreams, maxStreamsPerConnection, Math.max(maxCallsPerConnection,
                maxStreamsPerConnection + 1), maxMessageBytes, maxQueuedMessagesPerStream, maxQueuedBytes);
    }
}
