/* copydesk — the sentences plugin: tokens, sentences and paragraphs for news text.
 *
 * An annotate stage.  The text is tokenized once (tokenizer.c); paragraphs are the
 * stretches between blank lines; sentences are found over each paragraph's tokens:
 *
 * - A sentence ends after . ! ? … (and the closing quotes and brackets stuck to
 *   them) when whitespace and a plausible sentence start follow: a capital, a digit,
 *   an opening quote or bracket.  So `… said. “Next …` splits before the opening quote
 *   and `“Go home.” He left.` after the closing one.
 * - Not after an abbreviation that normally precedes a name or number (Mr. Sen. Gov.
 *   St. vs. e.g.; No. and Jan.-Dec. before a digit; a.m./p.m. before a lowercase word,
 *   a day, a month or a time zone), nor after a name suffix (Jr. Inc. Co.), an initial
 *   (J.), or an abbreviation with inner periods (U.S. U.K.) unless the next word is
 *   one that usually starts a sentence (The, He, But, …).  Decimals, initials, URLs
 *   and e-mail addresses are single tokens, so their periods never end a sentence.
 * - Not after a period that belongs to something else: "[...]" (words left out), "no. 5"
 *   and "N°. 5", a time put first ("At 5 a.m. Mr. Smith went …").  Reference marks
 *   glued to a sentence's end ("martyr.[1]", "consultation.11 12") stay with it.
 * - Enumerated lists ("1. … 2. …", "a) … b) …", "• 9. … • 10. …"): a run of two or more
 *   markers numbered one after the other, the first where a sentence may start, after a
 *   bullet or "1."/"a." before a capital; each item is a sentence of its own.
 * - The end of a paragraph ends a sentence.  So does a line break, unless the
 *   paragraph looks hard-wrapped (most of its lines long) and the line before it is a
 *   long one, or the line ends in white space before a lowercase word or "(" (a flowed
 *   or PDF-extracted line): then the break is a space.  A line that ends without punctuation (a
 *   headline, a dateline) is therefore its own sentence: labelled `headline` in the
 *   first paragraph, `dateline` when it reads like one ("WASHINGTON (Reuters) -"),
 *   `sentence` otherwise.
 *
 * Documents that already have tokens (read with --from conll) are left as they are.
 *
 * Linear in the text: every decision looks at a bounded number of tokens.
 */
#include <string.h>

#include "sentences.h"
#include "sorted.h"
#include "v16.h"
#include "work_pool.h"

typedef enum {
  LINES_AUTO,
  LINES_ALWAYS,
  LINES_NEVER,
} LineMode;

typedef struct {
  gboolean tokens;
  gboolean headlines;
  LineMode lines;
  WorkPool pool; /* Work: documents may be split on several threads at once */
} SentencesConfig;

typedef struct {
  gsize first, last; /* token indices */
  gsize bytes;       /* from its first token's start to its last token's end */
  guint chars;       /* its characters; its bytes when they are fewer than 40 (line_chars()) */
} LineInfo;

/* A growable array of spans to add to a layer in one call (V holds LEN of CAP). */
typedef struct {
  CopydeskSpanInit *v;
  gsize len, cap;
} SpanList;

static inline void span_list_add(SpanList *list, gsize start, gsize end, const char *label) {
  if (list->len == list->cap) {
    list->cap = MAX(64, list->cap * 2);
    list->v = g_renew(CopydeskSpanInit, list->v, list->cap);
  }
  list->v[list->len++] = (CopydeskSpanInit){start, end, label};
}

typedef struct {
  const SentencesConfig *config;
  const char *text;
  const CopydeskSpanInit *span; /* the tokens' byte ranges */
  Token *tok;
  gsize n_tok;
  gsize para_first, para_last; /* the paragraph being split */
  const gsize *line_starts;    /* its tokens after a single line break, in order */
  gsize n_line_starts;
  const gsize *marker_starts;  /* its tokens that may start a list marker, in order */
  gsize n_marker_starts;
  const gsize *gaps;           /* the tokens after which tokens were left out, in order */
  gsize n_gaps;
  guint para_index;
  gboolean line_labels; /* the headlines option is on and the paragraph is one of the
                         * first two: its whole lines get line_label()'s label */
  TokenArray *left_out; /* take_left_out()'s scratch */
  GArray *lines;   /* LineInfo, scratch (made when first needed) */
  GArray *markers; /* ListMarker, scratch (made when first needed) */
  /* The sentences and paragraphs found, added to their layers in one call each at the
   * end: copydesk_layer_add() per span costs several times more. */
  SpanList sentences, paragraphs;
} Splitter;

/* ---- Looking at tokens ----------------------------------------------------- */

static inline gsize tok_len(const Splitter *sp, gsize k) {
  return sp->span[k].end - sp->span[k].start;
}

static inline const char *tok_str(const Splitter *sp, gsize k) {
  return sp->text + sp->span[k].start;
}

static inline gunichar tok_char(const Splitter *sp, gsize k) {
  guchar c = (guchar)sp->text[sp->span[k].start];
  return c < 0x80 ? c : g_utf8_get_char(tok_str(sp, k));
}

/* TRUE when token K is exactly the UTF-8 string S. */
static inline gboolean tok_is(const Splitter *sp, gsize k, const char *s) {
  gsize len = strlen(s);
  return tok_len(sp, k) == len && memcmp(tok_str(sp, k), s, len) == 0;
}

static inline TokenMark mark(const Splitter *sp, gsize k) { return (TokenMark)sp->tok[k].mark; }

static inline gboolean is_period(const Splitter *sp, gsize k) { return mark(sp, k) == MARK_PERIOD; }

static inline gboolean is_ellipsis(const Splitter *sp, gsize k) {
  return mark(sp, k) == MARK_ELLIPSIS;
}

static inline gboolean is_bang(const Splitter *sp, gsize k) { return mark(sp, k) == MARK_BANG; }

static inline gboolean is_abbrev(const Splitter *sp, gsize k) {
  return sp->tok[k].kind == TOKEN_WORD && (sp->tok[k].flags & TOKEN_FLAG_ABBREV);
}

/* Punctuation that ends a sentence. */
static inline gboolean is_end_mark(const Splitter *sp, gsize k) {
  TokenMark m = mark(sp, k);
  return m == MARK_PERIOD || m == MARK_ELLIPSIS || m == MARK_BANG;
}

/* The ellipsis K is "[...]" or "[…]": words left out of a quotation, not the end of a
 * sentence. */
static gboolean bracketed_ellipsis(const Splitter *sp, gsize k) {
  return k > 0 && k + 1 < sp->n_tok && !sp->tok[k].space && !sp->tok[k + 1].space &&
         sp->text[sp->span[k - 1].start] == '[' && tok_len(sp, k - 1) == 1 &&
         sp->text[sp->span[k + 1].start] == ']';
}

static inline gboolean is_terminator(const Splitter *sp, gsize k) {
  if (sp->tok[k].flags & TOKEN_FLAG_ITEM_MARK) return FALSE;
  if (is_ellipsis(sp, k)) return !bracketed_ellipsis(sp, k);
  return is_end_mark(sp, k) || is_abbrev(sp, k);
}

/* A full stop of the scripts that write none or little space after it (。．！？). */
static inline gboolean is_wide_end(const Splitter *sp, gsize k) {
  return is_end_mark(sp, k) && (guchar)sp->text[sp->span[k].start] >= 0xE3;
}

static inline gboolean is_closer(const Splitter *sp, gsize k) {
  return mark(sp, k) == MARK_CLOSE || mark(sp, k) == MARK_QUOTE;
}

static inline gboolean is_opener(const Splitter *sp, gsize k) {
  return mark(sp, k) == MARK_OPEN || mark(sp, k) == MARK_QUOTE;
}

static gboolean is_bullet_char(gunichar u) {
  return u == '-' || u == '*' || u == 0x2022 || u == 0x2023 || u == 0x2043 || u == 0x25E6 ||
         u == 0x25AA || u == 0x00B7 || u == 0x2013 || u == 0x2014;
}

static inline gboolean is_dash(const Splitter *sp, gsize k) { return mark(sp, k) == MARK_DASH; }

/* (The ASCII tests below answer as GLib's Unicode ones do for ASCII, without its tables.) */

static gboolean starts_upper(const Splitter *sp, gsize k) {
  gunichar u = tok_char(sp, k);
  if (u < 0x80) return g_ascii_isupper(u);
  return g_unichar_isupper(u) || g_unichar_istitle(u);
}

/* Always inlined: an ASCII first byte, the common case, is one comparison. */
G_ALWAYS_INLINE static inline gboolean starts_digit(const Splitter *sp, gsize k) {
  guchar c = (guchar)sp->text[sp->span[k].start];
  if (c < 0x80) return c >= '0' && c <= '9';
  return g_unichar_isdigit(g_utf8_get_char(tok_str(sp, k)));
}

/* An opening bracket before a lowercase word: "(cited from …)" goes on a sentence. */
static gboolean bracket_before_lowercase(const Splitter *sp, gsize k) {
  guchar c = (guchar)sp->text[sp->span[k].start];
  if ((c != '(' && c != '[') || tok_len(sp, k) != 1 || k + 1 > sp->para_last) return FALSE;
  return sp->tok[k + 1].kind == TOKEN_WORD && g_unichar_islower(tok_char(sp, k + 1));
}

/* Could token K start a sentence? */
static gboolean plausible_start(const Splitter *sp, gsize k) {
  /* An opening quote or bracket first, without decoding it (it is no letter or digit). */
  if (is_opener(sp, k)) return !bracket_before_lowercase(sp, k);
  gunichar u = tok_char(sp, k);
  if (u < 0x80) {
    if (g_ascii_isalpha(u)) return g_ascii_isupper(u);
    if (g_ascii_isdigit(u)) return TRUE;
  } else {
    if (g_unichar_isalpha(u)) return !g_unichar_islower(u); /* capitals and caseless scripts */
    if (g_unichar_isdigit(u)) return TRUE;
  }
  if (g_unichar_type(u) == G_UNICODE_CURRENCY_SYMBOL || is_bullet_char(u)) return TRUE;
  return u == '#' || u == '@';
}

/* The next word usually starts a sentence, or an opening quote or bracket comes next. */
static gboolean starter_follows(const Splitter *sp, gsize k) {
  if (is_opener(sp, k)) return !bracket_before_lowercase(sp, k);
  return sp->tok[k].kind == TOKEN_WORD && sentences_is_starter(tok_str(sp, k), tok_len(sp, k));
}

/* ---- Tokens left out ------------------------------------------------------- */

/* Where the tokens were taken sparsely (sentences_tokenize()), the few rules that count
 * every token of a stretch take the left-out ones again from the text. */

/* The index in SP->gaps of the first gap after a token at or after K. */
static gsize first_gap(const Splitter *sp, gsize k) {
  return sorted_first_at_least(sp->gaps, sp->n_gaps, k);
}

/* The tokens left out after token K, tokenized again into the Splitter's scratch (its
 * spans count from the end of token K; good until the next call).  The text up to the
 * next token holds them and white space, which ends the last of them. */
static const TokenArray *take_left_out(const Splitter *sp, gsize k) {
  TokenArray *out = sp->left_out;
  out->len = out->breaks.len = out->markers.len = out->gaps.len = 0;
  gsize from = sp->span[k].end;
  sentences_tokenize(sp->text + from, sp->span[k + 1].start - from, FALSE, out);
  return out;
}

/* E - S, the tokens left out between tokens S and E counted too. */
static gsize token_distance(const Splitter *sp, gsize s, gsize e) {
  gsize d = e - s;
  for (gsize g = first_gap(sp, s); g < sp->n_gaps && sp->gaps[g] < e; g++) {
    d += take_left_out(sp, sp->gaps[g])->len;
  }
  return d;
}

/* A token's kind and text. */
typedef struct {
  TokenKind kind;
  const char *s;
  gsize len;
} TokenText;

/* The tokens from S to E, those left out between them included, into OUT (room for MAX);
 * returns how many there are, or MAX + 1 when there are more. */
static guint token_texts(const Splitter *sp, gsize s, gsize e, TokenText *out, guint max) {
  guint n = 0;
  gsize g = first_gap(sp, s);
  for (gsize k = s; k <= e && n <= max; k++) {
    if (n < max) out[n] = (TokenText){(TokenKind)sp->tok[k].kind, tok_str(sp, k), tok_len(sp, k)};
    n++;
    if (k == e || g >= sp->n_gaps || sp->gaps[g] != k) continue;
    g++;
    const TokenArray *left = take_left_out(sp, k);
    const char *base = sp->text + sp->span[k].end;
    for (gsize j = 0; j < left->len && n <= max; j++, n++)
      if (n < max)
        out[n] = (TokenText){(TokenKind)left->v[j].kind, base + left->spans[j].start,
                             left->spans[j].end - left->spans[j].start};
  }
  return MIN(n, max + 1);
}

/* ---- The sentence rules ---------------------------------------------------- */

/* The sentence so far, [START, TERM], is a list marker: "1.", "a.", "• 9.". */
static gboolean list_marker(const Splitter *sp, gsize start, gsize term) {
  if (term > start + 2) return FALSE; /* a bullet, a number and its period at most */
  gsize k = start;
  if (k < term && sp->tok[k].kind != TOKEN_WORD && sp->tok[k].kind != TOKEN_NUMBER &&
      is_bullet_char(tok_char(sp, k)))
    k++;
  if (k == term) return (sp->tok[k].flags & TOKEN_FLAG_INITIAL) && tok_len(sp, k) == 2;
  return k + 1 == term && is_period(sp, term) && sp->tok[k].kind == TOKEN_NUMBER &&
         tok_len(sp, k) <= 3;
}

/* TRUE when the LEN bytes at S are one of the NULL-terminated WORDS, ignoring ASCII case. */
static gboolean word_in(const char *s, gsize len, const char *const *words) {
  for (; *words; words++)
    if (strlen(*words) == len && g_ascii_strncasecmp(s, *words, len) == 0) return TRUE;
  return FALSE;
}

/* The sentence so far, [START, TERM], is only a time put first: "At 5 a.m.", "Shortly
 * before 9 p.m." — what follows ("Mr. Smith went …") is the rest of the sentence. */
static gboolean fronted_time(const Splitter *sp, gsize start, gsize term) {
  static const char *const leads[] = {"at", "by", "before", "after", "until", "till", "around",
                                      "about", "from", "since", "shortly", "just", "past",
                                      "near", "approximately", NULL};
  if (term > start + 3) return FALSE; /* (left-out tokens only add to the distance) */
  TokenText v[4];
  guint n = token_texts(sp, start, term, v, 4);
  if (n < 3 || n > 4 || v[n - 2].kind != TOKEN_NUMBER) return FALSE;
  for (guint k = 0; k + 2 < n; k++)
    if (v[k].kind != TOKEN_WORD || !word_in(v[k].s, v[k].len, leads)) return FALSE;
  return TRUE;
}

/* The period TERM follows a number sign ("no. 5", "N°. 1026"), before a digit. */
static gboolean number_sign_period(const Splitter *sp, gsize term, gsize next) {
  static const char *const signs[] = {"no", "nos", "nr", NULL};
  if (!is_period(sp, term) || term == 0 || sp->tok[term].space || !starts_digit(sp, next))
    return FALSE;
  gsize k = term - 1;
  if (word_in(tok_str(sp, k), tok_len(sp, k), signs)) return TRUE;
  /* "N" and "°" as two tokens */
  return k > 0 && !sp->tok[k].space && (tok_is(sp, k, "\u00B0") || tok_is(sp, k, "\u00BA")) &&
         (tok_is(sp, k - 1, "N") || tok_is(sp, k - 1, "n"));
}

/* After the end mark or abbreviation TERM (closers included up to NEXT - 1), with
 * whitespace before token NEXT of the same line or a soft line break: does the sentence
 * that began at token START end? */
static gboolean ends_before(const Splitter *sp, gsize start, gsize term, gsize next) {
  const Token *t = &sp->tok[term];
  /* "compounds. . . . The": the period ends the sentence, the spaced ellipsis starts the
   * next one. */
  if (is_period(sp, term) && !t->space && is_period(sp, next)) {
    gsize g = next;
    guint dots = 0;
    while (g <= sp->para_last && is_period(sp, g) && sp->tok[g].space) {
      g++;
      dots++;
    }
    return dots >= 3 && g <= sp->para_last && starts_upper(sp, g);
  }
  if (!plausible_start(sp, next) || list_marker(sp, start, term)) return FALSE;
  if (number_sign_period(sp, term, next)) return FALSE;

  if (is_abbrev(sp, term)) {
    if (t->flags & TOKEN_FLAG_INITIAL) return starter_follows(sp, next); /* John F. Kennedy */
    AbbrevClass cls = sentences_abbreviation(tok_str(sp, term), tok_len(sp, term) - 1);
    switch (cls) {
      case ABBR_TITLE:
      case ABBR_ALWAYS:
        return FALSE;
      case ABBR_NUMBER:
      case ABBR_MONTH:
        return !starts_digit(sp, next) && starter_follows(sp, next);
      case ABBR_TIME:
        if (starts_digit(sp, next)) return FALSE;
        if (sp->tok[next].kind == TOKEN_WORD &&
            (sentences_is_date_word(tok_str(sp, next), tok_len(sp, next)) ||
             sentences_is_time_zone(tok_str(sp, next), tok_len(sp, next))))
          return FALSE;
        return !fronted_time(sp, start, term);
      case ABBR_SUFFIX:
      case ABBR_GENERAL:
      case ABBR_NONE: /* U.S.A., Ph.D. and other words with inner periods */
      default:
        return starter_follows(sp, next);
    }
  }

  if (is_ellipsis(sp, term) || (is_period(sp, term) && t->space)) {
    /* An ellipsis (or the dots of a spaced one) often marks words left out mid-sentence:
     * split only before a word that usually starts one (not "I"), or a quote. */
    gboolean only_dots = TRUE;
    for (gsize k = start; k <= term && only_dots; k++) only_dots = is_end_mark(sp, k);
    if (only_dots) return FALSE;
    if (tok_is(sp, next, "I")) return FALSE;
    return starter_follows(sp, next);
  }
  return TRUE; /* . ! ? */
}

/* ---- Lines of a paragraph ------------------------------------------------ */

/* The continuation bytes (10xxxxxx) among the eight bytes of WORD: one bit each, which
 * the multiplication sums into the top byte. */
static inline guint continuation_bytes(guint64 word) {
  guint64 continuation = (word & ~(word << 1) & G_GUINT64_CONSTANT(0x8080808080808080)) >> 7;
  return (guint)((continuation * G_GUINT64_CONSTANT(0x0101010101010101)) >> 56);
}

/* Characters in the LEN bytes at S: every byte starts one but a continuation byte. */
static guint count_chars(const char *s, gsize len) {
  guint n = 0;
  gsize i = 0;
  /* 32 bytes at a time; most such blocks are ASCII, told by one vector test. */
  for (; i + 32 <= len; i += 32) {
    n += 32;
    V16 a, b;
    memcpy(&a, s + i, 16);
    memcpy(&b, s + i + 16, 16);
    if (v16_bits((V16)((a | b) < 0)) == 0) continue;
    guint64 w[4];
    memcpy(w, s + i, 32);
    n -= continuation_bytes(w[0]) + continuation_bytes(w[1]) + continuation_bytes(w[2]) +
         continuation_bytes(w[3]);
  }
  if (i < len && len >= 32) {
    /* The last bytes, as the end of the 32 that end at LEN (the bits of those before I
     * shifted out): when they are ASCII, one vector test counts them. */
    V16 a, b;
    memcpy(&a, s + len - 32, 16);
    memcpy(&b, s + len - 16, 16);
    guint32 high = v16_bits((V16)(a < 0)) | v16_bits((V16)(b < 0)) << 16;
    gsize rest = len - i;
    if (high >> (32 - rest) == 0) return n + (guint)rest;
  }
  for (; i + 8 <= len; i += 8) {
    guint64 word;
    memcpy(&word, s + i, 8);
    n += 8 - continuation_bytes(word);
  }
  if (i < len && len >= 8) {
    /* The last bytes, as the end of the eight that end at LEN, those before I shifted
     * out (the first byte is the lowest once read little-endian). */
    guint64 word;
    memcpy(&word, s + len - 8, 8);
    gsize rest = len - i;
    return n + (guint)rest - continuation_bytes(GUINT64_FROM_LE(word) >> (8 * (8 - rest)));
  }
  for (; i < len; i++) n += ((guchar)s[i] & 0xC0) != 0x80;
  return n;
}

/* Counts the word starting with the character U in *WORDS, and in *CAPITALIZED when it
 * is a capital. */
static inline void count_word(gunichar u, guint *words, guint *capitalized) {
  if (u < 0x80) {
    if (!g_ascii_isalpha(u)) return;
    (*words)++;
    *capitalized += g_ascii_isupper(u) != 0;
  } else if (g_unichar_isalpha(u)) {
    (*words)++;
    *capitalized += g_unichar_isupper(u) || g_unichar_istitle(u);
  }
}

/* Does LINE read like a title, most of its words capitalised? */
static gboolean line_is_capitalized(const Splitter *sp, const LineInfo *line) {
  guint words = 0, capitalized = 0;
  for (gsize k = line->first; k <= line->last; k++)
    if (sp->tok[k].kind == TOKEN_WORD) count_word(tok_char(sp, k), &words, &capitalized);
  for (gsize g = first_gap(sp, line->first); g < sp->n_gaps && sp->gaps[g] < line->last; g++) {
    const TokenArray *out = take_left_out(sp, sp->gaps[g]);
    const char *base = sp->text + sp->span[sp->gaps[g]].end;
    for (gsize k = 0; k < out->len; k++)
      if (out->v[k].kind == TOKEN_WORD)
        count_word(g_utf8_get_char(base + out->spans[k].start), &words, &capitalized);
  }
  return words >= 3 && capitalized * 10 >= words * 6;
}

/* A bullet: a line starting with one bullet character, then more. */
static gboolean line_is_bullet(const Splitter *sp, const LineInfo *line) {
  gsize first = line->first;
  gunichar c = tok_char(sp, first);
  return first < line->last && sp->tok[first].kind != TOKEN_WORD && is_bullet_char(c) &&
         tok_len(sp, first) == (gsize)g_unichar_to_utf8(c, NULL);
}

/* The characters of LINE, or its bytes when they are fewer than 40: such a line is not long,
 * and it is the widest only when no line is long, so its bytes do as well. */
static guint line_chars(const Splitter *sp, const LineInfo *line) {
  if (line->bytes < 40) return (guint)line->bytes;
  return count_chars(sp->text + sp->span[line->first].start, line->bytes);
}

/* Line L is long: 40 characters or more, and at least six tenths of the widest line's. */
static gboolean line_is_long(const LineInfo *l, guint widest) {
  return l->chars >= 40 && l->chars * 10 >= widest * 6;
}

/* A line break after white space ("format=flowed", as RFC 3676 has it, and as text
 * extracted from PDF often has it) before a lowercase word or an opening bracket: the
 * line was wrapped, the sentence goes on. */
static gboolean flowed_break(const Splitter *sp, gsize last, gsize next) {
  char after = sp->text[sp->span[last].end];
  if (after != ' ' && after != '\t') return FALSE;
  gunichar u = tok_char(sp, next);
  return g_unichar_islower(u) || u == '(';
}

/* The line break before token K ends a sentence. */
static inline void mark_hard(Splitter *sp, gsize k) {
  sp->tok[k].flags |= TOKEN_FLAG_HARD;
  sp->tok[k - 1].flags |= TOKEN_FLAG_BEFORE_HARD;
}

/* Marks the first token of every line whose break ends a sentence (TOKEN_FLAG_HARD). */
static void mark_line_breaks(Splitter *sp) {
  if (sp->n_line_starts == 0) return; /* one line: nothing to decide */
  if (sp->config->lines == LINES_NEVER) return;
  if (sp->config->lines == LINES_ALWAYS) {
    for (gsize k = 0; k < sp->n_line_starts; k++)
      mark_hard(sp, sp->line_starts[k]);
    return;
  }
  guint n = (guint)sp->n_line_starts + 1;
  if (sp->lines == NULL) sp->lines = g_array_new(FALSE, FALSE, sizeof(LineInfo));
  g_array_set_size(sp->lines, n);
  LineInfo *lines = (LineInfo *)(void *)sp->lines->data;
  guint most = 0; /* the line of the most bytes */
  for (guint k = 0; k < n; k++) {
    lines[k].first = k == 0 ? sp->para_first : sp->line_starts[k - 1];
    lines[k].last = k + 1 < n ? sp->line_starts[k] - 1 : sp->para_last;
    lines[k].bytes = sp->span[lines[k].last].end - sp->span[lines[k].first].start;
    if (lines[k].bytes > lines[most].bytes) most = k;
  }
  /* No line has more characters than bytes, and the widest has at least those of the line
   * of the most bytes: when too few lines could be long by those counts, the paragraph is
   * not hard-wrapped, and the other lines' characters are not counted. */
  guint widest = line_chars(sp, &lines[most]), could_be_long = 0;
  for (guint k = 0; k + 1 < n; k++)
    could_be_long += lines[k].bytes >= 40 && lines[k].bytes * 10 >= (gsize)widest * 6;
  gboolean wrapped = FALSE;
  if (could_be_long * 2 > n - 1) {
    guint long_lines = 0;
    for (guint k = 0; k < n; k++) lines[k].chars = line_chars(sp, &lines[k]);
    for (guint k = 0; k < n; k++) widest = MAX(widest, lines[k].chars);
    for (guint k = 0; k + 1 < n; k++) long_lines += line_is_long(&lines[k], widest);
    wrapped = long_lines * 2 > n - 1;
  }
  for (guint k = 0; k + 1 < n; k++) {
    const LineInfo *line = &lines[k], *next = &lines[k + 1];
    gboolean soft = (wrapped && line_is_long(line, widest) && !line_is_bullet(sp, next) &&
                     !line_is_capitalized(sp, line)) ||
                    flowed_break(sp, line->last, next->first);
    if (!soft) mark_hard(sp, next->first);
  }
}

/* ---- Enumerated lists ------------------------------------------------------ */

/* A list item's marker: "1." "2)" "3.)" "a." "b)" "c.)", maybe after a bullet ("• 9.",
 * "⁃10."). */
typedef struct {
  gsize first, n_tokens; /* its tokens */
  guint value;           /* 1, 2, … (a = 1) */
  guint style;           /* delimiter, letter or number, bullet: equal in one list */
  gunichar bullet;       /* the bullet character, or 0 */
  gboolean at_start;     /* where a sentence may start: a list may begin here */
  guint chain;           /* the run of consecutive markers it belongs to (1-based) */
} ListMarker;

/* Parses a marker at token K of the paragraph, which starts it or follows white space;
 * 0 tokens when there is none. */
static gsize parse_marker(const Splitter *sp, gsize k, guint *value, guint *style,
                          gunichar *bullet) {
  gsize last = sp->para_last, i = k;
  guint st = 0;
  if (i < last && sp->tok[i].kind != TOKEN_WORD && sp->tok[i].kind != TOKEN_NUMBER &&
      is_bullet_char(tok_char(sp, i)) &&
      tok_len(sp, i) == (gsize)g_unichar_to_utf8(tok_char(sp, i), NULL)) {
    *bullet = tok_char(sp, i);
    st |= 8;
    i++;
  }
  const Token *t = &sp->tok[i];
  const char *w = tok_str(sp, i);
  gsize len = tok_len(sp, i);
  gboolean period = FALSE;
  if (t->kind == TOKEN_NUMBER && len <= 3) {
    /* Its "." or ")" follows it without a space (most numbers fail here). */
    if (i == last || sp->tok[i + 1].space) return 0;
    guint v = 0;
    for (gsize c = 0; c < len; c++) {
      if (!g_ascii_isdigit(w[c])) return 0;
      v = v * 10 + (guint)(w[c] - '0');
    }
    *value = v;
  } else if (t->kind == TOKEN_WORD && g_ascii_islower(w[0]) &&
             (len == 1 || (len == 2 && w[1] == '.' && (t->flags & TOKEN_FLAG_INITIAL)))) {
    *value = (guint)(w[0] - 'a') + 1;
    period = len == 2;
    st |= 4;
  } else {
    return 0;
  }
  gsize j = i;
  if (!period && j < last && is_period(sp, j + 1) && !sp->tok[j + 1].space) {
    j++;
    period = TRUE;
  }
  if (j < last && tok_is(sp, j + 1, ")") && !sp->tok[j + 1].space) {
    j++;
    st |= period ? 2 : 1;
  } else if (!period) {
    return 0;
  }
  if (j >= last || !sp->tok[j + 1].space) return 0; /* an item needs words after it */
  *style = st;
  return j - k + 1;
}

/* Can a sentence start at token K (so a list may begin there)? */
static gboolean sentence_may_start(const Splitter *sp, gsize k) {
  if (k == sp->para_first || sp->tok[k].newlines >= 1) return TRUE;
  gsize p = k - 1;
  while (p > sp->para_first && is_closer(sp, p)) p--;
  return is_end_mark(sp, p) || is_abbrev(sp, p) || tok_is(sp, p, ":");
}

/* Marks the items of enumerated lists in the paragraph: runs of at least two markers of
 * one style numbered one after the other, the first where a sentence may start.  Each item
 * starts a sentence, and the period of its marker ends none. */
static void find_list_items(Splitter *sp) {
  if (sp->n_marker_starts < 2) return; /* most paragraphs */
  if (sp->markers == NULL) sp->markers = g_array_new(FALSE, FALSE, sizeof(ListMarker));
  GArray *markers = sp->markers;
  g_array_set_size(markers, 0);
  gsize after = sp->para_first; /* the first token after the last marker found */
  for (gsize c = 0; c < sp->n_marker_starts; c++) {
    gsize k = sp->marker_starts[c];
    if (k < after) continue;
    ListMarker m = {k, 0, 0, 0, 0, FALSE, 0};
    if ((m.n_tokens = parse_marker(sp, k, &m.value, &m.style, &m.bullet)) == 0) continue;
    /* A list begins where a sentence may, after a bullet, or with a first item that starts
     * with a capital. */
    gsize item = k + m.n_tokens; /* the item's first word */
    m.at_start = sentence_may_start(sp, k) || m.bullet != 0 ||
                 (m.value == 1 && item <= sp->para_last && starts_upper(sp, item));
    g_array_append_val(markers, m);
    if (markers->len == 4096) break;
    after = k + m.n_tokens;
  }
  if (markers->len < 2) return;
  ListMarker *v = (ListMarker *)(void *)markers->data;
  /* The open run of each style (and bullet): its chain id and last value. */
  guint open_chain[16] = {0}, open_value[16] = {0}, chains = 0;
  gunichar open_bullet[16] = {0};
  for (guint i = 0; i < markers->len; i++) {
    guint st = v[i].style;
    if (open_chain[st] != 0 && v[i].value == open_value[st] + 1 &&
        v[i].bullet == open_bullet[st]) {
      v[i].chain = open_chain[st];
    } else if (v[i].at_start) {
      v[i].chain = open_chain[st] = ++chains;
      open_bullet[st] = v[i].bullet;
    } else {
      continue;
    }
    open_value[st] = v[i].value;
  }
  guint *sizes = g_new0(guint, chains + 1);
  for (guint i = 0; i < markers->len; i++) sizes[v[i].chain]++;
  for (guint i = 0; i < markers->len; i++) {
    if (v[i].chain == 0 || sizes[v[i].chain] < 2) continue;
    sp->tok[v[i].first].flags |= TOKEN_FLAG_ITEM_START;
    for (gsize k = v[i].first; k < v[i].first + v[i].n_tokens; k++)
      sp->tok[k].flags |= TOKEN_FLAG_ITEM_MARK;
  }
  g_free(sizes);
}

/* ---- Sentences ------------------------------------------------------------- */

/* The line from token S to token E reads like a dateline: a first word in capitals (two
 * letters or more), and a dash at the end ("WASHINGTON -") or a ")" fewer than sixteen
 * tokens from its start ("LONDON (Reuters)").  The end is tested first: most lines fail
 * there, without a look at the word's letters. */
static gboolean dateline_shape(const Splitter *sp, gsize s, gsize e) {
  if (sp->tok[s].kind != TOKEN_WORD) return FALSE;
  gboolean dash = is_dash(sp, e);
  if (!dash && !(tok_is(sp, e, ")") && e - s < 16)) return FALSE;
  const char *w = tok_str(sp, s);
  gsize len = tok_len(sp, s);
  guint letters = 0;
  for (const char *p = w; p < w + len; p = g_utf8_next_char(p)) {
    guchar c = (guchar)*p;
    if (c < 0x80) { /* ASCII without GLib's tables */
      if (!g_ascii_isalpha(c)) continue;
      if (!g_ascii_isupper(c)) return FALSE;
      letters++;
      continue;
    }
    gunichar u = g_utf8_get_char(p);
    if (g_unichar_isalpha(u)) {
      if (!g_unichar_isupper(u)) return FALSE;
      letters++;
    }
  }
  if (letters < 2) return FALSE;
  return dash || token_distance(sp, s, e) < 16;
}

/* sentence_label() of a sentence that is a whole line: "dateline" or "headline" without
 * final punctuation in the first paragraphs, "headline" for a short question or
 * exclamation atop the story, else "sentence". */
G_NO_INLINE static const char *line_label(const Splitter *sp, gsize s, gsize e) {
  gsize last = e;
  while (last > s && is_closer(sp, last)) last--;
  if (!is_terminator(sp, last)) {
    if (sp->para_index <= 1 && dateline_shape(sp, s, e)) return "dateline";
    if (sp->para_index == 0) return "headline";
    return "sentence";
  }
  /* "Is the Fed done?" above the story. */
  if (sp->para_index == 0 && is_bang(sp, last) && e + 1 < sp->n_tok &&
      count_chars(sp->text + sp->span[s].start, sp->span[e].end - sp->span[s].start) <= 100)
    return "headline";
  return "sentence";
}

/* The label of the sentence from token S to token E: "sentence", or when it is a whole
 * line of the first two paragraphs and the headlines option is on, line_label()'s. */
static inline const char *sentence_label(const Splitter *sp, gsize s, gsize e) {
  if (!sp->line_labels) return "sentence";
  gboolean line_start = s == sp->para_first || sp->tok[s].newlines >= 1;
  gboolean line_end = e == sp->para_last || (sp->tok[e + 1].flags & TOKEN_FLAG_HARD);
  if (!line_start || !line_end) return "sentence";
  /* A line that ends in a period, the commonest, is a "sentence" (line_label()): no call. */
  if (is_period(sp, e) && !(sp->tok[e].flags & TOKEN_FLAG_ITEM_MARK)) return "sentence";
  return line_label(sp, s, e);
}

static void add_sentence(Splitter *sp, gsize s, gsize e) {
  span_list_add(&sp->sentences, sp->span[s].start, sp->span[e].end, sentence_label(sp, s, e));
}

/* Adds the sentence from token S up to token K, which starts the next one: its last token
 * is K - 1, or the last of the tokens left out after it. */
static void add_sentence_before(Splitter *sp, gsize s, gsize k) {
  gsize end = sp->span[k - 1].end;
  gsize g = first_gap(sp, k - 1);
  if (g < sp->n_gaps && sp->gaps[g] == k - 1) {
    const TokenArray *left = take_left_out(sp, k - 1);
    if (left->len > 0) end += left->spans[left->len - 1].end;
  }
  span_list_add(&sp->sentences, sp->span[s].start, end, sentence_label(sp, s, k - 1));
}

/* A reference glued to the end of a sentence: "[1]", "[12]". */
static gboolean citation_at(const Splitter *sp, gsize k, gsize last) {
  return k + 2 <= last && !sp->tok[k].space && tok_is(sp, k, "[") &&
         sp->tok[k + 1].kind == TOKEN_NUMBER && !sp->tok[k + 1].space && tok_is(sp, k + 2, "]") &&
         !sp->tok[k + 2].space;
}

static gboolean small_number(const Splitter *sp, gsize k) {
  if (sp->tok[k].kind != TOKEN_NUMBER || tok_len(sp, k) > 3) return FALSE;
  for (gsize c = 0; c < tok_len(sp, k); c++)
    if (!g_ascii_isdigit(tok_str(sp, k)[c])) return FALSE;
  return TRUE;
}

/* Footnote numbers glued to the end of a sentence: "… a consultation.11 12 Take …".  The
 * last token of them when they are there and a capitalised word follows, else 0. */
static gsize footnotes_at(const Splitter *sp, gsize k, gsize last) {
  if (k > last || sp->tok[k].space || !small_number(sp, k)) return 0;
  while (k < last && sp->tok[k + 1].space && small_number(sp, k + 1)) k++;
  return k < last && sp->tok[k + 1].space && starts_upper(sp, k + 1) ? k : 0;
}

static void split_paragraph(Splitter *sp) {
  mark_line_breaks(sp);
  find_list_items(sp);
  gsize a = sp->para_first, b = sp->para_last;
  gsize s = a, i = a;
  sp->tok[b].flags |= TOKEN_FLAG_BEFORE_HARD; /* the paragraph's end: the pass stops there */
  while (i <= b) {
    /* Most tokens start no list item, cannot end a sentence (no end mark, no
     * abbreviation) and come before no hard line break: pass them by, up to the
     * paragraph's last token at most. */
    const guint8 stop =
        TOKEN_FLAG_ITEM_START | TOKEN_FLAG_END | TOKEN_FLAG_ABBREV | TOKEN_FLAG_BEFORE_HARD;
    const Token *t = &sp->tok[i];
    while (!(t->flags & stop)) t++;
    i = (gsize)(t - sp->tok);
    if ((sp->tok[i].flags & TOKEN_FLAG_ITEM_START) && i > s) {
      add_sentence_before(sp, s, i);
      s = i;
    }
    gsize end = i;
    gboolean split = FALSE;
    if (i == b) {
      split = TRUE;
    } else if (is_terminator(sp, i)) {
      gsize j = i, term = i;
      for (;;) {
        if (j < b && !sp->tok[j + 1].space && (is_closer(sp, j + 1) || is_end_mark(sp, j + 1))) {
          j++;
          if (is_end_mark(sp, j)) term = j;
        } else if (citation_at(sp, j + 1, b)) {
          j += 3;
        } else if (is_end_mark(sp, j) && footnotes_at(sp, j + 1, b) != 0) {
          j = footnotes_at(sp, j + 1, b);
        } else {
          break;
        }
      }
      end = j;
      if (j == b || (sp->tok[j + 1].flags & TOKEN_FLAG_HARD))
        split = TRUE;
      else if (sp->tok[j + 1].space)
        split = ends_before(sp, s, term, j + 1);
      else if (is_wide_end(sp, term))
        split = !is_closer(sp, j + 1) && !is_end_mark(sp, j + 1);
    } else if (sp->tok[i + 1].flags & TOKEN_FLAG_HARD) {
      split = TRUE;
    }
    if (split) {
      add_sentence(sp, s, end);
      s = end + 1;
    }
    i = end + 1;
  }
}

/* ---- The plugin ------------------------------------------------------------ */

static const char *const line_choices[] = {"auto", "always", "never", NULL};

static const CopydeskOptionSpec sentences_options[] = {
    {.name = "tokens",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "add the token layer (the largest one; turn off when only sentences and "
             "paragraphs are needed; it is also left out when the later stages and the "
             "output say they do not read it)"},
    {.name = "headlines",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "label a line without final punctuation `headline` in the first paragraph and "
             "`dateline` when it reads like one; otherwise every sentence is `sentence`"},
    {.name = "line_breaks",
     .type = COPYDESK_OPTION_ENUM,
     .default_value = "auto",
     .choices = line_choices,
     .help = "whether a single line break ends a sentence: auto (yes, unless the paragraph "
             "looks hard-wrapped or the line ends in white space before a lowercase word), "
             "always, or never (only punctuation and blank lines)"},
    {.name = NULL},
};

/* One document's work arrays, kept from one document to the next (they only grow). */
typedef struct {
  TokenArray tokens;
  SpanList sentences, paragraphs;
  GArray *lines, *markers; /* the Splitter's scratch, NULL until first needed */
  TokenArray left_out;      /* the Splitter's scratch for tokens left out */
} Work;

/* Frees W and its arrays. */
static void work_free(gpointer p) {
  Work *w = p;
  sentences_tokens_free(&w->tokens);
  sentences_tokens_free(&w->left_out);
  g_free(w->sentences.v);
  g_free(w->paragraphs.v);
  if (w->lines != NULL) g_array_free(w->lines, TRUE);
  if (w->markers != NULL) g_array_free(w->markers, TRUE);
  g_free(w);
}

/* A set of work arrays from the pool (or a new one), emptied. */
static Work *work_take(SentencesConfig *config) {
  Work *w = work_pool_take(&config->pool);
  if (w == NULL) w = g_new0(Work, 1);
  w->tokens.len = w->tokens.breaks.len = w->tokens.markers.len = w->tokens.gaps.len = 0;
  w->sentences.len = w->paragraphs.len = 0;
  return w;
}

/* Back to the pool; arrays grown past a large document (about 1 MB of text) are freed
 * instead, so that a stream keeps no more than that a thread. */
static void work_give(SentencesConfig *config, Work *w) {
  work_pool_give(&config->pool, w, w->tokens.cap <= (1u << 18));
}

static void *sentences_create(const CopydeskOptions *options, GError **error) {
  if (!sentences_tables_init() || !sentences_tokenizer_check()) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                "sentences: internal tables are inconsistent (word lists not sorted, or the "
                "punctuation table disagrees with the character rules)");
    return NULL;
  }
  SentencesConfig *config = g_new0(SentencesConfig, 1);
  config->tokens = copydesk_options_get_bool(options, "tokens");
  config->headlines = copydesk_options_get_bool(options, "headlines");
  const char *lines = copydesk_options_get_string(options, "line_breaks");
  config->lines = g_strcmp0(lines, "always") == 0  ? LINES_ALWAYS
                  : g_strcmp0(lines, "never") == 0 ? LINES_NEVER
                                                   : LINES_AUTO;
  work_pool_init(&config->pool, work_free);
  return config;
}

static void sentences_destroy(void *self) {
  SentencesConfig *config = self;
  if (config == NULL) return;
  work_pool_clear(&config->pool);
  g_free(config);
}

static CopydeskLayer *fresh_layer(CopydeskDocument *doc, const char *name) {
  CopydeskLayer *layer = copydesk_document_ensure_layer(doc, name);
  if (copydesk_layer_n_spans(layer) > 0) copydesk_layer_clear(layer);
  return layer;
}

static gboolean sentences_process(void *self, CopydeskDocument *doc, GError **error) {
  SentencesConfig *config = self;
  /* Documents that come tokenized (CoNLL input) keep their tokens and sentences. */
  CopydeskLayer *given = copydesk_document_layer(doc, COPYDESK_LAYER_TOKEN);
  if (given != NULL && copydesk_layer_n_spans(given) > 0) return TRUE;
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  Work *work = work_take(config);
  /* News text has about one token per five bytes: room for one per four spares most
   * documents a regrowth (and its copy); the arrays grow past that if needed. */
  TokenArray tokens = work->tokens;
  gsize want = MIN(len / 4 + 16, 1u << 24);
  if (tokens.cap < want) {
    g_free(tokens.spans);
    g_free(tokens.v);
    tokens.cap = want;
    tokens.spans = g_new(CopydeskSpanInit, tokens.cap);
    tokens.v = g_new(Token, tokens.cap);
  }
  /* Without the token layer, the sentences need only the tokens near where they may end
   * (and near list items and line breaks): the rest is left out. */
  gboolean tokens_wanted = copydesk_document_layer_wanted(doc, COPYDESK_LAYER_TOKEN);
  gboolean paragraphs_wanted = copydesk_document_layer_wanted(doc, COPYDESK_LAYER_PARAGRAPH);
  gboolean with_tokens = config->tokens && tokens_wanted;
  sentences_tokenize(text, len, !with_tokens, &tokens);

  /* The token and paragraph layers are made only when a later stage or the output reads
   * them (the token layer then empty when the option turns it off). */
  CopydeskLayer *token_layer = tokens_wanted ? fresh_layer(doc, COPYDESK_LAYER_TOKEN) : NULL;
  CopydeskLayer *sentence_layer = fresh_layer(doc, COPYDESK_LAYER_SENTENCE);
  CopydeskLayer *paragraph_layer =
      paragraphs_wanted ? fresh_layer(doc, COPYDESK_LAYER_PARAGRAPH) : NULL;
  Splitter sp = {
      .config = config,
      .text = text,
      .span = tokens.spans,
      .tok = tokens.v,
      .n_tok = tokens.len,
      .left_out = &work->left_out,
      .lines = work->lines,
      .markers = work->markers,
      .gaps = tokens.gaps.v,
      .n_gaps = tokens.gaps.len,
      .sentences = work->sentences,
      .paragraphs = work->paragraphs,
  };
  /* Paragraphs end before a token after two or more line breaks; the tokens after one
   * break start the paragraph's lines.  (A break before the first token starts nothing.) */
  const gsize *breaks = tokens.breaks.v, *markers = tokens.markers.v;
  gsize n_breaks = tokens.breaks.len, b = n_breaks > 0 && breaks[0] == 0 ? 1 : 0;
  gsize n_markers = tokens.markers.len, m = 0;
  for (gsize first = 0; first < sp.n_tok;) {
    gsize lines_from = b;
    while (b < n_breaks && sp.tok[breaks[b]].newlines < 2) b++;
    gsize next = b < n_breaks ? breaks[b] : sp.n_tok;
    sp.para_first = first;
    sp.para_last = next - 1;
    sp.line_starts = breaks ? breaks + lines_from : NULL; /* (NULL + 0 is undefined) */
    sp.n_line_starts = b - lines_from;
    gsize markers_from = m;
    while (m < n_markers && markers[m] < next) m++;
    sp.marker_starts = markers ? markers + markers_from : NULL;
    sp.n_marker_starts = m - markers_from;
    sp.line_labels = config->headlines && sp.para_index <= 1;
    if (paragraphs_wanted)
      span_list_add(&sp.paragraphs, sp.span[first].start, sp.span[next - 1].end, "paragraph");
    split_paragraph(&sp);
    sp.para_index++;
    first = next;
    if (b < n_breaks) b++;
  }
  /* Token boundaries are character boundaries: no span can be refused. */
  gboolean ok = copydesk_layer_add_spans(sentence_layer, sp.sentences.v, sp.sentences.len, error);
  if (ok && paragraphs_wanted)
    ok = copydesk_layer_add_spans(paragraph_layer, sp.paragraphs.v, sp.paragraphs.len, error);
  if (ok && with_tokens && sp.n_tok > 0)
    ok = copydesk_layer_add_spans(token_layer, tokens.spans, sp.n_tok, error);
  work->tokens = tokens;
  work->lines = sp.lines;
  work->markers = sp.markers;
  work->sentences = sp.sentences;
  work->paragraphs = sp.paragraphs;
  work_give(config, work);
  return ok;
}

static const char *const provides[] = {COPYDESK_LAYER_TOKEN, COPYDESK_LAYER_SENTENCE,
                                       COPYDESK_LAYER_PARAGRAPH, NULL};

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "sentences",
    .version = "1.1.0",
    .summary =
        "news-aware tokens, sentences (abbreviations, initials, quotes, headlines) and "
        "paragraphs",
    .description =
        "Adds three layers over the current text (token and paragraph only when a later "
        "stage or the output reads them).  token: Penn-Treebank-like tokens labelled "
        "word, number, punct, symbol, url or email (clitics split: do|n't, Rubio|'s; "
        "abbreviations keep their period: U.S., Mr., J.R.R.).  sentence: split after . ! ? "
        "and … when a plausible sentence start follows, not after titles such as Mr. or "
        "Sen., initials, decimals, URLs, and not after U.S., Inc. and the like unless the "
        "next word usually starts a sentence; a line without final punctuation is its own "
        "sentence, labelled headline (first paragraph) or dateline; list items (1. 2., a) b)) "
        "are sentences of their own.  paragraph: the text between blank lines.  A document "
        "that already has tokens (--from conll) keeps its token and sentence layers.",
    .kind = COPYDESK_KIND_ANNOTATE,
    .options = sentences_options,
    .requires = NULL,
    .provides = provides,
    .create = sentences_create,
    .process = sentences_process,
    .destroy = sentences_destroy,
};

COPYDESK_PLUGIN_DEFINE(descriptor)
