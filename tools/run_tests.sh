#!/usr/bin/env bash
# Every test suite: layering check; then, on one build with AddressSanitizer and
# UndefinedBehaviorSanitizer, the unit and integration tests (SQLite and a real PostgreSQL server
# started here), the browser tests (Playwright + axe-core in Debian's Chromium), the API contract
# test and the Debian package test, all driving that sanitized server; then the libFuzzer
# targets, briefly.
#
# One build, not two: the browser tests used to drive a Release build compiled for them alone,
# and compiling the sources twice was a third of the command's time (docs/testing.md). The
# sanitized server also finds memory errors along the browser journeys. `make build` (and
# `make run`) compile the Release build; warnings that only the optimiser reveals show there.
set -euo pipefail
cd "$(dirname "$0")/.."

asan_only=0
[[ "${1:-}" == "--asan-only" ]] && asan_only=1

echo "== Règles de dépendance entre modules"
tools/check_layers.sh

echo "== Démarrage d'un serveur PostgreSQL de test"
pg=$(tools/pg_test_server.sh start)
pg_dir=${pg%% *}
trap 'tools/pg_test_server.sh stop "$pg_dir"' EXIT
export ALLERVERS_TEST_PG_DSN=${pg#* }
export ALLERVERS_TEST_PG_REQUIRED=1

echo "== Compilation ASan/UBSan"
cmake --preset asan-ubsan >/dev/null
if ((asan_only == 1)); then
  cmake --build --preset asan-ubsan --target unit_tests integration_tests allervers
  labels='unit|integration'
else
  # The benchmarks are compiled too, so that they keep compiling.
  cmake --build --preset asan-ubsan --target unit_tests integration_tests allervers \
    bench_duplicates bench_indicators
  labels='unit|integration|browser|contract|package'
fi

fuzz_pid=
if ((asan_only == 0)); then
  # The fuzz targets (clang) compile while the tests run (the browser tests wait on Chromium
  # and the server half of their time). In a session of its own, so that stopping it reaches
  # make and the compilers: make then deletes the files it was writing.
  fuzz_log=$(mktemp)
  setsid bash -c "cmake --preset fuzz >/dev/null && cmake --build --preset fuzz" >"$fuzz_log" 2>&1 &
  fuzz_pid=$!
fi
stop_fuzz_build() {
  if [[ -n "$fuzz_pid" ]]; then
    kill -TERM -- "-$fuzz_pid" 2>/dev/null || true
    wait "$fuzz_pid" 2>/dev/null || true
  fi
}

echo "== Tests sous ASan/UBSan : ${labels//|/, }"
# The browser tests (COST 1000) start first; three at a time keep both cores busy while they
# wait. Screenshots are for people running a browser test by hand, not for this command.
if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$PWD/tools/lsan.supp \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ALLERVERS_NO_SCREENSHOTS=1 \
  ctest --test-dir build-asan -L "$labels" --output-on-failure -j3 --timeout 900; then
  stop_fuzz_build
  exit 1
fi

if ((asan_only == 0)); then
  echo "== Compilation des cibles de fuzzing"
  if ! wait "$fuzz_pid"; then
    cat "$fuzz_log"
    exit 1
  fi
  rm -f "$fuzz_log"
  echo "== Fuzzing bref : import CSV, JSON de l'API, formulaires (10 s, en même temps ; plus : tools/fuzz.sh form 600)"
  tools/fuzz.sh "" 10
fi
