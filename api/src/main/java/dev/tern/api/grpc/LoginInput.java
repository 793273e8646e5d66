package dev.tern.api.grpc;

import com.google.protobuf.ByteString;
import dev.tern.events.values.DeviceText;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.Names;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.protocol.management.LoginRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The edge check of a LoginRequest: every string in it is looked at before anything is decided on it or sent to the
 * account. Invalid UTF-8 never gets here (protobuf refuses it in proto3 strings, so the body does not open: also
 * INVALID_ARGUMENT). Per field:
 * <ul>
 *     <li>hostname (the peer's name, DNS label, audit name): refused with a control character, line break or
 *     bidi override, or over 255 chars. A device name is chosen by a person; silently changing it would show
 *     a name nobody gave.</li>
 *     <li>goOS, kernel, kernelVersion, OS, OSVersion, platform, netbirdVersion, uiVersion, sysSerialNumber:
 *     cleaned, not refused: unsafe characters are dropped and values cut to {@link DeviceText#MAX_META_FIELD}.
 *     Real clients send what the OS reports (serial numbers padded with NULs, version strings ending in a
 *     newline), and refusing those would lock real devices out.</li>
 *     <li>setupKey and jwtToken: refused over {@link #MAX_SETUP_KEY} / {@link #MAX_JWT} chars or with unsafe
 *     characters (no real key has either); the message never repeats them.</li>
 *     <li>dnsLabels: at most {@link #MAX_DNS_LABELS}, each at most 253 chars without unsafe characters; the
 *     account then judges them as DNS labels (and refuses them unless the setup key allows extra labels).</li>
 *     <li>peerKeys.sshPubKey: at most {@link #MAX_SSH_KEY} bytes (not stored; OpenSSH key files end in a newline,
 *     so its content is not judged). peerKeys.wgPubKey must equal the envelope's key (checked by the service).</li>
 * </ul>
 * The fields Tern neither keeps nor uses (core, sysProductName, sysManufacturer, environment, files, network
 * addresses) are bounded only by the inbound message size limit.
 */
final class LoginInput {
    /** Tern's and NetBird's setup keys are 36-char UUIDs; nothing longer is a key. */
    static final int MAX_SETUP_KEY = 256;
    static final int MAX_JWT = 16 * 1024;
    static final int MAX_SSH_KEY = 8 * 1024;
    static final int MAX_DNS_LABELS = 32;
    static final int MAX_DNS_NAME = 253;

    private LoginInput() {
    }

    /** @throws StatusRuntimeException INVALID_ARGUMENT naming the field and what is wrong with it */
    static void check(LoginRequest login) {
        var meta = login.getMeta();
        String hostname = meta.getHostname();
        unsafe(hostname, "meta.hostname");
        if (hostname.strip().length() > Names.MAX_NAME) {
            throw invalid("meta.hostname is longer than " + Names.MAX_NAME + " characters");
        }
        secret(login.getSetupKey(), "setupKey", MAX_SETUP_KEY);
        secret(login.getJwtToken(), "jwtToken", MAX_JWT);
        if (login.getDnsLabelsCount() > MAX_DNS_LABELS) {
            throw invalid("dnsLabels has " + login.getDnsLabelsCount() + " entries; at most " + MAX_DNS_LABELS);
        }
        for (String label : login.getDnsLabelsList()) {
            if (label.length() > MAX_DNS_NAME) {
                throw invalid("a dnsLabels entry is longer than " + MAX_DNS_NAME + " characters");
            }
            unsafe(label, "dnsLabels");
        }
        ByteString sshKey = login.getPeerKeys().getSshPubKey();
        if (sshKey.size() > MAX_SSH_KEY) {
            throw invalid("peerKeys.sshPubKey is longer than " + MAX_SSH_KEY + " bytes");
        }
    }

    /** The metadata as Tern keeps it (optional fields cleaned and cut); call {@link #check} first. */
    static PeerSystemMeta meta(LoginRequest login) {
        var m = login.getMeta();
        try {
            return new PeerSystemMeta(m.getHostname(), m.getGoOS(), m.getKernel(), m.getKernelVersion(), m.getOS(),
                    m.getOSVersion(), m.getPlatform(), m.getNetbirdVersion(), m.getUiVersion(),
                    m.getSysSerialNumber());
        } catch (InvalidValueException e) {
            throw invalid("meta: " + e.getMessage());
        }
    }

    private static void unsafe(String value, String field) {
        try {
            DeviceText.requireSafe(value, field);
        } catch (InvalidValueException e) {
            throw invalid(e.getMessage());
        }
    }

    private static void secret(String value, String field, int maxLength) {
        if (value.length() > maxLength) {
            throw invalid(field + " is longer than " + maxLength + " characters");
        }
        if (DeviceText.firstUnsafe(value) >= 0) {
            throw invalid(field + " contains a control character");
        }
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
