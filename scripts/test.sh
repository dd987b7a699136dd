#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite through the real Vulkan loader, then the same suite
# built with AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer (scripts/sanitize.sh).
# Its last lines are ctest's summary of the sanitizer run. EMVK_TEST_SANITIZE=0 skips that run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir build -j"$(nproc)" --output-on-failure
if [ "${EMVK_TEST_SANITIZE:-1}" != 0 ]; then
  bash scripts/sanitize.sh asan
fi
