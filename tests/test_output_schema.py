#!/usr/bin/env python3
"""copydesk — the json and jsonl records against docs/schema/document.schema.json.

  test_output_schema.py PATH/TO/test_html_chromium

Runs the shipped pipelines (the copydesk binary, $COPYDESK_BINARY, on examples/ and on
generated input; with the entities and quotes stages when those plugins are built) and the
hand-annotated samples (the helper), then checks every record: it validates against the
schema (python3-jsonschema), it parses with Python's strict json module, every string is
valid Unicode without lone surrogates, every offset pair points at its `text` in the
original, and U+2028, U+2029 and control characters never appear unescaped.

TAP output; skipped when the jsonschema module is missing (Debian: python3-jsonschema).
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("1..1\nok 1 # SKIP python3-jsonschema is not installed")
    sys.exit(0)

SOURCE = os.environ["COPYDESK_SOURCE_ROOT"]
BINARY = os.environ["COPYDESK_BINARY"]
PLUGINS = os.environ.get("COPYDESK_PLUGIN_PATH", "")
HELPER = sys.argv[1]
ALL = "[text, clean_text, sentences, paragraphs, tokens, mentions, entities, quotes]"

with open(os.path.join(SOURCE, "docs", "schema", "document.schema.json"), encoding="utf-8") as f:
    SCHEMA = json.load(f)
Validator = jsonschema.validators.validator_for(SCHEMA)
Validator.check_schema(SCHEMA)
RECORD = Validator(SCHEMA)
ANNOTATIONS = Validator({"$ref": "#/$defs/annotations", "$defs": SCHEMA["$defs"]})

tmp = tempfile.mkdtemp(prefix="copydesk-schema-")


def have_plugin(name):
    return any(os.path.exists(os.path.join(d, name, name + ".so")) or
               os.path.exists(os.path.join(d, name + ".so")) for d in PLUGINS.split(":") if d)


STAGES = ["clean", "sentences"] + [p for p in ("entities", "quotes") if have_plugin(p)]


def pipeline(output, options, fmt="text"):
    path = os.path.join(tmp, "p%d.yaml" % len(os.listdir(tmp)))
    with open(path, "w") as f:
        f.write("input: {format: %s}\npipeline:\n" % fmt)
        for s in STAGES:
            f.write("  - plugin: %s\n" % s)
        f.write("output:\n  plugin: %s\n  options: %s\n" % (output, options))
    return path


def run(args, stdin=None):
    r = subprocess.run([BINARY, "-q"] + args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if r.returncode not in (0, 1):  # 1: a document failed; it is still in the output
        raise AssertionError("copydesk %s: exit %d\n%s" % (args, r.returncode, r.stderr.decode()))
    return r.stdout


def strict_records(raw, jsonl):
    """Parses RAW (bytes) as the plugin's output, strictly."""
    text = raw.decode("utf-8")  # raises on invalid UTF-8
    for ch in ("\u2028", "\u2029"):
        assert ch not in text, "unescaped U+%04X in the output" % ord(ch)
    if jsonl:
        lines = text.split("\n")
        assert lines[-1] == "", "jsonl output must end with a newline"
        return [json.loads(line) for line in lines[:-1]]
    records = json.loads(text)
    assert isinstance(records, list)
    return records


def walk_strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from walk_strings(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from walk_strings(x)


def units(s, unit):
    """S as a list of units, so that slicing matches copydesk's offsets."""
    if unit == "codepoints":
        return list(s)
    if unit == "bytes":
        return list(s.encode("utf-8"))
    b = s.encode("utf-16-le")
    return [b[i:i + 2] for i in range(0, len(b), 2)]


def check_offsets(rec, unit, original):
    """Every start/end pair with a text points at that text in the original."""
    if original is None:
        return
    if unit == "bytes" and "\ufffd" in original:
        return  # an invalid byte of the input is one U+FFFD of three bytes in the JSON text
    u = units(original, unit)

    def piece(a, b):
        chunk = u[a:b]
        if unit == "codepoints":
            return "".join(chunk)
        if unit == "bytes":
            return bytes(chunk).decode("utf-8", errors="replace")
        return b"".join(chunk).decode("utf-16-le")

    def check(obj):
        if obj.get("start") is None:
            return
        a, b = obj["start"], obj["end"]
        assert 0 <= a <= b <= len(u), (obj, len(u))
        if "text" in obj and obj["text"] is not None:
            assert piece(a, b) == obj["text"], (obj, piece(a, b))

    for key in ("sentences", "paragraphs", "tokens"):
        for a, b in rec.get(key, []):
            assert 0 <= a <= b <= len(u), (key, a, b, len(u))
    for m in rec.get("mentions", []):
        check(m)
    for q in rec.get("quotes", []):
        check(q)
        if q["speaker"]:
            check(q["speaker"])
        if q["cue"]:
            check(q["cue"])


def validate(records, unit="codepoints", nest=None, originals=None):
    for i, rec in enumerate(records):
        errors = sorted(RECORD.iter_errors(rec), key=lambda e: list(e.path))
        assert not errors, "record %d: %s at %s" % (i, errors[0].message, list(errors[0].path))
        if nest is not None:
            assert nest in rec, "no %s object in record %d" % (nest, i)
            errs = list(ANNOTATIONS.iter_errors(rec[nest]))
            assert not errs, "record %d, %s: %s" % (i, nest, errs[0].message)
        for s in walk_strings(rec):
            s.encode("utf-8")  # raises on a lone surrogate
        body = rec[nest] if nest else rec
        original = body.get("text", rec.get("text"))
        if originals is not None:
            original = originals[i]
        check_offsets(body, unit, original)
    return records


tests = []


def check(name):
    def wrap(fn):
        tests.append((name, fn))
        return fn
    return wrap


def example(name):
    return os.path.join(SOURCE, "examples", name)


@check("the schema is a valid JSON Schema")
def schema_valid():
    Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"].startswith("https://json-schema.org/draft/2020-12")


@check("json: the harbour article, every key, pretty and compact")
def json_article():
    for pretty in ("true", "false"):
        p = pipeline("json", "{include: %s, pretty: %s}" % (ALL, pretty))
        recs = validate(strict_records(run(["-c", p, example("harbour-strike.txt")]), False))
        assert len(recs) == 1 and "sentences" in recs[0] and "tokens" in recs[0]


@check("jsonl: the briefs, JSONL in, every input field kept")
def jsonl_briefs():
    p = pipeline("jsonl", "{include: %s}" % ALL, fmt="jsonl")
    recs = validate(strict_records(run(["-c", p, example("briefs.jsonl")]), True))
    with open(example("briefs.jsonl"), encoding="utf-8") as f:
        inputs = [json.loads(line) for line in f if line.strip()]
    assert len(recs) == len(inputs)
    for rec, inp in zip(recs, inputs):
        for k, v in inp.items():
            assert rec[k] == v, (k, rec[k], v)


@check("jsonl: offsets in bytes and UTF-16 units point at the same text")
def jsonl_units():
    for unit in ("bytes", "utf16"):
        p = pipeline("jsonl", "{include: %s, offsets: %s}" % (ALL, unit))
        raw = run(["-c", p, example("harbour-strike.txt")])
        validate(strict_records(raw, True), unit=unit)


@check("jsonl: nest puts copydesk's keys in one valid object")
def jsonl_nest():
    p = pipeline("jsonl", "{include: %s, nest: copydesk}" % ALL, fmt="jsonl")
    validate(strict_records(run(["-c", p, example("briefs.jsonl")]), True), nest="copydesk")


@check("json and jsonl of the hand-annotated samples (mentions, entities, quotes)")
def samples():
    for plugin in ("json", "jsonl"):
        raw = subprocess.run([HELPER, "--format", plugin, "--options", "{include: %s}" % ALL],
                             check=True, stdout=subprocess.PIPE).stdout
        recs = validate(strict_records(raw, plugin == "jsonl"))
        assert [r["id"] for r in recs] == ["valmora-brief", "valmora-strike", 'evil/"<i>&\'', "bare"]
        strike = recs[1]
        assert len(strike["quotes"]) == 5 and len(strike["entities"]) == 8
        assert strike["quotes"][4]["speaker"]["name"] == "Inês Carvalho"
        assert strike["quotes"][4]["speaker"]["text"] == "she"
        for unit in ("bytes", "utf16"):
            raw = subprocess.run([HELPER, "--format", plugin, "--options",
                                  "{include: %s, offsets: %s}" % (ALL, unit)],
                                 check=True, stdout=subprocess.PIPE).stdout
            validate(strict_records(raw, plugin == "jsonl"), unit=unit)


def every_code_point():
    """Every Unicode scalar value but the surrogates (and NUL, added separately)."""
    return "".join(chr(c) for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF
                   and (c < 0x10000 or c % 97 == 0))


@check("every code point, controls, U+2028/U+2029, NUL and invalid UTF-8 give valid JSON")
def every_character():
    text = every_code_point()
    raw_input = (b"</script><b>markup</b> \x00 NUL \xff\xfe\xc3( \xed\xa0\x80 "
                 + text.encode("utf-8") + b" \xe2\x80\xa8 \xe2\x80\xa9 end")
    path = os.path.join(tmp, "every.txt")
    with open(path, "wb") as f:
        f.write(raw_input)
    for plugin in ("json", "jsonl"):
        p = pipeline(plugin, "{include: [text, clean_text, sentences, tokens]}")
        raw = run(["-c", p, path])
        out = raw.decode("utf-8")
        for c in range(0x20):
            assert chr(c) not in out.replace("\n", "") or chr(c) == "\n", "raw control %#x" % c
        recs = validate(strict_records(raw, plugin == "jsonl"))
        original = recs[0]["text"]
        # The original comes back with each invalid byte as U+FFFD (one per bad byte).
        want = raw_input.decode("utf-8", errors="replace")
        assert original.replace("\ufffd", "") == want.replace("\ufffd", "")
        assert "\u2028" in original and "\u2029" in original and "\x00" in original
        assert "</script><b>markup</b>" in original
        assert text in original


@check("JSONL records holding escapes, NUL and markup stay valid")
def jsonl_escapes():
    lines = [
        {"id": "e1", "text": "A\u0000B \u2028 C \u2029 </script><b>x</b> \u0007 \U0001F600"},
        {"id": 42, "text": "Numeric id \"quoted\" \\ backslash", "meta": {"n": [1, 2.5e3, None]}},
        {"id": "e3", "text": "\ud83d\ude00 surrogate pair escaped", "section": "\u00e9"},
    ]
    data = "".join(json.dumps(l, ensure_ascii=(i == 2)) + "\n" for i, l in enumerate(lines))
    path = os.path.join(tmp, "escapes.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write(data)
    p = pipeline("jsonl", "{include: %s}" % ALL, fmt="jsonl")
    recs = validate(strict_records(run(["-c", p, path]), True))
    assert [r["id"] for r in recs] == ["e1", 42, "e3"]
    assert recs[0]["text"] == lines[0]["text"]
    assert recs[1]["meta"] == lines[1]["meta"]


@check("a batch of 100 JSONL records with -j 2 validates and equals the -j 1 output")
def batch():
    with open(example("briefs.jsonl"), encoding="utf-8") as f:
        briefs = [json.loads(line) for line in f if line.strip()]
    path = os.path.join(tmp, "batch.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i in range(100):
            rec = dict(briefs[i % len(briefs)])
            rec["id"] = "batch-%03d" % i
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    p = pipeline("jsonl", "{include: %s}" % ALL, fmt="jsonl")
    one = run(["-c", p, "-j", "1", path])
    two = run(["-c", p, "-j", "2", path])
    assert one == two, "-j 2 changed the output"
    recs = validate(strict_records(two, True))
    assert [r["id"] for r in recs] == ["batch-%03d" % i for i in range(100)]
    pj = pipeline("json", "{include: %s}" % ALL, fmt="jsonl")
    validate(strict_records(run(["-c", pj, "-j", "2", path]), False))


def main():
    print("1..%d" % len(tests))
    print("# stages: %s" % ", ".join(STAGES))
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        try:
            fn()
            print("ok %d - %s" % (i, name))
        except Exception as e:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in ("%s: %s" % (type(e).__name__, e)).splitlines()[:40]:
                print("# " + line[:2000])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
