package dev.tern.protocol.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tern.protocol.signal.Body;
import dev.tern.protocol.signal.EncryptedMessage;

/**
 * End-to-end sealing of signal {@link Body} messages between two peers. The signal node only sees
 * {@code key}, {@code remoteKey} and an opaque body.
 */
public final class SignalMessages {
    private SignalMessages() {
    }

    public static EncryptedMessage seal(Body body, X25519KeyPair sender, String recipientPublicBase64) {
        byte[] recipientPublic = Keys.decode(recipientPublicBase64, "remoteKey");
        byte[] sealed = NaclBox.seal(body.toByteArray(), recipientPublic, sender.privateKey());
        return EncryptedMessage.newBuilder()
                .setKey(sender.publicKeyBase64())
                .setRemoteKey(recipientPublicBase64)
                .setBody(ByteString.copyFrom(sealed))
                .build();
    }

    /** Opens a message addressed to {@code recipient}; the sender is taken from {@code key}. */
    public static Body open(EncryptedMessage message, X25519KeyPair recipient) {
        byte[] senderPublic = Keys.decode(message.getKey(), "key");
        byte[] plain = NaclBox.open(message.getBody().toByteArray(), senderPublic, recipient.privateKey());
        try {
            return Body.parseFrom(plain);
        } catch (InvalidProtocolBufferException e) {
            throw new NaclBoxException("signal body decrypted but is not a valid Body", e);
        }
    }
}
