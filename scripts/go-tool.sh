#!/usr/bin/env bash
# Builds a Go program at an exact module version into a cache and prints the binary's path.
#   scripts/go-tool.sh github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3
# The cache is $TERN_TEST_TOOLS (default ~/.cache/tern-test-tools)/<module path>@<version>/; a binary already
# there is reused. Tests call this script so every test that needs a Go tool builds it the same way. Fails
# loudly (non-zero exit, reason on stderr) when Go is missing or the build fails: tests must not skip.
set -euo pipefail

if [ $# -ne 1 ] || [[ "$1" != *@* ]]; then
  echo "usage: $0 <module/cmd path>@<exact version>" >&2
  exit 2
fi
spec="$1"
pkg="${spec%@*}"
version="${spec##*@}"
case "$version" in
  latest|upgrade|patch|master|main|"") echo "go-tool.sh: pin an exact version, not '$version'" >&2; exit 2 ;;
esac

if ! command -v go >/dev/null 2>&1; then
  echo "go-tool.sh: Go is not installed (needed to build $spec); install golang (apt-get install golang-go) or put go on PATH" >&2
  exit 1
fi

cache_root="${TERN_TEST_TOOLS:-$HOME/.cache/tern-test-tools}"
bin_dir="$cache_root/$pkg@$version"
bin="$bin_dir/$(basename "$pkg")"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin_dir"
# A lock so that two tests (or two forks) building the same tool do not race on the same output file.
exec 9>"$bin_dir/.lock"
flock 9
if [ ! -x "$bin" ]; then
  echo "go-tool.sh: building $spec into $bin_dir" >&2
  if ! GOBIN="$bin_dir" GOFLAGS=-mod=mod go install "$spec" >&2; then
    echo "go-tool.sh: 'go install $spec' failed (GOPROXY=$(go env GOPROXY))" >&2
    exit 1
  fi
fi
echo "$bin"
