-- A peer's extra DNS labels (NetBird's extra_dns_labels), a JSON array of labels; REST shows them as label.<domain>.
ALTER TABLE rm_peers ADD COLUMN extra_dns_labels TEXT NOT NULL DEFAULT '[]';
