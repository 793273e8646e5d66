package dev.tern.api.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.AccountCommand;
import dev.tern.events.commands.CreateDnsRecord;
import dev.tern.events.commands.CreateDnsZone;
import dev.tern.events.commands.CreateNameServerGroup;
import dev.tern.events.commands.DeleteDnsRecord;
import dev.tern.events.commands.DeleteDnsZone;
import dev.tern.events.commands.DeleteNameServerGroup;
import dev.tern.events.commands.UpdateDnsRecord;
import dev.tern.events.commands.UpdateDnsSettings;
import dev.tern.events.commands.UpdateDnsZone;
import dev.tern.events.commands.UpdateNameServerGroup;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.Ids;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.NameServerGroupDefinition;
import dev.tern.events.values.Names;
import dev.tern.query.dns.DnsReads;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Private DNS in NetBird's shapes: {@code /api/dns/settings} (groups whose DNS Tern does not manage),
 * {@code /api/dns/nameservers} (nameserver groups) and {@code /api/dns/zones} with their {@code records}. The
 * shapes of a value (an IP, a port, a domain, a record's content for its type) are checked here and by the value
 * types; what depends on the account (groups exist, names unique, a record within its zone) by the account.
 */
@RestController
class DnsController {
    private final DnsReads reads;
    private final CommandService commands;

    DnsController(DnsReads reads, CommandService commands) {
        this.reads = reads;
        this.commands = commands;
    }

    // ---------------------------------------------------------------- request and answer shapes

    record SettingsWrite(List<String> disabledManagementGroups) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Settings(List<String> disabledManagementGroups) {
    }

    record NameServerWrite(String ip, String nsType, Integer port) {
    }

    record NameServerGroupWrite(String name, String description, List<NameServerWrite> nameservers, Boolean enabled,
                                List<String> groups, Boolean primary, List<String> domains,
                                Boolean searchDomainsEnabled) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NameServerJson(String ip, String nsType, int port) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NameServerGroupJson(String id, String name, String description, List<NameServerJson> nameservers,
                               boolean enabled, List<String> groups, boolean primary, List<String> domains,
                               boolean searchDomainsEnabled) {
        static NameServerGroupJson of(DnsReads.NameServerGroupView view) {
            NameServerGroupDefinition d = view.definition();
            return new NameServerGroupJson(view.id(), d.name(), d.description(), d.nameservers().stream()
                    .map(ns -> new NameServerJson(ns.ip(), ns.nsType(), ns.port())).toList(), d.enabled(),
                    d.groups(), d.primary(), d.domains(), d.searchDomainsEnabled());
        }
    }

    record ZoneWrite(String name, String domain, Boolean enabled, Boolean enableSearchDomain,
                     List<String> distributionGroups) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ZoneJson(String id, String name, String domain, boolean enabled, boolean enableSearchDomain,
                    List<String> distributionGroups, List<RecordJson> records) {
        static ZoneJson of(DnsReads.ZoneView view) {
            DnsZoneDefinition d = view.definition();
            return new ZoneJson(view.id(), d.name(), d.domain(), d.enabled(), d.enableSearchDomain(),
                    d.distributionGroups(), view.records().stream().map(RecordJson::of).toList());
        }
    }

    record RecordWrite(String name, String type, String content, Integer ttl) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RecordJson(String id, String name, String type, String content, int ttl) {
        static RecordJson of(DnsReads.RecordView view) {
            DnsRecordDefinition d = view.definition();
            return new RecordJson(view.id(), d.name(), d.type().name(), d.content(), d.ttl());
        }
    }

    // ---------------------------------------------------------------- settings

    @GetMapping("/api/dns/settings")
    Settings settings(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        return new Settings(reads.disabledManagementGroups(caller.accountId()));
    }

    @PutMapping("/api/dns/settings")
    Settings updateSettings(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                            @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        SettingsWrite req = JsonBodies.read(body, SettingsWrite.class);
        List<String> groups = JsonBodies.requiredIds(req.disabledManagementGroups(), "disabled_management_groups",
                InputLimits.MAX_GROUPS_PER_RULE_SIDE);
        send(caller, new UpdateDnsSettings(caller.accountId(), groups), request);
        return settings(caller);
    }

    // ---------------------------------------------------------------- nameserver groups

    @GetMapping("/api/dns/nameservers")
    List<NameServerGroupJson> nameServerGroups(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        return reads.nameServerGroups(caller.accountId()).stream().map(NameServerGroupJson::of).toList();
    }

    @GetMapping("/api/dns/nameservers/{nsgroupId}")
    NameServerGroupJson nameServerGroup(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                        @PathVariable String nsgroupId) {
        caller.requireReadAll();
        return NameServerGroupJson.of(findNameServerGroup(caller, nsgroupId));
    }

    @PostMapping("/api/dns/nameservers")
    NameServerGroupJson createNameServerGroup(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                              @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        NameServerGroupDefinition definition = nameServerGroup(JsonBodies.read(body, NameServerGroupWrite.class));
        String id = Ids.newId();
        send(caller, new CreateNameServerGroup(caller.accountId(), id, definition), request);
        return NameServerGroupJson.of(findNameServerGroup(caller, id));
    }

    @PutMapping("/api/dns/nameservers/{nsgroupId}")
    NameServerGroupJson updateNameServerGroup(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                              @PathVariable String nsgroupId,
                                              @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        findNameServerGroup(caller, nsgroupId);
        NameServerGroupDefinition definition = nameServerGroup(JsonBodies.read(body, NameServerGroupWrite.class));
        send(caller, new UpdateNameServerGroup(caller.accountId(), nsgroupId, definition), request);
        return NameServerGroupJson.of(findNameServerGroup(caller, nsgroupId));
    }

    @DeleteMapping("/api/dns/nameservers/{nsgroupId}")
    Map<String, Object> deleteNameServerGroup(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                              @PathVariable String nsgroupId, HttpServletRequest request) {
        caller.requireWrite();
        findNameServerGroup(caller, nsgroupId);
        send(caller, new DeleteNameServerGroup(caller.accountId(), nsgroupId), request);
        return Json.EMPTY;
    }

    static NameServerGroupDefinition nameServerGroup(NameServerGroupWrite req) {
        String name = JsonBodies.required(req.name(), "name");
        List<NameServerWrite> servers = JsonBodies.required(req.nameservers(), "nameservers");
        if (servers.size() > NameServerGroupDefinition.MAX_NAMESERVERS) {
            throw ApiException.badRequest("field 'nameservers' lists " + servers.size() + " nameservers, more than the "
                    + NameServerGroupDefinition.MAX_NAMESERVERS + " allowed");
        }
        List<NameServer> nameServers = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            NameServerWrite ns = servers.get(i);
            String at = "nameservers[" + i + "]";
            if (ns == null) {
                throw ApiException.badRequest("field '" + at + "' must be an object");
            }
            nameServers.add(new NameServer(JsonBodies.required(ns.ip(), at + ".ip"),
                    JsonBodies.required(ns.nsType(), at + ".ns_type"), JsonBodies.required(ns.port(), at + ".port"))
                    .validated());
        }
        List<String> domains = JsonBodies.required(req.domains(), "domains");
        if (domains.size() > NameServerGroupDefinition.MAX_DOMAINS) {
            throw ApiException.badRequest("field 'domains' lists " + domains.size() + " domains, more than the "
                    + NameServerGroupDefinition.MAX_DOMAINS + " allowed");
        }
        if (domains.contains(null)) {
            throw ApiException.badRequest("field 'domains' must not contain null");
        }
        return new NameServerGroupDefinition(name,
                JsonBodies.text(req.description(), "description", InputLimits.MAX_DESCRIPTION), nameServers,
                JsonBodies.required(req.enabled(), "enabled"),
                JsonBodies.requiredIds(req.groups(), "groups", InputLimits.MAX_GROUPS_PER_RULE_SIDE),
                JsonBodies.required(req.primary(), "primary"), domains,
                JsonBodies.required(req.searchDomainsEnabled(), "search_domains_enabled")).validated();
    }

    private DnsReads.NameServerGroupView findNameServerGroup(Caller caller, String id) {
        return reads.nameServerGroup(caller.accountId(), id)
                .orElseThrow(() -> ApiException.notFound("nameserver group " + id + " not found"));
    }

    // ---------------------------------------------------------------- zones

    @GetMapping("/api/dns/zones")
    List<ZoneJson> zones(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        return reads.zones(caller.accountId()).stream().map(ZoneJson::of).toList();
    }

    @GetMapping("/api/dns/zones/{zoneId}")
    ZoneJson zone(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String zoneId) {
        caller.requireReadAll();
        return ZoneJson.of(findZone(caller, zoneId));
    }

    @PostMapping("/api/dns/zones")
    ZoneJson createZone(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody(required = false) byte[] body,
                        HttpServletRequest request) {
        caller.requireWrite();
        DnsZoneDefinition definition = zone(JsonBodies.read(body, ZoneWrite.class));
        String id = Ids.newId();
        send(caller, new CreateDnsZone(caller.accountId(), id, definition), request);
        return ZoneJson.of(findZone(caller, id));
    }

    @PutMapping("/api/dns/zones/{zoneId}")
    ZoneJson updateZone(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String zoneId,
                        @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        findZone(caller, zoneId);
        DnsZoneDefinition definition = zone(JsonBodies.read(body, ZoneWrite.class));
        send(caller, new UpdateDnsZone(caller.accountId(), zoneId, definition), request);
        return ZoneJson.of(findZone(caller, zoneId));
    }

    @DeleteMapping("/api/dns/zones/{zoneId}")
    Map<String, Object> deleteZone(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String zoneId,
                                   HttpServletRequest request) {
        caller.requireWrite();
        findZone(caller, zoneId);
        send(caller, new DeleteDnsZone(caller.accountId(), zoneId), request);
        return Json.EMPTY;
    }

    static DnsZoneDefinition zone(ZoneWrite req) {
        String name = JsonBodies.text(JsonBodies.required(req.name(), "name"), "name", Names.MAX_NAME);
        return new DnsZoneDefinition(name, JsonBodies.required(req.domain(), "domain"),
                req.enabled() == null || req.enabled(), // openapi: enabled defaults to true
                JsonBodies.required(req.enableSearchDomain(), "enable_search_domain"),
                JsonBodies.requiredIds(req.distributionGroups(), "distribution_groups",
                        InputLimits.MAX_GROUPS_PER_RULE_SIDE)).validated();
    }

    private DnsReads.ZoneView findZone(Caller caller, String zoneId) {
        return reads.zone(caller.accountId(), zoneId)
                .orElseThrow(() -> ApiException.notFound("zone " + zoneId + " not found"));
    }

    // ---------------------------------------------------------------- records

    @GetMapping("/api/dns/zones/{zoneId}/records")
    List<RecordJson> records(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String zoneId) {
        caller.requireReadAll();
        return findZone(caller, zoneId).records().stream().map(RecordJson::of).toList();
    }

    @GetMapping("/api/dns/zones/{zoneId}/records/{recordId}")
    RecordJson record(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String zoneId,
                      @PathVariable String recordId) {
        caller.requireReadAll();
        return RecordJson.of(findRecord(caller, zoneId, recordId));
    }

    @PostMapping("/api/dns/zones/{zoneId}/records")
    RecordJson createRecord(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String zoneId,
                            @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        findZone(caller, zoneId);
        DnsRecordDefinition definition = record(JsonBodies.read(body, RecordWrite.class));
        String id = Ids.newId();
        send(caller, new CreateDnsRecord(caller.accountId(), zoneId, id, definition), request);
        return RecordJson.of(findRecord(caller, zoneId, id));
    }

    @PutMapping("/api/dns/zones/{zoneId}/records/{recordId}")
    RecordJson updateRecord(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String zoneId,
                            @PathVariable String recordId, @RequestBody(required = false) byte[] body,
                            HttpServletRequest request) {
        caller.requireWrite();
        findRecord(caller, zoneId, recordId);
        DnsRecordDefinition definition = record(JsonBodies.read(body, RecordWrite.class));
        send(caller, new UpdateDnsRecord(caller.accountId(), zoneId, recordId, definition), request);
        return RecordJson.of(findRecord(caller, zoneId, recordId));
    }

    @DeleteMapping("/api/dns/zones/{zoneId}/records/{recordId}")
    Map<String, Object> deleteRecord(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String zoneId,
                                     @PathVariable String recordId, HttpServletRequest request) {
        caller.requireWrite();
        findRecord(caller, zoneId, recordId);
        send(caller, new DeleteDnsRecord(caller.accountId(), zoneId, recordId), request);
        return Json.EMPTY;
    }

    static DnsRecordDefinition record(RecordWrite req) {
        return new DnsRecordDefinition(JsonBodies.required(req.name(), "name"),
                DnsRecordType.parse(JsonBodies.required(req.type(), "type")),
                JsonBodies.text(JsonBodies.required(req.content(), "content"), "content", 255),
                JsonBodies.required(req.ttl(), "ttl")).validated();
    }

    private DnsReads.RecordView findRecord(Caller caller, String zoneId, String recordId) {
        findZone(caller, zoneId);
        return reads.record(caller.accountId(), zoneId, recordId)
                .orElseThrow(() -> ApiException.notFound("record " + recordId + " not found"));
    }

    private void send(Caller caller, AccountCommand command, HttpServletRequest request) {
        commands.send(command, caller.actor(), request.getRemoteAddr());
    }
}
