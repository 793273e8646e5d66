package dev.tern.api.tls;

import dev.tern.signal.tls.ServerTls;
import java.util.Optional;

/**
 * The certificate every tern-server listener (REST, management gRPC, in-process signal and relay) serves, or
 * none: plaintext, meant for localhost development. One instance per process, so one reload reaches them all.
 */
public final class ListenerTls {
    private final ServerTls serverTls;
    private final String source;

    private ListenerTls(ServerTls serverTls, String source) {
        this.serverTls = serverTls;
        this.source = source;
    }

    public static ListenerTls plaintext() {
        return new ListenerTls(null, "none");
    }

    /** @param source where the certificate comes from, for the start-up summary */
    public static ListenerTls of(ServerTls serverTls, String source) {
        return new ListenerTls(serverTls, source);
    }

    public Optional<ServerTls> serverTls() {
        return Optional.ofNullable(serverTls);
    }

    public boolean enabled() {
        return serverTls != null;
    }

    public String source() {
        return source;
    }
}
