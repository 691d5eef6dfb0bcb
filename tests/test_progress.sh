#!/bin/sh
# The progress line: its format when forced with --progress into a file (total known from the
# files' sizes, and unknown on a pipe), that it is erased at the end, that nothing appears
# without a terminal or with --quiet, and on a real terminal (script(1)) for a long run.
set -u
bin="$COPYDESK_BINARY"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset CI
n=0
status=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; [ -f "${2-}" ] && od -c "$2" | head -20 | sed 's/^/# /'; status=1; }
echo "1..7"

# A pipeline without stages keeps the runs short.
printf 'pipeline: []\noutput: {plugin: jsonl, options: {include_text: false}}\n' > "$tmp/p.yaml"
line='The harbour strike entered its third day on Tuesday, the union said.'
for i in 1 2 3; do
  yes "$line" | head -c 200000 > "$tmp/a$i.txt"
done

# Every segment between carriage returns, without trailing spaces, on its own line.
segments() { tr '\r' '\n' < "$1" | sed 's/ *$//' | grep -v '^$'; }
known='^copydesk: [0-9]+ documents?, [0-9]+\.[0-9] of [0-9]+\.[0-9] MB \([0-9]{1,3}%\), [0-9]+\.[0-9] MB/s, ETA ([0-9]+:)?[0-9]+:[0-9][0-9]$|^copydesk: [0-9]+ documents?, [0-9]+\.[0-9] of [0-9]+\.[0-9] MB \([0-9]{1,3}%\), [0-9]+\.[0-9] MB/s, ETA -:--$'
unknown='^copydesk: [0-9]+ documents?, [0-9]+\.[0-9] MB, [0-9]+\.[0-9] MB/s$'

# 1. Forced into a file, over regular files: total, percentage and ETA; erased at the end.
"$bin" --progress -c "$tmp/p.yaml" "$tmp/a1.txt" "$tmp/a2.txt" "$tmp/a3.txt" > "$tmp/out" 2> "$tmp/err"
if [ -s "$tmp/out" ] && [ "$(segments "$tmp/err" | wc -l)" -ge 1 ] &&
   ! segments "$tmp/err" | grep -Ev "$known" | grep -q . &&
   segments "$tmp/err" | head -1 | grep -q '^copydesk: 1 document, 0\.2 of 0\.6 MB (33%)'; then
  ok "--progress into a file: 'copydesk: N documents, X of Y MB (P%), R MB/s, ETA M:SS'"
else
  fail "--progress line format (known size)" "$tmp/err"
fi
# The last thing written is a carriage return, spaces, a carriage return: the line is erased.
if [ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\r' ] &&
   [ "$(tr -cd '\n' < "$tmp/err" | wc -c)" -eq 0 ]; then
  ok "the line is redrawn with carriage returns, never a newline, and erased at the end"
else
  fail "erasing the line" "$tmp/err"
fi

# 2. On a pipe the size is unknown: no total, no ETA.
cat "$tmp/a1.txt" | "$bin" --progress -c "$tmp/p.yaml" > /dev/null 2> "$tmp/err"
if [ "$(segments "$tmp/err" | wc -l)" -ge 1 ] && ! segments "$tmp/err" | grep -Ev "$unknown" | grep -q .; then
  ok "--progress on a pipe: 'copydesk: N documents, X MB, R MB/s'"
else
  fail "--progress line format (unknown size)" "$tmp/err"
fi

# 3. Without a terminal nothing appears, even for many files.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cp "$tmp/a1.txt" "$tmp/m$i.txt"; done
"$bin" -c "$tmp/p.yaml" "$tmp"/m*.txt > /dev/null 2> "$tmp/err"
if [ ! -s "$tmp/err" ]; then ok "no progress when stderr is not a terminal"; else fail "progress without a terminal" "$tmp/err"; fi

# 4. --quiet never shows it; --progress wins over --quiet.
"$bin" -q -c "$tmp/p.yaml" "$tmp"/m*.txt > /dev/null 2> "$tmp/err"
"$bin" -q --progress -c "$tmp/p.yaml" "$tmp/a1.txt" > /dev/null 2> "$tmp/err2"
if [ ! -s "$tmp/err" ] && segments "$tmp/err2" | grep -Eq "$known"; then
  ok "--quiet: no progress; --quiet --progress: progress"
else
  fail "--quiet and --progress" "$tmp/err"
fi

# 5-6. On a terminal (script(1) gives the command one): a long run of unknown size shows the
# line after its first second; CI=1 or a short run shows nothing.
if ! command -v script >/dev/null 2>&1; then
  skip "script(1) is not installed"; skip "script(1) is not installed"
else
  i=0; while [ $i -lt 40 ]; do
    printf '{"id": %d, "text": "Rain fell."}\n' $i; i=$((i + 1))
  done > "$tmp/records.jsonl"
  # 40 records through a pipe, with a pause of 1.3 s after the 20th; stderr is the terminal,
  # stdout a file.
  cat > "$tmp/run.sh" <<SH
#!/bin/sh
( while read -r l; do echo "\$l"; [ "\$l" = '{"id": 19, "text": "Rain fell."}' ] && sleep 1.3; done < "$tmp/records.jsonl" ) |
  "$bin" --from jsonl -c "$tmp/p.yaml" > "$tmp/tty.out"
SH
  chmod +x "$tmp/run.sh"
  script -qec "$tmp/run.sh" /dev/null < /dev/null > "$tmp/tty.err" 2>&1
  if [ "$(wc -l < "$tmp/tty.out")" -eq 40 ] && segments "$tmp/tty.err" | grep -Eq "$unknown"; then
    ok "on a terminal, a long run shows the progress line"
  else
    fail "progress on a terminal" "$tmp/tty.err"
  fi
  CI=1 script -qec "$tmp/run.sh" /dev/null < /dev/null > "$tmp/tty.err" 2>&1
  script -qec "'$bin' -c '$tmp/p.yaml' '$tmp/a1.txt' > /dev/null" /dev/null < /dev/null > "$tmp/tty2.err" 2>&1
  if ! grep -q 'copydesk:' "$tmp/tty.err" && ! grep -q 'copydesk:' "$tmp/tty2.err"; then
    ok "on a terminal, nothing with CI set or for a short run"
  else
    fail "progress on a terminal with CI=1 or a short run" "$tmp/tty.err"
  fi
fi
exit $status
