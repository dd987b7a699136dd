#!/usr/bin/env bash
# Builds emvk and every test with sanitizers, in a build folder of its own, and runs the whole
# suite there (the validation/ copies included). Extra arguments go to ctest.
#   bash scripts/sanitize.sh asan   # AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer
#   bash scripts/sanitize.sh tsan   # ThreadSanitizer
# Any report fails the test that caused it. CI runs the asan suite (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-asan}"
shift || true
supp="$PWD/tests/sanitizers"
case "$kind" in
  asan)
    dir=build-asan
    option=-DEMVK_SANITIZE=ON
    # verify_asan_link_order=0: vulkaninfo, an uninstrumented program some tests run, gets the
    # ASan runtime only when its loader opens libemvk.so. lsan.supp says why use_tls=0.
    export ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=1:abort_on_error=0"
    export LSAN_OPTIONS="use_tls=0:suppressions=$supp/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ;;
  tsan)
    dir=build-tsan
    option=-DEMVK_SANITIZE_THREAD=ON
    # tsan.supp says what is suppressed and why.
    export TSAN_OPTIONS="suppressions=$supp/tsan.supp:second_deadlock_stack=1:halt_on_error=0"
    ;;
  *)
    echo "usage: $0 asan|tsan [ctest arguments]" >&2
    exit 2
    ;;
esac
echo "sanitize: $kind build in $dir/"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$option" >/dev/null
cmake --build "$dir" --parallel "$(nproc)"
ctest --test-dir "$dir" -j"$(nproc)" --output-on-failure "$@"
