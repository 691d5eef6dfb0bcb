#!/usr/bin/env python3
"""Throughput of the clean stage alone, on a JSONL news corpus.

bench/run.py times whole runs (reading and writing JSONL included) by the wall clock,
which a busy machine skews.  This script runs the built copydesk -j 1 on CORPUS with an
empty pipeline and with clean (default options, and with the passes below turned off one
at a time), takes the best user+system CPU time of --repeat runs each, and prints the
clean stage's own throughput: size / (time with clean - time without).

Usage (from the repository root, after `ninja -C build`):
    python3 tools/mojibake/clean_speed.py /tmp/benchcorpus/news-10MB.jsonl
    python3 tools/mojibake/clean_speed.py CORPUS --copies 5 --repeat 5

--copies N concatenates the corpus N times into a temporary file first (longer runs
measure better).
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CONFIGS = [
    ("clean (defaults)", "{}"),
    ("clean, mojibake off", "{mojibake: false}"),
    ("clean, boilerplate off", "{boilerplate: false}"),
    ("clean, mojibake and boilerplate off", "{mojibake: false, boilerplate: false}"),
]


def cpu_time(cmd, stdin_path, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdin_path, "rb") as f:
        subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(cmd, path, env, repeat):
    return min(cpu_time(cmd, path, env) for _ in range(repeat))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--copies", type=int, default=1)
    args = ap.parse_args()
    env = dict(os.environ, COPYDESK_PLUGIN_PATH=os.path.join(args.build, "plugins"),
               COPYDESK_DATA_DIR=os.path.join(ROOT, "conf"))
    binary = os.path.join(args.build, "core", "copydesk")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if args.copies > 1:
            corpus = os.path.join(tmp, "corpus.jsonl")
            with open(corpus, "wb") as out, open(args.corpus, "rb") as src:
                data = src.read()
                for _ in range(args.copies):
                    out.write(data)
        size = os.path.getsize(corpus) / 1e6

        def pipeline(name, options):
            path = os.path.join(tmp, name + ".yaml")
            with open(path, "w") as f:
                f.write("input: {format: jsonl}\n")
                if options is None:
                    f.write("pipeline: []\n")
                else:
                    f.write(f"pipeline:\n  - plugin: clean\n    options: {options}\n")
                f.write("output: {plugin: jsonl}\n")
            return [binary, "-j", "1", "-c", path]

        base = best(pipeline("none", None), corpus, env, args.repeat)
        print(f"corpus: {size:.1f} MB; reading and writing it (no stage): {base:.2f} s CPU "
              f"({size / base:.0f} MB/s)")
        for i, (label, options) in enumerate(CONFIGS):
            t = best(pipeline(f"c{i}", options), corpus, env, args.repeat)
            stage = max(t - base, 1e-9)
            print(f"{label:40} {t:6.2f} s CPU   stage {stage:5.2f} s = {size / stage:6.0f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
