#!/bin/sh
# Builds the reporter page's web root into DIR (the CMake target `web`
# runs this into <build tree>/web): installs the pinned
# libsodium-wrappers-sumo with `npm ci` (every package checked against its
# sha512 integrity in package-lock.json) when the lock file changed since the
# last install, then runs build.mjs. The lock serialises this with
# run-tests.sh and with other build trees sharing this source folder.
set -eu
[ $# -eq 1 ] || { echo "usage: web/build.sh DIR" >&2; exit 1; }
out=$1
cd "$(dirname "$0")"
exec 9>.npm-ci.lock
flock 9
if ! cmp -s package-lock.json node_modules/.meldpunt-installed-lock 2>/dev/null; then
  npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.meldpunt-installed-lock
fi
node build.mjs --out "$out"
