package dev.tern.protocol.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.tern.protocol.management.EncryptedMessage;

/**
 * Seals and opens protobuf messages inside a management {@link EncryptedMessage} the way NetBird peers and
 * servers do: {@code wgPubKey} is the sender's WireGuard public key as base64 text and {@code body} is
 * {@code nonce ‖ crypto_box(serialized message)} between the sender's key and the receiver's key.
 */
public final class EncryptedMessages {
    private EncryptedMessages() {
    }

    /** Peer side: seal {@code message} for the server. */
    public static EncryptedMessage seal(MessageLite message, X25519KeyPair sender, byte[] recipientPublic) {
        byte[] body = NaclBox.seal(message.toByteArray(), recipientPublic, sender.privateKey());
        return EncryptedMessage.newBuilder()
                .setWgPubKey(sender.publicKeyBase64())
                .setBody(ByteString.copyFrom(body))
                .build();
    }

    /** Seal with a precomputed key (long-lived streams); {@code senderPublicBase64} goes into wgPubKey. */
    public static EncryptedMessage seal(MessageLite message, String senderPublicBase64, NaclBox.SharedKey key) {
        return EncryptedMessage.newBuilder()
                .setWgPubKey(senderPublicBase64)
                .setBody(ByteString.copyFrom(key.seal(message.toByteArray())))
                .build();
    }

    /**
     * Server side: open a message from the peer named in its {@code wgPubKey}.
     *
     * @throws NaclBoxException when wgPubKey is not a key, the body does not authenticate, or it does not parse
     */
    public static <T extends MessageLite> T openFromSender(EncryptedMessage message, byte[] recipientPrivate,
                                                          Parser<T> parser) {
        byte[] senderPublic = senderKey(message);
        return open(message, senderPublic, recipientPrivate, parser);
    }

    /** Open a message whose sender key the caller already knows (a peer reading the server's replies). */
    public static <T extends MessageLite> T open(EncryptedMessage message, byte[] senderPublic,
                                                byte[] recipientPrivate, Parser<T> parser) {
        return parse(NaclBox.open(message.getBody().toByteArray(), senderPublic, recipientPrivate), parser);
    }

    /** Open with a precomputed key. */
    public static <T extends MessageLite> T open(EncryptedMessage message, NaclBox.SharedKey key, Parser<T> parser) {
        return parse(key.open(message.getBody().toByteArray()), parser);
    }

    /** The sender's raw public key from {@code wgPubKey}. */
    public static byte[] senderKey(EncryptedMessage message) {
        return Keys.decode(message.getWgPubKey(), "wgPubKey");
    }

    private static <T extends MessageLite> T parse(byte[] plain, Parser<T> parser) {
        try {
            return parser.parseFrom(plain);
        } catch (InvalidProtocolBufferException e) {
            throw new NaclBoxException("sealed body decrypted but is not a valid message", e);
        }
    }
}
