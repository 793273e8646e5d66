package dev.tern.api.grpc;

/**
 * What one client can make the management gRPC server hold, and how large an answer a client can take.
 *
 * @param maxCallsPerAddress     open calls (Sync streams included) from one remote IP address; more are refused
 *                               with RESOURCE_EXHAUSTED. Devices behind one NAT share an address, so this is high.
 * @param maxCallsPerConnection  concurrent calls on one HTTP/2 connection, advertised as HTTP/2
 *                               MAX_CONCURRENT_STREAMS, so a well-behaved client queues the rest itself instead of
 *                               being refused. A NetBird client needs its Sync stream and a few unary calls, but a
 *                               reverse proxy carries many clients' streams over one connection: a connection comes
 *                               from one address, so the per-address limit is also the per-connection one
 * @param maxInboundMessageBytes largest request body accepted; a Login with every network address of a busy
 *                               host is a few tens of KiB
 * @param maxAnswerBytes         largest answer sent: what the clients accept. NetBird's client and the tern agent
 *                               keep gRPC's default receive limit, 4 MiB; a larger answer would fail on their side
 *                               and leave them on their old map
 */
record GrpcLimits(int maxCallsPerAddress, int maxCallsPerConnection, int maxInboundMessageBytes,
                  int maxAnswerBytes) {
    static final int DEFAULT_MAX_CALLS_PER_ADDRESS = 1024;
    static final int MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;
    /** gRPC's default max inbound message size, which NetBird's client does not raise. */
    static final int CLIENT_RECEIVE_LIMIT = 4 * 1024 * 1024;

    GrpcLimits {
        if (maxCallsPerAddress < 1 || maxCallsPerConnection < 1 || maxInboundMessageBytes < 1 || maxAnswerBytes < 1) {
            throw new IllegalArgumentException("gRPC limits must be positive");
        }
    }

    static GrpcLimits withCallsPerAddress(int maxCallsPerAddress) {
        return new GrpcLimits(maxCallsPerAddress, maxCallsPerAddress, MAX_INBOUND_MESSAGE_BYTES,
                CLIENT_RECEIVE_LIMIT);
    }

    static GrpcLimits defaults() {
        return withCallsPerAddress(DEFAULT_MAX_CALLS_PER_ADDRESS);
    }
}
