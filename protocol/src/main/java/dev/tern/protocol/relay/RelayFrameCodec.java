package dev.tern.protocol.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes and decodes relay messages: {@code version(1) ‖ type ‖ body}. Pure byte-array functions so the
 * WebSocket handler, the client and tests share one implementation.
 */
public final class RelayFrameCodec {
    public static final int PROTOCOL_VERSION = 1;
    /** Upper bound for an Auth message, header included. */
    public static final int MAX_HANDSHAKE_SIZE = 212;
    /** Upper bound for an AuthResponse message. */
    public static final int MAX_HANDSHAKE_RESPONSE_SIZE = 8192;
    /** Upper bound for any other message. */
    public static final int MAX_MESSAGE_SIZE = 8820;
    static final int HEADER_SIZE = 2;
    static final byte[] AUTH_MAGIC = {0x21, 0x12, (byte) 0xA4, 0x42};
    /** How many peer ids fit one peer-list message. */
    public static final int MAX_PEERS_PER_MESSAGE = (MAX_MESSAGE_SIZE - HEADER_SIZE) / PeerId.SIZE;

    private RelayFrameCodec() {
    }

    public static byte[] encode(RelayFrame frame) {
        byte[] out;
        if (frame instanceof RelayFrame.Transport t) {
            byte[] payload = t.payload();
            out = header(frame, PeerId.SIZE + payload.length);
            t.peerId().writeTo(out, HEADER_SIZE);
            System.arraycopy(payload, 0, out, HEADER_SIZE + PeerId.SIZE, payload.length);
        } else if (frame instanceof RelayFrame.Close || frame instanceof RelayFrame.HealthCheck) {
            out = header(frame, 0);
        } else if (frame instanceof RelayFrame.Auth a) {
            byte[] token = a.token();
            out = header(frame, AUTH_MAGIC.length + PeerId.SIZE + token.length);
            System.arraycopy(AUTH_MAGIC, 0, out, HEADER_SIZE, AUTH_MAGIC.length);
            a.peerId().writeTo(out, HEADER_SIZE + AUTH_MAGIC.length);
            System.arraycopy(token, 0, out, HEADER_SIZE + AUTH_MAGIC.length + PeerId.SIZE, token.length);
        } else if (frame instanceof RelayFrame.AuthResponse r) {
            byte[] url = r.urlBytes();
            out = header(frame, url.length);
            System.arraycopy(url, 0, out, HEADER_SIZE, url.length);
        } else {
            RelayFrame.PeerList list = (RelayFrame.PeerList) frame;
            if (list.peerIds().isEmpty()) {
                throw new RelayFrameException(list.type() + " needs at least one peer id");
            }
            out = header(frame, list.peerIds().size() * PeerId.SIZE);
            int offset = HEADER_SIZE;
            for (PeerId id : list.peerIds()) {
                id.writeTo(out, offset);
                offset += PeerId.SIZE;
            }
        }
        checkSize(frame.type(), out.length);
        return out;
    }

    /**
     * Splits a long peer list into as many messages as the size limit requires, in order.
     */
    public static List<byte[]> encodePeerList(RelayMessageType type, List<PeerId> peerIds) {
        if (peerIds.isEmpty()) {
            throw new RelayFrameException(type + " needs at least one peer id");
        }
        List<byte[]> messages = new ArrayList<>();
        for (int from = 0; from < peerIds.size(); from += MAX_PEERS_PER_MESSAGE) {
            int to = Math.min(from + MAX_PEERS_PER_MESSAGE, peerIds.size());
            messages.add(encode(new RelayFrame.PeerList(type, peerIds.subList(from, to))));
        }
        return messages;
    }

    /**
     * @throws RelayFrameException for a short message, a version other than 1, an unknown or retired type,
     *                             a bad auth magic, a peer list that is not a whole number of ids, or excess size
     */
    public static RelayFrame decode(byte[] msg) {
        if (msg.length < HEADER_SIZE) {
            throw new RelayFrameException("relay message shorter than its 2-byte header");
        }
        if (msg[0] != PROTOCOL_VERSION) {
            throw new RelayFrameException("unsupported relay protocol version " + (msg[0] & 0xff));
        }
        RelayMessageType type = RelayMessageType.ofCode(msg[1] & 0xff);
        checkSize(type, msg.length);
        int bodyLength = msg.length - HEADER_SIZE;
        return switch (type) {
            case TRANSPORT -> {
                if (bodyLength < PeerId.SIZE) {
                    throw new RelayFrameException("transport message shorter than a peer id");
                }
                yield new RelayFrame.Transport(PeerId.fromBytes(msg, HEADER_SIZE),
                        Arrays.copyOfRange(msg, HEADER_SIZE + PeerId.SIZE, msg.length));
            }
            case CLOSE -> new RelayFrame.Close();
            case HEALTH_CHECK -> new RelayFrame.HealthCheck();
            case AUTH -> {
                if (bodyLength < AUTH_MAGIC.length + PeerId.SIZE) {
                    throw new RelayFrameException("auth message shorter than magic and peer id");
                }
                if (!Arrays.equals(msg, HEADER_SIZE, HEADER_SIZE + AUTH_MAGIC.length, AUTH_MAGIC, 0, AUTH_MAGIC.length)) {
                    throw new RelayFrameException("auth message has a wrong magic header");
                }
                int idAt = HEADER_SIZE + AUTH_MAGIC.length;
                yield new RelayFrame.Auth(PeerId.fromBytes(msg, idAt),
                        Arrays.copyOfRange(msg, idAt + PeerId.SIZE, msg.length));
            }
            case AUTH_RESPONSE -> {
                if (bodyLength < 1) {
                    throw new RelayFrameException("auth response carries no instance URL");
                }
                yield new RelayFrame.AuthResponse(new String(msg, HEADER_SIZE, bodyLength, StandardCharsets.UTF_8));
            }
            case SUBSCRIBE_PEER_STATE, UNSUBSCRIBE_PEER_STATE, PEERS_ONLINE, PEERS_WENT_OFFLINE -> {
                if (bodyLength == 0 || bodyLength % PeerId.SIZE != 0) {
                    throw new RelayFrameException("peer list of " + bodyLength + " bytes is not a whole number of ids");
                }
                List<PeerId> ids = new ArrayList<>(bodyLength / PeerId.SIZE);
                for (int offset = HEADER_SIZE; offset < msg.length; offset += PeerId.SIZE) {
                    ids.add(PeerId.fromBytes(msg, offset));
                }
                yield new RelayFrame.PeerList(type, ids);
            }
        };
    }

    /** Peer id a transport message names, read without copying the payload (forwarding hot path). */
    public static PeerId transportPeerId(byte[] msg) {
        if (msg.length < HEADER_SIZE + PeerId.SIZE || msg[1] != RelayMessageType.TRANSPORT.code()) {
            throw new RelayFrameException("not a transport message");
        }
        return PeerId.fromBytes(msg, HEADER_SIZE);
    }

    /** Rewrites the peer id of an encoded transport message in place (the relay names the sender). */
    public static void rewriteTransportPeerId(byte[] msg, PeerId sender) {
        transportPeerId(msg);
        sender.writeTo(msg, HEADER_SIZE);
    }

    private static byte[] header(RelayFrame frame, int bodyLength) {
        byte[] msg = new byte[HEADER_SIZE + bodyLength];
        msg[0] = PROTOCOL_VERSION;
        msg[1] = (byte) frame.type().code();
        return msg;
    }

    private static void checkSize(RelayMessageType type, int length) {
        int limit = switch (type) {
            case AUTH -> MAX_HANDSHAKE_SIZE;
            case AUTH_RESPONSE -> MAX_HANDSHAKE_RESPONSE_SIZE;
            default -> MAX_MESSAGE_SIZE;
        };
        if (length > limit) {
            throw new RelayFrameException(type + " message of " + length + " bytes exceeds the limit of " + limit);
        }
    }
}
