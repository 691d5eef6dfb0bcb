#!/usr/bin/env python3
"""The command line's surfaces agree (TAP): copydesk --help-all, the man page copydesk(1)
and the bash completion name the same long options (with the same short forms) and the
same sub-commands; the man pages format without warnings; `meson install` puts the man
pages and the completion where man and bash-completion look; and the completion, sourced
into bash with bash-completion, completes what it should."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_docs  # noqa: E402

SOURCE = test_docs.SOURCE
BINARY = os.environ.get("COPYDESK_BINARY", os.path.join(test_docs.BUILD, "core", "copydesk"))
MAN1 = os.path.join(SOURCE, "docs", "man", "copydesk.1")
MAN5 = os.path.join(SOURCE, "docs", "man", "copydesk-pipeline.5")
COMPLETION = os.path.join(SOURCE, "completion", "copydesk")


def help_options():
    """{long: short or None} from copydesk --help-all."""
    out = subprocess.run([BINARY, "--help-all"], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    options = {}
    for line in out.splitlines():
        m = re.match(r"^\s+(?:-(\w), )?--([\w-]+)", line)
        if m:
            options[m.group(2)] = m.group(1)
    return options, out


def man_options():
    """{long: short or None} from the lines after .TP in copydesk(1) that name options."""
    with open(MAN1, encoding="utf-8") as f:
        lines = f.read().splitlines()
    options = {}
    for i, line in enumerate(lines[:-1]):
        if line != ".TP":
            continue
        tag = lines[i + 1]
        longs = re.findall(r"\\-\\-((?:[\w]|\\-)+)", tag)
        if not longs or not tag.startswith("\\fB"):
            continue
        short = re.match(r"\\fB\\-(\w)\\fR", tag)
        options[longs[0].replace("\\-", "-")] = short.group(1) if short else None
    return options


def man_commands():
    with open(MAN1, encoding="utf-8") as f:
        man = f.read()
    section = man.split(".SH COMMANDS", 1)[1].split(".SH ", 1)[0]
    return set(re.findall(r"^\.TP\n\.BI? \"?([\w-]+)", section, re.M))


def completion_words(pattern):
    with open(COMPLETION, encoding="utf-8") as f:
        text = f.read()
    m = re.search(pattern, text, re.S)
    return set(m.group(1).split()) if m else set()


def check_lists(tap):
    help_opts, help_text = help_options()
    man_opts = man_options()
    only_help = sorted(set(help_opts) - set(man_opts))
    only_man = sorted(set(man_opts) - set(help_opts))
    tap.ok(help_opts and not only_help and not only_man,
           f"copydesk --help-all and copydesk(1) list the same {len(help_opts)} long options",
           f"only in --help-all: {only_help}\nonly in the man page: {only_man}")
    differ = sorted(o for o in help_opts if o in man_opts and help_opts[o] != man_opts[o])
    tap.ok(not differ, "... with the same short options", f"differ: {differ}")

    summary = set(re.findall(r"^  copydesk ([\w-]+)", help_text, re.M))
    commands = man_commands()
    tap.ok(summary and summary == commands,
           f"--help and copydesk(1) list the same sub-commands ({', '.join(sorted(summary))})",
           f"--help: {sorted(summary)}\nman: {sorted(commands)}")

    comp_opts = {w.lstrip("-") for w in completion_words(r"compgen -W '(--config[^']*)'")}
    tap.ok(comp_opts == set(help_opts),
           "the bash completion offers every long option of --help-all, and no other",
           f"only in --help-all: {sorted(set(help_opts) - comp_opts)}\n"
           f"only in the completion: {sorted(comp_opts - set(help_opts))}")
    comp_commands = completion_words(r"compgen -W '(plugins[^']*)'")
    tap.ok(comp_commands == summary, "the bash completion offers every sub-command",
           f"completion: {sorted(comp_commands)}; --help: {sorted(summary)}")
    m = re.search(r"--from=FORMAT\s+Input format: (.*)", help_text)
    formats = set(re.split(r",\s*|\s+or\s+", m.group(1).strip())) if m else set()
    comp_formats = completion_words(r"-f \| --from\)\s*COMPREPLY=\(\$\(compgen -W '([^']*)'")
    tap.ok(formats and formats == comp_formats,
           "the completion of --from offers the formats --help names",
           f"--help: {sorted(formats)}; completion: {sorted(comp_formats)}")


def check_version(tap):
    version = subprocess.run([BINARY, "--version"], stdout=subprocess.PIPE, text=True,
                             check=True).stdout.split()[1]
    for page in (MAN1, MAN5):
        with open(page, encoding="utf-8") as f:
            th = next((line for line in f if line.startswith(".TH ")), "")
        tap.ok(f'"copydesk {version}"' in th,
               f"{os.path.basename(page)} is for copydesk {version} (.TH)", th)


def check_roff(tap):
    groff = shutil.which("groff")
    for page in (MAN1, MAN5):
        name = os.path.basename(page)
        if groff is None:
            tap.skip(f"{name} formats without warnings", "groff is not installed")
            continue
        result = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", page],
                                stderr=subprocess.PIPE, text=True)
        tap.ok(result.returncode == 0 and not result.stderr.strip(),
               f"{name} formats without warnings (groff -man -ww)", result.stderr)


def check_install(tap, tmp):
    root = os.path.join(tmp, "root")
    bin_dir, _ = test_docs.destdir_install(root)
    found = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            found.setdefault(f, []).append(os.path.relpath(os.path.join(dirpath, f), root))
    man1 = [p for p in found.get("copydesk.1", []) if "/share/man/man1/" in "/" + p]
    man5 = [p for p in found.get("copydesk-pipeline.5", []) if "/share/man/man5/" in "/" + p]
    comp = [p for p in found.get("copydesk", []) if "/bash-completion/completions/" in "/" + p]
    tap.ok(man1 and man5, "meson install puts copydesk.1 in man1/ and copydesk-pipeline.5 in "
           "man5/", f"{found.get('copydesk.1')} {found.get('copydesk-pipeline.5')}")
    tap.ok(bool(comp), "meson install puts the completion in bash-completion/completions/",
           str(found.get("copydesk")))
    man = shutil.which("man")
    if man is None or not man1:
        tap.skip("man copydesk reads the installed page", "man is not installed")
        return
    manpath = os.path.join(root, os.path.dirname(os.path.dirname(man1[0])))
    env = dict(os.environ, MANPATH=manpath, MANWIDTH="80", MAN_KEEP_FORMATTING="")
    result = subprocess.run([man, "-P", "cat", "copydesk"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    tap.ok(result.returncode == 0 and "copydesk new-plugin NAME" in
           re.sub(r".\x08", "", result.stdout),
           "man copydesk shows the installed page (MANPATH of the install)",
           result.stdout[-2000:] + result.stderr)


def check_completion(tap, tmp):
    loader = "/usr/share/bash-completion/bash_completion"
    if not os.path.exists(loader) or shutil.which("bash") is None:
        tap.skip("bash completes copydesk", "bash-completion is not installed")
        return
    script = r"""
. "$LOADER"
. "$COMPLETION"
complete_line() {
  COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
  read -ra COMP_WORDS <<< "$COMP_LINE"
  [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
  _copydesk
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '; echo
}
cd "$TMP"
complete_line "copydesk "
complete_line "copydesk --pro"
complete_line "copydesk --from "
complete_line "copydesk --to "
complete_line "copydesk describe "
complete_line "copydesk describe clean "
complete_line "copydesk new-plugin x --kind "
complete_line "copydesk -c "
"""
    folder = os.path.join(tmp, "comp")
    os.makedirs(folder)
    for name in ("a.yaml", "b.txt"):
        open(os.path.join(folder, name), "w").close()
    env = dict(os.environ, LOADER=loader, COMPLETION=COMPLETION, TMP=folder)
    env["PATH"] = os.path.dirname(BINARY) + os.pathsep + env.get("PATH", "")
    result = subprocess.run(["bash", "-c", script], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=60)
    lines = result.stdout.splitlines() + [""] * 8
    plugins = sorted(d for d in os.listdir(os.path.join(test_docs.BUILD, "plugins"))
                     if os.path.exists(os.path.join(test_docs.BUILD, "plugins", d, d + ".so")))
    checks = [
        ("sub-commands and files", lambda s: {"plugins", "describe", "check", "new-plugin",
                                              "a.yaml", "b.txt"} <= set(s.split())),
        ("options", lambda s: s.split() == ["--progress"]),
        ("--from values", lambda s: s.split() == ["conll", "jsonl", "text"]),
        ("--to: output plugins only", lambda s: {"json", "jsonl"} <= set(s.split())
         and "clean" not in s.split() and "sentences" not in s.split()),
        ("describe: every plugin", lambda s: set(plugins) <= set(s.split())),
        ("describe takes one name", lambda s: s.split() == []),
        ("--kind values", lambda s: s.split() == ["annotate", "output", "transform"]),
        ("-c: pipeline files", lambda s: s.split() == ["a.yaml"]),
    ]
    bad = [f"{what}: got '{lines[i].strip()}'" for i, (what, good) in enumerate(checks)
           if not good(lines[i])]
    tap.ok(result.returncode == 0 and not bad,
           "bash completes sub-commands, options, --from, --to, plugin names, --kind, -c",
           "\n".join(bad) + "\n" + result.stderr)


def main():
    tap = test_docs.Tap()
    tmp = tempfile.mkdtemp(prefix="copydesk-man-")
    try:
        check_lists(tap)
        check_version(tap)
        check_roff(tap)
        check_completion(tap, tmp)
        check_install(tap, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
