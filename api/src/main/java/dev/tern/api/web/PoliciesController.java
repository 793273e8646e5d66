package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.CreatePolicy;
import dev.tern.events.commands.DeletePolicy;
import dev.tern.events.commands.UpdatePolicy;
import dev.tern.events.values.Ids;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.ResourceRef;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.query.groups.GroupReads;
import dev.tern.query.groups.PolicyView;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/policies}: rules name source and destination groups by id on input and come back with
 * GroupMinimum objects, as NetBird does.
 */
@RestController
class PoliciesController {
    private final GroupReads reads;
    private final CommandService commands;

    PoliciesController(GroupReads reads, CommandService commands) {
        this.reads = reads;
        this.commands = commands;
    }

    @GetMapping("/api/policies")
    List<Json.Policy> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        Function<String, Json.GroupMinimum> groups = groupLookup(caller);
        return reads.policies(caller.accountId()).stream().map(p -> Json.Policy.of(p, groups)).toList();
    }

    @GetMapping("/api/policies/{policyId}")
    Json.Policy get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String policyId) {
        caller.requireReadAll();
        return Json.Policy.of(find(caller, policyId), groupLookup(caller));
    }

    @PostMapping("/api/policies")
    Json.Policy create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody(required = false) byte[] body,
                       HttpServletRequest request) {
        caller.requireWrite();
        PolicyDefinition definition = definition(JsonBodies.read(body, Requests.PolicyWrite.class));
        String policyId = Ids.newId();
        commands.send(new CreatePolicy(caller.accountId(), policyId, definition), caller.actor(),
                request.getRemoteAddr());
        return Json.Policy.of(find(caller, policyId), groupLookup(caller));
    }

    @PutMapping("/api/policies/{policyId}")
    Json.Policy update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String policyId,
                       @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        find(caller, policyId);
        PolicyDefinition definition = definition(JsonBodies.read(body, Requests.PolicyWrite.class));
        commands.send(new UpdatePolicy(caller.accountId(), policyId, definition), caller.actor(),
                request.getRemoteAddr());
        return Json.Policy.of(find(caller, policyId), groupLookup(caller));
    }

    @DeleteMapping("/api/policies/{policyId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String policyId,
                               HttpServletRequest request) {
        caller.requireWrite();
        find(caller, policyId);
        commands.send(new DeletePolicy(caller.accountId(), policyId), caller.actor(), request.getRemoteAddr());
        return Json.EMPTY;
    }

    static PolicyDefinition definition(Requests.PolicyWrite req) {
        String name = JsonBodies.required(req.name(), "name");
        boolean enabled = JsonBodies.required(req.enabled(), "enabled");
        List<Requests.RuleWrite> ruleRequests = JsonBodies.required(req.rules(), "rules");
        List<String> postureChecks = JsonBodies.strings(req.sourcePostureChecks(), "source_posture_checks");
        if (postureChecks != null && !postureChecks.isEmpty()) {
            throw ApiException.badRequest("posture checks are not supported by Tern");
        }
        if (ruleRequests.size() > InputLimits.MAX_RULES_PER_POLICY) {
            throw ApiException.badRequest("field 'rules' lists " + ruleRequests.size() + " rules, more than the "
                    + InputLimits.MAX_RULES_PER_POLICY + " allowed");
        }
        String description = JsonBodies.text(req.description(), "description", InputLimits.MAX_DESCRIPTION);
        List<PolicyRule> rules = new ArrayList<>();
        for (int i = 0; i < ruleRequests.size(); i++) {
            rules.add(rule(ruleRequests.get(i), "rules[" + i + "]"));
        }
        return new PolicyDefinition(name, description, enabled, rules, List.of());
    }

    static PolicyRule rule(Requests.RuleWrite r, String at) {
        if (r == null) {
            throw ApiException.badRequest("field '" + at + "' must be an object");
        }
        String name = JsonBodies.required(r.name(), at + ".name");
        boolean enabled = JsonBodies.required(r.enabled(), at + ".enabled");
        RuleAction action = RuleAction.parse(JsonBodies.required(r.action(), at + ".action"));
        boolean bidirectional = JsonBodies.required(r.bidirectional(), at + ".bidirectional");
        Protocol protocol = Protocol.parse(JsonBodies.required(r.protocol(), at + ".protocol"));
        if (present(r.sourceResource())) {
            throw ApiException.badRequest("a source resource in policy rules is not supported by Tern");
        }
        ResourceRef destinationResource = present(r.destinationResource())
                ? resourceRef(r.destinationResource(), at + ".destinationResource") : null;
        if (r.authorizedGroups() != null && !r.authorizedGroups().isEmpty()) {
            throw ApiException.badRequest("authorized_groups is not supported by Tern");
        }
        // Each port entry becomes a firewall rule per remote peer in the maps: more than a few are ranges.
        int portEntries = (r.ports() == null ? 0 : r.ports().size())
                + (r.portRanges() == null ? 0 : r.portRanges().size());
        if (portEntries > InputLimits.MAX_PORTS_PER_RULE) {
            throw ApiException.badRequest("'" + at + "' lists " + portEntries + " ports and port ranges, more than the "
                    + InputLimits.MAX_PORTS_PER_RULE + " allowed: give consecutive ports as a port range");
        }
        String description = JsonBodies.text(r.description(), at + ".description", InputLimits.MAX_DESCRIPTION);
        List<String> portTexts = JsonBodies.strings(r.ports(), at + ".ports");
        List<PortRange> ports = portTexts == null ? List.of() : portTexts.stream().map(PortRange::parse).toList();
        List<PortRange> ranges = new ArrayList<>();
        if (r.portRanges() != null) {
            for (int i = 0; i < r.portRanges().size(); i++) {
                Requests.PortRangeWrite pr = r.portRanges().get(i);
                String where = at + ".port_ranges[" + i + "]";
                if (pr == null) {
                    throw ApiException.badRequest("field '" + where + "' must be an object");
                }
                ranges.add(new PortRange(JsonBodies.required(pr.start(), where + ".start"),
                        JsonBodies.required(pr.end(), where + ".end")));
            }
        }
        if (!ports.isEmpty() && !ranges.isEmpty()) {
            throw ApiException.badRequest("'" + at + "': ports and port_ranges are mutually exclusive");
        }
        String id = r.id() == null || r.id().isBlank() ? Ids.newId() : r.id().trim();
        return new PolicyRule(id, name, description, enabled, action, bidirectional, protocol, ports, ranges,
                JsonBodies.ids(r.sources(), at + ".sources", InputLimits.MAX_GROUPS_PER_RULE_SIDE),
                JsonBodies.ids(r.destinations(), at + ".destinations", InputLimits.MAX_GROUPS_PER_RULE_SIDE),
                destinationResource);
    }

    /** NetBird's Resource {id, type}: a network resource (host, subnet or domain); peers are not supported. */
    private static ResourceRef resourceRef(com.fasterxml.jackson.databind.JsonNode node, String at) {
        if (!node.isObject() || !node.path("id").isTextual() || !node.path("type").isTextual()) {
            throw ApiException.badRequest("field '" + at + "' must be an object with a text id and type");
        }
        String type = node.get("type").asText();
        if (!List.of("host", "subnet", "domain").contains(type)) {
            throw ApiException.badRequest("field '" + at + ".type' must be host, subnet or domain");
        }
        String id = JsonBodies.strings(List.of(node.get("id").asText()), at + ".id").get(0);
        return new ResourceRef(id, type);
    }

    private static boolean present(com.fasterxml.jackson.databind.JsonNode node) {
        return node != null && !node.isNull();
    }

    private Function<String, Json.GroupMinimum> groupLookup(Caller caller) {
        return Json.GroupMinimum.lookup(reads.groups(caller.accountId()));
    }

    private PolicyView find(Caller caller, String policyId) {
        return reads.policy(caller.accountId(), policyId)
                .orElseThrow(() -> ApiException.notFound("policy " + policyId + " not found"));
    }
}
