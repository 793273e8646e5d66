package dev.tern.protocol.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.tern.protocol.management.FirewallRule;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementProto;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PeerConfig;
import dev.tern.protocol.management.PeerKeys;
import dev.tern.protocol.management.PeerSystemMeta;
import dev.tern.protocol.management.PortInfo;
import dev.tern.protocol.management.RelayConfig;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.RuleAction;
import dev.tern.protocol.management.RuleDirection;
import dev.tern.protocol.management.RuleProtocol;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.protocol.signal.Body;
import dev.tern.protocol.signal.SignalExchangeProto;
import management.Management;
import org.junit.jupiter.api.Test;
import signalexchange.Signalexchange;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tern's protos against NetBird's reference protos (compiled from src/test/proto/netbird at build time).
 * The structural checks cover every message, enum and method we declare; the byte-level checks encode with
 * one side and decode with the other for the messages a NetBird client exchanges on Login and Sync.
 */
class WireCompatibilityTest {

    @Test
    void everyTernManagementMessageMatchesTheReferenceFieldByField() {
        List<String> mismatches = compareFiles(ManagementProto.getDescriptor(), Management.getDescriptor());
        assertThat(mismatches).isEmpty();
    }

    @Test
    void everyTernSignalMessageMatchesTheReferenceFieldByField() {
        List<String> mismatches = compareFiles(SignalExchangeProto.getDescriptor(), Signalexchange.getDescriptor());
        assertThat(mismatches).isEmpty();
    }

    @Test
    void servicesHaveTheReferenceNamesMethodsAndStreamingShape() {
        assertThat(compareService(ManagementProto.getDescriptor().findServiceByName("ManagementService"),
                Management.getDescriptor().findServiceByName("ManagementService"))).isEmpty();
        assertThat(compareService(SignalExchangeProto.getDescriptor().findServiceByName("SignalExchange"),
                Signalexchange.getDescriptor().findServiceByName("SignalExchange"))).isEmpty();
        assertThat(ManagementProto.getDescriptor().findServiceByName("ManagementService").getMethods())
                .extracting(MethodDescriptor::getName)
                .contains("GetServerKey", "isHealthy", "Login", "Sync", "SyncMeta", "Logout");
    }

    @Test
    void loginRequestBuiltByTernIsReadByAReferenceClient() throws Exception {
        LoginRequest ours = LoginRequest.newBuilder()
                .setSetupKey("A2C8E62B-38F5-4553-B31E-DD66C696CEBB")
                .setPeerKeys(PeerKeys.newBuilder()
                        .setWgPubKey(ByteString.copyFromUtf8("x3Ym0bV1mV2d8rB0s5h6cQ1i7H6Hbb8wWq3Ak0q6f1E="))
                        .setSshPubKey(ByteString.copyFromUtf8("ssh-ed25519 AAAA")))
                .setMeta(PeerSystemMeta.newBuilder()
                        .setHostname("laptop-7").setGoOS("linux").setKernelVersion("6.1.0")
                        .setNetbirdVersion("0.40.0")
                        .setFlags(dev.tern.protocol.management.Flags.newBuilder().setDisableIPv6(true)))
                .addDnsLabels("laptop-7")
                .build();

        Management.LoginRequest theirs = Management.LoginRequest.parseFrom(ours.toByteArray());

        assertThat(theirs.getSetupKey()).isEqualTo("A2C8E62B-38F5-4553-B31E-DD66C696CEBB");
        assertThat(theirs.getPeerKeys().getWgPubKey().toStringUtf8())
                .isEqualTo("x3Ym0bV1mV2d8rB0s5h6cQ1i7H6Hbb8wWq3Ak0q6f1E=");
        assertThat(theirs.getMeta().getHostname()).isEqualTo("laptop-7");
        assertThat(theirs.getMeta().getKernelVersion()).isEqualTo("6.1.0");
        assertThat(theirs.getMeta().getFlags().getDisableIPv6()).isTrue();
        assertThat(theirs.getDnsLabelsList()).containsExactly("laptop-7");
        assertThat(theirs.getUnknownFields().asMap()).isEmpty();
    }

    @Test
    void loginResponseBuiltByTernIsReadByAReferenceClient() throws Exception {
        LoginResponse ours = LoginResponse.newBuilder()
                .setNetbirdConfig(NetbirdConfig.newBuilder()
                        .setSignal(HostConfig.newBuilder().setUri("signal.example:10000")
                                .setProtocol(HostConfig.Protocol.HTTP))
                        .addStuns(HostConfig.newBuilder().setUri("stun:signal.example:3478"))
                        .setRelay(RelayConfig.newBuilder().addUrls("rel://signal.example:10000")
                                .setTokenPayload("1790000000").setTokenSignature("c2lnbmF0dXJl")))
                .setPeerConfig(PeerConfig.newBuilder().setAddress("100.64.0.7/16")
                        .setFqdn("laptop-7.tern.internal"))
                .build();

        Management.LoginResponse theirs = Management.LoginResponse.parseFrom(ours.toByteArray());

        assertThat(theirs.getNetbirdConfig().getSignal().getUri()).isEqualTo("signal.example:10000");
        assertThat(theirs.getNetbirdConfig().getSignal().getProtocol())
                .isEqualTo(Management.HostConfig.Protocol.HTTP);
        assertThat(theirs.getNetbirdConfig().getStuns(0).getUri()).isEqualTo("stun:signal.example:3478");
        assertThat(theirs.getNetbirdConfig().getRelay().getTokenPayload()).isEqualTo("1790000000");
        assertThat(theirs.getPeerConfig().getAddress()).isEqualTo("100.64.0.7/16");
        assertThat(theirs.getPeerConfig().getFqdn()).isEqualTo("laptop-7.tern.internal");
        assertThat(theirs.getUnknownFields().asMap()).isEmpty();
    }

    @Test
    void syncResponseWithNetworkMapBuiltByTernIsReadByAReferenceClient() throws Exception {
        NetworkMap map = NetworkMap.newBuilder()
                .setSerial(42)
                .setPeerConfig(PeerConfig.newBuilder().setAddress("100.64.0.7/16").setFqdn("a.tern.internal"))
                .addRemotePeers(RemotePeerConfig.newBuilder().setWgPubKey("Bkey=").addAllowedIps("100.64.0.9/32")
                        .setFqdn("b.tern.internal"))
                .addOfflinePeers(RemotePeerConfig.newBuilder().setWgPubKey("Ckey="))
                .addFirewallRules(FirewallRule.newBuilder().setPeerIP("100.64.0.9")
                        .setDirection(RuleDirection.OUT).setAction(RuleAction.ACCEPT)
                        .setProtocol(RuleProtocol.TCP).setPort("22")
                        .setPortInfo(PortInfo.newBuilder().setRange(PortInfo.Range.newBuilder().setStart(8000).setEnd(8080)))
                        .addSourcePrefixes(ByteString.copyFrom(new byte[]{100, 64, 0, 9, 32})))
                .build();
        SyncResponse ours = SyncResponse.newBuilder().setNetworkMap(map).setRemotePeersIsEmpty(false).build();

        Management.SyncResponse theirs = Management.SyncResponse.parseFrom(ours.toByteArray());

        Management.NetworkMap theirMap = theirs.getNetworkMap();
        assertThat(theirMap.getSerial()).isEqualTo(42);
        assertThat(theirMap.getPeerConfig().getAddress()).isEqualTo("100.64.0.7/16");
        assertThat(theirMap.getRemotePeers(0).getWgPubKey()).isEqualTo("Bkey=");
        assertThat(theirMap.getRemotePeers(0).getAllowedIpsList()).containsExactly("100.64.0.9/32");
        assertThat(theirMap.getOfflinePeers(0).getWgPubKey()).isEqualTo("Ckey=");
        Management.FirewallRule rule = theirMap.getFirewallRules(0);
        assertThat(rule.getDirection()).isEqualTo(Management.RuleDirection.OUT);
        assertThat(rule.getProtocol()).isEqualTo(Management.RuleProtocol.TCP);
        assertThat(rule.getPort()).isEqualTo("22");
        assertThat(rule.getPortInfo().getRange().getEnd()).isEqualTo(8080);
        assertThat(rule.getSourcePrefixes(0).toByteArray()).containsExactly(100, 64, 0, 9, 32);
    }

    @Test
    void referenceSyncRequestAndLoginParseIntoTernClassesWithoutLoss() throws Exception {
        Management.LoginRequest theirs = Management.LoginRequest.newBuilder()
                .setJwtToken("jwt")
                .setMeta(Management.PeerSystemMeta.newBuilder().setHostname("h")
                        .addCapabilities(Management.PeerCapability.PeerCapabilitySourcePrefixes)
                        .addNetworkAddresses(Management.NetworkAddress.newBuilder().setNetIP("10.0.0.2/24")))
                .build();

        LoginRequest ours = LoginRequest.parseFrom(theirs.toByteArray());

        assertThat(ours.getJwtToken()).isEqualTo("jwt");
        assertThat(ours.getMeta().getCapabilitiesList())
                .containsExactly(dev.tern.protocol.management.PeerCapability.PeerCapabilitySourcePrefixes);
        assertThat(ours.getMeta().getNetworkAddresses(0).getNetIP()).isEqualTo("10.0.0.2/24");
        assertThat(ours.getUnknownFields().asMap()).isEmpty();
        assertThat(ours.toByteString()).isEqualTo(theirs.toByteString());
    }

    @Test
    void signalBodyDecodesAgainstTheReferenceDescriptorDynamically() throws Exception {
        Body ours = Body.newBuilder().setType(Body.Type.ANSWER).setPayload("ufrag:pwd").setWgListenPort(51820)
                .setRelayServerAddress("rels://relay.example:443").addFeaturesSupported(1).build();

        DynamicMessage theirs = DynamicMessage.parseFrom(Signalexchange.Body.getDescriptor(), ours.toByteArray());

        Descriptor d = theirs.getDescriptorForType();
        assertThat(((EnumValueDescriptor) theirs.getField(d.findFieldByName("type"))).getName()).isEqualTo("ANSWER");
        assertThat(theirs.getField(d.findFieldByName("payload"))).isEqualTo("ufrag:pwd");
        assertThat(theirs.getField(d.findFieldByName("wgListenPort"))).isEqualTo(51820);
        assertThat(theirs.getField(d.findFieldByName("relayServerAddress"))).isEqualTo("rels://relay.example:443");
        assertThat(theirs.getUnknownFields().asMap()).isEmpty();
    }

    private static List<String> compareFiles(FileDescriptor ours, FileDescriptor reference) {
        assertThat(ours.getPackage()).isEqualTo(reference.getPackage());
        List<String> mismatches = new ArrayList<>();
        for (Descriptor message : ours.getMessageTypes()) {
            compareMessage(message, reference.findMessageTypeByName(message.getName()), mismatches);
        }
        for (EnumDescriptor e : ours.getEnumTypes()) {
            compareEnum(e, reference.findEnumTypeByName(e.getName()), mismatches);
        }
        assertThat(ours.getMessageTypes()).as("a comparison that compares nothing proves nothing").isNotEmpty();
        return mismatches;
    }

    private static void compareMessage(Descriptor ours, Descriptor reference, List<String> mismatches) {
        if (reference == null) {
            mismatches.add(ours.getFullName() + ": not in the reference");
            return;
        }
        for (FieldDescriptor field : ours.getFields()) {
            FieldDescriptor ref = reference.findFieldByNumber(field.getNumber());
            String where = ours.getFullName() + "#" + field.getNumber();
            if (ref == null) {
                mismatches.add(where + " (" + field.getName() + "): not in the reference");
                continue;
            }
            if (field.getType() != ref.getType()) {
                mismatches.add(where + ": type " + field.getType() + " vs " + ref.getType());
            }
            if (field.isRepeated() != ref.isRepeated() || field.isPacked() != ref.isPacked()) {
                mismatches.add(where + ": repetition/packing differs");
            }
            if (field.isMapField() != ref.isMapField()) {
                mismatches.add(where + ": map-ness differs");
            }
            if (!field.getName().equals(ref.getName())) {
                mismatches.add(where + ": name " + field.getName() + " vs " + ref.getName() + " (JSON form differs)");
            }
            if (field.getType() == FieldDescriptor.Type.MESSAGE || field.getType() == FieldDescriptor.Type.GROUP) {
                if (!field.getMessageType().getFullName().equals(ref.getMessageType().getFullName())) {
                    mismatches.add(where + ": message type " + field.getMessageType().getFullName());
                }
            }
            if (field.getType() == FieldDescriptor.Type.ENUM
                    && !field.getEnumType().getFullName().equals(ref.getEnumType().getFullName())) {
                mismatches.add(where + ": enum type " + field.getEnumType().getFullName());
            }
        }
        for (Descriptor nested : ours.getNestedTypes()) {
            compareMessage(nested, reference.findNestedTypeByName(nested.getName()), mismatches);
        }
        for (EnumDescriptor e : ours.getEnumTypes()) {
            compareEnum(e, reference.findEnumTypeByName(e.getName()), mismatches);
        }
    }

    private static void compareEnum(EnumDescriptor ours, EnumDescriptor reference, List<String> mismatches) {
        if (reference == null) {
            mismatches.add(ours.getFullName() + ": enum not in the reference");
            return;
        }
        for (EnumValueDescriptor value : ours.getValues()) {
            EnumValueDescriptor ref = reference.findValueByNumber(value.getNumber());
            if (ref == null || !ref.getName().equals(value.getName())) {
                mismatches.add(ours.getFullName() + "=" + value.getNumber() + ": " + value.getName() + " vs "
                        + (ref == null ? "absent" : ref.getName()));
            }
        }
        for (EnumValueDescriptor ref : reference.getValues()) {
            if (ours.findValueByNumber(ref.getNumber()) == null) {
                mismatches.add(ours.getFullName() + ": missing value " + ref.getName());
            }
        }
    }

    private static List<String> compareService(ServiceDescriptor ours, ServiceDescriptor reference) {
        List<String> mismatches = new ArrayList<>();
        assertThat(ours.getFullName()).isEqualTo(reference.getFullName());
        for (MethodDescriptor method : ours.getMethods()) {
            MethodDescriptor ref = reference.findMethodByName(method.getName());
            if (ref == null) {
                mismatches.add(method.getName() + ": not in the reference");
                continue;
            }
            if (!method.getInputType().getFullName().equals(ref.getInputType().getFullName())
                    || !method.getOutputType().getFullName().equals(ref.getOutputType().getFullName())
                    || method.isClientStreaming() != ref.isClientStreaming()
                    || method.isServerStreaming() != ref.isServerStreaming()) {
                mismatches.add(method.getName() + ": signature differs");
            }
        }
        return mismatches;
    }
}
