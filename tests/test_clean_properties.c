/* copydesk — property tests of offsets across cleaning.
 *
 * Random documents are built from fragments of the kinds clean repairs — mojibake,
 * HTML character references, odd white space, invisible and control characters,
 * decomposed accents, invalid UTF-8 — around plain words, and run through clean and
 * sentences.  For every span of the output (each sentence and each token), the original
 * bytes its offsets map back to, cleaned the same way on their own, must be exactly the
 * cleaned text under the span.  That is the offset-map promise seen from outside: a span
 * reported against the user's bytes covers what it says it covers, no more, no less.
 *
 * The fragments are ones whose cleaning does not depend on what is around them (a
 * mojibake word that is implausible by itself, an entity, a run of spaces), so the
 * property is exact.  Three pipelines: clean's defaults (paragraphs are single lines, so
 * line joining has nothing to decide), clean without line joining (single line breaks
 * inside paragraphs too), and clean with straight quotes.  When the shared evaluation data
 * is there (COPYDESK_SHARED_DATA), ftfy's mojibake cases join in as paragraphs of their
 * own: those for which the property holds when they stand alone (most of them; a few are
 * only repaired because of other text on their line) must keep it inside a document.
 *
 * A failure prints the document and the span (and writes the document to the file
 * $COPYDESK_PROPERTY_DUMP when that is set); rerun with the printed --seed to repeat it.
 */
#include <copydesk/copydesk.h>

#include <string.h>

#include "harness.h"
#include "jsonl_record.h"

#define DOCS_PER_PIPELINE 150

typedef struct {
  const char *name;
  const char *clean_options;
  gboolean line_breaks; /* single line breaks inside paragraphs */
  gboolean boilerplate; /* datelines and trailers at the edges */
} Config;

static const Config configs[] = {
    {"defaults", "{}", FALSE, TRUE},
    {"no line joining", "{join_lines: false}", TRUE, FALSE},
    {"straight quotes", "{quotes: straight, join_lines: false}", TRUE, FALSE},
};

/* ---- Fragments ----------------------------------------------------------------- */

static const char *const plain[] = {
    "Senate", "voted", "on",     "Tuesday", "prices",  "rose",      "U.S.",   "Mr.",
    "Smith",  "3.5",   "percent", "$1.2",   "billion", "the",       "plan",   "don't",
    "it's",   "Rubio's", "well-known", "AT&T", "e-mail", "10:30", "a.m.", "(Reuters)",
};

static const char *const accented[] = {
    "caf\u00E9", "na\u00EFve", "Z\u00FCrich", "S\u00E3o", "\u0141\u00F3d\u017A",
    "\u0130stanbul", "\u0440\u0443\u0441\u0441\u043A\u0438\u0439",
    "\u0395\u03BB\u03BB\u03B7\u03BD\u03B9\u03BA\u03AC", "\u65E5\u672C\u8A9E", "\U0001F600",
    "cafe\u0301", "Zu\u0308rich", "\u00BD", "\u2014",
};

/* Windows-1252 mojibake that is implausible on its own. */
static const char *const mojibake[] = {
    "caf\u00C3\u00A9",                 /* café */
    "na\u00C3\u00AFve",                /* naïve */
    "Z\u00C3\u00BCrich",               /* Zürich */
    "It\u00E2\u20AC\u2122s",           /* It’s */
    "don\u00E2\u20AC\u2122t",          /* don’t */
    "\u00C3\u2030cole",                /* École */
    "caf\u00C3\u0192\u00C2\u00A9",     /* café, twice */
    "\u00E2\u20AC\u201D",              /* — */
    "voil\u00C3\u00A0",                /* voilà */
    "\u00E2\u20AC\u0153quoted\u00E2\u20AC\xC2\x9D", /* “quoted” (U+009D: an undefined byte) */
};

static const char *const entities[] = {
    "&amp;", "AT&amp;T", "caf&eacute;", "&#233;t&#233;", "&quot;quoted&quot;", "&#8217;s",
    "&lt;b&gt;", "&euro;5", "caf&#xE9;",
};

static const char *const odd[] = {
    "inter\u00ADnational", "co\u200Boperation", "\uFEFFword", "bell\x07", "x\x01y",
    "caf\xE9",  /* invalid UTF-8: one U+FFFD mapped to the byte */
    "\xFF",
    "\u201Cquoted\u201D", "\"straight\"", "'single'", "\u2018tick\u2019",
};

static const char *const separators[] = {
    " ", " ", " ", " ", "  ", "\t", "\u00A0", "&nbsp;", " \u200B", "\u2003", " \t ",
};

/* Around the document: ASCII only.  (Mojibake is judged a line at a time, as ftfy does: a
 * no-break space after the last word of a line of mojibake, for one, can keep the whole
 * line from decoding, so an ftfy case line must not get one.) */
static const char *const edges[] = {" ", "  ", "\t", " \t", "\n", "\r\n"};
static const char *const paragraph_breaks[] = {"\n\n", "\r\n\r\n", "\n \n", "\n\n\n", "\r\r"};
static const char *const line_breaks[] = {"\n", "\r\n", " \n", "\t\r\n"};
static const char *const ends[] = {".", ".", ".", "!", "?", "\u2026"};

#define PICK(list) (list)[g_test_rand_int_range(0, G_N_ELEMENTS(list))]

/* ftfy cases for which the property holds on their own (when the data is there). */
static GPtrArray *ftfy_lines;

static const char *pick_fragment(void) {
  int kind = g_test_rand_int_range(0, 20);
  if (kind < 8) return PICK(plain);
  if (kind < 11) return PICK(accented);
  if (kind < 15) return PICK(mojibake);
  if (kind < 18) return PICK(entities);
  return PICK(odd);
}

/* Appends SEPARATOR and a fragment.  Not a no-break space before the byte 0xFF: after café
 * that reads as the Windows-1252 bytes E9 A0 of a three-byte character whose last byte was
 * lost, and whether clean repairs it so depends on the rest of the line. */
static void append_fragment(GString *doc, const char *separator) {
  const char *fragment = pick_fragment();
  if (fragment[0] == '\xFF' && strcmp(separator, "\u00A0") == 0) separator = " ";
  g_string_append(doc, separator);
  g_string_append(doc, fragment);
}

static char *random_document(const Config *config) {
  GString *doc = g_string_new(NULL);
  if (g_test_rand_int_range(0, 4) == 0) g_string_append(doc, PICK(edges));
  if (config->boilerplate && g_test_rand_int_range(0, 3) == 0)
    g_string_append(doc, "WASHINGTON (Reuters) - ");
  int paragraphs = g_test_rand_int_range(1, 6);
  for (int p = 0; p < paragraphs; p++) {
    if (p > 0) g_string_append(doc, PICK(paragraph_breaks));
    if (ftfy_lines && ftfy_lines->len > 0 && g_test_rand_int_range(0, 4) == 0) {
      g_string_append(doc, g_ptr_array_index(ftfy_lines,
                                             g_test_rand_int_range(0, (gint32)ftfy_lines->len)));
      continue;
    }
    int sentences = g_test_rand_int_range(1, 5);
    for (int s = 0; s < sentences; s++) {
      if (s > 0)
        g_string_append(doc, config->line_breaks && g_test_rand_int_range(0, 3) == 0
                                 ? PICK(line_breaks)
                                 : PICK(separators));
      /* A capitalised first word, so that sentences split. */
      g_string_append(doc, g_test_rand_int_range(0, 2) ? "The" : "Prices");
      int words = g_test_rand_int_range(2, 10);
      for (int w = 0; w < words; w++) {
        append_fragment(doc, config->line_breaks && g_test_rand_int_range(0, 12) == 0
                                 ? PICK(line_breaks)
                                 : PICK(separators));
      }
      g_string_append(doc, PICK(ends));
    }
  }
  if (config->boilerplate && g_test_rand_int_range(0, 3) == 0)
    g_string_append(doc, "\n\n(Reporting by Jane Doe; Editing by John Roe)");
  if (g_test_rand_int_range(0, 4) == 0) g_string_append(doc, PICK(edges));
  return g_string_free(doc, FALSE);
}

/* ---- The property ------------------------------------------------------------- */

typedef struct {
  CopydeskHarness *full;  /* clean + sentences */
  CopydeskHarness *clean; /* the same clean alone */
} Pipelines;

static Pipelines pipelines_new(const Config *config) {
  char *full = g_strdup_printf("pipeline:\n  - plugin: clean\n    options: %s\n"
                               "  - plugin: sentences\noutput: {plugin: jsonl}\n",
                               config->clean_options);
  char *clean = g_strdup_printf("pipeline:\n  - plugin: clean\n    options: %s\n"
                                "output: {plugin: jsonl}\n",
                                config->clean_options);
  Pipelines p = {copydesk_harness_new(full), copydesk_harness_new(clean)};
  g_free(full);
  g_free(clean);
  return p;
}

static void pipelines_free(Pipelines *p) {
  copydesk_harness_free(p->full);
  copydesk_harness_free(p->clean);
}

/* Checks the property on every sentence and token of TEXT; returns the number of spans
 * checked, or -1 (after a message) at the first that fails when QUIET, else fails the test. */
static int check_document(const Pipelines *p, const char *text, gboolean quiet) {
  CopydeskDocument *doc = copydesk_harness_process(p->full, text, -1);
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  gsize original_len;
  const char *original = copydesk_document_original(doc, &original_len);
  const char *current = copydesk_document_text(doc, NULL);
  const char *layers[] = {COPYDESK_LAYER_SENTENCE, COPYDESK_LAYER_TOKEN};
  int checked = 0;
  for (guint l = 0; l < G_N_ELEMENTS(layers) && checked >= 0; l++) {
    CopydeskLayer *layer = copydesk_document_layer(doc, layers[l]);
    g_assert_nonnull(layer);
    for (gsize i = 0; i < copydesk_layer_n_spans(layer) && checked >= 0; i++) {
      CopydeskSpan *span = copydesk_layer_span(layer, i);
      gsize start = copydesk_span_start(span), end = copydesk_span_end(span);
      gsize os = copydesk_document_original_start(doc, start);
      gsize oe = copydesk_document_original_end(doc, end);
      g_assert_cmpuint(os, <=, oe);
      g_assert_cmpuint(oe, <=, original_len);
      CopydeskDocument *alone =
          copydesk_harness_process(p->clean, original + os, (gssize)(oe - os));
      const char *got = copydesk_document_text(alone, NULL);
      gboolean same = strlen(got) == end - start && memcmp(got, current + start, end - start) == 0;
      if (!same) {
        char *want = g_strndup(current + start, end - start);
        char *slice = g_strndup(original + os, oe - os);
        if (!quiet)
          g_test_message("%s span [%zu, %zu) of\n  %s\n  cleaned: %s\n  is \"%s\", but its "
                         "original bytes \"%s\" clean to \"%s\"",
                         layers[l], start, end, text, current, want, slice, got);
        g_free(want);
        g_free(slice);
        const char *dump = g_getenv("COPYDESK_PROPERTY_DUMP");
        if (!quiet && dump != NULL) g_file_set_contents(dump, text, -1, NULL);
        if (!quiet) g_assert_true(same);
        checked = -1;
      } else {
        checked++;
      }
      copydesk_document_free(alone);
    }
  }
  copydesk_document_free(doc);
  return checked;
}

/* ---- ftfy cases ------------------------------------------------------------------ */

static void load_ftfy_cases(const Config *config, const Pipelines *p) {
  if (ftfy_lines) g_ptr_array_free(ftfy_lines, TRUE);
  ftfy_lines = NULL;
  const char *dir = g_getenv("COPYDESK_SHARED_DATA");
  char *path = dir ? g_build_filename(dir, "mojibake", "ftfy_cases.jsonl", NULL) : NULL;
  char *data = NULL;
  if (path == NULL || !g_file_get_contents(path, &data, NULL, NULL)) {
    g_free(path);
    return;
  }
  ftfy_lines = g_ptr_array_new_with_free_func(g_free);
  guint tried = 0;
  char **lines = g_strsplit(data, "\n", -1);
  for (guint l = 0; lines[l]; l++) {
    if (*g_strstrip(lines[l]) == '\0') continue;
    CopydeskJsonRecord *record = copydesk_json_record_parse(lines[l], strlen(lines[l]), NULL);
    if (record == NULL) continue;
    const char *json = copydesk_json_record_get(record, "original");
    char *original = json ? copydesk_json_string_decode(json, NULL) : NULL;
    if (original && !strchr(original, '\n') && !strchr(original, '\r')) {
      tried++;
      if (check_document(p, original, TRUE) >= 0)
        g_ptr_array_add(ftfy_lines, original);
      else
        g_free(original);
    } else {
      g_free(original);
    }
    copydesk_json_record_free(record);
  }
  g_test_message("%s: %u of %u ftfy cases keep the property on their own and join the "
                 "documents", config->name, ftfy_lines->len, tried);
  g_strfreev(lines);
  g_free(data);
  g_free(path);
}

/* ---- The tests ---------------------------------------------------------------- */

static void test_property(gconstpointer data) {
  const Config *config = data;
  Pipelines p = pipelines_new(config);
  load_ftfy_cases(config, &p);
  guint spans = 0;
  for (int d = 0; d < DOCS_PER_PIPELINE; d++) {
    char *text = random_document(config);
    spans += (guint)check_document(&p, text, FALSE);
    g_free(text);
  }
  g_test_message("%s: %d documents, %u spans checked", config->name, DOCS_PER_PIPELINE, spans);
  if (ftfy_lines) {
    g_ptr_array_free(ftfy_lines, TRUE);
    ftfy_lines = NULL;
  }
  pipelines_free(&p);
}

static void test_fixed_examples(void) {
  /* A few documents written out, so the property is also checked without randomness. */
  static const char *const docs[] = {
      "WASHINGTON (Reuters) - It\u00E2\u20AC\u2122s the caf\u00C3\u00A9 &amp; bar.\u00A0 "
      "Prices rose&nbsp;3.5%.\r\n\r\nThe na\u00C3\u00AFve plan\u200B failed!",
      "Caf\u00E9 and cafe\u0301 and caf\u00C3\u00A9 and caf&eacute; and caf\xE9.",
      "\u201CIt\u2019s done,\u201D he said.\t\tMr. Smith\u00A0left. \u00C3\u2030cole closed.",
  };
  Pipelines p = pipelines_new(&configs[0]);
  for (guint i = 0; i < G_N_ELEMENTS(docs); i++) g_assert_cmpint(check_document(&p, docs[i], FALSE), >, 0);
  pipelines_free(&p);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/clean-properties/fixed-examples", test_fixed_examples);
  for (guint i = 0; i < G_N_ELEMENTS(configs); i++) {
    char *name = g_strdup_printf("/clean-properties/spans-map-back/%s", configs[i].name);
    for (char *c = name; *c; c++)
      if (*c == ' ') *c = '-';
    g_test_add_data_func(name, &configs[i], test_property);
    g_free(name);
  }
  return g_test_run();
}
