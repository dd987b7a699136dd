#!/usr/bin/env bash
# Builds the libFuzzer configuration (clang, ASan + UBSan, EMVK_FUZZ=ON) into build-fuzz/ and runs
# one fuzz target, or all three side by side, for a bounded time (docs/FUZZING.md).
#   scripts/fuzz.sh [spirv|pipeline_cache|import|all] [seconds]     (defaults: all, 600)
# Each target starts from its seeds, tests/fuzz/corpus/<target>/ (earlier runs' finds, in git) and
# tests/fuzz/regressions/<target>/; grows its corpus in build-fuzz/tests/fuzz/corpus/<target>/
# (reused by the next run); writes a failing input as build-fuzz/tests/fuzz/<target>-crash-* (or
# -leak-, -timeout-, -oom-); and logs to build-fuzz/tests/fuzz/<target>.log. Extra libFuzzer flags
# can go in FUZZ_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-all}
seconds=${2:-600}
build=build-fuzz

CC=clang-19 CXX=clang++-19 cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEMVK_FUZZ=ON >/dev/null
targets=(spirv pipeline_cache import)
[ "$target" = all ] || targets=("$target")
# Two jobs at most: a fuzz build compiles the whole driver with sanitizers.
ninja -C $build -j "${FUZZ_BUILD_JOBS:-2}" "${targets[@]/#/fuzz_}"

out=$build/tests/fuzz
seeds() {
  case $1 in
    spirv) echo "$build/tests/jit/shaders $build/tests/compute/shaders" ;;
    *) echo "$out/seeds/$1" ;;
  esac
}
run() {
  local t=$1
  mkdir -p "$out/corpus/$t"
  # shellcheck disable=SC2046,SC2086
  "$out/fuzz_$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$out/$t-" ${FUZZ_FLAGS:-} \
    "$out/corpus/$t" $(seeds "$t") tests/fuzz/corpus/"$t" tests/fuzz/regressions/"$t" \
    >"$out/$t.log" 2>&1
}
pids=()
for t in "${targets[@]}"; do
  echo "fuzz.sh: fuzz_$t for ${seconds} s, log in $out/$t.log"
  run "$t" &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "fuzz.sh: fuzz_${targets[$i]} stopped on a finding; see $out/${targets[$i]}.log" >&2
    status=1
  fi
done
for t in "${targets[@]}"; do
  echo "== fuzz_$t: $(grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' \
    "$out/$t.log" | tr '\n' ' ')"
done
exit $status
