#!/usr/bin/env bash
# Issue 12's history benchmarks at a million events: replay into every read model beside a plain JDBC scan of the
# same events, then the audit page per filter (p50/p99), the unfiltered pages also as read before V230, and the
# filters without V200's and V201's indexes. The history is generated
# once (a few minutes) into an embedded PostgreSQL under bench/target/bench-history/, keyed by generator version,
# size and seed, and reused by later runs (delete the directory to write it anew).
#   scripts/bench-history.sh [EVENTS] [SAMPLES] [--phases=scan,replay,replay-kept,audit]   # defaults 1000000 200,
#                                                   scan, replay and audit (replay-kept: a second replay over the trail)
#   scripts/bench-history.sh 20000 50                                          # smoke: checks the runner, numbers mean nothing
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f bench/target/classpath.txt ]]; then
  ./mvnw -B -q -DskipTests install
fi
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
exec java -Xmx3g -cp "$cp" dev.tern.bench.history.HistoryBench "$@"
