package dev.tern.agent.ice;

import org.ice4j.socket.DelegatingDatagramSocket;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * Makes NetBird's STUN messages acceptable to ice4j. NetBird's fork of pion ICE ({@code netbirdio/ice}, which
 * NetBird's client pins) appends its own attribute {@code 0x8100} (CandidatePairID) AFTER the FINGERPRINT of every
 * connectivity check and response, and counts it in the header's length. RFC 5389 puts FINGERPRINT last; ice4j
 * checks the CRC against the full length, finds it wrong and drops every NetBird message. The CRC pion wrote covers
 * the message up to and including FINGERPRINT with the length it had then, so cutting what follows FINGERPRINT and
 * restoring that length gives the message pion signed (MESSAGE-INTEGRITY, before FINGERPRINT, is untouched).
 *
 * <p>Installed once as ice4j's delegate socket factory: every socket ice4j binds then hands ice4j normalized
 * datagrams. Anything that is not such a STUN message (WireGuard packets, RFC-conform STUN) passes unchanged.
 */
public final class NetBirdStun {
    static final int HEADER = 20;
    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int FINGERPRINT = 0x8028;

    private NetBirdStun() {
    }

    /** Routes every socket ice4j creates from now on through {@link #normalize}; idempotent. */
    public static synchronized void install() {
        if (!installed) {
            DelegatingDatagramSocket.setDefaultDelegateFactory(() -> new NormalizingSocket(null));
            installed = true;
        }
    }

    private static boolean installed;

    /**
     * The length of the datagram {@code data[offset, offset+length)} once attributes after FINGERPRINT are cut
     * (the header's length rewritten to match), or {@code length} when it is not a STUN message that has any.
     */
    static int normalize(byte[] data, int offset, int length) {
        if (length < HEADER || (data[offset] & 0xC0) != 0 || readInt(data, offset + 4) != MAGIC_COOKIE) {
            return length;
        }
        int declared = readShort(data, offset + 2);
        if (declared + HEADER != length || (declared & 3) != 0) {
            return length;
        }
        int position = offset + HEADER;
        int end = offset + length;
        while (position + 4 <= end) {
            int type = readShort(data, position);
            int valueLength = readShort(data, position + 2);
            int next = position + 4 + ((valueLength + 3) & ~3);
            if (next > end) {
                return length;
            }
            if (type == FINGERPRINT) {
                if (next == end) {
                    return length;
                }
                int cut = next - offset;
                data[offset + 2] = (byte) ((cut - HEADER) >>> 8);
                data[offset + 3] = (byte) (cut - HEADER);
                return cut;
            }
            position = next;
        }
        return length;
    }

    private static int readShort(byte[] data, int at) {
        return ((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF);
    }

    private static int readInt(byte[] data, int at) {
        return (readShort(data, at) << 16) | readShort(data, at + 2);
    }

    /** A UDP socket whose received datagrams are normalized before ice4j decodes them. */
    static final class NormalizingSocket extends DatagramSocket {
        NormalizingSocket(SocketAddress bindAddress) throws SocketException {
            super(bindAddress);
        }

        @Override
        public synchronized void receive(DatagramPacket packet) throws IOException {
            super.receive(packet);
            packet.setLength(normalize(packet.getData(), packet.getOffset(), packet.getLength()));
        }
    }
}
