#!/bin/sh
# fuzz/run.sh [SECONDS] - build and run both libFuzzer targets, one after the
# other, SECONDS in total (default 60, split evenly), then replay the qip CLI
# over the seeds and whatever the fuzzers saved.
#
#   api_fuzzer       fuzz/api_fuzzer.c: random sequences of C API calls against
#                    libgroupinference.so built with ASan + libFuzzer coverage
#                    (scratch path .build-fuzz, not the release .build).
#   qip_file_fuzzer  fuzz/qip_file_fuzzer.swift: InstanceFile.load (the qip
#                    CLI's reader) + solve, in process, compiled with
#                    swiftc -sanitize=fuzzer,address together with the core.
#
# Environment:
#   GI_FUZZ_SKIP_KNOWN  findings of tests/reliability/findings to step around,
#                       so a run looks for new ones while they are open: a list
#                       such as "F9", "1" for all of them, "0" for none (the
#                       default: F1-F10 are fixed).
#   FUZZ_WORK           working directory (default build/fuzz): corpora grow in
#                       $FUZZ_WORK/corpus-<target>, crashes land in
#                       $FUZZ_WORK/artifacts, logs in $FUZZ_WORK/<target>.log.
#   FUZZ_JOBS           swift build -j (default 1: the machine is shared).
#   FUZZ_NO_BUILD=1     reuse the binaries of a previous run.
#   FUZZ_TARGETS        which targets (default "qip_file_fuzzer api_fuzzer");
#                       SECONDS is split evenly between them.
# Exit status: 0 when no target crashed, leaked or violated an invariant and
# the CLI replay found no violation.
set -eu

seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=${FUZZ_WORK:-$root/build/fuzz}
jobs=${FUZZ_JOBS:-1}
skip_known=${GI_FUZZ_SKIP_KNOWN:-0}
export GI_FUZZ_SKIP_KNOWN=$skip_known

swift_bin=$(command -v swiftc || true)
[ -n "$swift_bin" ] || { echo "fuzz/run.sh: swiftc not on PATH" >&2; exit 1; }
toolchain=$(dirname "$(readlink -f "$swift_bin")")
CLANG=${CLANG:-$toolchain/clang}
if ! ls "$toolchain"/../lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz/run.sh: the Swift toolchain's clang has no libFuzzer runtime" >&2
  exit 1
fi

mkdir -p "$work/artifacts" "$work/qip_src"
coverage=edge,inline-8bit-counters,pc-table,trace-cmp

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  rm -f "$work/api_fuzzer" "$work/qip_file_fuzzer"
  echo "== building the library with ASan and fuzzer coverage (.build-fuzz)"
  swift build -c release --product groupinference --scratch-path "$root/.build-fuzz" \
    --sanitize=address -Xswiftc -sanitize-coverage=$coverage -j "$jobs" 2>&1 |
    grep -v "Cannot export local symbol" | tail -n 3
  "$root/build-aux/link-soname" "$root/.build-fuzz/release"  # hosts linked with -l ask for the SONAME
  echo "== building api_fuzzer"
  "$CLANG" -g -O1 -fsanitize=fuzzer,address -Wall -Wextra -Werror -Iinclude fuzz/api_fuzzer.c \
    -L"$root/.build-fuzz/release" -lgroupinference -Wl,-rpath,"$root/.build-fuzz/release" -lm \
    -o "$work/api_fuzzer" 2>&1 | grep -v "Cannot export local symbol" || true
  echo "== building qip_file_fuzzer"
  # InstanceFile.swift belongs to the CLI target; compiled here in one module
  # with the core, so its `import GroupInference` goes.
  sed '/^import GroupInference$/d' Sources/GroupInferenceCLI/InstanceFile.swift > "$work/qip_src/InstanceFile.swift"
  # shellcheck disable=SC2046
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name QIPFileFuzz \
    -I Sources/CGLPK -I Sources/COpenBLAS \
    $(find Sources/GroupInference -name '*.swift' | sort) "$work/qip_src/InstanceFile.swift" \
    fuzz/qip_file_fuzzer.swift -o "$work/qip_file_fuzzer" 2>&1 | grep -v "Cannot export local symbol" || true
fi
[ -x "$work/api_fuzzer" ] && [ -x "$work/qip_file_fuzzer" ] || { echo "fuzz/run.sh: build failed" >&2; exit 1; }

# One OpenBLAS thread: faster here and no idle worker threads in ASan's reports.
export OPENBLAS_NUM_THREADS=1
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export SWIFT_BACKTRACE=enable=no

status=0
targets=${FUZZ_TARGETS:-qip_file_fuzzer api_fuzzer}
ntargets=$(echo $targets | wc -w)
half=$((seconds / ntargets))
[ "$half" -ge 1 ] || half=1
for target in $targets; do
  corpus="$work/corpus-$target"
  mkdir -p "$corpus"
  cp -n fuzz/corpus/$target/* "$corpus"/ 2>/dev/null || true
  case $target in
    qip_file_fuzzer) extra="-max_len=4096 -dict=fuzz/qip.dict" ;;
    *) extra="-max_len=2048" ;;
  esac
  echo "== running $target for $half s (corpus $corpus)"
  started=$(date +%s)
  # shellcheck disable=SC2086
  if "$work/$target" "$corpus" -max_total_time="$half" -timeout=20 -rss_limit_mb=3072 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/$target-" $extra \
      >"$work/$target.log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  elapsed=$(($(date +%s) - started))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$work/$target.log" | tail -n 1 || true)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  files=$(ls "$corpus" | wc -l)
  echo "$target: $result, ${execs:-?} executions in $elapsed s, coverage ${cov:-?} edges / ${ft:-?} features, corpus $files files"
  if [ "$result" = FAILED ]; then
    grep -E "ERROR|invariant|Fatal error|SUMMARY|Test unit written" "$work/$target.log" | head -n 8
  fi
done

echo "== replaying the qip CLI over the seeds and the artifacts"
cli="$root/.build/release/groupinference-cli"
if [ -x "$cli" ]; then
  dirs="fuzz/corpus/qip_file_fuzzer"
  [ "${FUZZ_REPLAY_ALL:-0}" = 1 ] && dirs="$dirs $work/corpus-qip_file_fuzzer"
  ls "$work/artifacts"/qip_file_fuzzer-* >/dev/null 2>&1 && {
    mkdir -p "$work/replay-artifacts"
    cp "$work/artifacts"/qip_file_fuzzer-* "$work/replay-artifacts"/
    dirs="$dirs $work/replay-artifacts"
  }
  # shellcheck disable=SC2086
  GI_REPLAY_SKIP_KNOWN=$skip_known fuzz/replay_cli.sh "$cli" $dirs || status=1
else
  echo "(no $cli: run make cli first; replay skipped)"
fi
exit $status
