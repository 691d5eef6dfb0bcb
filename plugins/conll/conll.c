/* copydesk — the conll output plugin: one token per line with its entity tag.
 *
 * The layout of the CoNLL-2003 files that NER tools and conlleval read: a -DOCSTART- line
 * and a blank line before each document, then one token per line, a blank line after each
 * sentence, the entity tag (BIO by default, IOB1 on request) in the last column.
 *
 * A token read from CoNLL input (`--from conll`) carries its input line in the `conll`
 * attribute: that line is written unchanged with the predicted tag appended, so the gold
 * tag of the input is the second-to-last column and the output can be scored directly
 * with conlleval.  Any other token is written as its text (whitespace inside it made '_').
 */
#include <copydesk/copydesk.h>

#include <stdlib.h>
#include <string.h>

static const char *const scheme_choices[] = {"bio", "iob1", NULL};
static const char *const labels_choices[] = {"conll", "copydesk", NULL};
static const char *const conll_requires[] = {COPYDESK_LAYER_TOKEN, COPYDESK_LAYER_SENTENCE, NULL};

static const CopydeskOptionSpec conll_options[] = {
    {.name = "scheme",
     .type = COPYDESK_OPTION_ENUM,
     .default_value = "bio",
     .choices = scheme_choices,
     .help = "tag scheme: bio (IOB2: B- starts every entity) or iob1 (B- only between two "
             "adjacent entities of one type, as the original CoNLL-2003 files)"},
    {.name = "labels",
     .type = COPYDESK_OPTION_ENUM,
     .default_value = "conll",
     .choices = labels_choices,
     .help = "entity types: conll (PERSON written PER, as CoNLL-2003) or copydesk (as labelled)"},
    {.name = NULL},
};

typedef struct {
  gboolean iob1;
  gboolean conll_labels;
} Conll;

typedef struct {
  gsize start, end, index;
  const CopydeskSpan *span;
} Ref;

static int ref_cmp(const void *a, const void *b) {
  const Ref *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end > y->end ? -1 : 1;
  return x->index < y->index ? -1 : (x->index > y->index);
}

/* LAYER's spans sorted by start, then the longer first; *N receives the count. */
static Ref *sorted_refs(const CopydeskLayer *layer, gsize *n) {
  *n = layer != NULL ? copydesk_layer_n_spans(layer) : 0;
  if (*n == 0) return NULL;
  Ref *v = g_new(Ref, *n);
  for (gsize i = 0; i < *n; i++) {
    const CopydeskSpan *s = copydesk_layer_span(layer, i);
    v[i] = (Ref){copydesk_span_start(s), copydesk_span_end(s), i, s};
  }
  qsort(v, *n, sizeof *v, ref_cmp);
  return v;
}

/* Appends the entity type of LABEL, safe for a column (no whitespace). */
static void append_type(GString *out, const Conll *c, const char *label) {
  if (label == NULL || label[0] == '\0') label = "MISC";
  if (c->conll_labels && strcmp(label, "PERSON") == 0) label = "PER";
  for (const char *p = label; *p; p++)
    g_string_append_c(out, g_ascii_isspace(*p) ? '_' : *p);
}

/* Appends the token's text with every whitespace character (and control character) made
 * '_', so it stays one column. */
static void append_token_text(GString *out, const CopydeskSpan *token) {
  gsize len;
  const char *s = copydesk_span_text(token, &len);
  const char *end = s + len;
  for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_isspace(c) || g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029 || c == 0)
      g_string_append_c(out, '_');
    else
      g_string_append_len(out, p, g_utf8_next_char(p) - p);
  }
}

/* Number of whitespace-separated columns of LINE. */
static guint count_columns(const char *line) {
  guint n = 0;
  gboolean in = FALSE;
  for (const char *p = line; *p; p++) {
    gboolean space = *p == ' ' || *p == '\t';
    if (!space && !in) n++;
    in = !space;
  }
  return n;
}

/* The -DOCSTART- line.  For CoNLL input it has as many columns as the token lines (the
 * input's columns plus the predicted tag), so conlleval accepts the file; otherwise it is
 * the CoNLL-2003 line "-DOCSTART- -X- -X- O". */
static void append_docstart(GString *out, const char *first_conll) {
  if (first_conll == NULL) {
    g_string_append(out, "-DOCSTART- -X- -X- O\n\n");
    return;
  }
  guint columns = count_columns(first_conll);
  char sep = strchr(first_conll, '\t') != NULL ? '\t' : ' ';
  g_string_append(out, "-DOCSTART-");
  for (guint i = 2; i < columns; i++) {
    g_string_append_c(out, sep);
    g_string_append(out, "-X-");
  }
  if (columns >= 2) {
    g_string_append_c(out, sep);
    g_string_append_c(out, 'O');
  }
  g_string_append_c(out, sep);
  g_string_append(out, "O\n\n");
}

static gboolean conll_format(void *self, const CopydeskDocument *doc, GString *out,
                             GError **error) {
  const Conll *c = self;
  gsize n_tokens, n_sentences, n_entities;
  Ref *tokens = sorted_refs(copydesk_document_layer(doc, COPYDESK_LAYER_TOKEN), &n_tokens);
  Ref *sentences =
      sorted_refs(copydesk_document_layer(doc, COPYDESK_LAYER_SENTENCE), &n_sentences);
  Ref *entities = sorted_refs(copydesk_document_layer(doc, COPYDESK_LAYER_ENTITY), &n_entities);

  const char *first_conll = NULL;
  for (gsize i = 0; i < n_tokens && first_conll == NULL; i++)
    first_conll = copydesk_span_get_string(tokens[i].span, "conll");
  append_docstart(out, first_conll);

  gsize s = 0, e = 0;
  gssize prev_group = G_MINSSIZE;        /* sentence of the previous token */
  const Ref *cur = NULL;                 /* the entity the previous token belongs to */
  const char *prev_type = NULL;          /* its label, for IOB1 */
  for (gsize i = 0; i < n_tokens; i++) {
    const Ref *t = &tokens[i];
    if (t->end == t->start) continue;

    /* Which sentence holds the token: tokens outside every sentence form runs of their own. */
    while (s < n_sentences && sentences[s].end <= t->start) s++;
    gssize group = (s < n_sentences && sentences[s].start <= t->start) ? (gssize)s
                                                                       : -1 - (gssize)s;
    if (prev_group != G_MINSSIZE && group != prev_group) {
      g_string_append_c(out, '\n'); /* end of a sentence */
      cur = NULL;
      prev_type = NULL;
    }
    prev_group = group;

    /* Its entity: the one the previous token was in, if it goes on, else the first
     * (outermost) one overlapping the token. */
    const Ref *ent = NULL;
    gboolean begins = FALSE;
    if (cur != NULL && cur->end > t->start) {
      ent = cur;
    } else {
      while (e < n_entities && entities[e].end <= t->start) e++;
      for (gsize k = e; k < n_entities && entities[k].start < t->end; k++) {
        if (entities[k].end > t->start && entities[k].end > entities[k].start) {
          ent = &entities[k];
          begins = TRUE;
          break;
        }
      }
    }

    const char *line = copydesk_span_get_string(t->span, "conll");
    char sep = ' ';
    if (line != NULL) {
      g_string_append(out, line);
      if (strchr(line, '\t') != NULL) sep = '\t';
    } else {
      append_token_text(out, t->span);
    }
    g_string_append_c(out, sep);
    if (ent == NULL) {
      g_string_append_c(out, 'O');
      prev_type = NULL;
    } else {
      const char *type = copydesk_span_label(ent->span);
      gboolean b = begins;
      if (c->iob1)
        b = begins && prev_type != NULL && g_strcmp0(prev_type, type) == 0 && cur != ent;
      g_string_append(out, b ? "B-" : "I-");
      append_type(out, c, type);
      prev_type = type != NULL ? type : "";
    }
    g_string_append_c(out, '\n');
    cur = ent;
  }
  if (prev_group != G_MINSSIZE) g_string_append_c(out, '\n');

  g_free(tokens);
  g_free(sentences);
  g_free(entities);
  return TRUE;
}

static void *conll_create(const CopydeskOptions *options, GError **error) {
  Conll *c = g_new0(Conll, 1);
  const char *scheme = options ? copydesk_options_get_string(options, "scheme") : NULL;
  const char *labels = options ? copydesk_options_get_string(options, "labels") : NULL;
  c->iob1 = scheme != NULL && strcmp(scheme, "iob1") == 0;
  c->conll_labels = labels == NULL || strcmp(labels, "conll") == 0;
  return c;
}

static void conll_destroy(void *self) { g_free(self); }

static const CopydeskPluginDescriptor conll_descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "conll",
    .version = "1.0.0",
    .summary = "CoNLL-2003 columns: one token per line with its BIO entity tag",
    .description =
        "Writes -DOCSTART- and a blank line before each document, then one token per line "
        "with its entity tag in the last column (BIO, or IOB1 with scheme: iob1), a blank "
        "line after each sentence.  Tokens read with --from conll keep their input columns "
        "unchanged, the predicted tag appended, so conlleval scores the output directly.  "
        "Entity types follow CoNLL-2003 (PER, ORG, LOC, MISC) unless labels: copydesk.  "
        "See docs/output-formats.md.",
    .kind = COPYDESK_KIND_OUTPUT,
    .options = conll_options,
    .requires = conll_requires,
    .create = conll_create,
    .format = conll_format,
    .destroy = conll_destroy,
};

COPYDESK_PLUGIN_DEFINE(conll_descriptor)
