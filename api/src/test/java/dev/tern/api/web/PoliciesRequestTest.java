package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoliciesRequestTest {

    static PolicyDefinition parse(String json) {
        return PoliciesController.definition(JsonBodies.read(json.getBytes(StandardCharsets.UTF_8),
                Requests.PolicyWrite.class));
    }

    @Test
    void readsNetBirdsPolicyCreateShape() {
        PolicyDefinition d = parse("""
                {"name":"ssh","description":"d","enabled":true,"rules":[
                  {"name":"r1","enabled":true,"action":"accept","bidirectional":false,"protocol":"tcp",
                   "ports":["22","8000-8100"],"sources":["g1"],"destinations":["g2"]},
                  {"id":"keep-me","name":"r2","enabled":false,"action":"drop","bidirectional":true,"protocol":"udp",
                   "port_ranges":[{"start":53,"end":53},{"start":60000,"end":61000}],
                   "sources":["g2"],"destinations":["g1"]}]}""");
        assertThat(d.name()).isEqualTo("ssh");
        assertThat(d.enabled()).isTrue();
        PolicyRule r1 = d.rules().get(0);
        assertThat(r1.id()).isNotBlank();
        assertThat(r1.action()).isEqualTo(RuleAction.ACCEPT);
        assertThat(r1.protocol()).isEqualTo(Protocol.TCP);
        assertThat(r1.ports()).containsExactly(PortRange.single(22), new PortRange(8000, 8100));
        assertThat(r1.bidirectional()).isFalse();
        PolicyRule r2 = d.rules().get(1);
        assertThat(r2.id()).isEqualTo("keep-me");
        assertThat(r2.portRanges()).containsExactly(PortRange.single(53), new PortRange(60000, 61000));
        assertThat(r2.enabled()).isFalse();
    }

    @Test
    void rejectsWhatCanNeverBeValid() {
        String rule = "{\"name\":\"r\",\"enabled\":true,\"action\":\"accept\",\"bidirectional\":true,"
                + "\"protocol\":\"%s\",\"sources\":[\"g\"],\"destinations\":[\"g\"]%s}";
        String policy = "{\"name\":\"p\",\"enabled\":true,\"rules\":[%s]}";
        assertThatThrownBy(() -> parse(policy.formatted(rule.formatted("sctp", ""))))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("protocol 'sctp'");
        assertThatThrownBy(() -> parse(policy.formatted(rule.formatted("tcp", ",\"ports\":[\"22\"],"
                + "\"port_ranges\":[{\"start\":1,\"end\":2}]")))).isInstanceOf(ApiException.class)
                .hasMessageContaining("mutually exclusive");
        assertThatThrownBy(() -> parse(policy.formatted(rule.formatted("tcp", ",\"ports\":[\"ssh\"]"))))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> parse(policy.formatted(rule.formatted("tcp", ",\"port_ranges\":[{\"start\":90,"
                + "\"end\":80}]")))).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> parse(policy.formatted(rule.formatted("all", ",\"ports\":[\"22\"]"))))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("tcp or udp");
        assertThatThrownBy(() -> parse(policy.formatted("")))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("no rules");
        assertThatThrownBy(() -> parse("{\"name\":\"p\",\"enabled\":true}"))
                .isInstanceOf(ApiException.class).hasMessageContaining("'rules' is required");
        assertThatThrownBy(() -> parse("{\"name\":\"\",\"enabled\":true,\"rules\":[" + rule.formatted("tcp", "")
                + "]}")).isInstanceOf(InvalidValueException.class).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> parse("{\"name\":\"" + "x".repeat(256) + "\",\"enabled\":true,\"rules\":["
                + rule.formatted("tcp", "") + "]}")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("longer than");
        assertThatThrownBy(() -> parse(policy.formatted("{\"name\":\"r\",\"enabled\":true,\"action\":\"accept\","
                + "\"protocol\":\"tcp\",\"sources\":[\"g\"],\"destinations\":[\"g\"]}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("rules[0].bidirectional");
        assertThatThrownBy(() -> parse(policy.formatted(rule.formatted("tcp", ",\"sourceResource\":{\"id\":\"r\","
                + "\"type\":\"host\"}")))).isInstanceOf(ApiException.class).hasMessageContaining("not supported");
        assertThatThrownBy(() -> parse(policy.formatted(rule.formatted("tcp", ",\"destinationResource\":{\"id\":"
                + "\"r\",\"type\":\"peer\"}")))).isInstanceOf(ApiException.class)
                .hasMessageContaining("host, subnet or domain");
        assertThatThrownBy(() -> parse(policy.formatted(rule.formatted("all", "").replace("\"accept\"",
                "\"allow\"")))).isInstanceOf(InvalidValueException.class).hasMessageContaining("rule action");
    }

    @Test
    void rulesKeepTheirOrderAndGroups() {
        PolicyDefinition d = parse("""
                {"name":"p","enabled":false,"rules":[{"name":"r","enabled":true,"action":"accept",
                 "bidirectional":true,"protocol":"icmp","sources":["a","b"],"destinations":["c"]}]}""");
        assertThat(d.enabled()).isFalse();
        assertThat(d.rules().get(0).sources()).isEqualTo(List.of("a", "b"));
        assertThat(d.rules().get(0).destinations()).isEqualTo(List.of("c"));
    }
}
