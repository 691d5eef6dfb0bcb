#!/bin/sh
# `copydesk new-plugin`: installs copydesk into a temporary DESTDIR, writes a plugin of each
# kind with the installed binary, and builds and tests each one out of tree with meson,
# finding copydesk through the installed (relocatable) copydesk.pc only.  Then the refusals:
# bad names, a bad kind, an existing folder (never overwritten).
set -u
build="$COPYDESK_BUILD_ROOT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset COPYDESK_PLUGIN_PATH COPYDESK_DATA_DIR
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; shift; for f in "$@"; do [ -f "$f" ] && sed 's/^/# /' "$f"; done; status=1; }
status=0
kinds="annotate transform output"
echo "1..9"

DESTDIR="$tmp/root" meson install -C "$build" --no-rebuild --quiet >/dev/null 2>&1
bin=$(find "$tmp/root" -path '*/bin/copydesk' -type f)
pc=$(find "$tmp/root" -name copydesk.pc)
if [ -x "$bin" ] && [ -f "$pc" ]; then ok "installed into a DESTDIR"; else fail "install"; exit 1; fi
export PKG_CONFIG_PATH="$(dirname "$pc")"

mkdir "$tmp/made"
for kind in $kinds; do
  name="demo-$kind"
  if ! (cd "$tmp/made" && "$bin" new-plugin "$name" --kind "$kind") >"$tmp/new.out" 2>&1; then
    fail "new-plugin $name --kind $kind" "$tmp/new.out"; continue
  fi
  dir="$tmp/made/$name"
  if (cd "$dir" && meson setup build && meson test -C build --print-errorlogs) >"$tmp/build.log" 2>&1 &&
     grep -q "^Ok: *1" "$tmp/build.log" && ! grep -q "warning:" "$tmp/build.log"; then
    ok "$kind plugin from new-plugin builds without warnings and passes its test out of tree"
  else
    fail "$kind plugin from new-plugin: build or test failed" "$tmp/new.out" "$tmp/build.log"
  fi
done

# --dir creates the parent when missing; the default kind is annotate.
if "$bin" new-plugin other --dir "$tmp/deep/er" >/dev/null 2>&1 && [ -f "$tmp/deep/er/other/other.c" ] &&
   grep -q COPYDESK_KIND_ANNOTATE "$tmp/deep/er/other/other.c"; then
  ok "--dir DIR writes DIR/NAME; the default kind is annotate"
else
  fail "--dir"
fi

# An existing folder is refused and left as it was.
echo "mine" > "$tmp/deep/er/other/other.c"
"$bin" new-plugin other --kind output --dir "$tmp/deep/er" >"$tmp/out" 2>"$tmp/err"
code=$?
if [ $code -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "already exists" "$tmp/err" &&
   [ "$(cat "$tmp/deep/er/other/other.c")" = mine ] && [ ! -s "$tmp/out" ]; then
  ok "an existing folder is never overwritten (exit 2, one line)"
else
  fail "existing folder: exit $code" "$tmp/err"
fi

# Bad names: one line each, exit 2, nothing written.
bad=0
for name in "" "9lives" "has space" "../escape" "a/b" ".hidden" "semi;colon" \
            "x123456789012345678901234567890123456789012345678901234567890123456789"; do
  (cd "$tmp/made" && "$bin" new-plugin "$name" >"$tmp/out" 2>"$tmp/err")
  code=$?
  if [ $code -ne 2 ] || [ "$(wc -l < "$tmp/err")" -ne 1 ] || ! grep -q "^copydesk: " "$tmp/err"; then
    echo "# name '$name': exit $code"; sed 's/^/#   /' "$tmp/err"; bad=1
  fi
done
if [ $bad -eq 0 ] && [ "$(ls "$tmp/made" | wc -l)" -eq 3 ] && [ ! -e "$tmp/escape" ]; then
  ok "bad names are refused with one line, exit 2, nothing written"
else
  fail "bad names"
fi

# A bad kind, a missing name, --kind without new-plugin.
r1=$("$bin" new-plugin x --kind filter 2>&1 >/dev/null; echo "exit $?")
r2=$("$bin" new-plugin 2>/dev/null; echo "exit $?")
r3=$("$bin" --kind output plugins 2>/dev/null; echo "exit $?")
case "$r1" in
  "copydesk: new-plugin: --kind must be annotate, transform or output, not 'filter'
exit 2") good1=1 ;; *) good1=0 ;;
esac
if [ $good1 -eq 1 ] && [ "$r2" = "exit 2" ] && [ "$r3" = "exit 2" ] && [ ! -e x ]; then
  ok "a bad kind, a missing NAME and a stray --kind are usage errors (exit 2)"
else
  fail "usage errors: $r1 / $r2 / $r3"
fi

# What new-plugin prints says how to build the folder.
if grep -q "meson setup build && meson test -C build" "$tmp/new.out"; then
  ok "new-plugin prints how to build and test the folder"
else
  fail "new-plugin output" "$tmp/new.out"
fi
exit $status
