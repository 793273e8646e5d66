package dev.tern.api.axon;

import dev.tern.api.config.TernSettings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name under which this tern-server claims event-processor segments: {@code tern@<host>/<data dir hash>}.
 * Stable across restarts of the same installation, distinct between installations sharing one database.
 */
public final class TokenOwner {

    private TokenOwner() {
    }

    public static String of(TernSettings settings) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        if (host.length() > 100) {
            host = host.substring(0, 100);
        }
        return "tern@" + host + "/" + shortHash(settings.storage().dataDir().toString());
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
