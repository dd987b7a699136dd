#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite through the real Vulkan loader.
# Its last lines are ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir build -j"$(nproc)" --output-on-failure
