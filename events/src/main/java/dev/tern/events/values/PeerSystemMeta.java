package dev.tern.events.values;

/** What a device reports about itself at login (NetBird's PeerSystemMeta, the parts Tern keeps). */
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
        hostname = Names.require(hostname, "hostname", Names.MAX_NAME);
        goOs = blankToEmpty(goOs);
        kernel = blankToEmpty(kernel);
        kernelVersion = blankToEmpty(kernelVersion);
        os = blankToEmpty(os);
        osVersion = blankToEmpty(osVersion);
        platform = blankToEmpty(platform);
        agentVersion = blankToEmpty(agentVersion);
        uiVersion = blankToEmpty(uiVersion);
        systemSerialNumber = blankToEmpty(systemSerialNumber);
    }

    public static PeerSystemMeta ofHostname(String hostname) {
        return new PeerSystemMeta(hostname, "linux", "Linux", "", "linux", "", "", "", "", "");
    }

    private static String blankToEmpty(String s) {
        return s == null ? "" : s;
    }
}
