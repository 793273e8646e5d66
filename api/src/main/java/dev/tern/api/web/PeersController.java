package dev.tern.api.web;

import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.commands.UpdatePeer;
import dev.tern.events.values.Names;
import dev.tern.query.peers.PeerReads;
import dev.tern.query.peers.PeerView;
import dev.tern.query.users.AccountView;
import dev.tern.query.users.UserReads;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/peers}: peers join over gRPC; here they are listed, updated, deleted. Plain users see their own. */
@RestController
class PeersController {
    private final PeerReads reads;
    private final UserReads accounts;
    private final CommandService commands;
    private final ProjectedAccess access;

    PeersController(PeerReads reads, UserReads accounts, CommandService commands, ProjectedAccess access) {
        this.reads = reads;
        this.accounts = accounts;
        this.commands = commands;
        this.access = access;
    }

    /** NetBird's PeerBatch list; {@code name} and {@code ip} filter by exact match. */
    @GetMapping("/api/peers")
    List<Json.Peer> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                         @RequestParam(required = false) String name, @RequestParam(required = false) String ip) {
        String domain = dnsDomain(caller);
        List<PeerView> peers = reads.peers(caller.accountId());
        Map<String, Integer> counts = access.accessibleCounts(caller.accountId());
        return peers.stream()
                .filter(p -> caller.readsEverything() || caller.is(p.userId()))
                .filter(p -> name == null || name.equals(p.name()))
                .filter(p -> ip == null || ip.trim().equals(p.ip()))
                .map(p -> Json.Peer.of(p, domain, counts.getOrDefault(p.id(), 0))).toList();
    }

    @GetMapping("/api/peers/{peerId}")
    Json.Peer get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String peerId) {
        PeerView peer = find(caller, peerId);
        caller.requireReadOf(peer.userId());
        return Json.Peer.of(peer, dnsDomain(caller));
    }

    @GetMapping("/api/peers/{peerId}/accessible-peers")
    List<Json.AccessiblePeer> accessible(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                         @PathVariable String peerId) {
        PeerView peer = find(caller, peerId);
        caller.requireReadOf(peer.userId());
        String domain = dnsDomain(caller);
        List<String> accessibleIds = access.accessiblePeerIds(caller.accountId(), peerId);
        // The map names the peers; their REST fields (status, OS, owner) come from the read model.
        Map<String, PeerView> peers = reads.peers(caller.accountId()).stream()
                .collect(Collectors.toMap(PeerView::id, Function.identity()));
        return accessibleIds.stream().map(peers::get).filter(Objects::nonNull)
                .map(p -> Json.AccessiblePeer.of(p, domain)).toList();
    }

    @PutMapping("/api/peers/{peerId}")
    Json.Peer update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String peerId,
                     @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        PeerView peer = find(caller, peerId);
        Requests.PeerUpdate req = JsonBodies.read(body, Requests.PeerUpdate.class);
        String name = Names.require(JsonBodies.required(req.name(), "name"), "peer name", Names.MAX_NAME);
        boolean ssh = JsonBodies.required(req.sshEnabled(), "ssh_enabled");
        boolean loginExpiration = JsonBodies.required(req.loginExpirationEnabled(), "login_expiration_enabled");
        boolean inactivityExpiration = JsonBodies.required(req.inactivityExpirationEnabled(),
                "inactivity_expiration_enabled");
        if (req.ip() != null && !req.ip().trim().equals(peer.ip())) {
            throw ApiException.badRequest("changing a peer's IP is not supported by Tern");
        }
        commands.send(new UpdatePeer(caller.accountId(), peerId, name, ssh, loginExpiration, inactivityExpiration),
                caller.actor(), request.getRemoteAddr());
        return Json.Peer.of(find(caller, peerId), dnsDomain(caller));
    }

    @DeleteMapping("/api/peers/{peerId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String peerId,
                               HttpServletRequest request) {
        caller.requireWrite();
        find(caller, peerId);
        commands.send(new DeletePeer(caller.accountId(), peerId), caller.actor(), request.getRemoteAddr());
        return Json.EMPTY;
    }

    private PeerView find(Caller caller, String peerId) {
        return reads.peer(caller.accountId(), peerId)
                .orElseThrow(() -> ApiException.notFound("peer " + peerId + " not found"));
    }

    private String dnsDomain(Caller caller) {
        return accounts.account(caller.accountId()).map(AccountView::dnsDomain).orElse("");
    }
}
