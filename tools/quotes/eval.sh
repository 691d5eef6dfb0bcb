#!/bin/sh
# Scores the quotes plugin: runs the built copydesk over a PolNeAR split and the seed
# article and prints score_quotes.py's summary lines.
#
#   tools/quotes/eval.sh [SPLIT] [PIPELINE] [-- extra score_quotes.py options]
#
# SPLIT is dev (default), train or test; PIPELINE defaults to tools/quotes/pipeline.yaml.
# Environment: BUILD (default build), SHARED (default ../shared next to the repo),
# OUT (where predictions go, default a temporary folder).  Speakers are scored both by
# name and by mention span (--speaker name / span).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
split=${1:-dev}
pipeline=${2:-$here/pipeline.yaml}
[ $# -ge 1 ] && shift
[ $# -ge 1 ] && shift
[ "${1:-}" = "--" ] && shift
build=${BUILD:-$root/build}
shared=${SHARED:-$root/../shared}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
score=$shared/tools/score_quotes.py
copydesk=$build/core/copydesk
export COPYDESK_PLUGIN_PATH=$build/plugins

gold=$shared/data/quotes/polnear/$split.jsonl
# the gold records carry their own "quotes": drop them, or copydesk keeps the input's field
python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l); d.pop("quotes", None); d.pop("non_speech", None); print(json.dumps(d))' < "$gold" > "$out/$split.input.jsonl"
start=$(date +%s.%N)
"$copydesk" -c "$pipeline" --from jsonl --to jsonl "$out/$split.input.jsonl" > "$out/$split.pred.jsonl"
end=$(date +%s.%N)
bytes=$(wc -c < "$gold")
echo "== PolNeAR $split ($(awk "BEGIN{printf \"%.2f MB in %.2f s\", $bytes/1e6, $end-$start}"))"
echo "-- speaker by span:"
python3 "$score" "$gold" "$out/$split.pred.jsonl" --speaker span "$@" | tail -n 2
echo "-- speaker by name:"
python3 "$score" "$gold" "$out/$split.pred.jsonl" --speaker name "$@" | tail -n 1

seed=$shared/data/articles/seed-reuters-2025
"$copydesk" -c "$pipeline" "$seed.txt" > "$out/seed.pred.jsonl"
# the seed gold's id is the file's stem; copydesk names a text document after its file
python3 - "$out/seed.pred.jsonl" <<'PY'
import json, sys
p = sys.argv[1]
recs = [json.loads(l) for l in open(p)]
for r in recs: r['id'] = 'seed-reuters-2025'
open(p, 'w').write(''.join(json.dumps(r) + '\n' for r in recs))
PY
echo "== seed article"
python3 "$score" "$seed.gold.jsonl" "$out/seed.pred.jsonl" --speaker name "$@" | tail -n 2
echo "(predictions in $out)"
