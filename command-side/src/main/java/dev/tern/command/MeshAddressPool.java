package dev.tern.command;

import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;

import java.util.BitSet;

/**
 * Host addresses of the account network in use, one bit per address offset. The network (offset 0) and broadcast
 * (last offset) addresses are never handed out. {@code lowestFree} is kept exact on every take/release so that
 * finding the next address costs O(1) amortised instead of a scan of the whole network per registration.
 * Mutated only by event sourcing handlers, so replaying events always rebuilds the same pool.
 */
final class MeshAddressPool {
    private final int networkBits;
    private final int size;
    private final BitSet used = new BitSet();
    private int lowestFree = 1;

    MeshAddressPool(Cidr network) {
        this.networkBits = network.networkBits();
        this.size = (int) network.size();
    }

    /** The lowest free host address, or null when every host address is taken. */
    MeshIp lowestFree() {
        return lowestFree < size - 1 ? MeshIp.of(networkBits + lowestFree) : null;
    }

    // addresses travel as int bits here: parsing dotted text is the costliest step of a registration

    boolean contains(int ipBits) {
        int offset = ipBits - networkBits;
        return offset > 0 && offset < size - 1;
    }

    void take(int ipBits) {
        int offset = offsetOf(ipBits);
        used.set(offset);
        if (offset == lowestFree) {
            lowestFree = used.nextClearBit(offset);
        }
    }

    void release(int ipBits) {
        int offset = offsetOf(ipBits);
        used.clear(offset);
        if (offset < lowestFree) {
            lowestFree = offset;
        }
    }

    int takenCount() {
        return used.cardinality();
    }

    private int offsetOf(int ipBits) {
        if (!contains(ipBits)) {
            throw new IllegalStateException(MeshIp.of(ipBits) + " is not a host address of the account network");
        }
        return ipBits - networkBits;
    }
}
