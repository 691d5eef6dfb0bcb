/* copydesk — the quotes plugin: who said what.
 *
 * An annotate stage over the `token` and `sentence` layers (and the `entity` layer when
 * an earlier stage made one).  It adds three layers:
 *
 *   quote    direct / partial / indirect spans over the words inside the marks, with
 *            speaker (link), speaker_name, speaker_entity, cue (link), confidence, reason;
 *   speaker  the pronoun, description or name a quote's speaker link points to when it
 *            is not an entity mention (labels pronoun, nominal, name);
 *   cue      the cue verb (label: its lemma, e.g. say, tell, according to).
 *
 * The word lists live in conf/lexicons/ (cues.txt, titles.txt, given-names.txt,
 * words.txt), found relative to the pipeline file; when a default path does not exist
 * there, COPYDESK_DATA_DIR/lexicons/ and then the installed data folder are tried.  See
 * docs/quotes.md.
 */
#include <string.h>

#include "quotes.h"

#ifndef QUOTES_DATADIR
#define QUOTES_DATADIR "/usr/local/share/copydesk"
#endif

static const CopydeskOptionSpec quotes_options[] = {
    {.name = "indirect",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "also report indirect speech without quotation marks (\"X said the talks had "
             "narrowed\", \"according to X, ...\") as quotes of kind indirect"},
    {.name = "cues",
     .type = COPYDESK_OPTION_PATH,
     .default_value = "lexicons/cues.txt",
     .help = "speech cue verbs: [lemma] or [lemma indirect] sections of word forms"},
    {.name = "titles",
     .type = COPYDESK_OPTION_PATH,
     .default_value = "lexicons/titles.txt",
     .help = "titles stripped from speaker names ([role], [role m], [role f], [descriptor])"},
    {.name = "names",
     .type = COPYDESK_OPTION_PATH,
     .default_value = "lexicons/given-names.txt",
     .help = "given names by gender ([male], [female]), for resolving he and she"},
    {.name = "words",
     .type = COPYDESK_OPTION_PATH,
     .default_value = "lexicons/words.txt",
     .help = "word classes: pronouns, determiners, adverbs, organisation and speaker nouns, "
             "scare-quote and title-context words"},
    {.name = NULL},
};

/* The file for option NAME: its value when it exists; for an unset option whose default
 * is missing, the same file under COPYDESK_DATA_DIR or the installed data folder. */
static char *find_lexicon(const CopydeskOptions *options, const char *name, GError **error) {
  const char *path = copydesk_options_get_string(options, name);
  if (path && g_file_test(path, G_FILE_TEST_IS_REGULAR)) return g_strdup(path);
  if (!copydesk_options_is_set(options, name)) {
    const char *def = NULL;
    for (guint i = 0; quotes_options[i].name; i++)
      if (strcmp(quotes_options[i].name, name) == 0) def = quotes_options[i].default_value;
    const char *env = g_getenv("COPYDESK_DATA_DIR");
    const char *dirs[] = {env && *env ? env : NULL, QUOTES_DATADIR};
    for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
      if (!dirs[i]) continue;
      char *p = g_build_filename(dirs[i], def, NULL);
      if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) return p;
      g_free(p);
    }
  }
  g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
              "quotes: cannot find the %s lexicon %s", name, path ? path : "(unset)");
  return NULL;
}

/* One document's work arrays: the scan and the attribution pass's. */
typedef struct {
  Scan scan;
  AttrScratch *attr;
  Items sents; /* gsize: sentence starts and ends */
} Work;

static void work_free(gpointer p) {
  Work *w = p;
  scan_clear(&w->scan);
  attr_scratch_free(w->attr);
  g_free(w->sents.v);
  g_free(w);
}

/* A set of work arrays from the pool, or a new one. */
static Work *work_take(QuotesConfig *config) {
  Work *w = work_pool_take(&config->pool);
  if (!w) {
    w = g_new0(Work, 1);
    w->attr = attr_scratch_new();
  }
  return w;
}

/* Back to the pool; sets grown past a large document are freed instead. */
static void work_give(QuotesConfig *config, Work *w) {
  work_pool_give(&config->pool, w, w->scan.toks.cap <= (1u << 20));
}

static void *quotes_create(const CopydeskOptions *options, GError **error) {
  const char *names[] = {"cues", "titles", "names", "words"};
  char *paths[4] = {NULL};
  QuotesConfig *config = NULL;
  for (guint i = 0; i < 4; i++)
    if (!(paths[i] = find_lexicon(options, names[i], error))) goto out;
  Lexicon *lex = lexicon_load(paths[0], paths[1], paths[2], paths[3], error);
  if (!lex) goto out;
  config = g_new0(QuotesConfig, 1);
  config->lex = lex;
  work_pool_init(&config->pool, work_free);
  config->indirect = copydesk_options_get_bool(options, "indirect");
out:
  for (guint i = 0; i < 4; i++) g_free(paths[i]);
  return config;
}

static void quotes_destroy(void *self) {
  QuotesConfig *config = self;
  if (!config) return;
  lexicon_free((Lexicon *)config->lex);
  work_pool_clear(&config->pool);
  g_free(config);
}

static gint pair_cmp(gconstpointer a, gconstpointer b) {
  const gsize *x = a, *y = b;
  return x[0] < y[0] ? -1 : x[0] > y[0];
}

static gboolean quotes_process(void *self, CopydeskDocument *doc, GError **error) {
  QuotesConfig *config = self;
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  /* Sentence starts and ends, in order. */
  CopydeskLayer *sl = copydesk_document_layer(doc, COPYDESK_LAYER_SENTENCE);
  gsize n_sents = sl ? copydesk_layer_n_spans(sl) : 0;
  Work *work = work_take(config);
  gsize *sents = items_reserve(&work->sents, 2 * n_sents + 2, sizeof(gsize));
  if (n_sents > 0) copydesk_layer_bounds(sl, sents);
  gboolean sorted = TRUE;
  for (gsize i = 1; i < n_sents; i++)
    if (sents[2 * i] < sents[2 * i - 2]) sorted = FALSE;
  if (!sorted) qsort(sents, n_sents, 2 * sizeof(gsize), (int (*)(const void *, const void *))pair_cmp);
  Scan *scan = &work->scan;
  scan_run(scan, config->lex, text, len, sents, n_sents);
  /* (a rerun's layers replace those this stage made before: attribute_run clears them) */
  gboolean ok = attribute_run(config, doc, scan, work->attr, error);
  work_give(config, work);
  return ok;
}

/* The quotes stage cuts its own tokens: of the earlier stages' layers it reads the
 * sentences, and the entities when there are some. */
static const char *const requires[] = {COPYDESK_LAYER_SENTENCE, NULL};
static const char *const provides[] = {COPYDESK_LAYER_QUOTE, "speaker", "cue", NULL};

/* What the stage requires, and the entity layer it reads when there is one. */
static gboolean quotes_reads(void *self, const char *name) {
  (void)self;
  for (gsize i = 0; requires[i] != NULL; i++)
    if (strcmp(name, requires[i]) == 0) return TRUE;
  return strcmp(name, COPYDESK_LAYER_ENTITY) == 0;
}

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "quotes",
    .version = "1.0.0",
    .summary = "direct, partial and indirect quotations with their speakers and cue verbs",
    .description =
        "Pairs quotation marks (curly, straight, low, angle and `` '' marks; apostrophes "
        "are told apart; quotes over paragraphs; unbalanced marks repaired within the "
        "paragraph), drops titles, nicknames and scare quotes, and labels each quote "
        "direct, partial or indirect (reported speech, option indirect).  Each quote gets "
        "its speaker (a name, pronoun or description, resolved to the fullest name of "
        "that person in the document; the entity layer is used when present) and cue "
        "verb, plus a confidence and a reason.  Word lists: conf/lexicons/.",
    .kind = COPYDESK_KIND_ANNOTATE,
    .options = quotes_options,
    .requires = requires,
    .provides = provides,
    .create = quotes_create,
    .process = quotes_process,
    .destroy = quotes_destroy,
    .reads = quotes_reads,
};

COPYDESK_PLUGIN_DEFINE(descriptor)
