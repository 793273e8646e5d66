package dev.tern.agent.routing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One forwarding sysctl ({@code net.ipv4.ip_forward}, {@code net.ipv6.conf.all.forwarding}) turned on while this
 * host serves routes, and put back as it was: the previous value is kept in a backup file in the config dir first,
 * so a crash between the two writes still leaves what to restore.
 */
final class ForwardingSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardingSwitch.class);

    private final String what;
    private final Path sysctl;
    private final Path backup;
    /** The value before we turned it on, or null while we have not changed it. */
    private String previous;

    ForwardingSwitch(String what, Path sysctl, Path backup) {
        this.what = what;
        this.sysctl = sysctl;
        this.backup = backup;
    }

    void set(boolean on) {
        try {
            if (on && previous == null) {
                previous = Files.readString(sysctl).strip();
                if (!"1".equals(previous)) {
                    Files.writeString(backup, previous + "\n");
                    Files.writeString(sysctl, "1\n");
                    LOG.info("enabled {} (was {})", what, previous);
                }
            } else if (!on && previous != null) {
                Files.writeString(sysctl, previous + "\n");
                Files.deleteIfExists(backup);
                previous = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set " + sysctl, e);
        }
    }

    /** Puts back the value a crashed run left behind in {@code backup}; true when there was one. */
    static boolean restoreLeftover(Path sysctl, Path backup) {
        try {
            if (!Files.exists(backup)) {
                return false;
            }
            Files.writeString(sysctl, Files.readString(backup).strip() + "\n");
            Files.delete(backup);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore " + sysctl + " from " + backup, e);
        }
    }
}
