/* copydesk — clean: whitespace, line breaks and hard-wrapped paragraphs.
 *
 * One scan finds every maximal run of whitespace and decides what it should be:
 * nothing at the start and end of the document, one space inside a line, "\n"
 * between lines, "\n\n" between paragraphs (a run holding two or more line breaks).
 * Line breaks are LF, CRLF, CR, VT, FF, NEL and U+2028; U+2029 is a paragraph break.
 * Spaces are space, tab, NBSP, U+1680, U+2000-U+200A, U+202F, U+205F and U+3000.
 *
 * Line joining needs to see a whole paragraph before deciding, so the lines of the
 * current paragraph, and the runs inside them that change, are kept until its end (edits
 * must come in order).  A paragraph looks hard-wrapped when it has several lines and most
 * of the lines before its last one are long (at least 40 characters and 60% of its longest
 * line).  In such a paragraph a line break becomes a space after a long line, unless the
 * line ends a sentence and the next line is short, the line reads like a headline (mostly
 * capitalised words), or the next line starts with a bullet.  Short lines, such as a
 * headline and a dateline above the story, keep their breaks.
 */
#include <stddef.h>
#include <string.h>

#include "v16.h"
#include "clean.h"

typedef enum {
  WS_NONE = 0,
  WS_SPACE,     /* horizontal */
  WS_LINE,      /* one line break */
  WS_PARAGRAPH, /* U+2029: counts as two */
} WsKind;

/* What the whitespace at T[I] is; *LEN receives its byte length (CRLF is one break). */
static G_ALWAYS_INLINE inline WsKind ws_kind(const guchar *t, gsize i, gsize n, gsize *len) {
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

/* Whether T[I] is printable ASCII or starts a character from 0x80 that is certainly no white
 * space, asked in a cheap order: only characters led by C2, E1, E2 or E3 can be white space, and
 * of those led by E2, U+2010-U+2027 (dashes, quotes, bullets, the ellipsis) are known without
 * asking ws_kind().  (The bytes after a lead byte are there: the text is valid UTF-8.) */
static inline gboolean surely_no_white(const guchar *t, gsize i, gsize n) {
  guchar c = t[i];
  gsize len;
  if (c < 0x80) return (guchar)(c - 0x21) < 0x5E;
  if (c == 0xE2)
    return (t[i + 1] == 0x80 && (guchar)(t[i + 2] - 0x90) < 0x18) ||
           ws_kind(t, i, n, &len) == WS_NONE;
  return !(c == 0xC2 || c == 0xE1 || c == 0xE3);
}

/* One line of the current paragraph: its text [start, end) (from its first character to
 * its last, no white space at either end), its length, counted by the scan that finds the
 * white space, and its other measures, taken only when line joining asks for them (a long line
 * of a wrapped paragraph, and the line after it): those of its ends, and its words, which take
 * reading the whole line (only a long line's are asked for). */
typedef struct {
  gsize start, end;
  guint chars;       /* characters, a space counting for each run inside the line */
  gboolean measured; /* whether first_word, first and ends_sentence are taken */
  gboolean counted;  /* whether words and capitalized are */
  guint words;       /* words starting with a letter */
  guint capitalized; /* of which start with a capital */
  guint first_word;  /* characters of the line's first word */
  gunichar first;    /* the line's first character */
  gboolean ends_sentence;
} WsLine;

/* A run of white space inside a line of the current paragraph that is not one space, whose
 * edit waits for the paragraph's end.  (The paragraph's line breaks are the gaps between its
 * lines.) */
typedef struct {
  gsize start, end;
} WsRun;

/* How many lines and waiting runs a paragraph has room for before its arrays move from the
 * stack to the heap. */
#define WS_INLINE 64

typedef struct {
  CleanPass pass;
  const guchar *t;
  gsize n;
  gboolean whitespace, join_lines;
  /* The current paragraph's lines and waiting runs: plain arrays, since there is one entry
   * for every line, and GArray's append is a function call each; at first the inline ones
   * below (most paragraphs have room there, so most documents allocate none). */
  WsLine *lines;
  WsRun *runs;
  guint n_lines, n_runs, lines_size, runs_size;
  gboolean odd_breaks; /* a line break of the paragraph is not one "\n" */
  gsize line_start; /* where the line being read starts */
  gsize uncounted;  /* bytes of the line being read that are no character of its length:
                     * continuation bytes, and all but one byte of each run of white space */
  gboolean at_end;  /* a run reaching the end of the text closed the last paragraph */
  GError **error;
  /* Last, out of the memset() that clears the rest. */
  WsLine inline_lines[WS_INLINE];
  WsRun inline_runs[WS_INLINE];
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

/* Replaces the run [S, E) with WANT when it is not that already (most line breaks are). */
static inline gboolean put_run(WsState *st, gsize s, gsize e, const char *want) {
  gsize len = strlen(want);
  if (e - s == len && memcmp(st->t + s, want, len) == 0) return TRUE;
  return clean_pass_replace(&st->pass, s, e, want, len, st->error);
}

/* Room for more runs or lines, on the heap (out of line, away from the scan, which adds one
 * per line): doubles *SIZE and returns ITEMS (records of ITEM_SIZE bytes) with room for that
 * many, the first time moved from INLINE_ITEMS (INLINE_BYTES, in the state) to the heap. */
static G_NO_INLINE void *grow_array(void *items, const void *inline_items, gsize inline_bytes,
                                     guint *size, gsize item_size) {
  *size *= 2;
  if (items != inline_items)
    return g_realloc_n(items, *size, item_size);
  void *heap = g_malloc_n(*size, item_size);
  memcpy(heap, inline_items, inline_bytes);
  return heap;
}

static inline void grow_runs(WsState *st) {
  st->runs = grow_array(st->runs, st->inline_runs, sizeof st->inline_runs, &st->runs_size, sizeof(WsRun));
}

static inline void grow_lines(WsState *st) {
  st->lines = grow_array(st->lines, st->inline_lines, sizeof st->inline_lines, &st->lines_size,
                         sizeof(WsLine));
}

static inline void add_run(WsState *st, gsize s, gsize e) {
  if (st->n_runs == st->runs_size) grow_runs(st);
  st->runs[st->n_runs++] = (WsRun){s, e};
}

/* Closes the line being read, which ends where the white space at END begins. */
static inline void end_line(WsState *st, gsize end) {
  if (st->n_lines == st->lines_size) grow_lines(st);
  WsLine *l = &st->lines[st->n_lines++];
  l->start = st->line_start;
  l->end = end;
  l->chars = (guint)(end - st->line_start - st->uncounted);
  l->measured = l->counted = FALSE; /* the other measures are set when taken */
}

/* Starts the next line at START. */
static void start_line(WsState *st, gsize start) {
  st->line_start = start;
  st->uncounted = 0;
}

/* The character at T[I]. */
static inline gunichar char_at(const guchar *t, gsize i) {
  return clean_utf8_char((const char *)t + i);
}

/* Counts a word of L that starts with U (words that count start with a letter). */
static inline void count_word(WsLine *l, gunichar u) {
  if (u < 0x80) {
    if (g_ascii_isalpha(u)) {
      l->words++;
      l->capitalized += g_ascii_isupper(u) != 0;
    }
  } else if (g_unichar_isalpha(u)) {
    l->words++;
    l->capitalized += g_unichar_isupper(u) || g_unichar_istitle(u);
  }
}

/* Takes the measures of the ends of L: its first character and the length of its first word,
 * and whether it ends a sentence. */
static void measure_line(const WsState *st, WsLine *l) {
  const guchar *t = st->t;
  gsize len;
  l->measured = TRUE;
  l->first_word = 0;
  l->first = 0;
  l->ends_sentence = FALSE;
  if (l->start == l->end) return;
  l->first = char_at(t, l->start);
  for (gsize i = l->start;
       i < l->end && ((guchar)(t[i] - 0x21) < 0x5E || ws_kind(t, i, st->n, &len) == WS_NONE);
       i += clean_utf8_len(t[i]))
    l->first_word++; /* printable ASCII is no white space without asking ws_kind() */

  /* The last character (the line ends with one that is not white space), and the last one
   * before it that is not white space. */
  gsize p = l->end - 1;
  while (p > l->start && (t[p] & 0xC0) == 0x80) p--;
  gunichar last = char_at(t, p), before_last = 0;
  while (p > l->start) {
    gsize q = p - 1;
    while (q > l->start && (t[q] & 0xC0) == 0x80) q--;
    if (ws_kind(t, q, st->n, &len) == WS_NONE) {
      before_last = char_at(t, q);
      break;
    }
    p = q;
  }
  l->ends_sentence = is_sentence_end(last) || (is_closer(last) && is_sentence_end(before_last));
}

/* The numbers of bits set in each sixteen-bit half of X, in the low five bits of each half (no
 * popcount instruction is assumed). */
static inline guint32 bits_set_halves(guint32 x) {
  x = x - ((x >> 1) & 0x55555555u);
  x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
  x = (x + (x >> 4)) & 0x0F0F0F0Fu;
  return (x + (x >> 8)) & 0x001F001Fu;
}

/* The sum of the sixteen byte lanes of V (a lane a count). */
static inline guint lanes_sum(V16Unsigned v) {
  const guint64 low_bytes = G_GUINT64_CONSTANT(0x00FF00FF00FF00FF);
  V2x64 w = (V2x64)v;
  guint sum = 0;
  for (int h = 0; h < 2; h++) {
    guint64 pairs = (w[h] & low_bytes) + ((w[h] >> 8) & low_bytes); /* four lanes of 16 bits */
    sum += (guint)((pairs * G_GUINT64_CONSTANT(0x0001000100010001)) >> 48);
  }
  return sum;
}

/* Counts the words of L that start with a letter, and of those the ones that start with a
 * capital (a word starts after white space, or at the line's start). */
static void count_words(const WsState *st, WsLine *l) {
  const guchar *t = st->t;
  gsize len;
  l->counted = TRUE;
  l->words = l->capitalized = 0;
  gboolean word_start = TRUE;
  gboolean after_ascii = FALSE; /* the bytes before I were read sixteen at once, as ASCII */
  for (gsize i = l->start; i < l->end;) {
    if (after_ascii && i + 16 <= l->end) {
      /* Whole chunks of sixteen bytes of the line that are printable ASCII and spaces: a word
       * starts at a letter whose byte before (T[I - 1] for the first, read as ASCII already)
       * is a space, counted in sixteen lanes at once, up to 255 chunks. */
      V16Unsigned words = {0}, capitals = {0};
      guint chunks = 0;
      while (i + 16 <= l->end && chunks < 255) {
        V16Unsigned v, before;
        memcpy(&v, t + i, 16);
        if (v16_bits((V16)(v + 1) > 0x20) != 0xFFFF) break; /* 0x20-0x7E */
        memcpy(&before, t + i - 1, 16);
        V16 starts = (V16)(before == ' ') & ((V16)((v | 0x20) + 0x1F) < -102);
        words -= (V16Unsigned)starts; /* 0xFF: one more */
        capitals -= (V16Unsigned)(starts & ((V16)(v + 0x3F) < -102));
        i += 16;
        chunks++;
      }
      if (chunks > 0) {
        l->words += lanes_sum(words);
        l->capitalized += lanes_sum(capitals);
        word_start = t[i - 1] == ' ';
        continue;
      }
    }
    after_ascii = FALSE;
    if (i + 16 <= st->n) {
      /* Sixteen bytes of the text, of which the line's (IN_LINE) are printable ASCII and
       * spaces (most of a line): the word starts are the letters after a space, counted all
       * at once. */
      V16Unsigned v;
      memcpy(&v, t + i, 16);
      gsize left = l->end - i;
      guint in_line = left >= 16 ? 0xFFFF : (1u << left) - 1;
      if ((v16_bits((V16)(v + 1) > 0x20) & in_line) == in_line) { /* 0x20-0x7E */
        guint spaces = v16_bits((V16)(v == ' '));
        guint letters = v16_bits((V16)((v | 0x20) + 0x1F) < -102); /* 'a'-'z' folded */
        guint capitals = v16_bits((V16)(v + 0x3F) < -102);         /* 'A'-'Z' */
        guint starts = letters & (spaces << 1 | (word_start ? 1u : 0u)) & in_line;
        guint32 counts = bits_set_halves(starts | (starts & capitals) << 16);
        l->words += counts & 0xFFFF;
        l->capitalized += counts >> 16;
        word_start = (spaces >> 15) != 0;
        i += MIN(left, 16);
        after_ascii = TRUE;
        continue;
      }
    }
    if (ws_kind(t, i, st->n, &len) != WS_NONE) {
      word_start = TRUE;
      i += len;
      continue;
    }
    if (word_start) count_word(l, char_at(t, i));
    word_start = FALSE;
    i += clean_utf8_len(t[i]);
  }
}

static gboolean line_is_long(const WsLine *l, guint widest) {
  return l->chars >= 40 && l->chars * 10 >= widest * 6;
}

static gboolean line_is_bullet(const WsState *st, WsLine *l) {
  if (!l->measured) measure_line(st, l);
  return l->first_word == 1 && is_bullet(l->first);
}

/* Reads like a headline: mostly capitalised words. */
static gboolean line_is_title(const WsState *st, WsLine *l) {
  if (!l->counted) count_words(st, l);
  return l->words >= 3 && l->capitalized * 10 >= l->words * 6;
}

static gboolean line_ends_sentence(const WsState *st, WsLine *l) {
  if (!l->measured) measure_line(st, l);
  return l->ends_sentence;
}

/* Decides the line breaks of a paragraph of several lines, or with waiting runs, and hands
 * them and its waiting runs to the edit, in order. */
static G_NO_INLINE gboolean flush_lines(WsState *st) {
  guint n_lines = st->n_lines;
  WsLine *lines = st->lines;
  gboolean wrapped = FALSE;
  guint widest = 0;
  if (st->join_lines && n_lines >= 2) {
    for (guint k = 0; k < n_lines; k++) widest = MAX(widest, lines[k].chars);
    guint long_lines = 0;
    for (guint k = 0; k + 1 < n_lines; k++) long_lines += line_is_long(&lines[k], widest);
    wrapped = long_lines * 2 > n_lines - 1;
  }
  gboolean ok = TRUE;
  const WsRun *runs = st->runs;
  guint r = 0;
  /* Line breaks that stay, and are one "\n" each already, have nothing to do: then only the
   * waiting runs are visited. */
  if (wrapped || (st->whitespace && st->odd_breaks)) {
    for (guint k = 0; k + 1 < n_lines; k++) {
      WsLine *line = &lines[k], *next = &lines[k + 1];
      for (; r < st->n_runs && runs[r].start < line->end; r++)
        if (!(ok = put_run(st, runs[r].start, runs[r].end, " "))) break;
      if (!ok) break;
      /* The title test, which reads the whole line, last. */
      gboolean join = wrapped && line_is_long(line, widest) && !line_is_bullet(st, next) &&
                      !(line_ends_sentence(st, line) && !line_is_long(next, widest)) &&
                      !line_is_title(st, line);
      if (join)
        ok = put_run(st, line->end, next->start, " ");
      else if (st->whitespace)
        ok = put_run(st, line->end, next->start, "\n");
      if (!ok) break;
    }
  }
  for (; ok && r < st->n_runs; r++) ok = put_run(st, runs[r].start, runs[r].end, " ");
  st->n_runs = 0;
  st->n_lines = 0;
  st->odd_breaks = FALSE;
  return ok;
}

/* Ends the current paragraph: flush_lines(), but for a paragraph of one line without waiting
 * runs (a headline, or a paragraph of single spaces between words), which has nothing to do. */
static inline gboolean flush_paragraph(WsState *st) {
  if (st->n_runs == 0 && st->n_lines <= 1) { /* and so no line break */
    st->n_lines = 0;
    return TRUE;
  }
  return flush_lines(st);
}

/* Handles the whitespace run [S, E) holding NEWLINES line breaks. */
static G_ALWAYS_INLINE inline gboolean handle_run(WsState *st, gsize s, gsize e, guint newlines) {
  if (s == 0 || e == st->n) {
    /* Around the document: removed.  At the end, the last line and paragraph end too. */
    if (e == st->n) {
      st->at_end = TRUE;
      if (s != 0) {
        end_line(st, s);
        if (!flush_paragraph(st)) return FALSE;
      }
    }
    start_line(st, e);
    return st->whitespace ? put_run(st, s, e, "") : TRUE;
  }
  if (newlines == 0) {
    st->uncounted += e - s - 1; /* a run inside a line counts as one character */
    if (st->whitespace && !(e - s == 1 && st->t[s] == ' ')) add_run(st, s, e);
    return TRUE;
  }
  end_line(st, s);
  start_line(st, e);
  if (newlines == 1) {
    st->odd_breaks |= !(e - s == 1 && st->t[s] == '\n');
    return TRUE;
  }
  if (!flush_paragraph(st)) return FALSE;
  return st->whitespace ? put_run(st, s, e, "\n\n") : TRUE;
}

gboolean clean_whitespace(CopydeskDocument *doc, CleanSurvey *survey, gboolean whitespace,
                          gboolean join_lines, GError **error) {
  clean_survey_ensure(survey, doc);
  WsState st;
  memset(&st, 0, offsetof(WsState, inline_lines)); /* the inline arrays are filled as used */
  st.lines = st.inline_lines;
  st.runs = st.inline_runs;
  st.lines_size = st.runs_size = WS_INLINE;
  clean_pass_init(&st.pass, doc, survey);
  st.t = (const guchar *)st.pass.text;
  st.n = st.pass.len;
  st.whitespace = whitespace;
  st.join_lines = join_lines;
  st.error = error;
  const guchar *t = st.t;
  gsize n = st.n, i = 0;
  gboolean ok = TRUE;
  /* Printable ASCII and single spaces between words, the bulk of the text, have nothing to
   * do and nothing to note (lines are measured later, and only when it matters): only the
   * survey's stops are visited, those the scan below has not passed already. */
  const gsize *stops = survey->stops, n_stops = survey->n_stops;
  for (gsize k = 0; k < n_stops;) {
    if (stops[k] < i) { /* read already, by the scan of a run below */
      k++;
      continue;
    }
    i = stops[k];
    guchar c = t[i];
    gsize len;
    /* The commonest stops first: one or two line feeds between lines of words (a run of its
     * own, followed by text), the lead byte of a character that starts no white space, whose
     * continuation bytes are the next stops (the text is valid UTF-8), and a single space
     * before such a character, which has nothing to do. */
    if (c == '\n' && i > 0) {
      gsize e = i + 1 + (t[i + 1] == '\n');
      if ((guchar)(t[e] - 0x21) < 0x5E || (t[e] >= 0x80 && surely_no_white(t, e, n))) {
        if (e == i + 1) { /* a line break inside the paragraph, "\n" already */
          end_line(&st, i);
          start_line(&st, e);
        } else {
          if (!(ok = handle_run(&st, i, e, 2))) break;
        }
        k += e - i; /* each line feed is a stop */
        i = e;
        continue;
      }
    }
    if (c >= 0x80 && surely_no_white(t, i, n)) {
      len = clean_utf8_len(c);
      st.uncounted += len - 1;
      i += len;
      k += len;
      continue;
    }
    if (c == ' ' && i > 0 && t[i + 1] >= 0x80 && surely_no_white(t, i + 1, n)) {
      i++;
      k++;
      continue;
    }
    WsKind kind = ws_kind(t, i, n, &len);
    if (kind == WS_NONE) {
      /* Other text: controls, DEL, and characters led by C2, E1, E2 or E3 that are no white
       * space (the other characters from 0x80 are passed above; continuation bytes are no
       * characters). */
      st.uncounted += len - 1;
      i += len;
      continue;
    }
    gsize s = i;
    guint newlines = 0;
    while (i < n && (kind = ws_kind(t, i, n, &len)) != WS_NONE) {
      newlines += kind == WS_LINE ? 1 : kind == WS_PARAGRAPH ? 2 : 0;
      i += len;
    }
    if (!(ok = handle_run(&st, s, i, newlines))) break;
  }
  if (ok && !st.at_end) {
    end_line(&st, n);
    ok = flush_paragraph(&st);
  }
  if (st.lines != st.inline_lines) g_free(st.lines);
  if (st.runs != st.inline_runs) g_free(st.runs);
  return clean_pass_finish(&st.pass, ok, error);
}
