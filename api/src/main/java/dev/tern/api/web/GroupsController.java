package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.CreateGroup;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.UpdateGroup;
import dev.tern.events.values.Ids;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.Names;
import dev.tern.query.groups.GroupReads;
import dev.tern.query.groups.GroupView;
import dev.tern.query.networks.NetworkReads;
import dev.tern.query.networks.NetworkView;
import dev.tern.events.values.ResourceRef;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/groups}: peer groups, including the built-in All group (which the aggregate protects). */
@RestController
class GroupsController {
    private final GroupReads reads;
    private final CommandService commands;
    private final NetworkReads networks;

    GroupsController(GroupReads reads, CommandService commands, NetworkReads networks) {
        this.reads = reads;
        this.commands = commands;
        this.networks = networks;
    }

    /** {@code name} filters by exact match, as NetBird's. */
    @GetMapping("/api/groups")
    List<Json.Group> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                          @RequestParam(required = false) String name) {
        caller.requireReadAll();
        Map<String, List<ResourceRef>> resources = resourcesByGroup(caller);
        return reads.groups(caller.accountId()).stream().filter(g -> name == null || name.equals(g.name()))
                .map(g -> Json.Group.of(g, resources.getOrDefault(g.id(), List.of()))).toList();
    }

    @GetMapping("/api/groups/{groupId}")
    Json.Group get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String groupId) {
        caller.requireReadAll();
        return json(caller, find(caller, groupId));
    }

    @PostMapping("/api/groups")
    Json.Group create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody(required = false) byte[] body,
                      HttpServletRequest request) {
        caller.requireWrite();
        Requests.GroupWrite req = parse(body);
        String groupId = Ids.newId();
        List<String> peers = JsonBodies.ids(req.peers(), "peers", InputLimits.MAX_PEERS_PER_GROUP);
        commands.send(new CreateGroup(caller.accountId(), groupId, req.name(), peers == null ? List.of() : peers),
                caller.actor(), request.getRemoteAddr());
        return json(caller, find(caller, groupId));
    }

    @PutMapping("/api/groups/{groupId}")
    Json.Group update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String groupId,
                      @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        find(caller, groupId);
        Requests.GroupWrite req = parse(body);
        List<String> peers = JsonBodies.ids(req.peers(), "peers", InputLimits.MAX_PEERS_PER_GROUP);
        commands.send(new UpdateGroup(caller.accountId(), groupId, req.name(), peers), caller.actor(),
                request.getRemoteAddr());
        return json(caller, find(caller, groupId));
    }

    @DeleteMapping("/api/groups/{groupId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String groupId,
                               HttpServletRequest request) {
        caller.requireWrite();
        find(caller, groupId);
        commands.send(new DeleteGroup(caller.accountId(), groupId), caller.actor(), request.getRemoteAddr());
        return Json.EMPTY;
    }

    private static Requests.GroupWrite parse(byte[] body) {
        Requests.GroupWrite req = JsonBodies.read(body, Requests.GroupWrite.class);
        String name = Names.require(JsonBodies.required(req.name(), "name"), "group name", Names.MAX_NAME);
        if (req.resources() != null && !req.resources().isEmpty()) {
            throw ApiException.badRequest("group resources are not supported by Tern");
        }
        return new Requests.GroupWrite(name, req.peers(), null);
    }

    private Json.Group json(Caller caller, GroupView group) {
        return Json.Group.of(group, resourcesByGroup(caller).getOrDefault(group.id(), List.of()));
    }

    /** The network resources each group holds (a resource names its groups). */
    private Map<String, List<ResourceRef>> resourcesByGroup(Caller caller) {
        Map<String, List<ResourceRef>> byGroup = new java.util.HashMap<>();
        for (NetworkView.Resource resource : networks.allResources(caller.accountId())) {
            for (String groupId : resource.definition().groups()) {
                byGroup.computeIfAbsent(groupId, g -> new java.util.ArrayList<>())
                        .add(new ResourceRef(resource.id(), resource.definition().type()));
            }
        }
        return byGroup;
    }

    private GroupView find(Caller caller, String groupId) {
        return reads.group(caller.accountId(), groupId)
                .orElseThrow(() -> ApiException.notFound("group " + groupId + " not found"));
    }
}
