#!/usr/bin/env bash
# Installs the Debian packages emvk builds, tests and benchmarks with. Idempotent: installs only
# what is missing, so a second run costs a dpkg query and nothing else.
#   scripts/setup.sh --fuzz   also installs what the fuzz build needs (scripts/fuzz.sh): clang 19
#                             and its libFuzzer/sanitizer runtimes (docs/FUZZING.md says why 19).
set -euo pipefail

packages=(
  cmake ninja-build g++ python3 pkg-config
  libvulkan-dev vulkan-tools vulkan-validationlayers mesa-vulkan-drivers
  llvm-19-dev libzstd-dev zlib1g-dev libxml2-dev libedit-dev libffi-dev libcurl4-openssl-dev
  spirv-tools spirv-cross libspirv-cross-c-shared-dev
  libtbb-dev catch2 glslc glslang-tools
)
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang-19 libclang-rt-19-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
