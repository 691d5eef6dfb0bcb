#!/usr/bin/env python3
"""docs/recipes.md is run (TAP): every block marked run runs, in order, in an empty folder
holding a copy of examples/, with copydesk installed into a temporary DESTDIR on the PATH
(nothing of the build tree in the environment), and its output is compared with the
output block after it.  The GNU parallel recipe is run once more with 128 KB blocks, so
the input really is split, and must still equal the single-process output byte for
byte.  Blocks marked norun need a cluster or other machines."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_docs  # noqa: E402  (the block reader and the DESTDIR install)


def main():
    tap = test_docs.Tap()
    tmp = tempfile.mkdtemp(prefix="copydesk-recipes-")
    try:
        bin_dir, pc_dir = test_docs.destdir_install(os.path.join(tmp, "root"))
        tap.ok(bin_dir is not None, "copydesk installed into a DESTDIR")
        env = test_docs.installed_env(bin_dir, pc_dir)
        workdir = os.path.join(tmp, "work")
        os.makedirs(workdir)
        shutil.copytree(os.path.join(test_docs.SOURCE, "examples"),
                        os.path.join(workdir, "examples"))

        def after(block, result):
            if "parallel --pipe --block 10M -k copydesk" not in block["text"] or \
                    "--sshlogin" in block["text"] or result.returncode != 0:
                return
            text = block["text"].replace("--block 10M", "--block 128k")
            again = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", text], cwd=workdir,
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, timeout=600)
            lines = sum(1 for _ in open(os.path.join(workdir, "articles.jsonl"), "rb"))
            size = os.path.getsize(os.path.join(workdir, "articles.jsonl"))
            tap.ok(again.returncode == 0 and again.stdout == "identical\n" and size > 2 * 131072,
                   f"parallel --pipe --block 128k -k over {lines} records ({size} bytes, "
                   "several blocks) equals one copydesk byte for byte",
                   again.stdout + again.stderr)

        test_docs.run_blocks(tap, os.path.join(test_docs.SOURCE, "docs", "recipes.md"),
                             workdir, env, "recipes.md", allow_norun=True, after=after)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
