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
 * - The end of a paragraph ends a sentence.  So does a line break, unless the
 *   paragraph looks hard-wrapped (most of its lines long) and the line before it is a
 *   long one: then the break is a space.  A line that ends without punctuation (a
 *   headline, a dateline) is therefore its own sentence: labelled `headline` in the
 *   first paragraph, `dateline` when it reads like one ("WASHINGTON (Reuters) -"),
 *   `sentence` otherwise.
 *
 * Linear in the text: every decision looks at a bounded number of tokens.
 */
#include <string.h>

#include "sentences.h"

typedef enum {
  LINES_AUTO,
  LINES_ALWAYS,
  LINES_NEVER,
} LineMode;

typedef struct {
  gboolean tokens;
  gboolean headlines;
  LineMode lines;
} SentencesConfig;

typedef struct {
  gsize first, last; /* token indices */
  guint chars, words, capitalized;
  gboolean bullet;
} LineInfo;

typedef struct {
  const SentencesConfig *config;
  const char *text;
  Token *tok;
  gsize n_tok;
  gsize para_first, para_last; /* the paragraph being split */
  guint para_index;
  GArray *lines; /* LineInfo */
  CopydeskLayer *sentences;
  GError **error;
} Splitter;

/* ---- Looking at tokens ----------------------------------------------------- */

static inline gsize tok_len(const Splitter *sp, gsize k) {
  return sp->tok[k].end - sp->tok[k].start;
}

static inline const char *tok_str(const Splitter *sp, gsize k) {
  return sp->text + sp->tok[k].start;
}

static inline gunichar tok_char(const Splitter *sp, gsize k) {
  guchar c = (guchar)sp->text[sp->tok[k].start];
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

static inline gboolean is_terminator(const Splitter *sp, gsize k) {
  return is_end_mark(sp, k) || is_abbrev(sp, k);
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

static gboolean starts_upper(const Splitter *sp, gsize k) {
  gunichar u = tok_char(sp, k);
  return g_unichar_isupper(u) || g_unichar_istitle(u);
}

static gboolean starts_digit(const Splitter *sp, gsize k) {
  return g_unichar_isdigit(tok_char(sp, k));
}

/* Could token K start a sentence? */
static gboolean plausible_start(const Splitter *sp, gsize k) {
  gunichar u = tok_char(sp, k);
  if (g_unichar_isalpha(u)) return !g_unichar_islower(u); /* capitals and caseless scripts */
  if (g_unichar_isdigit(u)) return TRUE;
  if (is_opener(sp, k)) return TRUE;
  if (g_unichar_type(u) == G_UNICODE_CURRENCY_SYMBOL || is_bullet_char(u)) return TRUE;
  return u == '#' || u == '@';
}

/* The next word usually starts a sentence, or an opening quote or bracket comes next. */
static gboolean starter_follows(const Splitter *sp, gsize k) {
  if (is_opener(sp, k)) return TRUE;
  return sp->tok[k].kind == TOKEN_WORD && sentences_is_starter(tok_str(sp, k), tok_len(sp, k));
}

/* ---- The sentence rules ---------------------------------------------------- */

/* The sentence so far, [START, TERM], is a list marker: "1.", "a.", "• 9.". */
static gboolean list_marker(const Splitter *sp, gsize start, gsize term) {
  gsize k = start;
  if (k < term && sp->tok[k].kind != TOKEN_WORD && sp->tok[k].kind != TOKEN_NUMBER &&
      is_bullet_char(tok_char(sp, k)))
    k++;
  if (k == term) return (sp->tok[k].flags & TOKEN_FLAG_INITIAL) && tok_len(sp, k) == 2;
  return k + 1 == term && is_period(sp, term) && sp->tok[k].kind == TOKEN_NUMBER &&
         tok_len(sp, k) <= 3;
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
        return TRUE;
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

/* Characters in the LEN bytes at S. */
static guint count_chars(const char *s, gsize len) {
  guint n = 0;
  for (gsize i = 0; i < len; i++) n += ((guchar)s[i] & 0xC0) != 0x80;
  return n;
}

/* Fills in the measures of LINE. */
static void measure_line(const Splitter *sp, LineInfo *line) {
  gsize first = line->first, last = line->last;
  line->chars =
      count_chars(sp->text + sp->tok[first].start, sp->tok[last].end - sp->tok[first].start);
  for (gsize k = first; k <= last; k++) {
    if (sp->tok[k].kind != TOKEN_WORD) continue;
    gunichar u = tok_char(sp, k);
    if (u < 0x80) {
      if (!g_ascii_isalpha(u)) continue;
      line->words++;
      line->capitalized += g_ascii_isupper(u) != 0;
    } else if (g_unichar_isalpha(u)) {
      line->words++;
      line->capitalized += g_unichar_isupper(u) || g_unichar_istitle(u);
    }
  }
  /* A bullet: a line starting with one bullet character, then more. */
  gunichar c = tok_char(sp, first);
  line->bullet = first < last && sp->tok[first].kind != TOKEN_WORD && is_bullet_char(c) &&
                 tok_len(sp, first) == (gsize)g_unichar_to_utf8(c, NULL);
}

static gboolean line_is_long(const LineInfo *l, guint widest) {
  return l->chars >= 40 && l->chars * 10 >= widest * 6;
}

/* Marks the first token of every line whose break ends a sentence (TOKEN_FLAG_HARD). */
static void mark_line_breaks(Splitter *sp) {
  g_array_set_size(sp->lines, 0);
  gsize first = sp->para_first;
  for (gsize k = sp->para_first + 1; k <= sp->para_last; k++) {
    if (sp->tok[k].newlines >= 1) {
      LineInfo line = {first, k - 1, 0, 0, 0, FALSE};
      g_array_append_val(sp->lines, line);
      first = k;
    }
  }
  if (sp->lines->len == 0) return; /* one line: nothing to decide */
  LineInfo last_line = {first, sp->para_last, 0, 0, 0, FALSE};
  g_array_append_val(sp->lines, last_line);
  guint n = sp->lines->len;
  LineInfo *lines = (LineInfo *)(void *)sp->lines->data;
  for (guint k = 0; k < n; k++) measure_line(sp, &lines[k]);
  guint widest = 0, long_lines = 0;
  for (guint k = 0; k < n; k++) widest = MAX(widest, lines[k].chars);
  for (guint k = 0; k + 1 < n; k++) long_lines += line_is_long(&lines[k], widest);
  gboolean wrapped = long_lines * 2 > n - 1;
  for (guint k = 0; k + 1 < n; k++) {
    const LineInfo *line = &lines[k], *next = &lines[k + 1];
    gboolean soft;
    if (sp->config->lines == LINES_NEVER)
      soft = TRUE;
    else if (sp->config->lines == LINES_ALWAYS)
      soft = FALSE;
    else
      soft = wrapped && line_is_long(line, widest) && !next->bullet &&
             !(line->words >= 3 && line->capitalized * 10 >= line->words * 6);
    if (!soft) sp->tok[next->first].flags |= TOKEN_FLAG_HARD;
  }
}

/* ---- Sentences ------------------------------------------------------------- */

static gboolean dateline_shape(const Splitter *sp, gsize s, gsize e) {
  if (sp->tok[s].kind != TOKEN_WORD) return FALSE;
  const char *w = tok_str(sp, s);
  gsize len = tok_len(sp, s);
  guint letters = 0;
  for (const char *p = w; p < w + len; p = g_utf8_next_char(p)) {
    gunichar u = g_utf8_get_char(p);
    if (g_unichar_isalpha(u)) {
      if (!g_unichar_isupper(u)) return FALSE;
      letters++;
    }
  }
  if (letters < 2) return FALSE;
  return is_dash(sp, e) || (tok_is(sp, e, ")") && e - s < 16);
}

static const char *sentence_label(const Splitter *sp, gsize s, gsize e) {
  if (!sp->config->headlines) return "sentence";
  gboolean line_start = s == sp->para_first || sp->tok[s].newlines >= 1;
  gboolean line_end = e == sp->para_last || (sp->tok[e + 1].flags & TOKEN_FLAG_HARD);
  if (!line_start || !line_end) return "sentence";
  gsize last = e;
  while (last > s && is_closer(sp, last)) last--;
  if (!is_terminator(sp, last)) {
    if (sp->para_index <= 1 && dateline_shape(sp, s, e)) return "dateline";
    if (sp->para_index == 0) return "headline";
    return "sentence";
  }
  /* "Is the Fed done?" above the story. */
  if (sp->para_index == 0 && is_bang(sp, last) && e + 1 < sp->n_tok &&
      count_chars(sp->text + sp->tok[s].start, sp->tok[e].end - sp->tok[s].start) <= 100)
    return "headline";
  return "sentence";
}

static gboolean add_sentence(Splitter *sp, gsize s, gsize e) {
  const char *label = sentence_label(sp, s, e);
  return copydesk_layer_add(sp->sentences, sp->tok[s].start, sp->tok[e].end, label, sp->error) !=
         NULL;
}

static gboolean split_paragraph(Splitter *sp) {
  mark_line_breaks(sp);
  gsize a = sp->para_first, b = sp->para_last;
  gsize s = a, i = a;
  while (i <= b) {
    gsize end = i;
    gboolean split = FALSE;
    if (i == b) {
      split = TRUE;
    } else if (is_terminator(sp, i)) {
      gsize j = i, term = i;
      while (j < b && !sp->tok[j + 1].space && (is_closer(sp, j + 1) || is_end_mark(sp, j + 1))) {
        j++;
        if (is_end_mark(sp, j)) term = j;
      }
      end = j;
      if (j == b || (sp->tok[j + 1].flags & TOKEN_FLAG_HARD))
        split = TRUE;
      else if (sp->tok[j + 1].space)
        split = ends_before(sp, s, term, j + 1);
    } else if (sp->tok[i + 1].flags & TOKEN_FLAG_HARD) {
      split = TRUE;
    }
    if (split) {
      if (!add_sentence(sp, s, end)) return FALSE;
      s = end + 1;
    }
    i = end + 1;
  }
  return TRUE;
}

/* ---- The plugin ------------------------------------------------------------ */

static const char *const line_choices[] = {"auto", "always", "never", NULL};

static const CopydeskOptionSpec sentences_options[] = {
    {.name = "tokens",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "add the token layer (the largest one; turn off when only sentences and "
             "paragraphs are needed)"},
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
             "looks hard-wrapped), always, or never (only punctuation and blank lines)"},
    {.name = NULL},
};

static void *sentences_create(const CopydeskOptions *options, GError **error) {
  if (!sentences_tables_check()) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                "sentences: internal word tables are not sorted");
    return NULL;
  }
  SentencesConfig *config = g_new0(SentencesConfig, 1);
  config->tokens = copydesk_options_get_bool(options, "tokens");
  config->headlines = copydesk_options_get_bool(options, "headlines");
  const char *lines = copydesk_options_get_string(options, "line_breaks");
  config->lines = g_strcmp0(lines, "always") == 0  ? LINES_ALWAYS
                  : g_strcmp0(lines, "never") == 0 ? LINES_NEVER
                                                   : LINES_AUTO;
  return config;
}

static void sentences_destroy(void *self) { g_free(self); }

static CopydeskLayer *fresh_layer(CopydeskDocument *doc, const char *name) {
  CopydeskLayer *layer = copydesk_document_ensure_layer(doc, name);
  if (copydesk_layer_n_spans(layer) > 0) copydesk_layer_clear(layer);
  return layer;
}

static gboolean sentences_process(void *self, CopydeskDocument *doc, GError **error) {
  const SentencesConfig *config = self;
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  /* About one token per six bytes of news text; the array grows past that if needed. */
  GArray *tokens =
      g_array_sized_new(FALSE, FALSE, sizeof(Token), (guint)MIN(len / 6 + 16, 1u << 24));
  sentences_tokenize(text, len, tokens);

  CopydeskLayer *token_layer = fresh_layer(doc, COPYDESK_LAYER_TOKEN);
  CopydeskLayer *sentence_layer = fresh_layer(doc, COPYDESK_LAYER_SENTENCE);
  CopydeskLayer *paragraph_layer = fresh_layer(doc, COPYDESK_LAYER_PARAGRAPH);
  Splitter sp = {
      .config = config,
      .text = text,
      .tok = (Token *)(void *)tokens->data,
      .n_tok = tokens->len,
      .lines = g_array_new(FALSE, FALSE, sizeof(LineInfo)),
      .sentences = sentence_layer,
      .error = error,
  };
  gboolean ok = TRUE;
  gsize first = 0;
  for (gsize k = 1; ok && k <= sp.n_tok; k++) {
    if (k < sp.n_tok && sp.tok[k].newlines < 2) continue;
    /* Tokens [first, k) form a paragraph. */
    sp.para_first = first;
    sp.para_last = k - 1;
    ok = copydesk_layer_add(paragraph_layer, sp.tok[first].start, sp.tok[k - 1].end, "paragraph",
                            error) != NULL &&
         split_paragraph(&sp);
    sp.para_index++;
    first = k;
  }
  for (gsize k = 0; ok && config->tokens && k < sp.n_tok; k++) {
    const Token *t = &sp.tok[k];
    ok = copydesk_layer_add(token_layer, t->start, t->end, sentences_token_label(t->kind), error) !=
         NULL;
  }
  g_array_free(sp.lines, TRUE);
  g_array_free(tokens, TRUE);
  return ok;
}

static const char *const provides[] = {COPYDESK_LAYER_TOKEN, COPYDESK_LAYER_SENTENCE,
                                       COPYDESK_LAYER_PARAGRAPH, NULL};

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "sentences",
    .version = "1.0.0",
    .summary =
        "news-aware tokens, sentences (abbreviations, initials, quotes, headlines) and "
        "paragraphs",
    .description =
        "Adds three layers over the current text.  token: Penn-Treebank-like tokens labelled "
        "word, number, punct, symbol, url or email (clitics split: do|n't, Rubio|'s; "
        "abbreviations keep their period: U.S., Mr., J.R.R.).  sentence: split after . ! ? "
        "and … when a plausible sentence start follows, not after titles such as Mr. or "
        "Sen., initials, decimals, URLs, and not after U.S., Inc. and the like unless the "
        "next word usually starts a sentence; a line without final punctuation is its own "
        "sentence, labelled headline (first paragraph) or dateline.  paragraph: the text "
        "between blank lines.",
    .kind = COPYDESK_KIND_ANNOTATE,
    .options = sentences_options,
    .requires = NULL,
    .provides = provides,
    .create = sentences_create,
    .process = sentences_process,
    .destroy = sentences_destroy,
};

COPYDESK_PLUGIN_DEFINE(descriptor)
