#!/usr/bin/env bash
# Prints the path of schemathesis's `st` command, installing the pinned release from PyPI into a venv cached in
# ~/.cache/tern-test-tools first (BadInputSweepTest runs it against the OpenAPI document tern-server serves).
# Needs python3 with venv (scripts/test.sh installs python3-venv); fails loudly without it.
set -euo pipefail
VERSION=4.32.5
VENV="${TERN_TEST_TOOLS:-$HOME/.cache/tern-test-tools}/schemathesis-$VERSION"
if [ ! -f "$VENV/.installed" ]; then
  command -v python3 >/dev/null 2>&1 || { echo "python3 is not installed (needed for schemathesis)" >&2; exit 1; }
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
  touch "$VENV/.installed"
fi
echo "$VENV/bin/st"
