/**
 * Per-peer network maps, kept in memory and recomputed incrementally from the account events.
 * <ul>
 *   <li>{@link dev.tern.projector.NetworkMapProjector} — the entry point: {@code apply(event)}, {@code currentMap},
 *       {@code accessiblePeers}, {@code findPeer(wgKey)}, {@code subscribe}.</li>
 *   <li>{@link dev.tern.projector.PeerNetworkMap} — one peer's map (own config, remote peers, offline peers whose
 *       login expired, firewall rules, DNS records, its own login state, serial); {@link dev.tern.projector.NetworkMapDelta} — the difference between two of them.</li>
 *   <li>{@link dev.tern.projector.NetworkMapHub} — fan-out with one "newest map" slot per subscriber.</li>
 *   <li>{@link dev.tern.projector.NetworkMapEventHandler} — the Axon adapter (Axon is an optional dependency: the
 *       rest is plain Java on the {@code events} module).</li>
 * </ul>
 * Semantics follow NetBird's {@code GetPeerConnectionResources}; see {@code NetworkMapComputer} for the rules and
 * the one deliberate difference (no 0.0.0.0 collapsing of rules that cover every other peer).
 */
package dev.tern.projector;
