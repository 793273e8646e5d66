package dev.tern.command;

import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeshAddressPoolTest {

    @Test
    void neverHandsOutTheNetworkOrBroadcastAddress() {
        MeshAddressPool pool = new MeshAddressPool(Cidr.parse("100.64.0.0/30"));
        assertThat(pool.lowestFree()).isEqualTo(new MeshIp("100.64.0.1"));
        pool.take(new MeshIp("100.64.0.1").bits());
        assertThat(pool.lowestFree()).isEqualTo(new MeshIp("100.64.0.2"));
        pool.take(new MeshIp("100.64.0.2").bits());
        assertThat(pool.lowestFree()).as("/30 has two hosts; .3 is broadcast").isNull();
        assertThat(pool.contains(new MeshIp("100.64.0.0").bits())).isFalse();
        assertThat(pool.contains(new MeshIp("100.64.0.3").bits())).isFalse();
    }

    @Test
    void releasingBelowTheLowestFreeMakesItTheNextAddress() {
        MeshAddressPool pool = new MeshAddressPool(Cidr.parse("100.64.0.0/16"));
        for (int i = 1; i <= 300; i++) {
            pool.take(pool.lowestFree().bits());
        }
        assertThat(pool.lowestFree()).isEqualTo(new MeshIp("100.64.1.45"));
        pool.release(new MeshIp("100.64.0.200").bits());
        pool.release(new MeshIp("100.64.0.7").bits());
        assertThat(pool.lowestFree()).isEqualTo(new MeshIp("100.64.0.7"));
        pool.take(new MeshIp("100.64.0.7").bits());
        assertThat(pool.lowestFree()).isEqualTo(new MeshIp("100.64.0.200"));
        pool.take(new MeshIp("100.64.0.200").bits());
        assertThat(pool.lowestFree()).isEqualTo(new MeshIp("100.64.1.45"));
        assertThat(pool.takenCount()).isEqualTo(300);
    }

    @Test
    void takingOutOfOrderKeepsTheLowestFreeExact() {
        MeshAddressPool pool = new MeshAddressPool(Cidr.parse("100.64.0.0/16"));
        pool.take(new MeshIp("100.64.0.2").bits());
        pool.take(new MeshIp("100.64.0.3").bits());
        assertThat(pool.lowestFree()).isEqualTo(new MeshIp("100.64.0.1"));
        pool.take(new MeshIp("100.64.0.1").bits());
        assertThat(pool.lowestFree()).isEqualTo(new MeshIp("100.64.0.4"));
    }

    @Test
    void anAddressOutsideTheNetworkIsABug() {
        MeshAddressPool pool = new MeshAddressPool(Cidr.parse("100.64.0.0/16"));
        assertThatThrownBy(() -> pool.take(new MeshIp("100.65.0.1").bits())).isInstanceOf(IllegalStateException.class);
    }
}
