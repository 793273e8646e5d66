package dev.tern.protocol.relay;

/** Message type byte (second header byte). Values 1 and 2 (the retired hello pair) are never accepted. */
public enum RelayMessageType {
    TRANSPORT(3),
    CLOSE(4),
    HEALTH_CHECK(5),
    AUTH(6),
    AUTH_RESPONSE(7),
    SUBSCRIBE_PEER_STATE(8),
    UNSUBSCRIBE_PEER_STATE(9),
    PEERS_ONLINE(10),
    PEERS_WENT_OFFLINE(11);

    private final int code;

    RelayMessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    boolean carriesPeerList() {
        return code >= 8;
    }

    static RelayMessageType ofCode(int code) {
        for (RelayMessageType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new RelayFrameException("unknown relay message type " + code);
    }
}
