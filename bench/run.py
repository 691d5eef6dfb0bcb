#!/usr/bin/env python3
"""copydesk benchmark: throughput of each stage and of the full default pipeline over a news
corpus, beside `cat` and `wc -w` on the same file in the same run, as ratios.

Usage: bench/run.py [--build build] [--sizes 1 10 100] [--corpus DIR] [--quick]
                    [--no-peers] [--scaling]

The corpus is made by ../shared/tools/make_bench_corpus.py (PolNeAR and CoNLL-2003 texts)
into bench/out/corpus unless --corpus names one.  Every copydesk run reads JSONL and writes
JSONL on one core (-j 1) unless stated.  Peak memory is the child's maximum resident set.
Every run is in the C.UTF-8 locale, `wc -w` also in the POSIX one (a row of its own).
--quick: only the 1 and 10 MB corpora and one repetition (for CI smoke runs).
--scaling: also time single documents of 1 KB to 50 MB (linear time check).
Prints one table; numbers are medians of --repeat runs.
"""
import argparse
import json
import os
import shutil
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, '..', 'shared')


# The locale of every run, `wc -w` the reference among them; POSIX_WC names the row of
# `wc -w` in the POSIX locale.
REFERENCE_LOCALE = 'C.UTF-8'
POSIX_WC = 'wc -w (LC_ALL=C)'


def run(cmd, stdin_path, env=None, stdout=subprocess.DEVNULL):
    """Runs CMD with STDIN_PATH on stdin; returns (seconds, peak RSS in KB, exit code).

    The peak comes from GNU time (/usr/bin/time -f %M) when it is installed: the rusage of a
    child started from Python would report the forked Python's own size for small programs."""
    timer = ['/usr/bin/time', '-f', '@@peak %M'] if os.path.exists('/usr/bin/time') else []
    with open(stdin_path, 'rb') as f:
        start = time.perf_counter()
        proc = subprocess.Popen(timer + cmd, stdin=f, stdout=stdout, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        err = proc.stderr.read().decode(errors='replace')
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss
    for line in err.splitlines():
        if line.startswith('@@peak '):
            peak = int(line.split()[1])
    if code not in (0, 1):
        sys.exit(f'bench: {" ".join(cmd)} failed ({code}): {err.strip()[:500]}')
    return elapsed, peak, code


STAGE_ROW = re.compile(r'^(.*?)\s+([\d.]+)\s+([\d.]+)%\s+([\d.]+|-)$')


def stats_run(cmd, stdin_path, env):
    """One run of CMD (a copydesk command with --stats) over STDIN_PATH: its seconds, each
    stage's seconds (stage -> seconds), and the lines of the --stats table from its first
    (empty when it printed none)."""
    with open(stdin_path, 'rb') as f:
        start_time = time.perf_counter()
        r = subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        elapsed = time.perf_counter() - start_time
    err = r.stderr.decode(errors='replace')
    if r.returncode not in (0, 1):
        sys.exit(f'bench: {" ".join(cmd)} failed ({r.returncode}): {err.strip()[:500]}')
    lines = err.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith('copydesk: ') and ' documents, ' in l), None)
    if start is None:
        return elapsed, {}, []
    rows = [STAGE_ROW.match(l.strip()) for l in lines[start + 1:]]
    return elapsed, {row.group(1): float(row.group(2)) for row in rows if row}, lines[start:]


def stage_lines(cmd, stdin_path, env, repeat=1):
    """The stage table copydesk --stats prints on stderr, each stage's seconds the median of
    REPEAT runs (a stage's MB/s and share follow from them), so that one slow minute of the
    host does not decide a stage's figure."""
    runs, mb = [], None
    for _ in range(max(repeat, 1)):
        _, stages, lines = stats_run(cmd, stdin_path, env)
        if not lines:
            return ['(no --stats table)']
        m = re.search(r' documents, ([\d.]+) MB in ', lines[0])
        mb = float(m.group(1)) if m else None
        runs.append(stages)
        header, footer = lines[1].strip(), lines[-1].strip()
    stages = list(runs[0])
    seconds = {s: statistics.median(run.get(s, 0.0) for run in runs) for s in stages}
    total = sum(seconds.values()) or 1.0
    out = [header]
    for s in stages:
        rate = f'{mb / seconds[s]:10.1f}' if mb and seconds[s] > 0 else f'{"":>10}'
        out.append(f'{s:26} {seconds[s]:7.3f} {100 * seconds[s] / total:6.1f}% {rate}')
    out.append(footer + (f' (median of {len(runs)} runs)' if len(runs) > 1 else ''))
    return out


def median_run(cmd, path, repeat, env=None):
    times, peak = [], 0
    for _ in range(repeat):
        t, rss, _ = run(cmd, path, env)
        times.append(t)
        peak = max(peak, rss)
    return statistics.median(times), peak


def interleaved_medians(cmds, path, repeat, env, envs=None):
    """Runs every command of CMDS (name -> argv) over PATH REPEAT times, one round of all of
    them after another, so each one samples the same stretch of the host's drifting speed;
    returns name -> (median seconds, peak RSS in KB).  ENVS (name -> environment) overrides
    ENV for the commands it names."""
    times = {name: [] for name in cmds}
    peaks = {name: 0 for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            t, rss, _ = run(cmd, path, (envs or {}).get(name, env))
            times[name].append(t)
            peaks[name] = max(peaks[name], rss)
    return {name: (statistics.median(times[name]), peaks[name]) for name in cmds}


def write_pipeline(folder, name, stages, data_dir):
    """A JSONL-in, JSONL-out pipeline file with STAGES (plugin names)."""
    path = os.path.join(folder, name + '.yaml')
    with open(path, 'w') as f:
        f.write('input: {format: jsonl}\npipeline:\n')
        for s in stages:
            f.write(f'  - plugin: {s}\n')
            if s == 'entities':
                f.write(f'    options: {{model: {os.path.join(data_dir, "models", "en-news.cdm")}}}\n')
        if not stages:
            f.write('  []\n')
        f.write('output: {plugin: jsonl}\n')
    return path


def default_stages(data_dir):
    """The stage names of conf/default.yaml, read without a YAML library."""
    stages, inside = [], False
    for line in open(os.path.join(data_dir, 'default.yaml')):
        if line.startswith('pipeline:'):
            inside = True
        elif inside and line.strip().startswith('- plugin:'):
            stages.append(line.split(':', 1)[1].split('#')[0].strip())
        elif inside and line and not line[0].isspace():
            inside = False
    return stages


def available_plugins(build):
    return {d for d in os.listdir(os.path.join(build, 'plugins'))
            if os.path.isfile(os.path.join(build, 'plugins', d, d + '.so'))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--sizes', type=int, nargs='+', default=[1, 10, 100])
    ap.add_argument('--corpus', default=os.path.join(HERE, 'out', 'corpus'))
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--no-peers', action='store_true')
    ap.add_argument('--scaling', action='store_true')
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.repeat = [1, 10], 1

    binary = os.path.join(args.build, 'core', 'copydesk')
    data_dir = os.path.join(ROOT, 'conf')
    # Every run in one locale, so that the reference does not depend on the caller's:
    # `wc -w` counts words 1.4 times faster in C.UTF-8 than in the POSIX locale (LANG unset,
    # as on a fresh machine), whose row is printed beside it.  copydesk's speed does not
    # depend on the locale.
    env = dict(os.environ, COPYDESK_PLUGIN_PATH=os.path.join(args.build, 'plugins'),
               COPYDESK_DATA_DIR=data_dir, LC_ALL=REFERENCE_LOCALE)
    posix_env = dict(env, LC_ALL='C')
    maker = os.path.join(SHARED, 'tools', 'make_bench_corpus.py')
    missing = [s for s in args.sizes if not os.path.exists(os.path.join(args.corpus, f'news-{s}MB.jsonl'))]
    if missing:
        if not os.path.exists(maker):
            sys.exit('bench: ../shared/tools/make_bench_corpus.py is not here; give --corpus DIR')
        subprocess.run([sys.executable, maker, args.corpus] + [str(s) for s in missing], check=True,
                       stdout=subprocess.DEVNULL)

    plugins = available_plugins(args.build)
    stages_default = default_stages(data_dir)
    tmp = tempfile.mkdtemp(prefix='copydesk-bench-')
    configs = [('clean', ['clean']), ('sentences', ['sentences']),
               ('clean+sentences', ['clean', 'sentences'])]
    if 'entities' in plugins:
        configs.append(('sentences+entities', ['sentences', 'entities']))
    if 'quotes' in plugins:
        configs.append(('clean+sentences+quotes', ['clean', 'sentences', 'quotes']))
    configs.append(('full default (' + '+'.join(stages_default) + ')', stages_default))
    configs = [(n, s) for n, s in configs if all(p in plugins for p in s)]
    pipelines = [(n, write_pipeline(tmp, f'p{i}', s, data_dir)) for i, (n, s) in enumerate(configs)]

    print(f'copydesk benchmark — {os.uname().machine}, {os.cpu_count()} cores, '
          f'median of {args.repeat} rounds of every run, JSONL in and out')
    for size in args.sizes:
        path = os.path.join(args.corpus, f'news-{size}MB.jsonl')
        nbytes = os.path.getsize(path)
        ndocs = sum(1 for _ in open(path, 'rb'))
        words = int(subprocess.run(['wc', '-w', path], capture_output=True, text=True,
                                   env=env).stdout.split()[0])
        cmds = {'cat': ['cat'], 'wc -w': ['wc', '-w'], POSIX_WC: ['wc', '-w']}
        for name, pipeline in pipelines:
            for jobs in ([1, 2] if name.startswith('full') else [1]):
                cmds[f'{name} -j {jobs}'] = [binary, '-c', pipeline, '-j', str(jobs)]
        measured = interleaved_medians(cmds, path, args.repeat, env, {POSIX_WC: posix_env})
        t_cat, t_wc = measured['cat'][0], measured['wc -w'][0]
        mb = nbytes / 1e6
        print(f'\n== news-{size}MB.jsonl: {mb:.1f} MB, {ndocs} documents, {words} words (wc -w)')
        print(f'{"run":44} {"MB/s":>8} {"docs/s":>9} {"words/s":>11} {"peak MB":>8} {"÷ wc -w":>8} {"÷ cat":>7}')
        print(f'{"cat":44} {mb / t_cat:8.1f} {"":>9} {"":>11} {"":>8} {t_wc / t_cat:8.2f} {1:7.2f}')
        print(f'{"wc -w":44} {mb / t_wc:8.1f} {"":>9} {words / t_wc:11.0f} {"":>8} {1:8.2f} {t_cat / t_wc:7.2f}')
        t_posix = measured[POSIX_WC][0]
        print(f'{POSIX_WC:44} {mb / t_posix:8.1f} {"":>9} {"":>11} {"":>8} {t_wc / t_posix:8.2f} '
              f'{t_cat / t_posix:7.2f}')
        for name, pipeline in pipelines:
            for jobs in ([1, 2] if name.startswith('full') else [1]):
                label = f'{name} -j {jobs}'
                t, rss = measured[label]
                print(f'{label:44} {mb / t:8.1f} {ndocs / t:9.0f} {words / t:11.0f} {rss / 1024:8.1f} '
                      f'{t_wc / t:8.3f} {t_cat / t:7.3f}')
                if name.startswith('full') and jobs == 1:
                    t_full1 = t
                elif name.startswith('full') and jobs == 2:
                    print(f'{"  -j 2 speed-up over -j 1":44} {t_full1 / t:8.2f}×')
        # Each stage's own speed (copydesk --stats): the time inside the stage only, so the
        # quotes row is quotes with sentences (and entities) given.
        for name, pipeline in pipelines:
            if name.startswith('full') or name == 'clean+sentences+quotes':
                print(f'\n{name} -j 1, per stage (--stats):')
                for line in stage_lines([binary, '-c', pipeline, '-j', '1', '--stats'], path, env,
                                        args.repeat):
                    print('  ' + line)

    tagger_speed(args, words / t_wc)

    # Start-up: load the default pipeline, its plugins and model, on an empty input.
    empty = os.path.join(tmp, 'empty.jsonl')
    open(empty, 'w').close()
    t_start, _ = median_run([binary, '--from', 'jsonl'], empty, 11, env)
    print(f'\nstart-up (default pipeline on empty input): {t_start * 1000:.1f} ms')

    if not args.no_peers:
        peers(args, env, binary, tmp)
    if args.scaling:
        scaling(args, env, binary, tmp, data_dir, stages_default)
    shutil.rmtree(tmp)


def tagger_speed(args, wc_words_per_s):
    """The entities tagger alone, in tokens a second (model load and file reading excluded):
    build/tools/ner/eval-ner over CoNLL-2003's eng.testb, beside wc -w's words a second on
    the last corpus of this run."""
    eval_ner = os.path.join(args.build, 'tools', 'ner', 'eval-ner')
    testb = os.path.join(SHARED, 'data', 'ner', 'conll2003', 'eng.testb')
    model = os.path.join(ROOT, 'conf', 'models', 'en-news.cdm')
    if not (os.path.exists(eval_ner) and os.path.exists(testb)):
        print('\nentities tagger alone: skipped (needs build/tools/ner/eval-ner and ../shared/data/ner)')
        return
    r = subprocess.run([eval_ner, '-m', model, '-q', '-r', str(max(5, args.repeat)), testb],
                       capture_output=True, text=True)
    line = next((l for l in r.stderr.splitlines() if ' tokens/s' in l), '')
    try:
        rate = float(line.split(' s = ')[1].split()[0])
        fastest = float(line.split('fastest pass ')[1].split()[0])
    except (IndexError, ValueError):
        print(f'\nentities tagger alone: eval-ner said nothing usable ({r.stderr.strip()[:200]})')
        return
    print(f'\nentities tagger alone (eval-ner, eng.testb, one core, load excluded): {rate:,.0f} tokens/s '
          f'(fastest pass {fastest:,.0f}) = {rate / wc_words_per_s:.3f} × wc -w words/s')


def peers(args, env, binary, tmp):
    """compromise (npm, pinned in bench/peers/package.json) on the 1 MB corpus, when node is here."""
    node = shutil.which('node')
    peers_dir = os.path.join(HERE, 'peers')
    if node is None:
        print('\npeers: node not found; skipping compromise')
        return
    if not os.path.isdir(os.path.join(peers_dir, 'node_modules', 'compromise')):
        r = subprocess.run(['npm', 'ci', '--silent', '--no-audit', '--no-fund'], cwd=peers_dir,
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f'\npeers: npm ci failed; skipping compromise: {r.stderr.strip()[:300]}')
            return
    path = os.path.join(args.corpus, 'news-1MB.jsonl')
    if not os.path.exists(path):
        print('\npeers: news-1MB.jsonl missing; run with --sizes 1')
        return
    mb = os.path.getsize(path) / 1e6
    t_peer, rss_peer = median_run([node, os.path.join(peers_dir, 'compromise-bench.js')], path, args.repeat)
    t_us, _ = median_run([binary, '--from', 'jsonl'], path, args.repeat, env)
    print(f'\npeers on news-1MB.jsonl ({mb:.1f} MB):')
    print(f'  compromise (people, organizations, places, quotations): {mb / t_peer:7.2f} MB/s, '
          f'peak {rss_peer / 1024:.0f} MB')
    print(f'  copydesk full default pipeline -j 1:                    {mb / t_us:7.2f} MB/s '
          f'= {t_peer / t_us:.1f}× compromise')


def document_of(pool, size, first=0):
    """A document of about SIZE bytes: pool texts from FIRST on, joined as paragraphs."""
    parts, total, i = [], 0, first
    while total < size:
        t = pool[i % len(pool)]
        parts.append(t)
        total += len(t.encode()) + 2
        i += 1
    return '\n\n'.join(parts).encode()[:size].decode(errors='ignore')


def scaling(args, env, binary, tmp, data_dir, stages):
    """Single documents from 1 KB to 50 MB: MB/s should stay flat (linear time).  Beside each
    size up to 1 MB, a 10 MB stream of documents of that size, through the full default pipeline
    and through clean+sentences+quotes: MB/s should not depend on how the text is cut."""
    pool = [json.loads(l)['text'] for l in open(os.path.join(args.corpus, 'pool.jsonl'))]
    pipeline = write_pipeline(tmp, 'scaling', stages, data_dir)
    light = write_pipeline(tmp, 'scaling-light', [s for s in stages if s != 'entities'], data_dir)
    print('\nsingle-document scaling (full default pipeline, -j 1; streams: 10 MB of such documents):')
    print(f'{"size":>10} {"seconds":>9} {"MB/s":>8} {"peak MB":>8} {"stream MB/s":>12} '
          f'{"without entities":>17}')
    for size in [1_000, 10_000, 100_000, 1_000_000, 10_000_000, 50_000_000]:
        path = os.path.join(tmp, f'single-{size}.jsonl')
        with open(path, 'w') as f:
            f.write(json.dumps({'id': f'single-{size}', 'text': document_of(pool, size)}) + '\n')
        t, rss = median_run([binary, '-c', pipeline], path, 1 if size >= 10_000_000 else args.repeat, env)
        line = f'{size:>10} {t:9.3f} {size / 1e6 / t:8.1f} {rss / 1024:8.1f}'
        if size <= 1_000_000:
            stream = os.path.join(tmp, f'stream-{size}.jsonl')
            with open(stream, 'w') as f:
                for k in range(10_000_000 // size):
                    f.write(json.dumps({'id': f'd{k}', 'text': document_of(pool, size, k)}) + '\n')
            mb = os.path.getsize(stream) / 1e6
            t_full, _ = median_run([binary, '-c', pipeline], stream, args.repeat, env)
            t_light, _ = median_run([binary, '-c', light], stream, args.repeat, env)
            line += f' {mb / t_full:12.1f} {mb / t_light:17.1f}'
        print(line)


if __name__ == '__main__':
    main()
