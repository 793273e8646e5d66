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

    GroupsController(GroupReads reads, CommandService commands) {
        this.reads = reads;
        this.commands = commands;
    }

    /** {@code name} filters by exact match, as NetBird's. */
    @GetMapping("/api/groups")
    List<Json.Group> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                          @RequestParam(required = false) String name) {
        caller.requireReadAll();
        return reads.groups(caller.accountId()).stream().filter(g -> name == null || name.equals(g.name()))
                .map(Json.Group::of).toList();
    }

    @GetMapping("/api/groups/{groupId}")
    Json.Group get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String groupId) {
        caller.requireReadAll();
        return Json.Group.of(find(caller, groupId));
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
        return Json.Group.of(find(caller, groupId));
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
        return Json.Group.of(find(caller, groupId));
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

    private GroupView find(Caller caller, String groupId) {
        return reads.group(caller.accountId(), groupId)
                .orElseThrow(() -> ApiException.notFound("group " + groupId + " not found"));
    }
}
