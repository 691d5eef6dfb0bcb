#!/usr/bin/env python3
"""Score clean's mojibake repair on ftfy's test cases.

Runs the built copydesk over ../shared/data/mojibake/ftfy_cases.jsonl (one case a line:
"original", the expected "fixed_encoding", "expect": pass | fail, "category", of which
"negative" marks text that only looks like mojibake) with a pipeline of `clean` alone,
every pass but mojibake repair turned off, and compares the cleaned text with
"fixed_encoding".

Usage (from the repository root, after `ninja -C build`):
    python3 tools/mojibake/eval.py            # prints the counts
    python3 tools/mojibake/eval.py -v         # and every case that does not match
    python3 tools/mojibake/eval.py --default  # clean with its default options instead

Prints, for the cases marked `expect: pass`: how many give fixed_encoding (the target is
all of them), how many of the negative cases are left unchanged (all of them: for
negative cases fixed_encoding is the original, except one with a C1 control, which
counts as a pass when it gives fixed_encoding); and, for information, how the cases
marked `expect: fail` (ftfy's known failures) come out.  Exit status 1 when the target is
missed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CASES = os.path.normpath(
    os.path.join(ROOT, "..", "shared", "data", "mojibake", "ftfy_cases.jsonl"))

ONLY_MOJIBAKE = ("{mojibake: true, html_entities: false, control: false, zero_width: false, "
                 "normalize: none, whitespace: false, join_lines: false, boilerplate: false, "
                 "report_invalid: false}")


def pipeline_yaml(default):
    options = "" if default else f"    options: {ONLY_MOJIBAKE}\n"
    return ("input:\n  format: jsonl\n  text_field: original\npipeline:\n  - plugin: clean\n"
            + options +
            "output:\n  plugin: jsonl\n"
            "  options: {include: [clean_text], include_text: false, nest: copydesk}\n")


def run(build, cases_path, default):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(pipeline_yaml(default))
        conf = f.name
    env = dict(os.environ, COPYDESK_PLUGIN_PATH=os.path.join(build, "plugins"),
               COPYDESK_DATA_DIR=os.path.join(ROOT, "conf"))
    try:
        out = subprocess.run([os.path.join(build, "core", "copydesk"), "-c", conf, "--from",
                              "jsonl", cases_path], env=env, capture_output=True, check=False)
    finally:
        os.unlink(conf)
    if out.returncode not in (0, 1):
        sys.exit(f"copydesk failed ({out.returncode}): {out.stderr.decode(errors='replace')}")
    return {r["id"]: r for r in (json.loads(l) for l in out.stdout.decode().split("\n") if l.strip())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("--default", action="store_true", help="clean with its default options")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    cases = [json.loads(l) for l in open(args.cases, encoding="utf-8") if l.strip()]
    got = run(args.build, args.cases, args.default)
    passed = total = neg_total = neg_same = fail_total = fail_fixed = 0
    misses = []
    for case in cases:
        rec = got.get(case["id"], {})
        out = rec.get("copydesk", {}).get("clean_text", case["original"])
        ok = out == case["fixed_encoding"]
        if case["expect"] != "pass":
            fail_total += 1
            fail_fixed += ok
            if args.verbose and not ok:
                misses.append(("known failure", case, out))
            continue
        total += 1
        passed += ok
        if case["category"] == "negative":
            neg_total += 1
            neg_same += ok
        if not ok:
            misses.append(("MISS", case, out))
    print(f"expect=pass: {passed}/{total} give fixed_encoding")
    print(f"negative:    {neg_same}/{neg_total} as expected "
          f"({sum(1 for c in cases if c['category'] == 'negative' and c['original'] == c['fixed_encoding'])}"
          " must stay unchanged)")
    print(f"expect=fail: {fail_fixed}/{fail_total} fixed anyway (ftfy's known failures)")
    for tag, case, out in misses:
        print(f"--- {tag} id={case['id']} [{case['category']}] {case['label']}")
        print(f"    original: {case['original']!r}")
        print(f"    expected: {case['fixed_encoding']!r}")
        print(f"    got:      {out!r}")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
