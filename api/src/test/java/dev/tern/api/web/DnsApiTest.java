package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /api/dns/...}: NetBird's shapes, its activity codes in the audit, and bad input refused without an event. */
@TernIntegrationTest
class DnsApiTest extends ApiTestSupport {

    private static Map<String, Object> nameServerGroup(String name, List<String> groups, List<String> domains) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("description", "corporate resolver");
        body.put("nameservers", List.of(Map.of("ip", "10.9.0.53", "ns_type", "udp", "port", 5353)));
        body.put("enabled", true);
        body.put("groups", groups);
        body.put("primary", domains.isEmpty());
        body.put("domains", domains);
        body.put("search_domains_enabled", !domains.isEmpty());
        return body;
    }

    private static Map<String, Object> zone(String name, String domain, List<String> groups) {
        return Map.of("name", name, "domain", domain, "enable_search_domain", false, "distribution_groups", groups);
    }

    private static Map<String, Object> record(String name, String type, String content) {
        return Map.of("name", name, "type", type, "content", content, "ttl", 300);
    }

    private String audited(String targetId, String code) {
        TestHttp.Response r = http.get("/api/events/audit?target_id=" + targetId + "&activity_code=" + code, admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().size()).as("%s of %s: %s", code, targetId, r).isEqualTo(1);
        return r.json().get(0).get("activity_code").asText();
    }

    @Test
    void nameServerGroupsAreCreatedReadUpdatedDeletedAndAudited() {
        String dev = createGroup(unique("dns-dev"));
        String name = unique("corp");
        TestHttp.Response created = http.post("/api/dns/nameservers", admin(),
                nameServerGroup(name, List.of(dev), List.of("Corp.Example.")));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        JsonNode ns = created.json();
        String id = ns.get("id").asText();
        assertThat(ns.get("name").asText()).isEqualTo(name);
        assertThat(ns.get("description").asText()).isEqualTo("corporate resolver");
        assertThat(ns.get("nameservers").get(0).get("ip").asText()).isEqualTo("10.9.0.53");
        assertThat(ns.get("nameservers").get(0).get("ns_type").asText()).isEqualTo("udp");
        assertThat(ns.get("nameservers").get(0).get("port").asInt()).isEqualTo(5353);
        assertThat(ns.get("groups").get(0).asText()).isEqualTo(dev);
        assertThat(ns.get("domains").get(0).asText()).isEqualTo("corp.example");
        assertThat(ns.get("primary").asBoolean()).isFalse();
        assertThat(ns.get("search_domains_enabled").asBoolean()).isTrue();
        assertThat(ns.get("enabled").asBoolean()).isTrue();
        assertThat(texts(http.get("/api/dns/nameservers", admin()).json(), "id")).contains(id);

        TestHttp.Response updated = http.put("/api/dns/nameservers/" + id, admin(),
                nameServerGroup(name, List.of(dev), List.of()));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        JsonNode got = http.get("/api/dns/nameservers/" + id, admin()).json();
        assertThat(got.get("primary").asBoolean()).isTrue();
        assertThat(got.get("domains").size()).isZero();

        // a group a nameserver group distributes to cannot be deleted
        assertError(http.delete("/api/groups/" + dev, admin()), 409);

        assertThat(http.delete("/api/dns/nameservers/" + id, admin()).status()).isEqualTo(200);
        assertError(http.get("/api/dns/nameservers/" + id, admin()), 404);
        assertThat(audited(id, "nameserver.group.add")).isEqualTo("nameserver.group.add");
        assertThat(audited(id, "nameserver.group.update")).isEqualTo("nameserver.group.update");
        assertThat(audited(id, "nameserver.group.delete")).isEqualTo("nameserver.group.delete");
    }

    @Test
    void badNameServerGroupsAre400Or404AndLeaveNoEvent() {
        String dev = createGroup(unique("dns-bad"));
        long before = auditTotal(admin());
        Map<String, Object> badIp = nameServerGroup("a", List.of(dev), List.of("corp.example"));
        badIp.put("nameservers", List.of(Map.of("ip", "10.9.0.300", "ns_type", "udp", "port", 53)));
        assertError(http.post("/api/dns/nameservers", admin(), badIp), 400);
        Map<String, Object> badPort = nameServerGroup("a", List.of(dev), List.of("corp.example"));
        badPort.put("nameservers", List.of(Map.of("ip", "10.9.0.1", "ns_type", "udp", "port", 70000)));
        assertError(http.post("/api/dns/nameservers", admin(), badPort), 400);
        assertError(http.post("/api/dns/nameservers", admin(),
                nameServerGroup("a", List.of(dev), List.of("not a domain"))), 400);
        assertError(http.post("/api/dns/nameservers", admin(),
                nameServerGroup("a", List.of("no-such-group"), List.of("corp.example"))), 400);
        Map<String, Object> primaryWithDomains = nameServerGroup("a", List.of(dev), List.of("corp.example"));
        primaryWithDomains.put("primary", true);
        assertError(http.post("/api/dns/nameservers", admin(), primaryWithDomains), 400);
        Map<String, Object> noGroups = nameServerGroup("a", List.of(), List.of("corp.example"));
        assertError(http.post("/api/dns/nameservers", admin(), noGroups), 400);
        assertError(http.put("/api/dns/nameservers/nope", admin(),
                nameServerGroup("a", List.of(dev), List.of("corp.example"))), 404);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void zonesAndRecordsAreManagedAndAudited() {
        String domain = unique("office") + ".example";
        TestHttp.Response created = http.post("/api/dns/zones", admin(), zone("office", domain,
                List.of(allGroup())));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String zoneId = created.json().get("id").asText();
        assertThat(created.json().get("domain").asText()).isEqualTo(domain);
        assertThat(created.json().get("enabled").asBoolean()).as("enabled defaults to true").isTrue();
        assertThat(created.json().get("records").size()).isZero();

        TestHttp.Response rec = http.post("/api/dns/zones/" + zoneId + "/records", admin(),
                record("registry." + domain, "A", "10.10.10.5"));
        assertThat(rec.status()).as(rec.toString()).isEqualTo(200);
        String recordId = rec.json().get("id").asText();
        assertThat(rec.json().get("type").asText()).isEqualTo("A");
        assertThat(rec.json().get("content").asText()).isEqualTo("10.10.10.5");
        assertThat(rec.json().get("ttl").asInt()).isEqualTo(300);
        assertThat(http.get("/api/dns/zones/" + zoneId, admin()).json().get("records").get(0).get("id").asText())
                .isEqualTo(recordId);

        TestHttp.Response cname = http.put("/api/dns/zones/" + zoneId + "/records/" + recordId, admin(),
                record("registry." + domain, "CNAME", "mirror." + domain));
        assertThat(cname.status()).as(cname.toString()).isEqualTo(200);
        assertThat(http.get("/api/dns/zones/" + zoneId + "/records", admin()).json().get(0).get("content").asText())
                .isEqualTo("mirror." + domain);

        assertThat(http.delete("/api/dns/zones/" + zoneId + "/records/" + recordId, admin()).status()).isEqualTo(200);
        assertError(http.get("/api/dns/zones/" + zoneId + "/records/" + recordId, admin()), 404);
        assertThat(http.delete("/api/dns/zones/" + zoneId, admin()).status()).isEqualTo(200);
        assertError(http.get("/api/dns/zones/" + zoneId, admin()), 404);
        audited(zoneId, "dns.zone.create");
        audited(zoneId, "dns.zone.delete");
        audited(recordId, "dns.zone.record.create");
        audited(recordId, "dns.zone.record.update");
        audited(recordId, "dns.zone.record.delete");
    }

    @Test
    void badZonesAndRecordsAre400Or404AndLeaveNoEvent() {
        String domain = unique("lab") + ".example";
        String zoneId = http.post("/api/dns/zones", admin(), zone("lab", domain, List.of(allGroup()))).json()
                .get("id").asText();
        String records = "/api/dns/zones/" + zoneId + "/records";
        long before = auditTotal(admin());
        assertError(http.post("/api/dns/zones", admin(), zone("x", "bad_domain!", List.of(allGroup()))), 400);
        assertError(http.post("/api/dns/zones", admin(), zone("x", domain, List.of(allGroup()))), 400);
        assertError(http.post("/api/dns/zones", admin(), zone("x", "y." + domain + "x", List.of("ghost"))), 400);
        assertError(http.post(records, admin(), record("a." + domain, "A", "fd00::1")), 400);
        assertError(http.post(records, admin(), record("a." + domain, "AAAA", "10.0.0.1")), 400);
        assertError(http.post(records, admin(), record("a." + domain, "CNAME", "10.0.0.1")), 400);
        assertError(http.post(records, admin(), record("a." + domain, "MX", "mail.example")), 400);
        assertError(http.post(records, admin(), record("a.elsewhere.example", "A", "10.0.0.1")), 400);
        assertError(http.post("/api/dns/zones/nope/records", admin(), record("a." + domain, "A", "10.0.0.1")), 404);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void settingsNameTheGroupsWhoseDnsIsNotManaged() {
        String servers = createGroup(unique("dns-unmanaged"));
        TestHttp.Response put = http.put("/api/dns/settings", admin(), Map.of("disabled_management_groups",
                List.of(servers)));
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(http.get("/api/dns/settings", admin()).json().get("disabled_management_groups").get(0).asText())
                .isEqualTo(servers);
        // other tests change the account's DNS settings too: exactly one entry names this group
        TestHttp.Response added = http.get("/api/events/audit?target_id=" + accountId()
                + "&activity_code=dns.setting.disabled.management.group.add", admin());
        assertThat(added.json().findValues("group").stream().map(JsonNode::asText).filter(servers::equals).count())
                .as(added.toString()).isEqualTo(1);

        long before = auditTotal(admin());
        assertError(http.put("/api/dns/settings", admin(), Map.of("disabled_management_groups",
                List.of("no-such-group"))), 400);
        assertError(http.put("/api/dns/settings", admin(), Map.of()), 400);
        assertThat(auditTotal(admin())).isEqualTo(before);

        assertThat(http.put("/api/dns/settings", admin(), Map.of("disabled_management_groups", List.of())).status())
                .isEqualTo(200);
        assertThat(http.get("/api/dns/settings", admin()).json().get("disabled_management_groups").size()).isZero();
    }

    @Test
    void anotherAccountSeesNoneOfItAndOnlyWritersWrite() {
        String domain = unique("private") + ".example";
        String zoneId = http.post("/api/dns/zones", admin(), zone("private", domain, List.of(allGroup()))).json()
                .get("id").asText();
        String nsId = http.post("/api/dns/nameservers", admin(), nameServerGroup(unique("ns"), List.of(allGroup()),
                List.of("private.example"))).json().get("id").asText();

        OtherAccount other = otherAccount();
        assertError(http.get("/api/dns/zones/" + zoneId, other.token()), 404);
        assertError(http.get("/api/dns/nameservers/" + nsId, other.token()), 404);
        assertError(http.post("/api/dns/zones/" + zoneId + "/records", other.token(),
                record("x." + domain, "A", "10.0.0.1")), 404);
        assertError(http.delete("/api/dns/nameservers/" + nsId, other.token()), 404);
        assertThat(texts(http.get("/api/dns/zones", other.token()).json(), "id")).doesNotContain(zoneId);

        RoleUser auditor = serviceUser("auditor");
        assertThat(http.get("/api/dns/zones/" + zoneId, auditor.token()).status()).isEqualTo(200);
        assertError(http.post("/api/dns/zones/" + zoneId + "/records", auditor.token(),
                record("x." + domain, "A", "10.0.0.1")), 403);
        assertError(http.put("/api/dns/settings", auditor.token(), Map.of("disabled_management_groups", List.of())),
                403);
        assertError(http.get("/api/dns/nameservers", serviceUser("user").token()), 403);
    }

    private String allGroup() {
        for (JsonNode g : http.get("/api/groups", admin()).json()) {
            if (g.get("name").asText().equals("All")) {
                return g.get("id").asText();
            }
        }
        throw new AssertionError("no All group");
    }

    private String accountId() {
        return http.get("/api/accounts", admin()).json().get(0).get("id").asText();
    }
}
