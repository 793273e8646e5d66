#!/usr/bin/env bash
# Builds a Go program at an exact version into a cache and prints the binary's path. Two forms:
#   scripts/go-tool.sh github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3
#   scripts/go-tool.sh --module e2e/src/test/go/netbird-client-v0.77.1 github.com/netbirdio/netbird/client netbird
# The first is 'go install <package>@<version>'. The second builds <package> as a dependency of a small Go module of
# ours (a directory with go.mod and go.sum) and names the binary <name>: for programs whose own go.mod has replace
# directives, which 'go install <package>@<version>' refuses; our module pins the release and repeats them. A file
# 'ldflags' in that directory, if present, is passed as -ldflags (e.g. to stamp the release version, as the
# project's own release build does).
# The cache is $TERN_TEST_TOOLS (default ~/.cache/tern-test-tools)/<package>@<version>/ (for --module, the version
# is the one our go.mod requires plus a hash of go.mod, go.sum and ldflags); a binary already there is reused. Tests call
# this script so every test that needs a Go tool builds it the same way. Fails loudly (non-zero exit, reason on
# stderr) when Go is missing or the build fails: tests must not skip.
set -euo pipefail

usage() {
  echo "usage: $0 <module/cmd path>@<exact version>" >&2
  echo "       $0 --module <dir with go.mod> <package> <binary name>" >&2
  exit 2
}

module_dir=""
if [ "${1:-}" = "--module" ]; then
  [ $# -eq 4 ] || usage
  module_dir="$(cd "$2" 2>/dev/null && pwd)" || { echo "go-tool.sh: no directory $2" >&2; exit 2; }
  [ -f "$module_dir/go.mod" ] && [ -f "$module_dir/go.sum" ] || { echo "go-tool.sh: $2 has no go.mod and go.sum" >&2; exit 2; }
  pkg="$3"
  name="$4"
  # The exact version our go.mod requires of the module that holds the package (the longest matching path).
  version="$(awk -v pkg="$pkg" '$1 == "require" && (pkg == $2 || index(pkg, $2 "/") == 1) { print length($2), $3 }' \
    "$module_dir/go.mod" | sort -n | tail -1 | cut -d' ' -f2)"
  [ -n "$version" ] || { echo "go-tool.sh: $module_dir/go.mod has no single-line 'require <module> <version>' for $pkg" >&2; exit 2; }
  ldflags=""
  [ -f "$module_dir/ldflags" ] && ldflags="$(tr '\n' ' ' < "$module_dir/ldflags")"
  version="$version-$( (cat "$module_dir/go.mod" "$module_dir/go.sum"; echo "$ldflags") | sha256sum | cut -c1-12)"
else
  [ $# -eq 1 ] && [[ "$1" == *@* ]] || usage
  spec="$1"
  pkg="${spec%@*}"
  version="${spec##*@}"
  name="$(basename "$pkg")"
  case "$version" in
    latest|upgrade|patch|master|main|"") echo "go-tool.sh: pin an exact version, not '$version'" >&2; exit 2 ;;
  esac
fi

if ! command -v go >/dev/null 2>&1; then
  echo "go-tool.sh: Go is not installed (needed to build $pkg@$version); install Go and put go on PATH" >&2
  exit 1
fi

cache_root="${TERN_TEST_TOOLS:-$HOME/.cache/tern-test-tools}"
bin_dir="$cache_root/$pkg@$version"
bin="$bin_dir/$name"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin_dir"
# A lock so that two tests (or two forks) building the same tool do not race on the same output file.
exec 9>"$bin_dir/.lock"
flock 9
if [ ! -x "$bin" ]; then
  echo "go-tool.sh: building $pkg@$version into $bin_dir" >&2
  if [ -n "$module_dir" ]; then
    # -mod=readonly: the committed go.sum pins every dependency; a build that needs another is an error, not an
    # update. GOTOOLCHAIN=local: never download a toolchain behind the caller's back. Built to a temporary name
    # and renamed, so an interrupted build never leaves a half-written binary that the check above would reuse.
    if ! (cd "$module_dir" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" \
        go build -trimpath -ldflags="$ldflags" -o "$bin.tmp" "$pkg" >&2); then
      echo "go-tool.sh: 'go build $pkg' in $module_dir failed (GOPROXY=$(go env GOPROXY))" >&2
      exit 1
    fi
    mv "$bin.tmp" "$bin"
  elif ! GOBIN="$bin_dir" GOFLAGS=-mod=mod go install "$spec" >&2; then
    echo "go-tool.sh: 'go install $spec' failed (GOPROXY=$(go env GOPROXY))" >&2
    exit 1
  fi
fi
echo "$bin"
