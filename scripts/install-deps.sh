#!/usr/bin/env bash
# Installs the Debian bookworm packages the build, tests and demo need, and
# only those that are missing. Run as root (CI and a fresh machine) or with
# sudo available.
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake pkg-config
  libsodium-dev libzmq3-dev cppzmq-dev liblmdb-dev libmicrohttpd-dev libcli11-dev nlohmann-json3-dev catch2
  libedit-dev
  lmdb-utils strace python3 python3-zmq microsocks
  gnuplot-nox
  clang-14 libclang-rt-14-dev
  # The Debian packages and their test (packaging/, tests/integration/test_packages.py):
  # dpkg-shlibdeps, man -l, lintian (systemd-analyze verify where systemd is installed).
  dpkg-dev man-db lintian
  # The reporter page's browser test and screenshots (tests/integration/test_web_page.py, bench/web_page.py).
  chromium chromium-driver python3-selenium
)
# The reporter page's protocol tests (web/) run on node's own test runner;
# npm installs the pinned libsodium-wrappers-sumo. A node from another
# source that brings its own npm is kept (Debian's npm package would
# conflict with it).
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
