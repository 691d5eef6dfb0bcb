#!/bin/sh
# Makes word clusters and trains twice on a small made-up CoNLL file with the same seed and
# checks the bytes are equal; then checks eval-ner reads the model back, and that the
# plugin's fast tagger gives the tags the plain reference one does; the same for a model
# of the first-order (Viterbi) decoder.  TAP output.
# Usage: check-reproducible.sh TRAIN-NER EVAL-NER MAKE-CLUSTERS
set -u
train=$1
eval_ner=$2
make_clusters=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
{
  i=0
  while [ $i -lt 30 ]; do
    printf -- '-DOCSTART- -X- O O\n\n'
    printf 'Anna NNP I-NP I-PER\nKowalski NNP I-NP I-PER\nvisited VBD I-VP O\nOslo NNP I-NP I-LOC\nfor IN I-PP O\nAcme NNP I-NP I-ORG\nCorp NNP I-NP I-ORG\n. . O O\n\n'
    printf 'Kowalski NNP I-NP I-PER\nsaid VBD I-VP O\nthe DT I-NP O\nNorwegian JJ I-NP I-MISC\nplan NN I-NP O\nworked VBD I-VP O\n. . O O\n\n'
    i=$((i + 1))
  done
} > "$dir/data.conll"
{
  i=0
  while [ $i -lt 20 ]; do
    echo "Anna visited Oslo and Bergen for Acme Corp ."
    echo "Kowalski said the Norwegian plan worked in Oslo ."
    echo "Maria visited Bergen for Acme and said the plan worked ."
    i=$((i + 1))
  done
} > "$dir/text.txt"
echo "1..11"
ok() { if [ "$1" -eq 0 ]; then echo "ok $2 - $3"; else echo "not ok $2 - $3"; fail=1; fi; }
fail=0
"$make_clusters" -c 4 -m 2 "$dir/text.txt" > "$dir/a.clusters" 2>/dev/null &&
  "$make_clusters" -c 4 -m 2 "$dir/text.txt" > "$dir/b.clusters" 2>/dev/null &&
  cmp -s "$dir/a.clusters" "$dir/b.clusters" && grep -q "	Oslo	40" "$dir/a.clusters"
ok $? 1 "make-clusters gives the same clusters twice"
"$train" --train "$dir/data.conll" --dev "$dir/data.conll" --epochs 3 --seed 7 --bits 12 \
  --runs 2 --clusters "$dir/a.clusters" -o "$dir/a.cdm" 2>/dev/null
ok $? 2 "train-ner runs"
"$train" --train "$dir/data.conll" --dev "$dir/data.conll" --epochs 3 --seed 7 --bits 12 \
  --runs 2 --clusters "$dir/a.clusters" -o "$dir/b.cdm" 2>/dev/null
cmp -s "$dir/a.cdm" "$dir/b.cdm"
ok $? 3 "same data and seed give the same bytes"
"$train" --train "$dir/data.conll" --dev "$dir/data.conll" --epochs 3 --seed 8 --bits 12 \
  --runs 2 --clusters "$dir/a.clusters" -o "$dir/c.cdm" 2>/dev/null
! cmp -s "$dir/a.cdm" "$dir/c.cdm"
ok $? 4 "another seed gives another model"
"$eval_ner" -m "$dir/a.cdm" -q "$dir/data.conll" 2> "$dir/eval.txt"
ok $? 5 "eval-ner reads the model"
grep -q "F1 100.00" "$dir/eval.txt"
ok $? 6 "the model tags its training data right"
"$eval_ner" -m "$dir/a.cdm" -q --check "$dir/data.conll" 2>/dev/null
ok $? 7 "the tagger's caches change no tag (made-up model)"
"$eval_ner" -m "$(dirname "$0")/../../conf/models/en-news.cdm" -q --check "$dir/data.conll" \
  2>/dev/null
ok $? 8 "the tagger's caches change no tag (shipped model)"
"$train" --train "$dir/data.conll" --dev "$dir/data.conll" --epochs 3 --seed 7 --bits 12 \
  --runs 2 --clusters "$dir/a.clusters" --viterbi -o "$dir/v.cdm" 2>/dev/null &&
  "$train" --train "$dir/data.conll" --dev "$dir/data.conll" --epochs 3 --seed 7 --bits 12 \
  --runs 2 --clusters "$dir/a.clusters" --viterbi -o "$dir/w.cdm" 2>/dev/null &&
  cmp -s "$dir/v.cdm" "$dir/w.cdm"
ok $? 9 "first-order decoder: same data and seed give the same bytes"
"$eval_ner" -m "$dir/v.cdm" -q "$dir/data.conll" 2> "$dir/eval.txt" &&
  grep -q "F1 100.00" "$dir/eval.txt"
ok $? 10 "first-order decoder: the model tags its training data right"
"$eval_ner" -m "$dir/v.cdm" -q --check "$dir/data.conll" 2>/dev/null
ok $? 11 "first-order decoder: the tagger's caches change no tag (made-up model)"
exit $fail
