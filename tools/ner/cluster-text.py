#!/usr/bin/env python3
"""Writes the unlabelled text that tools/ner/make-clusters learns word clusters from.

  python3 tools/ner/cluster-text.py --conll ../shared/data/ner/conll2003/eng.train \
      --conll ../shared/data/ner/gmb/gmb_train.conll --conll ../shared/data/ner/gmb/gmb_dev.conll \
      --conll ../shared/data/ner/gmb/gmb_test.conll \
      --jsonl ../shared/data/quotes/polnear/train.jsonl --jsonl ../shared/data/quotes/polnear/dev.jsonl \
      --jsonl ../shared/data/quotes/polnear/test.jsonl > /tmp/ner-text.txt

One token sequence a line, tokens separated by single spaces.  --conll FILE takes the first
column of a CoNLL-format file (a sentence a line; -DOCSTART- lines dropped; tags ignored);
--jsonl FILE takes the "text" field of each JSON line and tokenises it the way CoNLL-2003
is tokenised (a paragraph a line).  Every token is written as the tagger's features see it:
typographic quotes, dashes and the ellipsis made plain ASCII, every digit as 0 (case kept).

The output is text from ../shared and must stay outside the repository (write it to /tmp);
only the cluster ids learned from it are shipped, inside the model.  Same inputs, same bytes.
"""
import argparse
import json
import re
import sys
import unicodedata

PLAIN = {0x2019: "'", 0x2018: "'", 0x201B: "'", 0x2032: "'",
         0x201C: '"', 0x201D: '"', 0x201E: '"', 0x00AB: '"', 0x00BB: '"',
         0x2013: "-", 0x2014: "-", 0x2012: "-", 0x2010: "-", 0x2011: "-", 0x2026: "."}


def normalise(tok):
    """As features.c sees a token: typographic marks plain, digits as 0."""
    out = []
    for ch in tok:
        ch = PLAIN.get(ord(ch), ch)
        if ch.isdigit() or unicodedata.category(ch) == "Nd":
            ch = "0"
        out.append(ch)
    return "".join(out)


# Abbreviations that keep their period (CoNLL-2003 / Penn Treebank style).
ABBREV = set("""Mr Mrs Ms Dr Prof Sen Rep Gov Gen Lt Col Capt Sgt Maj Adm Cmdr Rev Hon Pres
St Ste Mt Ft Jr Sr Inc Corp Co Ltd Bros No Nos vs Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct
Nov Dec Mon Tue Wed Thu Fri Sat Sun Ave Blvd Rd Dept Univ Assn Ariz Calif Colo Conn Del Fla
Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont Neb Nev Okla Ore Pa Tenn Tex Va Vt Wash
Wis Wyo etc al""".split())

CLITICS = re.compile(r"^(.+?)(n't|'s|'re|'ve|'ll|'d|'m|'S|'RE|'VE|'LL|'D|'M|N'T)$")
LEAD = "\"'([{`-$#"
TRAIL = "\"')]}.,;:!?%-"


def split_chunk(chunk):
    """Penn-Treebank-like splitting of one whitespace-separated chunk."""
    lead, trail = [], []
    # em/en dashes written without spaces split words: "do about it-tell us"
    if "--" in chunk:
        parts = chunk.split("--")
        out = []
        for k, p in enumerate(parts):
            if k:
                out.append("--")
            if p:
                out.extend(split_chunk(p))
        return out
    while chunk and chunk[0] in LEAD and len(chunk) > 1:
        lead.append(chunk[0])
        chunk = chunk[1:]
    while chunk and chunk[-1] in TRAIL and len(chunk) > 1:
        if chunk[-1] == ".":
            stem = chunk[:-1]
            if stem in ABBREV or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", stem) \
                    or re.fullmatch(r"[A-Z]", stem):
                break
        if chunk[-1] == "-" and not chunk[:-1].endswith("-"):
            break
        trail.append(chunk[-1])
        chunk = chunk[:-1]
    toks = []
    if chunk:
        m = CLITICS.match(chunk)
        if m and m.group(1) not in ("O", "o", "d"):
            toks = [m.group(1), m.group(2)]
        else:
            toks = [chunk]
    return lead + toks + trail[::-1]


def tokenise(text):
    text = re.sub("[\u2013\u2014]", " - ", text)  # dashes between words stand alone
    text = "".join(PLAIN.get(ord(c), c) for c in text)
    for para in text.split("\n"):
        para = para.replace("''", '"').replace("``", '"')
        toks = []
        for chunk in para.split():
            toks.extend(split_chunk(chunk))
        if toks:
            yield toks


def from_conll(path, out):
    sent = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if sent:
                    out.write(" ".join(sent) + "\n")
                    sent = []
                continue
            tok = line.split()[0]
            if tok == "-DOCSTART-":
                continue
            sent.append(normalise(tok))
    if sent:
        out.write(" ".join(sent) + "\n")


def from_jsonl(path, out):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            for toks in tokenise(json.loads(line)["text"]):
                out.write(" ".join(normalise(t) for t in toks) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conll", action="append", default=[], help="CoNLL file (first column)")
    ap.add_argument("--jsonl", action="append", default=[], help="JSON lines with a text field")
    args = ap.parse_args()
    out = sys.stdout
    for p in args.conll:
        from_conll(p, out)
    for p in args.jsonl:
        from_jsonl(p, out)


if __name__ == "__main__":
    main()
