package dev.tern.signal.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The part of RFC 5389 a NAT-discovery server needs: recognise a Binding request and answer with a Binding
 * success response carrying XOR-MAPPED-ADDRESS (the address and port the request came from, XORed with the
 * magic cookie and, for IPv6, the transaction id).
 */
final class StunMessages {
    static final int HEADER_SIZE = 20;
    static final int MAGIC_COOKIE = 0x2112A442;
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_SUCCESS = 0x0101;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
    static final int TRANSACTION_ID_SIZE = 12;
    private static final int FAMILY_IPV4 = 0x01;
    private static final int FAMILY_IPV6 = 0x02;

    private StunMessages() {
    }

    /**
     * @return the 12-byte transaction id when {@code packet} is a well-formed Binding request; empty for
     *         anything else (other STUN methods, responses, non-STUN traffic), which the server ignores
     */
    static Optional<byte[]> bindingRequestTransactionId(ByteBuf packet) {
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        if (length < HEADER_SIZE) {
            return Optional.empty();
        }
        int type = packet.getUnsignedShort(start);
        int bodyLength = packet.getUnsignedShort(start + 2);
        // The two top bits of every STUN message are zero; the length covers whole 4-byte attributes.
        if ((type & 0xC000) != 0 || type != BINDING_REQUEST || bodyLength % 4 != 0
                || bodyLength != length - HEADER_SIZE || packet.getInt(start + 4) != MAGIC_COOKIE) {
            return Optional.empty();
        }
        byte[] transactionId = new byte[TRANSACTION_ID_SIZE];
        packet.getBytes(start + 8, transactionId);
        return Optional.of(transactionId);
    }

    static ByteBuf bindingSuccess(ByteBufAllocator alloc, byte[] transactionId, InetSocketAddress mapped) {
        byte[] address = mapped.getAddress().getAddress();
        boolean v4 = mapped.getAddress() instanceof Inet4Address;
        int attributeLength = 4 + address.length;
        ByteBuf out = alloc.buffer(HEADER_SIZE + 4 + attributeLength);
        out.writeShort(BINDING_SUCCESS);
        out.writeShort(4 + attributeLength);
        out.writeInt(MAGIC_COOKIE);
        out.writeBytes(transactionId);
        out.writeShort(XOR_MAPPED_ADDRESS);
        out.writeShort(attributeLength);
        out.writeByte(0);
        out.writeByte(v4 ? FAMILY_IPV4 : FAMILY_IPV6);
        out.writeShort(mapped.getPort() ^ (MAGIC_COOKIE >>> 16));
        byte[] mask = xorMask(transactionId);
        for (int i = 0; i < address.length; i++) {
            out.writeByte(address[i] ^ mask[i]);
        }
        return out;
    }

    /** Magic cookie followed by the transaction id: the XOR key for addresses (IPv4 uses the first 4 bytes). */
    private static byte[] xorMask(byte[] transactionId) {
        byte[] mask = new byte[16];
        mask[0] = (byte) (MAGIC_COOKIE >>> 24);
        mask[1] = (byte) (MAGIC_COOKIE >>> 16);
        mask[2] = (byte) (MAGIC_COOKIE >>> 8);
        mask[3] = (byte) MAGIC_COOKIE;
        System.arraycopy(transactionId, 0, mask, 4, TRANSACTION_ID_SIZE);
        return mask;
    }
}
