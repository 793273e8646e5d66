#!/usr/bin/env bash
# Issue 12's as_of benchmark: every as-of GET of a 5,000-peer account (the peers list, a peer, its network map, accessible
# peers, access, timeline, groups, policies, setup keys, users, routes, networks, nameservers, the account) mid-history
# and near now, every request as of another state: the server's path (the account's events folded in memory; warm and
# cold caches) against the reference (the read tables built as of the instant), in one run against an in-process
# tern-server on embedded PostgreSQL. Prints a markdown table.
#   scripts/bench-asof.sh [PEERS] [RUNS]   # defaults 5000 peers, 50 runs per reading
#   scripts/bench-asof.sh 300 5            # smoke: checks the runner in about a minute
set -euo pipefail
cd "$(dirname "$0")/.."
peers=${1:-5000}
runs=${2:-50}
./mvnw -B -q -o -pl bench -am -DskipTests compile 2>/dev/null || ./mvnw -B -q -pl bench -am -DskipTests compile
exec java -Xmx4g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.tern.bench.AsOfBench \
  "$peers" "$runs"
