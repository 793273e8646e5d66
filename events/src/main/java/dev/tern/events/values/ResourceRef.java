package dev.tern.events.values;

/** A policy rule's reference to a network resource (NetBird's Resource: id and type host, subnet or domain). */
public record ResourceRef(String id, String type) {
    public ResourceRef {
        Names.require(id, "resource id", 64);
    }
}
