package dev.tern.events.values;

/**
 * What a device reports about itself at login (NetBird's PeerSystemMeta, the parts Tern keeps). No event can carry
 * an unsafe character ({@link DeviceText#isUnsafe}) or an unbounded value: the hostname loses its unsafe characters
 * and must then be 1 to 255 chars; every other field loses them and is cut to {@link DeviceText#MAX_META_FIELD}.
 * Cleaning rather than refusing here keeps events stored before these rules loadable; the gRPC edge refuses a
 * hostname with unsafe characters before any command is sent.
 */
public record PeerSystemMeta(
        String hostname,
        String goOs,
        String kernel,
        String kernelVersion,
        String os,
        String osVersion,
        String platform,
        String agentVersion,
        String uiVersion,
        String systemSerialNumber) {

    public PeerSystemMeta {
        hostname = Names.require(hostname == null ? null : DeviceText.clean(hostname, Integer.MAX_VALUE), "hostname",
                Names.MAX_NAME);
        goOs = optional(goOs);
        kernel = optional(kernel);
        kernelVersion = optional(kernelVersion);
        os = optional(os);
        osVersion = optional(osVersion);
        platform = optional(platform);
        agentVersion = optional(agentVersion);
        uiVersion = optional(uiVersion);
        systemSerialNumber = optional(systemSerialNumber);
    }

    public static PeerSystemMeta ofHostname(String hostname) {
        return new PeerSystemMeta(hostname, "linux", "Linux", "", "linux", "", "", "", "", "");
    }

    private static String optional(String s) {
        return DeviceText.clean(s, DeviceText.MAX_META_FIELD);
    }
}
