#!/usr/bin/env bash
# Sets up, builds and runs the demo: vulkaninfo --summary on emvk, then a program that fills and
# copies buffers on emvk and checks the result, then two processes sharing an image.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
export VK_DRIVER_FILES="$PWD/build/emvk_icd.json"
echo "== vulkaninfo --summary (VK_DRIVER_FILES=$VK_DRIVER_FILES)"
vulkaninfo --summary 2>&1 | grep -v -e XDG_RUNTIME_DIR -e "'DISPLAY' environment"
echo
echo "== docs/examples/transfer_demo"
build/docs/examples/transfer_demo
echo
echo "== docs/examples/external_demo (docs/EXTERNAL_DEMO.md)"
build/docs/examples/external_demo build/external_demo.png
