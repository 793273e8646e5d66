package dev.tern.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.testsupport.process.ChildProcess;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the shaded {@code tern.jar} must not carry: dnsjava's {@code InetAddressResolverProvider} registration, with
 * which Java 18+ would make dnsjava the agent's own name resolver (every {@code InetAddress} lookup through it). The
 * agent uses dnsjava for its resolver's wire format only.
 */
class AgentJarTest {
    @Test
    void dnsjavaIsInsideButIsNotTheJvmsNameResolver() throws Exception {
        try (ZipFile jar = new ZipFile(ChildProcess.artifact("../agent/target/tern.jar"))) {
            assertThat(jar.getEntry("org/xbill/DNS/Message.class")).isNotNull();
            assertThat(jar.getEntry("META-INF/services/java.net.spi.InetAddressResolverProvider")).isNull();
        }
    }
}
