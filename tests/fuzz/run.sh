#!/bin/sh
# Builds the fuzz targets with clang, libFuzzer, ASan and UBSan into build-fuzz/ and runs each
# for SECONDS (default 300) on a scratch copy of its seed corpus; prints executions per target.
# Crashes are saved as build-fuzz/crash-*; turn each into a regression test.
#   tests/fuzz/run.sh [SECONDS] [TARGET…]
set -eu
cd "$(dirname "$0")/../.."
seconds="${1:-300}"
[ $# -gt 0 ] && shift
if [ ! -f build-fuzz/build.ninja ]; then
  # Every library and plugin gets coverage instrumentation; only the targets link libFuzzer.
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C build-fuzz >/dev/null
export COPYDESK_PLUGIN_PATH="$PWD/build-fuzz/plugins" COPYDESK_DATA_DIR="$PWD/conf"
# the executables only (meson's fuzz_*.p folders sit beside them)
targets="${*:-$(cd build-fuzz/tests/fuzz && for f in fuzz_*; do [ -f "$f" ] && [ -x "$f" ] && echo "$f"; done |
  grep -v standalone | sed 's/^fuzz_//')}"
for t in $targets; do
  case "$t" in
    config|jsonl|output) corpus="$t" ;;
    *) corpus=text ;;
  esac
  work=$(mktemp -d)
  cp tests/fuzz/corpus/"$corpus"/* "$work"/
  log="build-fuzz/fuzz-$t.log"
  if (cd build-fuzz && "./tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 \
        -print_final_stats=1 "$work" >"../$log" 2>&1); then
    result=ok
  else
    result=CRASH
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz_$t: $result, $runs executions in ${seconds}s (log: $log)"
  rm -rf "$work"
done
