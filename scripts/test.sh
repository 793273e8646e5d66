#!/usr/bin/env bash
# Runs every Tern test: unit, integration (embedded PostgreSQL) and end-to-end (network namespaces, real
# wireguard-go). Needs root for the end-to-end tests; installs what they need on Debian/Ubuntu first.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v java >/dev/null 2>&1 || need_pkgs+=(openjdk-17-jdk-headless)
command -v wireguard-go >/dev/null 2>&1 || need_pkgs+=(wireguard-go)
command -v wg >/dev/null 2>&1 || need_pkgs+=(wireguard-tools)
command -v nft >/dev/null 2>&1 || need_pkgs+=(nftables)
command -v ip >/dev/null 2>&1 || need_pkgs+=(iproute2)
command -v ping >/dev/null 2>&1 || need_pkgs+=(iputils-ping)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v jq >/dev/null 2>&1 || need_pkgs+=(jq)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)  # ErrorsApiTest: a client that sends its whole body first
python3 -c 'import ensurepip' >/dev/null 2>&1 || need_pkgs+=(python3-venv)  # BadInputSweepTest: schemathesis in a venv
command -v dig >/dev/null 2>&1 || need_pkgs+=(bind9-dnsutils)  # names through the agent's and NetBird client's resolvers
command -v dnsmasq >/dev/null 2>&1 || need_pkgs+=(dnsmasq-base)  # Mesh/NetBirdClientEndToEndTest: nameserver group and upstream DNS servers
command -v node >/dev/null 2>&1 || need_pkgs+=(nodejs npm)  # the sign-in tests' OpenID Provider (npm oidc-provider); version checked below
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${need_pkgs[*]} — run this script as root (sudo) so it can install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi

# The ACME tests build Let's Encrypt's pebble, and the e2e tests NetBird's client (v0.77.1 needs go 1.25.5), from
# their Go modules (scripts/go-tool.sh, cached in ~/.cache/tern-test-tools); they fail, never skip, without Go.
# Go is not installed from Debian here: its golang-go may be older than these need.
# Go's own installer puts it under /usr/local/go, which a non-login shell may not have on PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed (needed to build pebble and NetBird's client for the tests): install Go >= 1.25.5 and put it on PATH" >&2
  exit 1
fi

# The sign-in tests run a real OpenID Provider, node's oidc-provider (test-support's OidcTestProvider installs the
# pinned version with npm into ~/.cache/tern-test-tools); they fail, never skip, without node >= 20 and npm.
node_major="$(node --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p')"
if [ -z "$node_major" ] || [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js >= 20 with npm is needed (the sign-in tests run oidc-provider from npm); found: $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi

export AXONIQ_UPDATE_CHECKER_DISABLED=true
exec ./mvnw -B verify "$@"
