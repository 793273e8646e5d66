package dev.tern.agent.engine;

import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every applied map's DNSConfig reaches the resolver, with our address. */
class EngineDnsTest {
    @Test
    void everyAppliedMapHandsItsDnsConfigOver() {
        Engine engine = new Engine(new FakeDataPlane(), 51820, List::of, (remote, body) -> true, Clock.systemUTC());
        List<String> handed = new ArrayList<>();
        engine.useDns((address, config) -> handed.add(address + " " + config.getCustomZones(0).getDomain()));
        DNSConfig dns = DNSConfig.newBuilder().setServiceEnable(true)
                .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal.")).build();

        engine.applyMap(new MeshMap(1, "100.64.0.1/16", "a.tern.internal", List.of(), List.of(), List.of(), dns));

        assertThat(handed).containsExactly("100.64.0.1/16 tern.internal.");
    }

    @Test
    void aProtobufMapKeepsItsDnsConfig() {
        DNSConfig dns = DNSConfig.newBuilder().setServiceEnable(true)
                .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal.")).build();
        MeshMap map = MeshMap.from(dev.tern.protocol.management.NetworkMap.newBuilder().setSerial(3).setDNSConfig(dns).build());
        assertThat(map.dns()).isEqualTo(dns);
    }
}
