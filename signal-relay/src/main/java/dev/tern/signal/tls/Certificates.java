package dev.tern.signal.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * Makes certificates with Bouncy Castle: the self-signed stand-in tern-server serves until ACME has issued the real
 * one, and test PKIs (a CA and server certificates it signs). Writes PEM files atomically.
 */
public final class Certificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /** A key pair and its certificate. */
    public record Issued(KeyPair keys, X509Certificate certificate) {
        /** SHA-256 of the DER certificate, hex: what a test or an operator compares. */
        public String fingerprint() {
            return Certificates.fingerprint(certificate);
        }
    }

    /** A CA certificate (self-signed, may sign server certificates). */
    public static Issued certificateAuthority(String commonName, Duration validity) {
        KeyPair keys = ecKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        return new Issued(keys, build(name, keys, name, keys, validity, true, List.of()));
    }

    /** A server certificate for {@code names} (DNS names or IP literals) signed by {@code issuer}. */
    public static Issued serverCertificate(Issued issuer, Duration validity, String... names) {
        KeyPair keys = ecKeyPair();
        X500Name subject = new X500Name("CN=" + names[0]);
        X500Name issuerName = X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        return new Issued(keys, build(subject, keys, issuerName, issuer.keys(), validity, false, List.of(names)));
    }

    /** A self-signed server certificate for {@code names}. */
    public static Issued selfSigned(Duration validity, String... names) {
        KeyPair keys = ecKeyPair();
        X500Name subject = new X500Name("CN=" + names[0]);
        return new Issued(keys, build(subject, keys, subject, keys, validity, false, List.of(names)));
    }

    /**
     * Writes the chain and the key as PEM, each through a temporary file renamed into place, so a reader (the
     * reloading key manager) never sees half a file. The key file is readable by its owner only.
     */
    public static void writePem(Path certFile, Path keyFile, KeyPair keys, List<X509Certificate> chain) {
        StringWriter certs = new StringWriter();
        StringWriter key = new StringWriter();
        try (JcaPEMWriter certWriter = new JcaPEMWriter(certs); JcaPEMWriter keyWriter = new JcaPEMWriter(key)) {
            for (X509Certificate certificate : chain) {
                certWriter.writeObject(certificate);
            }
            keyWriter.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null)); // BEGIN PRIVATE KEY
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Key first: a reader that sees the new certificate with the old key rejects the pair and retries later.
        writeAtomically(keyFile, key.toString(), true);
        writeAtomically(certFile, certs.toString(), false);
    }

    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeAtomically(Path file, String content, boolean secret) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                if (secret) {
                    try {
                        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException notPosix) {
                        // Windows: the directory's ACLs decide
                    }
                }
                Files.writeString(temp, content, StandardCharsets.US_ASCII);
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate build(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                         Duration validity, boolean ca, List<String> names) {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject,
                subjectKeys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, ca
                    ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
                    : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (!names.isEmpty()) {
                List<GeneralName> altNames = new ArrayList<>();
                for (String name : names) {
                    altNames.add(isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, name)
                            : new GeneralName(GeneralName.dNSName, name));
                }
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(altNames.toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a certificate: " + e.getMessage(), e);
        }
    }

    private static boolean isIpLiteral(String name) {
        if (!name.matches("[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            InetAddress.getByName(name);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
