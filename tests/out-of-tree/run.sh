#!/bin/sh
# Installs copydesk into a temporary DESTDIR, builds wordcount.c against the installed headers
# with pkg-config (as a plugin author outside the tree would), and runs it in a pipeline with
# the installed copydesk from another working directory.
set -eu
build="$COPYDESK_BUILD_ROOT"
here="$COPYDESK_SOURCE_ROOT/tests/out-of-tree"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset COPYDESK_PLUGIN_PATH COPYDESK_DATA_DIR

echo "1..4"
DESTDIR="$tmp/root" meson install -C "$build" --no-rebuild --quiet >/dev/null
bin=$(find "$tmp/root" -path '*/bin/copydesk' -type f)
pc=$(find "$tmp/root" -name copydesk.pc)
[ -x "$bin" ] && [ -f "$pc" ] || { echo "not ok 1 - install: binary or copydesk.pc missing"; exit 1; }
echo "ok 1 - installed into a DESTDIR: $(echo "$bin" | sed "s|$tmp/root||")"

mkdir "$tmp/plugins"
# copydesk.pc is relocatable: its prefix is found from where the file is.
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs copydesk)
# shellcheck disable=SC2086
cc -std=c17 -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC -fvisibility=hidden \
   -o "$tmp/plugins/wordcount.so" "$here/wordcount.c" $flags
echo "ok 2 - wordcount.c built with pkg-config --cflags --libs copydesk"

cat > "$tmp/wordcount.yaml" <<YAML
plugin_path: plugins
pipeline:
  - plugin: wordcount
    options: {minimum: 4}
output:
  plugin: jsonl
  options: {include_text: false}
YAML
out=$(cd / && printf 'Three short words.\n\f\nA longer sentence of seven words here.\n' | "$bin" -c "$tmp/wordcount.yaml")
expected='{"id":"stdin","word_count":3,"short":true}
{"id":"stdin#2","word_count":7,"short":false}'
if [ "$out" = "$expected" ]; then
  echo "ok 3 - the out-of-tree plugin runs in a pipeline"
else
  echo "not ok 3 - unexpected output:"; echo "$out" | sed 's/^/# /'; exit 1
fi

out=$(cd / && echo "Rain fell on Tuesday." | "$bin" 2>&1)
case "$out" in
  '{"id":"stdin"'*) echo "ok 4 - the installed default pipeline runs from another folder" ;;
  *) echo "not ok 4 - default pipeline:"; echo "$out" | sed 's/^/# /'; exit 1 ;;
esac
