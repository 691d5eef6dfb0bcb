/* copydesk — the entities plugin: people, organisations, places and other names.
 *
 * An annotate stage over the `token` and `sentence` layers.  A greedy averaged-perceptron
 * tagger (tagger.c, features.c) reads a binary model (model.c) with the word clusters and
 * gazetteers it was trained with (plus optional extra lists), tags each token B/I/L/U/O for
 * PER, ORG, LOC and MISC in two passes over the document, and consolidate.c groups the
 * mentions of one thing.  The `entity` layer gets one
 * span per mention, labelled PERSON, ORG, LOC or MISC, with attributes `entity` (E1, E2, …
 * in order of first mention, shared by every mention of one thing) and `name` (its fullest
 * form, "Marco Rubio" for "Rubio").
 *
 * The model is loaded once per process per file (a shared cache keyed by the file's
 * identity) and read by every worker thread at once; each call keeps its scratch to itself.
 */
#define G_LOG_DOMAIN "entities"

#include <copydesk/copydesk.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "ner.h"

/* ---- The process-wide model cache -------------------------------------------------- */

typedef struct {
  char *key;
  NerModel *model;
  guint refs;
} CachedModel;

static GMutex cache_lock;
static GHashTable *cache; /* key → CachedModel */

static NerModel *model_acquire(const char *path, GError **error) {
  GStatBuf st;
  if (g_stat(path, &st) != 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "model %s: cannot read it: no such file",
                path);
    return NULL;
  }
  char *real = realpath(path, NULL);
  char *key = g_strdup_printf("%s|%lu|%lld|%lld", real ? real : path, (unsigned long)st.st_ino,
                              (long long)st.st_size, (long long)st.st_mtime);
  free(real);
  g_mutex_lock(&cache_lock);
  if (cache == NULL) cache = g_hash_table_new(g_str_hash, g_str_equal);
  CachedModel *c = g_hash_table_lookup(cache, key);
  if (c == NULL) {
    gint64 t0 = g_get_monotonic_time();
    NerModel *model = ner_model_load(path, error);
    if (model == NULL) {
      g_mutex_unlock(&cache_lock);
      g_free(key);
      return NULL;
    }
    g_debug("loaded model %s (%zu bytes, %zu rows, %u gazetteer entries) in %.1f ms", path,
            ner_model_file_size(model), ner_model_n_rows(model),
            ner_gazetteer_size(ner_model_gazetteer(model)),
            (double)(g_get_monotonic_time() - t0) / 1000.0);
    c = g_new0(CachedModel, 1);
    c->key = key;
    c->model = model;
    g_hash_table_insert(cache, c->key, c);
  } else {
    g_free(key);
  }
  c->refs++;
  g_mutex_unlock(&cache_lock);
  return c->model;
}

static void model_release(NerModel *model) {
  g_mutex_lock(&cache_lock);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, cache);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    CachedModel *c = value;
    if (c->model != model) continue;
    if (--c->refs == 0) {
      g_hash_table_iter_remove(&it);
      ner_model_free(c->model);
      g_free(c->key);
      g_free(c);
    }
    break;
  }
  g_mutex_unlock(&cache_lock);
}

/* ---- The instance --------------------------------------------------------------------- */

typedef struct {
  NerModel *model;
  NerGazetteer *own_gazetteer; /* the model's lists plus the `gazetteers` folder, or NULL */
  gboolean consolidate;
  gsize window; /* tokens tagged at once: longer documents go in windows of whole sentences */
} Entities;

static void entities_destroy(void *self) {
  Entities *e = self;
  if (e == NULL) return;
  if (e->model) model_release(e->model);
  ner_gazetteer_free(e->own_gazetteer);
  g_free(e);
}

static void *entities_create(const CopydeskOptions *options, GError **error) {
  const char *path = copydesk_options_get_string(options, "model");
  if (path == NULL || *path == '\0') {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                "entities: no model file given");
    return NULL;
  }
  Entities *e = g_new0(Entities, 1);
  e->consolidate = copydesk_options_get_bool(options, "consolidate");
  e->window = (gsize)copydesk_options_get_int(options, "window");
  GError *local = NULL;
  e->model = model_acquire(path, &local);
  if (e->model == NULL) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE, "entities: %s",
                local->message);
    g_error_free(local);
    entities_destroy(e);
    return NULL;
  }
  const char *dir = copydesk_options_get_string(options, "gazetteers");
  if (dir != NULL && *dir != '\0') {
    gsize len;
    const char *blob = ner_model_gazetteer_blob(e->model, &len);
    e->own_gazetteer = ner_gazetteer_new();
    if (!ner_gazetteer_add_blob(e->own_gazetteer, blob, len, &local) ||
        !ner_gazetteer_add_dir(e->own_gazetteer, dir, NULL, &local)) {
      g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                  "entities: gazetteers: %s", local->message);
      g_error_free(local);
      entities_destroy(e);
      return NULL;
    }
  }
  return e;
}

typedef struct {
  gsize start, end;
} Range;

static int compare_ranges(const void *a, const void *b) {
  const Range *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  return x->end < y->end ? 1 : x->end > y->end ? -1 : 0;
}

/* The spans of LAYER as sorted ranges. */
static Range *layer_ranges(const CopydeskLayer *layer, gsize *n) {
  *n = layer ? copydesk_layer_n_spans(layer) : 0;
  Range *r = g_new(Range, *n ? *n : 1);
  gboolean sorted = TRUE;
  for (gsize i = 0; i < *n; i++) {
    CopydeskSpan *s = copydesk_layer_span(layer, i);
    r[i].start = copydesk_span_start(s);
    r[i].end = copydesk_span_end(s);
    if (i > 0 && compare_ranges(&r[i - 1], &r[i]) > 0) sorted = FALSE;
  }
  if (!sorted) qsort(r, *n, sizeof *r, compare_ranges);
  return r;
}

static gboolean entities_process(void *self, CopydeskDocument *doc, GError **error) {
  Entities *e = self;
  CopydeskLayer *out = copydesk_document_ensure_layer(doc, COPYDESK_LAYER_ENTITY);
  gsize n_tok, n_sentences;
  Range *tr = layer_ranges(copydesk_document_layer(doc, COPYDESK_LAYER_TOKEN), &n_tok);
  Range *sr = layer_ranges(copydesk_document_layer(doc, COPYDESK_LAYER_SENTENCE), &n_sentences);
  const char *text = copydesk_document_text(doc, NULL);

  /* tokens, and where each sentence starts (tokens outside sentences form their own) */
  NerToken *tok = g_new(NerToken, n_tok ? n_tok : 1);
  gsize *starts = g_new(gsize, n_tok ? n_tok : 1);
  gsize n_sent = 0, si = 0;
  gssize current = -2;
  for (gsize i = 0; i < n_tok; i++) {
    tok[i].text = text + tr[i].start;
    tok[i].len = (guint32)MIN(tr[i].end - tr[i].start, (gsize)G_MAXUINT32);
    while (si < n_sentences && sr[si].end <= tr[i].start) si++;
    gssize in = si < n_sentences && sr[si].start <= tr[i].start ? (gssize)si : -1;
    if (in != current || (in < 0 && i > 0 && tr[i].start > tr[i - 1].end &&
                          memchr(text + tr[i - 1].end, '\n', tr[i].start - tr[i - 1].end))) {
      starts[n_sent++] = i;
      current = in;
    }
  }

  guint8 *tags = g_new0(guint8, n_tok ? n_tok : 1);
  const NerGazetteer *gaz = e->own_gazetteer ? e->own_gazetteer : ner_model_gazetteer(e->model);
  /* the tagger reads Title Case headlines in sentence case; mentions keep the text's words */
  GString *headline_text = g_string_new(NULL);
  NerToken *tagged = ner_headline_truecase(tok, n_tok, starts, n_sent, gaz, headline_text);
  const NerToken *seen = tagged ? tagged : tok;
  if (n_tok <= e->window) {
    ner_tag_document(e->model, gaz, seen, n_tok, starts, n_sent, tags);
  } else {
    /* The tagger's scratch grows with what it tags at once (several hundred bytes a
     * token): a very long text is tagged in windows of whole sentences, each seen as a
     * document of its own by the document-level features.  Mentions are still grouped
     * over the whole text. */
    for (gsize s = 0; s < n_sent;) {
      gsize first = starts[s], e_sent = s + 1;
      while (e_sent < n_sent && starts[e_sent] - first < e->window) e_sent++;
      gsize end = e_sent < n_sent ? starts[e_sent] : n_tok;
      for (gsize k = s; k < e_sent; k++) starts[k] -= first;
      ner_tag_document(e->model, gaz, seen + first, end - first, starts + s, e_sent - s,
                       tags + first);
      s = e_sent;
    }
  }
  g_free(tagged);
  g_string_free(headline_text, TRUE);
  NerMention *mentions = g_new(NerMention, n_tok ? n_tok : 1);
  gsize n_mentions = ner_tags_to_mentions(tags, n_tok, mentions);
  GPtrArray *entities = NULL;
  if (e->consolidate) entities = ner_consolidate(tok, mentions, n_mentions);

  gboolean ok = TRUE;
  for (gsize m = 0; ok && m < n_mentions; m++) {
    gsize start = tr[mentions[m].first].start, end = tr[mentions[m].last].end;
    CopydeskSpan *span =
        copydesk_layer_add(out, start, end, ner_type_label(mentions[m].type), error);
    if (span == NULL) {
      ok = FALSE;
      break;
    }
    char id[32];
    if (entities) {
      const NerEntity *ent = entities->pdata[mentions[m].entity];
      g_snprintf(id, sizeof id, "E%u", mentions[m].entity + 1);
      copydesk_span_set_string(span, "entity", id);
      copydesk_span_set_string(span, "name", ent->name);
    } else {
      g_snprintf(id, sizeof id, "E%zu", m + 1);
      copydesk_span_set_string(span, "entity", id);
      char *name = g_strndup(text + start, end - start);
      copydesk_span_set_string(span, "name", name);
      g_free(name);
    }
  }
  if (entities) g_ptr_array_free(entities, TRUE);
  g_free(mentions);
  g_free(tags);
  g_free(starts);
  g_free(tok);
  g_free(tr);
  g_free(sr);
  return ok;
}

static const CopydeskOptionSpec entities_options[] = {
    {.name = "model",
     .type = COPYDESK_OPTION_PATH,
     .default_value = "models/en-news.cdm",
     .help = "the tagger's model file (made by tools/ner/train-ner), relative to the pipeline "
             "file's folder"},
    {.name = "gazetteers",
     .type = COPYDESK_OPTION_PATH,
     .default_value = NULL,
     .help = "a folder of extra name lists (CLASS.txt or CLASS-any.txt, one name a line; "
             "classes: country, region, city, demonym, given_name, surname, person, place, org, "
             "title, misc, team) added to "
             "the lists the model was trained with"},
    {.name = "window",
     .type = COPYDESK_OPTION_INT,
     .default_value = "250000",
     .min = 1000,
     .max = 1000000000,
     .help = "a document of more tokens than this (about 1.3 MB of news text) is tagged in "
             "windows of whole sentences of at most this many tokens, each with its own "
             "document-level features, so memory stays bounded; mentions are still grouped "
             "over the whole document"},
    {.name = "consolidate",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "group the mentions of one thing (Rubio → Marco Rubio, NATO, U.S. → United "
             "States); off: every mention is its own entity"},
    {.name = NULL},
};

static const char *const requires[] = {COPYDESK_LAYER_TOKEN, COPYDESK_LAYER_SENTENCE, NULL};
static const char *const provides[] = {COPYDESK_LAYER_ENTITY, NULL};

/* Of the earlier stages' layers, the tagger reads exactly the ones it requires. */
static gboolean entities_reads(void *self, const char *name) {
  (void)self;
  for (gsize i = 0; requires[i] != NULL; i++)
    if (strcmp(name, requires[i]) == 0) return TRUE;
  return FALSE;
}

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "entities",
    .version = "1.1.0",
    .summary = "people, organisations, places and other names (PERSON, ORG, LOC, MISC), "
               "grouped per article",
    .description =
        "Tags the tokens of each sentence with a trained averaged-perceptron sequence model "
        "(a binary file, shared by all worker threads) using word, shape, affix, context, "
        "word-cluster, gazetteer and document-level features, in two passes over the "
        "article (the second sees what the first said about every other occurrence of a "
        "word), and adds an `entity` layer: one span per "
        "mention, labelled PERSON, ORG, LOC or MISC, with attributes `entity` (E1, E2, … in "
        "order of first mention, shared by all mentions of one thing) and `name` (the "
        "fullest form: \"Marco Rubio\" for \"Rubio\", \"United States\" for \"U.S.\").",
    .kind = COPYDESK_KIND_ANNOTATE,
    .options = entities_options,
    .requires = requires,
    .provides = provides,
    .create = entities_create,
    .process = entities_process,
    .destroy = entities_destroy,
    .reads = entities_reads,
};

COPYDESK_PLUGIN_DEFINE(descriptor)
