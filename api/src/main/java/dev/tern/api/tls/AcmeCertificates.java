package dev.tern.api.tls;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TlsSettings;
import dev.tern.signal.tls.Certificates;
import dev.tern.signal.tls.ReloadingKeyManager;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.Security;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Obtains and renews tern-server's certificate from an ACME CA (Let's Encrypt by default) with the HTTP-01
 * challenge, answered by an {@link AcmeChallengeServer} on {@code TERN_ACME_HTTP_PORT}. The certificate and key are
 * written as PEM under {@code <data dir>/acme/}, which the listeners read through their {@link ReloadingKeyManager}:
 * a new certificate reaches new connections at once, without a restart.
 *
 * <p>Until the first certificate is issued the listeners serve a self-signed stand-in, so tern-server starts even
 * while the CA is unreachable; clients that verify certificates (the agent does) refuse it until then. A failed
 * attempt is retried with backoff (1 minute doubling up to 1 hour); a valid certificate is renewed once less than a
 * third of its lifetime is left.
 */
final class AcmeCertificates implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AcmeCertificates.class);
    private static final Duration FIRST_RETRY = Duration.ofMinutes(1);
    private static final Duration MAX_RETRY = Duration.ofHours(1);
    private static final Duration CHECK_INTERVAL = Duration.ofHours(12);
    private static final Duration CA_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STAND_IN_VALIDITY = Duration.ofDays(7);

    private final TlsSettings.Acme settings;
    private final Path dir;
    private final ReloadingKeyManager keys;
    private final Clock clock;
    private final AcmeChallengeServer challenges = new AcmeChallengeServer();
    private ScheduledExecutorService scheduler;
    private Duration retry = FIRST_RETRY;
    private volatile boolean running;

    private AcmeCertificates(TlsSettings.Acme settings, Path dir, ReloadingKeyManager keys, Clock clock) {
        this.settings = settings;
        this.dir = dir;
        this.keys = keys;
        this.clock = clock;
    }

    static Path certFile(Path dir) {
        return dir.resolve("cert.pem");
    }

    static Path keyFile(Path dir) {
        return dir.resolve("key.pem");
    }

    /**
     * Makes {@code dir} (private) and, when no certificate from an earlier run is there, a self-signed stand-in, so
     * that the listeners can start before the CA has answered.
     */
    static AcmeCertificates prepare(TlsSettings.Acme settings, Path dir, Clock clock) {
        try {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the data directory's ACLs decide
            }
        } catch (IOException e) {
            throw new StartupFailure("cannot create the ACME directory " + dir + ": " + e.getMessage(), e);
        }
        ReloadingKeyManager keys;
        try {
            keys = ReloadingKeyManager.load(certFile(dir), keyFile(dir));
        } catch (IllegalArgumentException missingOrBroken) {
            Certificates.Issued standIn = Certificates.selfSigned(STAND_IN_VALIDITY, settings.domain());
            Certificates.writePem(certFile(dir), keyFile(dir), standIn.keys(), List.of(standIn.certificate()));
            keys = ReloadingKeyManager.load(certFile(dir), keyFile(dir));
        }
        return new AcmeCertificates(settings, dir, keys, clock);
    }

    ReloadingKeyManager keys() {
        return keys;
    }

    /** The port answering HTTP-01 challenges (the chosen one when configured with 0). */
    int challengePort() {
        return challenges.port();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            challenges.start(settings.httpPort());
        } catch (UncheckedIOException e) {
            throw new StartupFailure(e.getMessage() + "; set " + TlsSettings.ACME_HTTP_PORT + " to a free port "
                    + "(the CA connects to port 80 of " + settings.domain() + ": forward it there)", e);
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("acme", true));
        scheduler.execute(this::renewIfDue);
        running = true;
        log.info("ACME: certificate for {} from {}, HTTP-01 challenges on port {}", settings.domain(),
                settings.directory(), challenges.port());
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
        challenges.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void renewIfDue() {
        Duration next;
        try {
            if (due(keys.certificate())) {
                obtain();
                keys.reloadIfChanged();
                X509Certificate issued = keys.certificate();
                log.info("ACME: certificate for {} issued by {}, valid until {}", settings.domain(),
                        issued.getIssuerX500Principal().getName(), issued.getNotAfter().toInstant());
            }
            retry = FIRST_RETRY;
            next = CHECK_INTERVAL;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (AcmeException | IOException | RuntimeException e) {
            next = retry;
            retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
            log.warn("ACME: could not obtain a certificate for {} from {} ({}); retrying in {}", settings.domain(),
                    settings.directory(), e.toString(), next);
        }
        ScheduledExecutorService current = scheduler;
        if (running && current != null) {
            current.schedule(this::renewIfDue, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Self-signed (the stand-in), not for our domain, or less than a third of its lifetime left. */
    boolean due(X509Certificate certificate) {
        if (certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return true;
        }
        if (!dnsNames(certificate).contains(settings.domain())) {
            return true;
        }
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        Duration lifetime = Duration.between(notBefore, notAfter);
        return clock.instant().isAfter(notAfter.minus(lifetime.dividedBy(3)));
    }

    private void obtain() throws AcmeException, IOException, InterruptedException {
        // acme4j signs the certificate request through the "BC" provider by name; appended last, so the JDK's
        // own providers keep serving everything else.
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
        Session session = AcmeSessions.open(settings);
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey());
        settings.email().ifPresent(builder::addEmail);
        Account account = builder.create(session);
        Order order = account.newOrder().domain(settings.domain()).create();
        for (Authorization authorization : order.getAuthorizations()) {
            if (authorization.getStatus() == Status.VALID) {
                continue;
            }
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow(
                    () -> new AcmeException("the CA offers no HTTP-01 challenge for " + settings.domain()));
            challenges.offer(challenge.getToken(), challenge.getAuthorization());
            try {
                challenge.trigger();
                Status status = challenge.waitForCompletion(CA_TIMEOUT);
                if (status != Status.VALID) {
                    throw new AcmeException("the CA did not validate " + settings.domain() + " over HTTP-01 ("
                            + challenge.getError().map(Object::toString).orElse(status.toString()) + ")");
                }
            } finally {
                challenges.withdraw(challenge.getToken());
            }
        }
        order.waitUntilReady(CA_TIMEOUT);
        KeyPair domainKey = KeyPairUtils.createECKeyPair("secp256r1");
        order.execute(domainKey);
        Status status = order.waitForCompletion(CA_TIMEOUT);
        if (status != Status.VALID) {
            throw new AcmeException("the CA did not issue the certificate (order " + status + ")");
        }
        List<X509Certificate> chain = order.getCertificate().getCertificateChain();
        Certificates.writePem(certFile(dir), keyFile(dir), domainKey, chain);
    }

    /** The ACME account key, made once and kept: the CA knows the account by it. */
    private KeyPair accountKey() throws IOException {
        Path file = dir.resolve("account-key.pem");
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
                return KeyPairUtils.readKeyPair(reader);
            }
        }
        KeyPair created = KeyPairUtils.createKeyPair(2048);
        Path temp = Files.createTempFile(dir, ".account-key", ".tmp");
        try {
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.US_ASCII)) {
                KeyPairUtils.writeKeyPair(created, writer);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        return created;
    }

    private static List<String> dnsNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    if (entry.size() == 2 && Integer.valueOf(2).equals(entry.get(0))) {
                        names.add(String.valueOf(entry.get(1)).toLowerCase(java.util.Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return names;
    }
}
