package dev.tern.signal.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The server's certificate chain and private key from two PEM files, re-read when either file changes: every TLS
 * handshake asks for the key first, and that is when the files' size, modification time and identity (inode, so a
 * renamed-over or re-pointed symlink counts) are compared with the loaded ones. New connections thus get a new
 * certificate without a restart; connections already open keep theirs.
 *
 * <p>A changed pair that cannot be used (half written, key and certificate not matching) is not loaded: the server
 * keeps serving the last good pair and logs why, once per change, so that a renewal writing the two files one after
 * the other never takes the listeners down.
 *
 * <p>Aliases name a generation ({@code tern-3}); the chain and key of the current and the previous generation can be
 * fetched, so a handshake that chose its alias just before a reload still gets a matching key and chain.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final Logger log = LoggerFactory.getLogger(ReloadingKeyManager.class);

    private final Path certFile;
    private final Path keyFile;
    private volatile Material current;
    private volatile Material previous;
    /** The stamps of the last change that failed to load, so it is reported once and not retried per handshake. */
    private volatile List<Stamp> rejected;

    private record Stamp(long size, FileTime modified, Object fileKey) {
    }

    private record Material(String alias, PrivateKey key, X509Certificate[] chain, List<Stamp> stamps) {
    }

    private ReloadingKeyManager(Path certFile, Path keyFile, Material material) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.current = material;
    }

    /**
     * Loads the pair now.
     *
     * @throws IllegalArgumentException with a one-line reason when the files are missing, unreadable or do not match
     */
    public static ReloadingKeyManager load(Path certFile, Path keyFile) {
        Path cert = certFile.toAbsolutePath();
        Path key = keyFile.toAbsolutePath();
        return new ReloadingKeyManager(cert, key, read(cert, key, 1));
    }

    /** The leaf certificate new connections get (after looking for changed files). */
    public X509Certificate certificate() {
        reloadIfChanged();
        return current.chain()[0];
    }

    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** Re-reads the files if they changed since they were last loaded (or last failed to load). */
    public void reloadIfChanged() {
        List<Stamp> stamps;
        try {
            stamps = stamps(certFile, keyFile);
        } catch (IOException e) {
            // Mid-rename or briefly missing: keep serving what we have, look again at the next handshake.
            return;
        }
        Material loaded = current;
        if (stamps.equals(loaded.stamps()) || stamps.equals(rejected)) {
            return;
        }
        synchronized (this) {
            loaded = current;
            if (stamps.equals(loaded.stamps()) || stamps.equals(rejected)) {
                return;
            }
            int generation = Integer.parseInt(loaded.alias().substring("tern-".length())) + 1;
            try {
                Material fresh = read(certFile, keyFile, generation);
                previous = loaded;
                current = fresh;
                rejected = null;
                log.info("TLS certificate reloaded from {}: subject {}, serial {}, valid until {}", certFile,
                        fresh.chain()[0].getSubjectX500Principal().getName(), fresh.chain()[0].getSerialNumber().toString(16),
                        fresh.chain()[0].getNotAfter().toInstant());
            } catch (IllegalArgumentException e) {
                rejected = stamps;
                log.warn("TLS certificate files changed but cannot be used, still serving the previous certificate: {}",
                        e.getMessage());
            }
        }
    }

    private static Material read(Path certFile, Path keyFile, int generation) {
        // Stamps first: a change after this point is seen at the next handshake rather than missed.
        List<Stamp> stamps;
        try {
            stamps = stamps(certFile, keyFile);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read TLS files " + certFile + " and " + keyFile + ": " + e, e);
        }
        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        PemFiles.requireMatchingPair(key, chain.get(0), certFile, keyFile);
        return new Material("tern-" + generation, key, chain.toArray(X509Certificate[]::new), stamps);
    }

    private static List<Stamp> stamps(Path certFile, Path keyFile) throws IOException {
        return List.of(stamp(certFile), stamp(keyFile));
    }

    private static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey());
    }

    private String aliasFor(String keyType) {
        reloadIfChanged();
        Material material = current;
        return keyType != null && keyTypeMatches(keyType, material.key().getAlgorithm()) ? material.alias() : null;
    }

    /** JSSE asks per signature scheme ("RSA", "RSASSA-PSS", "EC", "EdDSA"); answer only for our key's kind. */
    private static boolean keyTypeMatches(String keyType, String keyAlgorithm) {
        if (keyType.equalsIgnoreCase(keyAlgorithm)) {
            return true;
        }
        boolean edKey = keyAlgorithm.equals("Ed25519") || keyAlgorithm.equals("Ed448") || keyAlgorithm.equals("EdDSA");
        return edKey && (keyType.equals("EdDSA") || keyType.equals("Ed25519") || keyType.equals("Ed448"));
    }

    private Material material(String alias) {
        Material now = current;
        if (Objects.equals(now.alias(), alias)) {
            return now;
        }
        Material before = previous;
        return before != null && Objects.equals(before.alias(), alias) ? before : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Material material = material(alias);
        return material == null ? null : material.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Material material = material(alias);
        return material == null ? null : material.key();
    }

    /** A server key manager: it never presents a client certificate. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
