#!/bin/sh
# Trains twice on a small made-up CoNLL file with the same seed and checks the model bytes
# are equal; then checks eval-ner reads the model back.  TAP output.
# Usage: check-reproducible.sh TRAIN-NER EVAL-NER
set -u
train=$1
eval_ner=$2
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
echo "1..4"
ok() { if [ "$1" -eq 0 ]; then echo "ok $2 - $3"; else echo "not ok $2 - $3"; fail=1; fi; }
fail=0
"$train" --train "$dir/data.conll" --dev "$dir/data.conll" --epochs 3 --seed 7 --bits 12 -o "$dir/a.cdm" 2>/dev/null
ok $? 1 "train-ner runs"
"$train" --train "$dir/data.conll" --dev "$dir/data.conll" --epochs 3 --seed 7 --bits 12 -o "$dir/b.cdm" 2>/dev/null
cmp -s "$dir/a.cdm" "$dir/b.cdm"
ok $? 2 "same data and seed give the same bytes"
"$eval_ner" -m "$dir/a.cdm" -q "$dir/data.conll" 2> "$dir/eval.txt"
ok $? 3 "eval-ner reads the model"
grep -q "F1 100.00" "$dir/eval.txt"
ok $? 4 "the model tags its training data right"
exit $fail
