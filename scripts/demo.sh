#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the
# demo conversation (relay on loopback, data in ./demo-data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DMELDPUNT_BUILD_TESTS=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target relay reporter-client adviser-client derive_keys
MELDPUNT_BIN_DIR="$PWD/build/release/bin" python3 scripts/demo.py
