#!/usr/bin/env bash
# Runs every command of the course in docs/course/ and checks its links and diagrams; the how and
# the options are in docs/course/tools/check_docs.py. Build first (scripts/build.sh).
#   scripts/check_docs.sh                      every chapter, build in build/
#   scripts/check_docs.sh --build DIR          another build folder
#   scripts/check_docs.sh --no-skip            fail if a block needs a feature this tree lacks
#   scripts/check_docs.sh docs/course/05-jit.md   one chapter
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 docs/course/tools/check_docs.py "$@"
