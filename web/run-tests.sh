#!/bin/sh
# Runs the page's protocol tests (ctest `web_protocol`): installs the pinned
# libsodium-wrappers-sumo into web/node_modules with `npm ci` (which checks
# every package against its sha512 integrity in package-lock.json) when the
# lock file changed since the last install, then runs node's own test runner.
# A lock serialises concurrent runs (the release and sanitizer trees share
# this source folder).
set -eu
cd "$(dirname "$0")"
exec 9>.npm-ci.lock
flock 9
if ! cmp -s package-lock.json node_modules/.meldpunt-installed-lock 2>/dev/null; then
  npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.meldpunt-installed-lock
fi
flock -u 9
exec node --test test/
