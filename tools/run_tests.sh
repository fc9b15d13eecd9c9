#!/usr/bin/env bash
# Every test suite: layering check; browser (Playwright + axe-core in Debian's Chromium), API
# contract and Debian package tests against the Release build; unit and integration tests (SQLite and a real
# PostgreSQL server started here) built with ASan/UBSan; then the libFuzzer targets, briefly. Each test runs once: the unit and
# integration tests run only under the sanitizers, which check everything a Release run would
# and more, and the time saved keeps the whole command well under CI's 30 minutes on 2 cores.
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

cmake --preset asan-ubsan >/dev/null
asan_build=(cmake --build --preset asan-ubsan --target unit_tests integration_tests allervers)

if ((asan_only == 0)); then
  # Release: the server the browser and contract tests drive, and the benchmarks (built so that
  # they keep compiling). The test programs are built only with the sanitizers.
  cmake --preset release >/dev/null
  cmake --build --preset release --target allervers bench_duplicates bench_indicators
  # The sanitizer build compiles while the browser tests run: they mostly wait on Chromium and
  # the server, so the two together take less time than one after the other.
  asan_log=$(mktemp)
  # The fuzz targets (clang) are compiled after it, in the same time. In a session of its own, so
  # that stopping it reaches make and the compilers: make then deletes the files it was writing
  # (a precompiled header cut in the middle would otherwise pass for up to date next time).
  setsid bash -c "${asan_build[*]} && cmake --preset fuzz >/dev/null && cmake --build --preset fuzz" \
    >"$asan_log" 2>&1 &
  asan_pid=$!
  echo "== Tests navigateur, contrat d'API et paquet Debian (Release ; compilation ASan/UBSan en parallèle)"
  if ! ctest --test-dir build -L 'browser|contract|package' --output-on-failure -j2 --timeout 900; then
    kill -TERM -- "-$asan_pid" 2>/dev/null || true
    wait "$asan_pid" 2>/dev/null || true
    exit 1
  fi
  echo "== Compilation ASan/UBSan et fuzz"
  if ! wait "$asan_pid"; then
    cat "$asan_log"
    exit 1
  fi
  rm -f "$asan_log"
else
  "${asan_build[@]}"
fi

echo "== Tests unitaires et d'intégration sous ASan/UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$PWD/tools/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L 'unit|integration' --output-on-failure -j2 --timeout 900

echo "== Fuzzing bref : import CSV, JSON de l'API, formulaires (10 s, en même temps ; plus : tools/fuzz.sh form 600)"
tools/fuzz.sh "" 10
