#!/bin/sh
# Make .venv with the machine's python3. Debian ships venv support in a
# separate package (python3-venv); install it when it is missing.
set -e
cd "$(dirname "$0")/.."
[ -x .venv/bin/pip ] && exit 0
if ! python3 -m venv .venv 2>/dev/null; then
  rm -rf .venv
  if command -v apt-get >/dev/null 2>&1; then
    echo "python3 cannot make a virtual environment; installing python3-venv" >&2
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    else
      sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv >/dev/null
    fi
    python3 -m venv .venv
  else
    echo "python3 -m venv failed: install Python's venv support" >&2
    exit 1
  fi
fi
