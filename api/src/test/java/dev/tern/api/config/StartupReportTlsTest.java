package dev.tern.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tern.api.storage.TernDatabase;
import dev.tern.api.tls.ListenerTls;
import dev.tern.query.users.SetupReads;
import dev.tern.signal.tls.Certificates;
import dev.tern.signal.tls.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;

/** The start-up summary says loudly when the listeners run without TLS, and where the certificate comes from. */
class StartupReportTlsTest {
    @TempDir
    Path dir;

    private final Logger summary = (Logger) LoggerFactory.getLogger("tern-server");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.start();
        summary.addAppender(lines);
    }

    @AfterEach
    void release() {
        summary.detachAppender(lines);
    }

    @SuppressWarnings("unchecked")
    private void report(ListenerTls tls) {
        TernDatabase database = mock(TernDatabase.class);
        when(database.description()).thenReturn("embedded PostgreSQL");
        ObjectProvider<SetupReads> readModel = mock(ObjectProvider.class);
        ApplicationReadyEvent ready = mock(ApplicationReadyEvent.class);
        when(ready.getApplicationContext()).thenReturn(mock(ConfigurableApplicationContext.class));
        new StartupReport(TernSettings.from(Map.of(), name -> null), database, readModel, tls).onReady(ready);
    }

    @Test
    void plaintextListenersAreAWarningThatNamesTheSettingsToFixIt() {
        report(ListenerTls.plaintext());
        List<ILoggingEvent> warnings = lines.list.stream().filter(line -> line.getLevel() == Level.WARN).toList();
        assertThat(warnings).singleElement().satisfies(line -> assertThat(line.getFormattedMessage())
                .startsWith("TLS IS OFF").contains("PLAINTEXT on every interface")
                .contains("TERN_TLS_CERT_FILE").contains("TERN_TLS_KEY_FILE").contains("TERN_ACME_DOMAIN"));
        assertThat(lines.list).anySatisfy(line -> assertThat(line.getFormattedMessage()).startsWith("REST API listening on http://"));
    }

    @Test
    void withTlsTheSummaryNamesTheSourceAndWarnsNothing() {
        Certificates.Issued self = Certificates.selfSigned(Duration.ofDays(1), "localhost");
        Certificates.writePem(dir.resolve("c.pem"), dir.resolve("k.pem"), self.keys(), List.of(self.certificate()));
        report(ListenerTls.of(ServerTls.fromPemFiles(dir.resolve("c.pem"), dir.resolve("k.pem")), "PEM files c.pem"));
        assertThat(lines.list).noneMatch(line -> line.getLevel() == Level.WARN);
        assertThat(lines.list).anySatisfy(line -> assertThat(line.getFormattedMessage())
                .isEqualTo("TLS on every listener (REST, management gRPC, in-process signal and relay): PEM files c.pem"));
        assertThat(lines.list).anySatisfy(line -> assertThat(line.getFormattedMessage()).startsWith("REST API listening on https://"));
    }
}
