#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (build-fuzz/, `cmake --preset fuzz`) and runs
# them on their committed corpus (fuzz/corpus/<target>/): every target for SECONDS seconds (20
# by default; the test command's brief run), or one target for longer on demand:
#   tools/fuzz.sh                 # csv, api_json and form, 20 s each
#   tools/fuzz.sh form 600        # the form target for ten minutes
#   tools/fuzz.sh "" 10           # every target, 10 s each (what `make test` runs)
# New inputs that reach new code are written to build-fuzz/corpus/<target>/ (not committed:
# copy the interesting ones to fuzz/corpus/ by hand). A crash leaves its input in
# build-fuzz/<target>-crash-* and fails the command; replay it with build-fuzz/fuzz/fuzz_<target> FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(csv api_json form)
seconds=20
if [[ -n "${1:-}" ]]; then
  targets=("$1")
fi
if (($# >= 2)); then
  seconds=$2
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}"

# The targets run at the same time (libFuzzer's -max_total_time is wall-clock time), each with
# its own log; they are reported, and a failure named, once all have stopped.
declare -A pids
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t
  mkdir -p "$work"
  echo "== fuzz_$t : ${seconds} s"
  # -use_value_profile: better at comparisons with constants (field names, codes).
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "build-fuzz/fuzz/fuzz_$t" "$work" "fuzz/corpus/$t" -max_total_time="$seconds" \
    -max_len=8192 -timeout=10 -rss_limit_mb=2048 -use_value_profile=1 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/$t-" >"build-fuzz/fuzz_$t.log" 2>&1 &
  pids[$t]=$!
done
failed=0
for t in "${targets[@]}"; do
  status=0
  wait "${pids[$t]}" || status=$?
  log=build-fuzz/fuzz_$t.log
  echo "-- fuzz_$t"
  grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" || true
  if ((status != 0)); then
    tail -n 60 "$log" >&2
    echo "fuzz_$t a trouvé une entrée qui le fait échouer (voir build-fuzz/$t-crash-*)" >&2
    failed=$status
  fi
done
exit "$failed"
