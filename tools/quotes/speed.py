#!/usr/bin/env python3
"""The quotes stage's own throughput, as bench/run.py reports it: clean+sentences and
clean+sentences+quotes over one corpus, quotes' speed = MB / (t2 - t1).

    tools/quotes/speed.py [--corpus FILE] [--repeat N] [--build DIR]

Prints the wall-clock figure (medians, as the benchmark) and the CPU-time one (minima of
user+sys, steadier on a shared machine).  The corpus defaults to
/tmp/benchcorpus/news-10MB.jsonl (../shared/tools/make_bench_corpus.py makes it)."""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--corpus', default='/tmp/benchcorpus/news-10MB.jsonl')
    ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='quotes-speed-')
    lex = os.path.join(ROOT, 'conf', 'lexicons')
    pipes = {}
    for name, stages in (('base', ['clean', 'sentences']), ('quotes', ['clean', 'sentences', 'quotes'])):
        path = os.path.join(tmp, name + '.yaml')
        with open(path, 'w') as f:
            f.write('input: {format: jsonl}\npipeline:\n')
            for s in stages:
                f.write(f'  - plugin: {s}\n')
            if 'quotes' in stages:
                f.write('    options: {' + ', '.join(f'{k}: {os.path.join(lex, v)}' for k, v in
                        (('cues', 'cues.txt'), ('titles', 'titles.txt'), ('names', 'given-names.txt'),
                         ('words', 'words.txt'))) + '}\n')
            f.write('output: {plugin: jsonl}\n')
        pipes[name] = path
    env = dict(os.environ, COPYDESK_PLUGIN_PATH=os.path.join(a.build, 'plugins'))

    def run(cfg):
        with open(a.corpus, 'rb') as f:
            t = time.perf_counter()
            p = subprocess.Popen([os.path.join(a.build, 'core', 'copydesk'), '-c', cfg, '-j', '1'], stdin=f,
                                 stdout=subprocess.DEVNULL, env=env)
            _, status, usage = os.wait4(p.pid, 0)
            if os.waitstatus_to_exitcode(status) not in (0, 1):
                raise SystemExit(f'copydesk failed on {cfg}')
            return time.perf_counter() - t, usage.ru_utime + usage.ru_stime

    res = {k: [] for k in pipes}
    for _ in range(a.repeat):
        for k, cfg in pipes.items():
            res[k].append(run(cfg))
    mb = os.path.getsize(a.corpus) / 1e6
    w1, w2 = (statistics.median(x[0] for x in res[k]) for k in ('base', 'quotes'))
    c1, c2 = (min(x[1] for x in res[k]) for k in ('base', 'quotes'))
    print(f'{os.path.basename(a.corpus)}: {mb:.1f} MB')
    print(f'wall  clean+sentences {mb / w1:6.1f} MB/s  +quotes {mb / w2:6.1f} MB/s  quotes alone {mb / (w2 - w1):6.1f} MB/s')
    print(f'cpu   clean+sentences {mb / c1:6.1f} MB/s  +quotes {mb / c2:6.1f} MB/s  quotes alone {mb / (c2 - c1):6.1f} MB/s')


if __name__ == '__main__':
    main()
