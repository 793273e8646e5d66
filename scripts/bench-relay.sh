#!/usr/bin/env bash
# Tern's relay and STUN beside coturn (Debian's, driven by turnutils_uclient) and a raw TCP forwarder, same
# machine, same run: throughput for one pair and for many, round trip added, memory per idle session, STUN
# answers per second; prints a Markdown table with the ratios. Installs coturn when missing (root).
#   scripts/bench-relay.sh            # the full run (100 pairs, 10,000 idle sessions): minutes, on an idle machine
#   scripts/bench-relay.sh --smoke    # seconds, a few sessions: checks that the runner works, numbers mean nothing
# Other options go to dev.tern.bench.relay.RelayBench (--pairs, --seconds, --idle, --rounds, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v turnserver >/dev/null 2>&1 || ! command -v turnutils_uclient >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "coturn is missing — run this script as root (sudo) so it can install it" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends coturn
fi
# Debian starts coturn as a service on install; the bench runs its own on free ports, so that one only costs CPU.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet coturn 2>/dev/null; then
  echo "note: the coturn service is running; stop it (systemctl stop coturn) for comparable numbers" >&2
fi

# 10,000 idle sessions: the load process, the relay node and coturn each hold one descriptor per session
# (coturn two: the TCP connection and the relayed UDP port).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # a container may cap it lower: coturn is then measured at fewer sessions

if [ ! -f bench/target/classpath.txt ] || [ ! -d bench/target/classes/dev/tern/bench/relay ]; then
  ./mvnw -B -q -DskipTests install
fi
exec java -Xmx2g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.tern.bench.relay.RelayBench "$@"
