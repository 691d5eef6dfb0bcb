#!/usr/bin/env python3
"""copydesk benchmark: costs that grow.  Hostile single documents, each at three sizes (every
one twice the one before), on one core through two pipelines: the full default one, and
clean + sentences + quotes (where the quotes stage groups names itself, with no entity
layer to read).  Each stage is timed by `copydesk --stats`.  In linear time a document
twice as long takes twice as long; a path quadratic in something the document holds more
of (people of one surname, quotation marks in one paragraph, edits the offset map
records) takes four times as long.

Usage: bench/growth.py [--build build] [--scale 1.0] [--repeat 3] [--only NAME ...]

For each document and pipeline it prints the seconds at each size, the growth from the
middle size to the largest (2.0 is linear), and the stage that grew most.  A growth of 3 or
more is marked as faster than linear, and the exit status is then 1.  --scale multiplies
every size.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from run import default_stages, stats_run, write_pipeline  # noqa: E402 (bench/run.py)

GIVEN = ['Anna', 'Peter', 'Maria', 'John', 'Laura', 'David', 'Sarah', 'Michael']


def word(i, capital=True):
    """A made-up word of three syllables, distinct for every I below 91,125."""
    s = ''
    for _ in range(3):
        s += 'aeiou'[i % 5] + 'bdklmnrst'[(i // 5) % 9]
        i //= 45
    return s.capitalize() if capital else s


# name → (what it stresses, the document of N units)
DOCUMENTS = {
    'one-surname': ('thousands of people of one surname (name grouping, surname lookups)',
                    lambda n: ''.join(f'“We are ready,” {GIVEN[i % 8]} {word(i)} Smith said. '
                                      f'“We will win,” Smith said. {word(i)} Smith left.\n\n'
                                      for i in range(n))),
    'distinct-names': ('thousands of distinct people, each named again later (name grouping)',
                       lambda n: ''.join(f'{GIVEN[i % 8]} {word(i)} met {GIVEN[(i + 3) % 8]} '
                                         f'{word(i + 7)} on Monday. {word(max(i - 50, 0))} said '
                                         f'the talks went well.\n\n' for i in range(n))),
    'quotes-one-paragraph': ('quotations and speakers in one paragraph (pairing, attribution)',
                             lambda n: ''.join(f'“Yes,” {GIVEN[i % 8]} {word(i)} said. ' for i in range(n))),
    'unclosed-marks': ('opening marks that never close, in one paragraph (pairing)',
                       lambda n: '“He said ‘no’ and ' * n),
    'sentence-starts': ('distinct capitalised sentence starts, each also written in lowercase',
                        lambda n: ''.join(f'{word(i)} waited. Then {word(i, False)} came. ' for i in range(n))),
    'many-edits': ('entities, mojibake and CRLF everywhere (edits, the offset map)',
                   lambda n: 'Tom &amp; Jerry said “it&#8217;s fine” at the cafÃ© Itâ€™s late.\r\n' * n),
    'one-sentence-of-cues': ('one sentence of thousands of speech verbs, no period',
                             lambda n: ''.join(f'{word(i)} said {word(i + 7)} told ' for i in range(n))),
    'nominals-and-pronouns': ('titled people, then "the senator" and "she" far from them (resolution)',
                              lambda n: ''.join(f'Sen. {GIVEN[i % 8]} {word(i)} spoke. The senator said the '
                                                f'bill would pass. “It will,” she said. ' for i in range(n))),
    'organisations': ('distinct organisations, their acronyms and "the company" (grouping, resolution)',
                      lambda n: ''.join(f'{word(i)} {word(i + 1)} Corporation cut jobs. {word(i)[0]}'
                                        f'{word(i + 1)[0]}C shares fell, the company said. ' for i in range(n))),
    'no-spaces': ('one word without a space', lambda n: 'abcdefghij' * (n * 4)),
}

BASE_UNITS = 10_000  # the smallest size: 10,000 units (about 0.2 to 0.9 MB)

def growth_row(binary, pipeline, paths, env, repeat):
    """Median seconds at each size (a JSONL file of one record each), the growth from the
    middle size to the largest, and the stage that grew most with its growth."""
    secs, stage_secs = [], []
    for path in paths:
        runs = [stats_run([binary, '-c', pipeline, '-j', '1', '--stats'], path, env)[:2] for _ in range(repeat)]
        secs.append(statistics.median(r[0] for r in runs))
        stage_secs.append({k: statistics.median(r[1].get(k, 0.0) for r in runs) for k in runs[0][1]})
    growth = secs[2] / secs[1] if secs[1] > 0 else float('nan')

    def stage_growth(k):
        return stage_secs[2][k] / max(stage_secs[1].get(k, 0.0), 1e-3) if stage_secs[2][k] >= 0.02 else 0.0

    grew = max(stage_secs[2], key=stage_growth, default='')
    if not grew or stage_growth(grew) == 0.0:
        return secs, growth, '(every stage under 0.02 s)', None
    return secs, growth, grew, stage_growth(grew)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--scale', type=float, default=1.0)
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--only', nargs='*', choices=sorted(DOCUMENTS))
    args = ap.parse_args()
    binary = os.path.join(args.build, 'core', 'copydesk')
    if not os.path.exists(binary):
        sys.exit(f'growth: {binary} not found: build first (ninja -C build)')
    env = dict(os.environ, COPYDESK_PLUGIN_PATH=os.path.join(args.build, 'plugins'),
               COPYDESK_DATA_DIR=os.path.join(ROOT, 'conf'), LC_ALL='C.UTF-8')
    names = args.only or list(DOCUMENTS)
    sizes = [int(BASE_UNITS * args.scale) * f for f in (1, 2, 4)]
    print(f'costs that grow: single documents, -j 1, median of {args.repeat} runs '
          '(default: clean, sentences, entities, quotes; csq: clean, sentences, quotes)')
    print(f'{"document":22} {"pipeline":8} {"MB":>17} {"seconds":>23} {"growth":>7}  stage that grew most')
    superlinear = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = os.path.join(ROOT, 'conf')
        stages = default_stages(data_dir)
        pipelines = (('default', write_pipeline(tmp, 'default', stages, data_dir)),
                     ('csq', write_pipeline(tmp, 'csq', [s for s in stages if s != 'entities'], data_dir)))
        for name in names:
            paths, mbs = [], []
            for n in sizes:
                text = DOCUMENTS[name][1](n)
                paths.append(os.path.join(tmp, f'{name}-{n}.jsonl'))
                with open(paths[-1], 'w', encoding='utf-8') as f:
                    f.write(json.dumps({'id': f'{name}-{n}', 'text': text}) + '\n')
                mbs.append(len(text.encode()) / 1e6)
            for label, pipeline in pipelines:
                secs, growth, grew, grew_by = growth_row(binary, pipeline, paths, env, args.repeat)
                mark = '' if growth < 3 else '  FASTER THAN LINEAR'
                if mark:
                    superlinear.append(f'{name} ({label})')
                print(f'{name:22} {label:8} {" ".join(f"{m:5.2f}" for m in mbs)} '
                      f'{" ".join(f"{s:7.3f}" for s in secs)} {growth:6.2f}×  {grew}'
                      f'{f" {grew_by:.2f}×" if grew_by is not None else ""}{mark}')
            for path in paths:
                os.remove(path)
    print('\ngrowth: seconds at the largest size over those at the middle one (2.00 is linear, 4.00 quadratic)')
    for name in names:
        print(f'  {name}: {DOCUMENTS[name][0]}')
    if superlinear:
        print('faster than linear: ' + ', '.join(superlinear))
    return 1 if superlinear else 0


if __name__ == '__main__':
    sys.exit(main())
