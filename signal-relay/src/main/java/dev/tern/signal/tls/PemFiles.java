package dev.tern.signal.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a PEM certificate chain (leaf first) and a PEM private key in the forms operators have: PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1 ({@code BEGIN EC PRIVATE KEY}).
 * Every failure is an {@link IllegalArgumentException} with a one-line reason that names the file, never key bytes.
 */
public final class PemFiles {
    /** Certificate chains are a few kilobytes; a bound keeps a wrong path (a log file, /dev/zero) from eating memory. */
    static final long MAX_FILE_SIZE = 1024 * 1024;

    private PemFiles() {
    }

    /** The certificates in {@code file}, in file order (leaf first, as servers send them). */
    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = new PEMParser(reader(file))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(chain);
    }

    /** The first private key in {@code file}. Encrypted keys are refused: there is nowhere to keep a passphrase. */
    public static PrivateKey readPrivateKey(Path file) {
        return asJdkKey(readAnyPrivateKey(file), file);
    }

    /**
     * The key as the JDK's own provider represents it. Bouncy Castle names EC keys "ECDSA" (and, once registered as
     * a provider, hands out its own key objects); the JDK's TLS engine matches key types by the JDK's names.
     */
    private static PrivateKey asJdkKey(PrivateKey key, Path file) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "EC";
            case "RSA" -> "RSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new IllegalArgumentException(file + " holds a " + key.getAlgorithm()
                    + " key; use an RSA, EC or Ed25519 key");
        };
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the " + key.getAlgorithm() + " key in " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private static PrivateKey readAnyPrivateKey(Path file) {
        try (PEMParser parser = new PEMParser(reader(file))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof PEMKeyPair pair) {
                    // SEC1 keys may leave the public half out; the private key info is always there.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (item instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalArgumentException(file + " holds an encrypted private key; give it unencrypted "
                            + "(readable only by the server's user)");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the private key from " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    /** Throws unless {@code key} is the private half of {@code certificate}'s public key. */
    static void requireMatchingPair(PrivateKey key, X509Certificate certificate, Path certFile, Path keyFile) {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new IllegalArgumentException(keyFile + " holds a " + key.getAlgorithm()
                    + " key; use an RSA, EC or Ed25519 key");
        };
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException("the private key in " + keyFile
                    + " does not belong to the first certificate in " + certFile);
        }
    }

    private static Reader reader(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_SIZE) {
            throw new IOException("file is " + size + " bytes, more than a PEM file should be (" + MAX_FILE_SIZE + ")");
        }
        return Files.newBufferedReader(file, StandardCharsets.US_ASCII);
    }
}
