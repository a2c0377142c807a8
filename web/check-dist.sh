#!/bin/sh
# Fails when the committed web/dist is not what the sources build: CI runs
# this so the app the relay embeds is never older than its code.
set -eu
cd "$(dirname "$0")"
./build.sh
if [ -n "$(git status --porcelain -- dist)" ]; then
  git status --short -- dist >&2
  echo "web/dist is stale: run web/build.sh and commit web/dist" >&2
  exit 1
fi
echo "web/dist matches its sources"
