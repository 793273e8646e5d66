#!/usr/bin/env bash
# Issue 10's map benchmark: every peer's map at 5,000 peers / 200 groups, without and with 200 routes and 50
# nameserver groups. Each variant runs in a JVM of its own (one JVM measuring both lets the JIT's profile of the first
# shape the second), alternating, ROUNDS times; prints each reading and the ratio of the medians.
#   scripts/bench-route-maps.sh [ROUNDS] [RUNS]      # defaults 3 rounds, 21 runs per reading
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
runs=${2:-21}
if [[ ! -f bench/target/classpath.txt ]]; then
  ./mvnw -B -q -DskipTests install
fi
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
declare -a without=() with=()
for ((i = 1; i <= rounds; i++)); do
  for variant in without with; do
    ms=$(java -Xmx4g -cp "$cp" dev.tern.bench.RouteMapBench "$runs" 5000 200 200 50 "$variant" \
         | sed -n 's/^all maps, [a-z]*: \([0-9.]*\) ms.*/\1/p')
    echo "round $i, $variant: $ms ms"
    if [[ $variant == without ]]; then without+=("$ms"); else with+=("$ms"); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m0=$(median "${without[@]}")
m1=$(median "${with[@]}")
awk -v a="$m0" -v b="$m1" 'BEGIN {printf "median without %.2f ms, with %.2f ms: routes and DNS add %.0f %% (target <= 50 %%)\n", a, b, 100 * (b - a) / a}'
