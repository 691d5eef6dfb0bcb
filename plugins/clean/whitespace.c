/* copydesk — clean: whitespace, line breaks and hard-wrapped paragraphs.
 *
 * One scan finds every maximal run of whitespace and decides what it should be:
 * nothing at the start and end of the document, one space inside a line, "\n"
 * between lines, "\n\n" between paragraphs (a run holding two or more line breaks).
 * Line breaks are LF, CRLF, CR, VT, FF, NEL and U+2028; U+2029 is a paragraph break.
 * Spaces are space, tab, NBSP, U+1680, U+2000-U+200A, U+202F, U+205F and U+3000.
 *
 * Line joining needs to see a whole paragraph before deciding, so the runs of the
 * current paragraph are kept until its end (edits must come in order).  A paragraph
 * looks hard-wrapped when it has several lines and most of the lines before its last
 * one are long (at least 40 characters and 60% of its longest line).  In such a
 * paragraph a line break becomes a space after a long line, unless the line ends a
 * sentence and the next line is short, the line reads like a headline (mostly
 * capitalised words), or the next line starts with a bullet.  Short lines, such as a
 * headline and a dateline above the story, keep their breaks.
 */
#include <string.h>

#include "clean.h"

typedef enum {
  WS_NONE = 0,
  WS_SPACE,     /* horizontal */
  WS_LINE,      /* one line break */
  WS_PARAGRAPH, /* U+2029: counts as two */
} WsKind;

/* What the whitespace at T[I] is; *LEN receives its byte length (CRLF is one break). */
static inline WsKind ws_kind(const guchar *t, gsize i, gsize n, gsize *len) {
  guchar c = t[i];
  *len = 1;
  switch (c) {
    case ' ':
    case '\t':
      return WS_SPACE;
    case '\n':
    case '\v':
    case '\f':
      return WS_LINE;
    case '\r':
      if (i + 1 < n && t[i + 1] == '\n') *len = 2;
      return WS_LINE;
    default:
      break;
  }
  if (c < 0xC2) return WS_NONE;
  /* The text is valid UTF-8 and NUL-terminated: the continuation bytes are there. */
  *len = clean_utf8_len(c);
  if (c == 0xC2) {
    if (t[i + 1] == 0xA0) return WS_SPACE; /* NBSP */
    if (t[i + 1] == 0x85) return WS_LINE;  /* NEL */
    return WS_NONE;
  }
  if (c == 0xE2) {
    if (t[i + 1] == 0x80) {
      guchar d = t[i + 2];
      if (d <= 0x8A || d == 0xAF) return WS_SPACE; /* U+2000-U+200A, U+202F */
      if (d == 0xA8) return WS_LINE;               /* U+2028 */
      if (d == 0xA9) return WS_PARAGRAPH;          /* U+2029 */
    } else if (t[i + 1] == 0x81 && t[i + 2] == 0x9F) {
      return WS_SPACE; /* U+205F */
    }
  } else if (c == 0xE3) {
    if (t[i + 1] == 0x80 && t[i + 2] == 0x80) return WS_SPACE; /* U+3000 */
  } else if (c == 0xE1) {
    if (t[i + 1] == 0x9A && t[i + 2] == 0x80) return WS_SPACE; /* U+1680 */
  }
  return WS_NONE;
}

/* One line of the current paragraph. */
typedef struct {
  guint chars;       /* characters, a space counting for each run inside the line */
  guint words;       /* words starting with a letter */
  guint capitalized; /* of which start with a capital */
  guint first_word;  /* characters of the line's first word */
  gunichar first;    /* the line's first character */
  gboolean ends_sentence;
} WsLine;

/* A whitespace run of the current paragraph whose edit waits for the paragraph's end. */
typedef struct {
  gsize start, end;
  guint line; /* for a line break: the line it ends */
  gboolean line_break;
} WsRun;

typedef struct {
  CleanPass pass;
  const guchar *t;
  gsize n;
  gboolean whitespace, join_lines;
  GArray *lines;              /* WsLine */
  GArray *runs;               /* WsRun */
  WsLine line;                /* the line being read */
  gunichar last, before_last; /* the line's last two characters */
  gboolean in_first_word;
  gboolean at_end; /* a run reaching the end of the text closed the last paragraph */
  GError **error;
} WsState;

static gboolean is_sentence_end(gunichar c) {
  return c == '.' || c == '!' || c == '?' || c == 0x2026 /* … */;
}

static gboolean is_closer(gunichar c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 || c == 0x00BB;
}

static gboolean is_bullet(gunichar c) {
  return c == '-' || c == '*' || c == 0x2022 || c == 0x2023 || c == 0x2043 || c == 0x25E6 ||
         c == 0x25AA || c == 0x00B7 || c == 0x2013 || c == 0x2014;
}

/* Replaces the run [S, E) with WANT when it is not that already. */
static gboolean put_run(WsState *st, gsize s, gsize e, const char *want) {
  return clean_pass_replace(&st->pass, s, e, want, strlen(want), st->error);
}

static void end_line(WsState *st) {
  WsLine *l = &st->line;
  l->ends_sentence =
      is_sentence_end(st->last) || (is_closer(st->last) && is_sentence_end(st->before_last));
  g_array_append_val(st->lines, *l);
  memset(l, 0, sizeof *l);
  st->last = st->before_last = 0;
  st->in_first_word = FALSE;
}

static gboolean line_is_long(const WsLine *l, guint widest) {
  return l->chars >= 40 && l->chars * 10 >= widest * 6;
}

static gboolean line_is_bullet(const WsLine *l) {
  return l->first_word == 1 && is_bullet(l->first);
}

/* Reads like a headline: mostly capitalised words. */
static gboolean line_is_title(const WsLine *l) {
  return l->words >= 3 && l->capitalized * 10 >= l->words * 6;
}

/* Decides the paragraph's line breaks and hands its waiting runs to the edit. */
static gboolean flush_paragraph(WsState *st) {
  guint n_lines = st->lines->len;
  const WsLine *lines = (const WsLine *)(void *)st->lines->data;
  gboolean wrapped = FALSE;
  guint widest = 0;
  if (st->join_lines && n_lines >= 2) {
    for (guint k = 0; k < n_lines; k++) widest = MAX(widest, lines[k].chars);
    guint long_lines = 0;
    for (guint k = 0; k + 1 < n_lines; k++) long_lines += line_is_long(&lines[k], widest);
    wrapped = long_lines * 2 > n_lines - 1;
  }
  gboolean ok = TRUE;
  for (guint r = 0; ok && r < st->runs->len; r++) {
    const WsRun *run = &g_array_index(st->runs, WsRun, r);
    if (!run->line_break) {
      ok = put_run(st, run->start, run->end, " ");
      continue;
    }
    const WsLine *line = &lines[run->line], *next = &lines[run->line + 1];
    gboolean join = wrapped && line_is_long(line, widest) && !line_is_title(line) &&
                    !line_is_bullet(next) && !(line->ends_sentence && !line_is_long(next, widest));
    if (join)
      ok = put_run(st, run->start, run->end, " ");
    else if (st->whitespace)
      ok = put_run(st, run->start, run->end, "\n");
  }
  g_array_set_size(st->runs, 0);
  g_array_set_size(st->lines, 0);
  return ok;
}

/* Handles the whitespace run [S, E) holding NEWLINES line breaks. */
static gboolean handle_run(WsState *st, gsize s, gsize e, guint newlines) {
  st->in_first_word = FALSE;
  if (s == 0 || e == st->n) {
    /* Around the document: removed.  At the end, the last line and paragraph end too. */
    if (e == st->n) {
      st->at_end = TRUE;
      if (s != 0) {
        end_line(st);
        if (!flush_paragraph(st)) return FALSE;
      }
    }
    return st->whitespace ? put_run(st, s, e, "") : TRUE;
  }
  if (newlines == 0) {
    st->line.chars++;
    if (st->whitespace && !(e - s == 1 && st->t[s] == ' ')) {
      WsRun run = {s, e, 0, FALSE};
      g_array_append_val(st->runs, run);
    }
    return TRUE;
  }
  end_line(st);
  if (newlines == 1) {
    WsRun run = {s, e, st->lines->len - 1, TRUE};
    g_array_append_val(st->runs, run);
    return TRUE;
  }
  if (!flush_paragraph(st)) return FALSE;
  return st->whitespace ? put_run(st, s, e, "\n\n") : TRUE;
}

/* Notes a word fragment of CHARS characters whose first character is C, starting a word
 * when WORD_START. */
static inline void see_text(WsState *st, gunichar c, guint chars, gboolean word_start) {
  WsLine *l = &st->line;
  if (l->chars == 0) {
    l->first = c;
    st->in_first_word = TRUE;
  }
  if (st->in_first_word) l->first_word += chars;
  if (word_start) {
    if (c < 0x80) {
      if (g_ascii_isalpha(c)) {
        l->words++;
        l->capitalized += g_ascii_isupper(c) != 0;
      }
    } else if (g_unichar_isalpha(c)) {
      l->words++;
      l->capitalized += g_unichar_isupper(c) || g_unichar_istitle(c);
    }
  }
  l->chars += chars;
}

gboolean clean_whitespace(CopydeskDocument *doc, gboolean whitespace, gboolean join_lines,
                          GError **error) {
  WsState st;
  memset(&st, 0, sizeof st);
  clean_pass_init(&st.pass, doc);
  st.t = (const guchar *)st.pass.text;
  st.n = st.pass.len;
  st.whitespace = whitespace;
  st.join_lines = join_lines;
  st.lines = g_array_new(FALSE, FALSE, sizeof(WsLine));
  st.runs = g_array_new(FALSE, FALSE, sizeof(WsRun));
  st.error = error;
  const guchar *t = st.t;
  gsize n = st.n, i = 0;
  gboolean ok = TRUE, word_start = TRUE;
  while (ok && i < n) {
    guchar c = t[i];
    if (c > ' ' && c < 0x80) {
      /* A run of printable ASCII: the common case. */
      gsize j = i + 1;
      while (j < n && t[j] > ' ' && t[j] < 0x80) j++;
      see_text(&st, c, (guint)(j - i), word_start);
      st.before_last = j - i >= 2 ? t[j - 2] : st.last;
      st.last = t[j - 1];
      word_start = FALSE;
      i = j;
      continue;
    }
    if (c == ' ' && i > 0 && (guchar)(t[i + 1] - 0x21) < 0x5F) {
      /* One space between two words: already right. */
      st.line.chars++;
      st.in_first_word = FALSE;
      word_start = TRUE;
      i++;
      continue;
    }
    gsize len;
    WsKind kind = ws_kind(t, i, n, &len);
    if (kind == WS_NONE) {
      gunichar u = c < 0x80 ? c : g_utf8_get_char((const char *)t + i);
      see_text(&st, u, 1, word_start);
      st.before_last = st.last;
      st.last = u;
      word_start = FALSE;
      i += len;
      continue;
    }
    gsize s = i;
    guint newlines = 0;
    while (i < n && (kind = ws_kind(t, i, n, &len)) != WS_NONE) {
      newlines += kind == WS_LINE ? 1 : kind == WS_PARAGRAPH ? 2 : 0;
      i += len;
    }
    ok = handle_run(&st, s, i, newlines);
    word_start = TRUE;
  }
  if (ok && !st.at_end) {
    end_line(&st);
    ok = flush_paragraph(&st);
  }
  g_array_free(st.lines, TRUE);
  g_array_free(st.runs, TRUE);
  return clean_pass_finish(&st.pass, ok, error);
}
