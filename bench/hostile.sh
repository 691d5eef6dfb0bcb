#!/bin/sh
# Peak memory and time of the hostile inputs of tests/test_bad_input.c at full size, through
# the built copydesk with the default pipeline: memory must be bounded by the largest
# document, never by the length of the stream.
#   bench/hostile.sh [BUILD]
set -eu
cd "$(dirname "$0")/.."
build="${1:-build}"
export COPYDESK_PLUGIN_PATH="$PWD/$build/plugins" COPYDESK_DATA_DIR="$PWD/conf"
bin="$build/core/copydesk"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { # NAME FILE ARGS…
  name=$1; file=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" "$@" <"$file" >"$tmp/out" 2>/dev/null || true
  set -- $(tail -n 1 "$tmp/time") # the last line: "Command exited with status 1" may come first
  printf '%-34s %9s MB in %7s s  peak %7.1f MB  %8s records out\n' "$name" \
    "$(($(stat -c %s "$file") / 1000000))" "$1" "$(echo "$2 / 1024" | bc -l)" "$(wc -l <"$tmp/out")"
}

python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
with open(f'{d}/large.txt', 'w') as f:
    for _ in range(4_000_000): f.write('The port reopened on Monday, officials said.    \n')
with open(f'{d}/empty.jsonl', 'w') as f: f.write('{}\n' * 1_000_000)
with open(f'{d}/line.txt', 'w') as f: f.write('abcdefghij' * 5_000_000)
with open(f'{d}/stream.jsonl', 'w') as f:
    for i in range(200_000): f.write('{"id": %d, "text": "The port reopened on Monday, officials said. Unions welcomed it."}\n' % i)
PY
echo "hostile inputs, default pipeline ($(sed -n 's/^  - plugin: //p' conf/default.yaml | tr '\n' ' '))"
measure "200 MB single document" "$tmp/large.txt"
measure "1,000,000 empty JSONL records" "$tmp/empty.jsonl" --from jsonl -q
measure "50 MB line without spaces" "$tmp/line.txt"
measure "200,000 short records (-j 1)" "$tmp/stream.jsonl" --from jsonl
measure "200,000 short records (-j 2)" "$tmp/stream.jsonl" --from jsonl -j 2
