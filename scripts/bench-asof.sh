#!/usr/bin/env bash
# Issue 12's as_of benchmark: GET /api/peers?as_of= and GET /api/peers/{id}/network-map?as_of= of a 5,000-peer account
# mid-history and near now (every request as of another state), with read-model checkpoints (warm and cold network
# maps) and without (the whole history replayed), in one run against an in-process tern-server on embedded
# PostgreSQL. Prints a markdown table.
#   scripts/bench-asof.sh [PEERS] [RUNS] [EVERY] [KEPT]   # defaults 5000 peers, 50 runs per reading,
#                                                       # a checkpoint every 500 events, 10 kept (the server's defaults)
#   scripts/bench-asof.sh 300 5                         # smoke: checks the runner in about a minute
set -euo pipefail
cd "$(dirname "$0")/.."
peers=${1:-5000}
runs=${2:-50}
every=${3:-500}
kept=${4:-10}
./mvnw -B -q -o -pl bench -am -DskipTests compile 2>/dev/null || ./mvnw -B -q -pl bench -am -DskipTests compile
exec java -Xmx4g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.tern.bench.AsOfBench \
  "$peers" "$runs" "$every" "$kept"
