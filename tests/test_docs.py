#!/usr/bin/env python3
"""The documentation is run, so it cannot rot (TAP).

1. docs/plugin-guide.md: every fenced block is marked and run, in order, in one empty folder,
   against copydesk installed into a temporary DESTDIR (as a plugin author outside the tree
   has it), with a copy of the source tree as `copydesk/` for the in-tree part:
     ```LANG file=PATH   the block is written to PATH
     ```sh run          the block runs in bash -e; its stdout is compared with the
     ```text output     block that follows it, when there is one
2. docs/pipelines.md and copydesk-pipeline(5) name every key core/pipeline.c accepts, and no
   other, and every value of input.format and on_error.
3. conf/examples/*.yaml: each runs its "# run:" command when every plugin it names is built,
   and is reported as skipped otherwise.
4. README.md links to docs that exist.

Also importable: tests/test_recipes.py uses the block reader and the DESTDIR install.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.environ.get("COPYDESK_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("COPYDESK_BUILD_ROOT", os.path.join(SOURCE, "build"))

FENCE = re.compile(r"^```(\S*)\s*(.*)$")


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = False

    def ok(self, good, what, detail=""):
        self.n += 1
        print(f"{'ok' if good else 'not ok'} {self.n} - {what}")
        if not good:
            self.failed = True
            for line in str(detail).rstrip().splitlines()[-40:]:
                print(f"# {line}")
        sys.stdout.flush()

    def skip(self, what, why):
        self.n += 1
        print(f"ok {self.n} - {what} # SKIP {why}")


    def done(self):
        print(f"1..{self.n}")
        return 1 if self.failed else 0


def read_blocks(path):
    """The fenced blocks of a Markdown file: dicts with lang, attrs (dict), flags (set), text,
    line (where the block starts) and section (the heading above it)."""
    blocks, section, current = [], "", None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if current is not None:
                if line.rstrip("\n") == "```":
                    blocks.append(current)
                    current = None
                else:
                    current["text"] += line
                continue
            if line.startswith("#"):
                section = line.lstrip("#").strip()
            m = FENCE.match(line.rstrip("\n"))
            if m:
                attrs, flags = {}, set()
                for word in m.group(2).split():
                    if "=" in word:
                        key, value = word.split("=", 1)
                        attrs[key] = value
                    else:
                        flags.add(word)
                current = {"lang": m.group(1), "attrs": attrs, "flags": flags, "text": "",
                           "line": number, "section": section}
    return blocks


def destdir_install(root):
    """Installs the build tree into ROOT (a DESTDIR); returns (bin folder, pkgconfig folder)."""
    subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet",
                    "--destdir", root], check=True, stdout=subprocess.DEVNULL)
    binary = pc = None
    for dirpath, _, files in os.walk(root):
        if "copydesk" in files and dirpath.endswith("/bin"):
            binary = dirpath
        if "copydesk.pc" in files:
            pc = dirpath
    return binary, pc


def installed_env(bin_dir, pc_dir):
    """The environment of a user of the installed copydesk: nothing of the build tree."""
    env = dict(os.environ)
    for key in ("COPYDESK_PLUGIN_PATH", "COPYDESK_DATA_DIR", "MESON_TEST_ITERATION"):
        env.pop(key, None)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["PKG_CONFIG_PATH"] = pc_dir
    env["LC_ALL"] = "C.UTF-8"
    return env


def run_blocks(tap, path, workdir, env, name, setup=None, allow_norun=False, after=None):
    """Runs the blocks of the Markdown file PATH in WORKDIR; one TAP line per run block.
    ALLOW_NORUN accepts blocks marked norun (shown, not run); AFTER(block, result) may add
    checks of its own after a block ran."""
    blocks = read_blocks(path)
    marks = {"run", "output"} | ({"norun"} if allow_norun else set())
    unmarked = [b for b in blocks if "file" not in b["attrs"] and not b["flags"] & marks]
    tap.ok(not unmarked, f"{name}: every code block is marked file=, "
           f"{', '.join(sorted(marks))}",
           "\n".join(f"line {b['line']}: ```{b['lang']} {' '.join(b['flags'])}" for b in unmarked))
    for i, block in enumerate(blocks):
        if setup:
            setup(block)
        if "file" in block["attrs"]:
            target = os.path.join(workdir, block["attrs"]["file"])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as f:
                f.write(block["text"])
            continue
        if "run" not in block["flags"]:
            continue
        needed = [tool for tool in ("parallel", "jq", "make")
                  if re.search(rf"(^|[|;&(\s]){tool}\s", block["text"]) and not shutil.which(tool)]
        if needed:
            tap.skip(f"{name}:{block['line']} ({block['section']})",
                     f"not installed: {', '.join(needed)} (scripts/bootstrap --tests)")
            continue
        expected = None
        if i + 1 < len(blocks) and "output" in blocks[i + 1]["flags"]:
            expected = blocks[i + 1]["text"]
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block["text"]],
                                cwd=workdir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, timeout=600)
        what = f"{name}:{block['line']} ({block['section']}) runs" + \
            (" and prints what the doc shows" if expected is not None else "")
        if result.returncode != 0:
            tap.ok(False, what, f"exit {result.returncode}\n{block['text']}\nstdout:\n"
                   f"{result.stdout}\nstderr:\n{result.stderr}")
        elif expected is not None and result.stdout != expected:
            import difflib
            diff = "".join(difflib.unified_diff(expected.splitlines(True),
                                                result.stdout.splitlines(True),
                                                "expected (the doc)", "actual"))
            tap.ok(False, what, diff)
        else:
            tap.ok(True, what)
        if after:
            after(block, result)


def copy_tree(destination):
    """Copies the source tree without build folders, installs or VCS data."""
    def ignore(folder, names):
        top = os.path.abspath(folder) == os.path.abspath(SOURCE)
        skip = {".git", "node_modules", "__pycache__"}
        if top:
            skip |= {n for n in names if n.startswith("build") or n == "_install"}
        if os.path.basename(folder) == "bench":
            skip.add("out")
        return [n for n in names if n in skip]
    shutil.copytree(SOURCE, destination, ignore=ignore, symlinks=True)


def check_plugin_guide(tap, tmp, bin_dir, pc_dir):
    env = installed_env(bin_dir, pc_dir)
    workdir = os.path.join(tmp, "guide")
    os.makedirs(workdir)
    state = {"tree": False}

    def setup(block):
        # The in-tree part needs a configured copy of the tree, made when a block first uses
        # copydesk/ (the copy takes a few seconds; the build inside it, only what it needs).
        uses = block["attrs"].get("file", "").startswith("copydesk/") or (
            "run" in block["flags"] and re.search(r"copydesk/|cd copydesk\b", block["text"]))
        if state["tree"] or not uses:
            return
        state["tree"] = True
        tree = os.path.join(workdir, "copydesk")
        copy_tree(tree)
        subprocess.run(["meson", "setup", "build", "-Doptimization=0",
                        "-Dpkgconfig.relocatable=true"], cwd=tree, env=env, check=True,
                       stdout=subprocess.DEVNULL)

    run_blocks(tap, os.path.join(SOURCE, "docs", "plugin-guide.md"), workdir, env,
               "plugin-guide.md", setup)


def loader_lists():
    """The key and value lists at the top of core/pipeline.c."""
    with open(os.path.join(SOURCE, "core", "pipeline.c"), encoding="utf-8") as f:
        code = f.read()
    lists = {}
    for name, body in re.findall(r"static const char \*const (\w+)\[\] = \{([^}]*)\}", code):
        lists[name] = re.findall(r'"([^"]+)"', body)
    return lists


def loader_keys(lists):
    keys = set(lists["top_level_keys"])
    keys |= {"input." + k for k in lists["input_keys"]}
    keys |= {"pipeline[]." + k for k in lists["stage_keys"]}
    keys |= {"output." + k for k in lists["output_keys"]}
    return keys


def check_pipelines_md(tap):
    lists = loader_lists()
    keys = loader_keys(lists)
    with open(os.path.join(SOURCE, "docs", "pipelines.md"), encoding="utf-8") as f:
        doc = f.read()
    # The reference table: rows whose first cell is a `key`; a section (input, output,
    # pipeline) counts as described when a row describes it or one of its keys.
    documented = set(re.findall(r"^\| `([a-z_]+(?:\[\])?(?:\.[a-z_]+)?)` \|", doc, re.M))
    covered = documented | {re.split(r"[.\[]", k)[0] for k in documented}
    missing = sorted(keys - covered)
    tap.ok(not missing, "docs/pipelines.md describes every key core/pipeline.c accepts",
           "missing: " + ", ".join(missing))
    unknown = sorted(documented - keys)
    tap.ok(not unknown, "docs/pipelines.md describes no key core/pipeline.c does not accept",
           "not in the code: " + ", ".join(unknown))
    for name, key in (("input_formats", "input.format"), ("on_error_values", "pipeline[].on_error")):
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{key}` |")), "")
        absent = [v for v in lists.get(name, []) if f"`{v}`" not in row]
        tap.ok(not absent, f"docs/pipelines.md lists every value of {key}",
               f"not in its row: {', '.join(absent)}")
    # The man page: every key as a tagged paragraph (.B KEY after .TP).
    with open(os.path.join(SOURCE, "docs", "man", "copydesk-pipeline.5"), encoding="utf-8") as f:
        man = f.read()
    tagged = set(re.findall(r"^\.TP\n\.B ([a-z_]+)$", man, re.M))
    leaves = {k.split(".")[-1] for k in keys}
    missing = sorted(leaves - tagged)
    tap.ok(not missing, "copydesk-pipeline(5) describes every key core/pipeline.c accepts",
           "missing: " + ", ".join(missing))
    for name in ("input_formats", "on_error_values"):
        absent = [v for v in lists.get(name, []) if f".B {v}\n" not in man]
        tap.ok(not absent, f"copydesk-pipeline(5) lists every value of {name}",
               "missing: " + ", ".join(absent))


def check_examples(tap, tmp):
    folder = os.path.join(SOURCE, "conf", "examples")
    binary = os.environ.get("COPYDESK_BINARY", os.path.join(BUILD, "core", "copydesk"))
    plugins_dir = os.path.join(BUILD, "plugins")
    env = dict(os.environ)
    env["COPYDESK_PLUGIN_PATH"] = plugins_dir
    env["COPYDESK_DATA_DIR"] = os.path.join(SOURCE, "conf")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yaml"):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        plugins = set(re.findall(r"^\s*(?:-\s*)?plugin:\s*([A-Za-z][\w-]*)", text, re.M))
        absent = sorted(p for p in plugins
                        if not os.path.exists(os.path.join(plugins_dir, p, p + ".so"))
                        and not os.path.exists(os.path.join(plugins_dir, p + ".so")))
        command = re.search(r"^# run: copydesk (.*)$", text, re.M)
        if command is None:
            tap.ok(False, f"conf/examples/{name} has a '# run: copydesk …' line")
            continue
        if absent:
            tap.skip(f"conf/examples/{name}", "plugins not built yet: " + ", ".join(absent))
            continue
        args = command.group(1).split()
        result = subprocess.run([binary] + args, cwd=SOURCE, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=300)
        good = result.returncode == 0 and len(result.stdout) > 0
        detail = f"exit {result.returncode}\n{result.stderr.decode(errors='replace')}"
        out = result.stdout.decode("utf-8", errors="replace")
        if good and re.search(r"plugin:\s*jsonl", text) and "--to" not in args:
            try:
                for line in out.splitlines():
                    json.loads(line)
            except ValueError as e:
                good, detail = False, f"not JSON Lines: {e}"
        tap.ok(good, f"conf/examples/{name} runs: copydesk {command.group(1)}", detail)


def check_readme_links(tap):
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    links = set(re.findall(r"\]\(((?:docs|conf)/[^)#\s]+)", readme))
    missing = sorted(link for link in links if not os.path.exists(os.path.join(SOURCE, link)))
    tap.ok(links and not missing, "README.md links to docs that exist",
           "missing: " + ", ".join(missing))
    for doc in ("docs/plugin-guide.md", "docs/recipes.md", "docs/pipelines.md"):
        tap.ok(doc in links, f"README.md links to {doc}")


def main():
    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="copydesk-docs-")
    try:
        check_pipelines_md(tap)
        check_readme_links(tap)
        check_examples(tap, tmp)
        bin_dir, pc_dir = destdir_install(os.path.join(tmp, "root"))
        tap.ok(bin_dir is not None and pc_dir is not None, "copydesk installed into a DESTDIR")
        if bin_dir and pc_dir:
            check_plugin_guide(tap, tmp, bin_dir, pc_dir)
    finally:
        if os.environ.get("COPYDESK_KEEP_TMP"):
            print(f"# kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
