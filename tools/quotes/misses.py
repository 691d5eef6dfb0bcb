#!/usr/bin/env python3
"""Lists the quotes plugin's errors on a scored set, one line each with context.

    tools/quotes/misses.py GOLD PRED [speaker|fn|fp] [--reason TEXT] [--limit N]

GOLD and PRED are the files tools/quotes/eval.sh uses ($OUT/SPLIT.pred.jsonl keeps the
predictions when OUT is set).  Quotes are paired as ../shared/tools/score_quotes.py pairs
them (direct and mixed gold quotes, overlap >= 0.5 of the longer span).

  speaker  matched quotes whose speaker mention misses the gold one (--speaker span):
           [[gold speaker]], {{predicted speaker}}, <quote>
  fn       gold quotes nothing matched
  fp       predictions that match nothing (and overlap no other gold quote)

--reason keeps the predictions whose "reason" contains TEXT, so one rule's errors can
be read together.  Tune on train and dev only."""
import argparse
import json

EDGE = set(' \t\r\n"\'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a\u2039\u203a,.;:!?-\u2014\u2013()[]')


def trim(text, s, e):
    while s < e and text[s] in EDGE:
        s += 1
    while e > s and text[e - 1] in EDGE:
        e -= 1
    return s, e


def ov(a, b):
    return min(a[1], b[1]) - max(a[0], b[0])


def marked(text, marks, pad=70):
    pos = [m[0] for m in marks]
    a, b = max(0, min(pos) - pad), min(len(text), max(pos) + pad)
    out, last = '', a
    for p, m in sorted(marks, key=lambda x: (x[0], x[1] in (']]', '}}', '>'))):
        out += text[last:p] + m
        last = p
    return (out + text[last:b]).replace('\n', ' / ')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('gold')
    ap.add_argument('pred')
    ap.add_argument('mode', nargs='?', default='speaker', choices=['speaker', 'fn', 'fp'])
    ap.add_argument('--reason', default='')
    ap.add_argument('--limit', type=int, default=0)
    a = ap.parse_args()
    gold = {str(d['id']): d for d in map(json.loads, open(a.gold, encoding='utf-8'))}
    pred = {str(d.get('id')): d for d in map(json.loads, filter(str.strip, open(a.pred, encoding='utf-8')))}
    shown = 0
    for doc_id, g in gold.items():
        text = g['text']
        gq = [q for q in g['quotes'] if q.get('quote_type', 'direct') in ('direct', 'mixed')]
        other = [trim(text, q['start'], q['end']) for q in g['quotes'] if q.get('quote_type') not in ('direct', 'mixed')]
        pq = (pred.get(doc_id) or {}).get('quotes') or []
        ps = [trim(text, q['start'], q['end']) for q in pq]
        frags = [[trim(text, s, e) for s, e in (q.get('content_spans') or [[q['start'], q['end']]])] for q in gq]
        whole = [trim(text, q['start'], q['end']) for q in gq]

        def hit(i, p):
            n = p[1] - p[0]
            if n <= 0:
                return 0
            best = max([ov(p, f) for f in frags[i] if ov(p, f) >= 0.5 * max(n, f[1] - f[0])] or [0])
            if not best and gq[i].get('quote_type') == 'mixed' and ov(p, whole[i]) >= 0.5 * n:
                best = ov(p, whole[i])
            return best

        pairs = sorted(((hit(i, p), i, j) for i in range(len(gq)) for j, p in enumerate(ps)), reverse=True)
        used_g, used_p, absorbed, lines = set(), set(), set(), []
        for o, i, j in pairs:
            if o <= 0:
                break
            if j in used_p:
                continue
            if i in used_g:
                absorbed.add(j)
                continue
            used_g.add(i)
            used_p.add(j)
            if a.mode != 'speaker' or a.reason not in (pq[j].get('reason') or ''):
                continue
            spk = pq[j].get('speaker') or {}
            spans = gq[i].get('speaker_spans') or []
            if (not spans and not spk) or any(spk.get('start') is not None and min(e, spk['end']) > max(s, spk['start'])
                                              for s, e in spans):
                continue
            marks = [(s, '[[') for s, e in spans] + [(e, ']]') for s, e in spans] + [(ps[j][0], '<'), (ps[j][1], '>')]
            if spk.get('start') is not None:
                marks += [(spk['start'], '{{'), (spk['end'], '}}')]
            lines.append(f"{doc_id} | {pq[j].get('reason')} | {marked(text, marks)}")
        if a.mode == 'fn':
            for i in range(len(gq)):
                if i not in used_g:
                    s, e = whole[i]
                    lines.append(f"{doc_id} | {gq[i].get('quote_type')} | {marked(text, [(s, '<'), (e, '>')])}")
        if a.mode == 'fp':
            for j, p in enumerate(ps):
                if j in used_p or j in absorbed or any(ov(p, o) > 0 for o in other):
                    continue
                if a.reason in (pq[j].get('reason') or ''):
                    lines.append(f"{doc_id} | {pq[j].get('kind')} | {pq[j].get('reason')} | {marked(text, [(p[0], '<'), (p[1], '>')])}")
        for line in lines:
            if a.limit and shown >= a.limit:
                return
            print(line)
            shown += 1


if __name__ == '__main__':
    main()
