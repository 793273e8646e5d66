#!/usr/bin/env bash
# The seed workflow from the README, verbatim with curl and jq: a group, a reusable setup key that puts new peers
# into it, a second group, a policy linking the two, then the peers. Needs TERN_URL (e.g. http://localhost:8080,
# or https://tern.example:8080 when tern-server runs with TLS) and TOKEN (a personal access token, e.g. from
# POST /api/setup with create_pat). A server certificate from a private CA: export CURL_CA_BUNDLE=/path/to/ca.pem
# (curl's own variable; the certificate is still verified, host name included).
set -euo pipefail
: "${TERN_URL:?set TERN_URL, e.g. http://localhost:8080}"
: "${TOKEN:?set TOKEN to a personal access token (nbp_...)}"
api() { curl -sS --fail-with-body -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' "$@"; }

SERVERS=$(api -X POST "$TERN_URL/api/groups" -d '{"name":"servers"}' | jq -r .id)
api -X POST "$TERN_URL/api/setup-keys" \
  -d "{\"name\":\"servers\",\"type\":\"reusable\",\"expires_in\":86400,\"auto_groups\":[\"$SERVERS\"],\"usage_limit\":10}" \
  | jq '{id, name, type, state, usage_limit, auto_groups}'
LAPTOPS=$(api -X POST "$TERN_URL/api/groups" -d '{"name":"laptops"}' | jq -r .id)
api -X POST "$TERN_URL/api/policies" \
  -d "{\"name\":\"laptops-to-servers\",\"enabled\":true,\"rules\":[{\"name\":\"laptops-to-servers\",\"enabled\":true,\"action\":\"accept\",\"bidirectional\":true,\"protocol\":\"all\",\"sources\":[\"$LAPTOPS\"],\"destinations\":[\"$SERVERS\"]}]}" \
  | jq '{id, name, enabled, rules: [.rules[] | {name, sources: [.sources[].name], destinations: [.destinations[].name]}]}'
api "$TERN_URL/api/peers" | jq '.[] | {name, ip, connected}'
