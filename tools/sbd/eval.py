#!/usr/bin/env python3
"""Score copydesk's sentence splitting on the Golden Rules and the pySBD extra cases.

Runs the built copydesk over each gold file (JSON Lines with "id", "text" and
"sentences"), turns the `sentences` offsets of its jsonl output (code points into the
original text) back into strings, and scores them twice: with this script's own
comparison (exact list match after str.strip(), the pySBD/Golden Rules metric) and with
the shared scorer ../shared/tools/score_sbd.py, whose output is printed as is.

Usage (from the repository root, after `ninja -C build`):
    python3 tools/sbd/eval.py                      # both sets, both pipelines
    python3 tools/sbd/eval.py --pipeline sentences  # only `sentences` (no clean)
    python3 tools/sbd/eval.py -v                    # list the failures

Pipelines: `sentences` is the plugin alone on the raw text; `clean+sentences` is the
default pipeline's two stages (clean's default options, then sentences).  Offsets map
back to the original text either way, so the sentence strings are slices of the gold
text.  Exit status 0 when it ran; 1 when --min-golden is given and not reached.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))

PIPELINES = {
    "sentences": ["sentences"],
    "clean+sentences": ["clean", "sentences"],
}
SETS = ["golden_rules_en.jsonl", "ps_english_spec_extra.jsonl"]


def pipeline_yaml(stages):
    lines = ["input:", "  format: jsonl", "  text_field: text", "pipeline:"]
    lines += [f"  - plugin: {s}" for s in stages]
    lines += ["output:", "  plugin: jsonl",
              "  options: {offsets: codepoints, include: [sentences], include_text: false, nest: copydesk}"]
    return "\n".join(lines) + "\n"


def run_copydesk(build, stages, gold_path):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(pipeline_yaml(stages))
        conf = f.name
    env = dict(os.environ, COPYDESK_PLUGIN_PATH=os.path.join(build, "plugins"),
               COPYDESK_DATA_DIR=os.path.join(ROOT, "conf"))
    try:
        out = subprocess.run([os.path.join(build, "core", "copydesk"), "-c", conf, gold_path],
                             env=env, capture_output=True, check=False)
    finally:
        os.unlink(conf)
    if out.returncode not in (0, 1):
        sys.exit(f"copydesk failed ({out.returncode}): {out.stderr.decode(errors='replace')}")
    return [json.loads(line) for line in out.stdout.decode("utf-8").split("\n") if line.strip()]


def predictions(gold_rows, records):
    by_id = {r["id"]: r for r in records}
    preds = []
    for g in gold_rows:
        rec = by_id.get(g["id"])
        spans = rec.get("copydesk", {}).get("sentences", []) if rec else []
        sents = [g["text"][s:e] for s, e in spans]
        preds.append({"id": g["id"], "sentences": sents})
    return preds


def own_score(gold_rows, preds):
    got = {p["id"]: [s.strip() for s in p["sentences"]] for p in preds}
    fails = [g for g in gold_rows if got.get(g["id"]) != [s.strip() for s in g["sentences"]]]
    return len(gold_rows) - len(fails), fails, got


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--data", default=os.path.join(SHARED, "data", "sentences"))
    ap.add_argument("--scorer", default=os.path.join(SHARED, "tools", "score_sbd.py"))
    ap.add_argument("--pipeline", choices=sorted(PIPELINES), action="append")
    ap.add_argument("--set", action="append", help="gold file name under --data")
    ap.add_argument("--min-golden", type=int, help="exit 1 unless golden_rules_en reaches this")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    status = 0
    for name in args.pipeline or list(PIPELINES):
        for gold_name in args.set or SETS:
            gold_path = os.path.join(args.data, gold_name)
            gold_rows = [json.loads(l) for l in open(gold_path, encoding="utf-8") if l.strip()]
            preds = predictions(gold_rows, run_copydesk(args.build, PIPELINES[name], gold_path))
            correct, fails, got = own_score(gold_rows, preds)
            print(f"== {gold_name} [{name}]")
            print(f"copydesk eval: {correct}/{len(gold_rows)}")
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False,
                                             encoding="utf-8") as f:
                for p in preds:
                    f.write(json.dumps(p, ensure_ascii=False) + "\n")
                pred_path = f.name
            try:
                scored = subprocess.run([sys.executable, args.scorer, gold_path, pred_path],
                                        capture_output=True, text=True, check=False)
                print("score_sbd.py: " + scored.stdout.strip())
            finally:
                os.unlink(pred_path)
            if args.verbose:
                for g in fails:
                    print(f"--- FAIL id={g['id']} {g.get('name', '')}")
                    print(f"    text: {g['text']!r}")
                    print(f"    gold: {[s.strip() for s in g['sentences']]!r}")
                    print(f"    pred: {got.get(g['id'])!r}")
            if (args.min_golden is not None and gold_name == "golden_rules_en.jsonl"
                    and correct < args.min_golden):
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
