#!/usr/bin/env python3
"""copydesk benchmark: costs that grow.  Hostile single documents, each at three sizes (every
one twice the one before), through the full default pipeline on one core, with each stage
timed by `copydesk --stats`.  In linear time a document twice as long takes twice as long;
a path quadratic in something the document holds more of (people of one surname, quotation
marks in one paragraph, edits the offset map records) takes four times as long.

Usage: bench/growth.py [--build build] [--scale 1.0] [--repeat 3] [--only NAME ...]

For each document it prints the seconds at each size, the growth from the middle size to
the largest (2.0 is linear), and the stage that grew most.  A growth of 3 or more is marked
as faster than linear, and the exit status is then 1.  --scale multiplies every size.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

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
    'no-spaces': ('one word without a space', lambda n: 'abcdefghij' * (n * 4)),
}

BASE_UNITS = 10_000  # the smallest size: 10,000 units (about 0.2 to 0.9 MB)


def run_stats(binary, path, env):
    """Seconds of the whole run and of each stage (`--stats`)."""
    start = time.perf_counter()
    proc = subprocess.run([binary, '-j', '1', '--stats', path], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f'growth: copydesk failed on {path}: {proc.stderr.decode(errors="replace")[:400]}')
    stages = {}
    for line in proc.stderr.decode(errors='replace').splitlines():
        parts = line.split()
        # "  quotes    0.123   12.3%   45.6": a name (maybe several words), seconds, share, MB/s
        if len(parts) >= 4 and parts[-2].endswith('%'):
            try:
                stages[' '.join(parts[:-3])] = float(parts[-3])
            except ValueError:
                pass
    return elapsed, stages


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
    print('costs that grow: single documents through the full default pipeline, -j 1, '
          f'median of {args.repeat} runs')
    print(f'{"document":22} {"MB":>17} {"seconds":>23} {"growth":>7}  stage that grew most')
    superlinear = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            make = DOCUMENTS[name][1]
            mbs, secs, stage_secs = [], [], []
            for n in sizes:
                path = os.path.join(tmp, f'{name}-{n}.txt')
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(make(n))
                mbs.append(os.path.getsize(path) / 1e6)
                runs = [run_stats(binary, path, env) for _ in range(args.repeat)]
                secs.append(statistics.median(r[0] for r in runs))
                stage_secs.append({k: statistics.median(r[1].get(k, 0.0) for r in runs) for k in runs[0][1]})
                os.remove(path)
            growth = secs[2] / secs[1] if secs[1] > 0 else float('nan')
            grew = max(stage_secs[2], key=lambda k: stage_secs[2][k] / max(stage_secs[1].get(k, 0.0), 1e-3)
                       if stage_secs[2][k] >= 0.02 else 0.0, default='')
            stage_growth = stage_secs[2].get(grew, 0.0) / max(stage_secs[1].get(grew, 0.0), 1e-3)
            mark = '' if growth < 3 else '  FASTER THAN LINEAR'
            if mark:
                superlinear.append(name)
            print(f'{name:22} {" ".join(f"{m:5.2f}" for m in mbs)} {" ".join(f"{s:7.3f}" for s in secs)} '
                  f'{growth:6.2f}×  {grew} {stage_growth:.2f}×{mark}')
    print('\ngrowth: seconds at the largest size over those at the middle one (2.00 is linear, 4.00 quadratic)')
    for name in names:
        print(f'  {name}: {DOCUMENTS[name][0]}')
    return 1 if superlinear else 0


if __name__ == '__main__':
    sys.exit(main())
