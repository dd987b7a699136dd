#!/usr/bin/env bash
# Renders the course's Mermaid diagrams to docs/course/images/*.svg (render_diagrams.mjs says
# how). Needs Debian's chromium and Node; installs chromium with apt-get and the two npm packages
# of package.json into tools/node_modules (git ignores it) when they are missing. Not part of the
# build or the tests: the SVGs are committed.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
[ -d node_modules/mermaid ] && [ -d node_modules/playwright-core ] ||
  npm install --no-audit --no-fund --silent
node render_diagrams.mjs
