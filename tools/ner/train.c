/* copydesk — train-ner: trains the entities plugin's model from CoNLL-format files.
 *
 *   train-ner --train eng.train [--train more.conll] --dev eng.testa --epochs 12 --seed 1
 *             [--bits 21] [--gazetteers conf/gazetteers] [--viterbi [--cost C]]
 *             -o conf/models/en-news.cdm
 *
 * An averaged perceptron over hashed features, trained with the decoder the plugin will
 * use: greedy (updated token by token), or with --viterbi the first-order one, as a
 * structured perceptron (each sentence's best path against the gold one, updated after
 * the sentence, O's weights kept at 0; with --cost C, each wrong tag's score raised by C in
 * that search; the averaging clock counts tokens, a document at a time).  Previous tags and the document memory come from the model's own predictions, as
 * they will when tagging; the file says which decoder the weights are for.  Documents are
 * visited in a new order every epoch, shuffled by a generator seeded with --seed; the
 * averaged weights of the epoch that scores best on the development file are written.
 * Same data, options and seed → the same model bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conll.h"

typedef struct {
  ConllCorpus *corpus;
  NerTokInfo *info; /* all tokens, analysed once */
  guint domain;     /* 0: --train, 1: --aux */
} Data;

/* Weights: table 0 is shared by all training data; with --domains, table 1 + d is added for
 * the documents of domain d only (Daumé's feature augmentation, by bucket), and the model
 * written is table 0 + table 1. */
typedef struct {
  guint64 mask;
  float *w[3];   /* current weights */
  double *u[3];  /* sum of step × update, for averaging */
  double step;   /* tokens seen */
  guint domain;  /* of the document being read */
  const guint8 *gold;
  gsize errors, seen;
  const float *use; /* the weights a scoring-only step reads */
} Trainer;

static gboolean viterbi; /* --viterbi: the first-order decoder, a structured perceptron */
static double cost;      /* --cost: of each wrong tag in the training search (--viterbi) */

static guint64 rng_state;

static guint64 rng_next(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * G_GUINT64_CONSTANT(2685821657736338717);
}

static void score(const float *w, guint64 mask, const guint64 *f, guint n, float *scores) {
  memset(scores, 0, sizeof(float) * NER_N_TAGS);
  for (guint k = 0; k < n; k++) {
    const float *row = w + (f[k] & mask) * NER_N_TAGS;
    for (guint t = 0; t < NER_N_TAGS; t++) scores[t] += row[t];
  }
}

/* Scores with the weights being trained: the shared ones plus the current corpus's own. */
static void score_current(const Trainer *tr, const guint64 *f, guint n, float *scores) {
  score(tr->w[0], tr->mask, f, n, scores);
  float *wd = tr->w[1 + tr->domain];
  if (wd) {
    float extra[NER_N_TAGS];
    score(wd, tr->mask, f, n, extra);
    for (guint t = 0; t < NER_N_TAGS; t++) scores[t] += extra[t];
  }
}

static guint train_step(void *ctx, gsize i, const guint64 *f, guint n_static, guint n,
                        guint prev, gboolean last, guint pass) {
  (void)pass;
  (void)n_static;
  Trainer *tr = ctx;
  float scores[NER_N_TAGS];
  score_current(tr, f, n, scores);
  guint pred = ner_best_tag(scores, prev, last);
  guint gold = tr->gold[i];
  tr->seen++;
  if (pred != gold) {
    tr->errors++;
    for (guint k = 0; k < n; k++) {
      gsize row = (f[k] & tr->mask) * NER_N_TAGS;
      for (guint d = 0; d < 2; d++) {
        guint table = d == 0 ? 0 : 1 + tr->domain;
        if (tr->w[table] == NULL) continue;
        tr->w[table][row + gold] += 1;
        tr->u[table][row + gold] += tr->step;
        tr->w[table][row + pred] -= 1;
        tr->u[table][row + pred] -= tr->step;
      }
    }
  }
  tr->step += 1;
  return pred;
}

static guint eval_step(void *ctx, gsize i, const guint64 *f, guint n_static, guint n,
                       guint prev, gboolean last, guint pass) {
  Trainer *tr = ctx;
  (void)i;
  (void)n_static;
  (void)pass;
  float scores[NER_N_TAGS];
  score(tr->use, tr->mask, f, n, scores);
  return ner_best_tag(scores, prev, last);
}

/* The first-order decoder's callbacks: scores with the current weights (or, when
 * evaluating, with tr->use), and the structured perceptron's update. */
static void viterbi_score(void *ctx, const guint64 *f, guint n, float *scores) {
  Trainer *tr = ctx;
  if (tr->use) {
    score(tr->use, tr->mask, f, n, scores);
    return;
  }
  score_current(tr, f, n, scores);
}

/* The O tag's weights stay 0: the model file keeps each tag's weight minus O's, which is
 * the same model for the greedy decoder (every tag of a token has the same features) but
 * not for the first-order one, where O's weights for the features of one previous tag would
 * shift all paths through that tag (training with them and storing the differences lost
 * 0.3 points of dev F1). */
static void viterbi_update(void *ctx, const guint64 *f, guint n, guint tag, float delta) {
  Trainer *tr = ctx;
  if (tag == NER_TAG_O) return;
  for (guint k = 0; k < n; k++) {
    gsize row = (f[k] & tr->mask) * NER_N_TAGS;
    for (guint d = 0; d < 2; d++) {
      guint table = d == 0 ? 0 : 1 + tr->domain;
      if (tr->w[table] == NULL) continue;
      tr->w[table][row + tag] += delta;
      tr->u[table][row + tag] += delta * tr->step;
    }
  }
}

static const NerClusterTable *the_clusters;

static void analyse(Data *data, const NerGazetteer *gaz) {
  ConllCorpus *c = data->corpus;
  data->info = g_new(NerTokInfo, c->tokens->len ? c->tokens->len : 1);
  for (gsize d = 0; d < conll_n_docs(c); d++) {
    gsize first, n, n_sent, *sent;
    conll_doc(c, d, &first, &n, &sent, &n_sent);
    ner_tokens_analyse(&g_array_index(c->tokens, NerToken, first), n, sent, n_sent, gaz,
                       the_clusters, data->info + first);
    g_free(sent);
  }
}

static void run_doc(Data *data, gsize d, NerStepFunc step, Trainer *tr, guint8 *pred) {
  gsize first, n, n_sent, *sent;
  conll_doc(data->corpus, d, &first, &n, &sent, &n_sent);
  tr->gold = &g_array_index(data->corpus->gold, guint8, first);
  tr->domain = data->domain;
  if (viterbi) {
    gboolean training = step == train_step;
    ner_decode_viterbi(data->info + first, n, sent, n_sent, viterbi_score, viterbi_update, tr,
                       0, cost, training ? tr->gold : NULL, pred + first);
    if (training) { /* token errors of the second pass, and the averaging clock */
      for (gsize i = 0; i < n; i++) tr->errors += pred[first + i] != tr->gold[i];
      tr->seen += n;
      tr->step += (double)n;
    }
  } else {
    ner_decode(data->info + first, n, sent, n_sent, step, tr, TRUE, pred + first);
  }
  g_free(sent);
}

static ConllScore evaluate(Data *data, Trainer *tr, const float *weights) {
  ConllScore s = {0};
  gsize n = data->corpus->tokens->len;
  guint8 *pred = g_new0(guint8, n ? n : 1);
  tr->use = weights;
  for (gsize d = 0; d < conll_n_docs(data->corpus); d++) run_doc(data, d, eval_step, tr, pred);
  conll_score_add(&s, (const guint8 *)data->corpus->gold->data, pred, n);
  tr->use = NULL;
  g_free(pred);
  return s;
}

static void data_free(Data *data) {
  if (data->corpus) conll_free(data->corpus);
  g_free(data->info);
}

static const char *aux_map;
static int aux_doc_sentences = 20;

static gboolean load(const char *path, const NerGazetteer *gaz, Data *data) {
  GError *error = NULL;
  data->corpus = data->domain ? conll_read_mapped(path, aux_map, (guint)aux_doc_sentences, &error)
                              : conll_read(path, &error);
  if (data->corpus == NULL) {
    fprintf(stderr, "train-ner: %s\n", error->message);
    g_error_free(error);
    return FALSE;
  }
  analyse(data, gaz);
  gsize with = 0;
  for (gsize i = 0; i < data->corpus->tokens->len; i++) with += data->info[i].cluster != 0;
  fprintf(stderr, "train-ner: %s: %zu of %u tokens in a word cluster\n", path, with,
          data->corpus->tokens->len);
  return TRUE;
}

int main(int argc, char **argv) {
  char **train_paths = NULL, *dev_path = NULL, *out_path = NULL, *gaz_dir = NULL;
  char *clusters_path = NULL, **aux_paths = NULL, *map = NULL;
  gboolean domains = FALSE;
  double aux_fraction = 1.0;
  int epochs = 12, bits = 21, runs = 1;
  gint64 seed = 1;
  GOptionEntry entries[] = {
      {"train", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &train_paths, "Training file (CoNLL)", "FILE"},
      {"dev", 0, 0, G_OPTION_ARG_FILENAME, &dev_path, "Development file: picks the epoch",
       "FILE"},
      {"epochs", 0, 0, G_OPTION_ARG_INT, &epochs, "Passes over the training data (12)", "N"},
      {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the document order (1)", "S"},
      {"bits", 0, 0, G_OPTION_ARG_INT, &bits, "Feature table of 2^B buckets (21)", "B"},
      {"gazetteers", 0, 0, G_OPTION_ARG_FILENAME, &gaz_dir,
       "Folder of gazetteer lists, embedded in the model", "DIR"},
      {"clusters", 0, 0, G_OPTION_ARG_FILENAME, &clusters_path,
       "Word clusters (make-clusters output), embedded in the model", "FILE"},
      {"aux", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &aux_paths,
       "More training data, annotated otherwise (see --aux-map)", "FILE"},
      {"aux-map", 0, 0, G_OPTION_ARG_STRING, &map,
       "How the --aux files' types map to PER, ORG, LOC, MISC or O", "per=PER,tim=O,…"},
      {"aux-doc-sentences", 0, 0, G_OPTION_ARG_INT, &aux_doc_sentences,
       "Documents of N sentences in --aux files without -DOCSTART- (20)", "N"},
      {"aux-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &aux_fraction,
       "Train on this fraction of the --aux documents each epoch (1)", "F"},
      {"runs", 0, 0, G_OPTION_ARG_INT, &runs,
       "Train N times (seeds S, S+1, …) and average the weights (1)", "N"},
      {"domains", 0, 0, G_OPTION_ARG_NONE, &domains,
       "Learn weights of the --train and the --aux data's own besides the shared ones", NULL},
      {"viterbi", 0, 0, G_OPTION_ARG_NONE, &viterbi,
       "First-order Viterbi decoding, trained as a structured perceptron", NULL},
      {"cost", 0, 0, G_OPTION_ARG_DOUBLE, &cost,
       "With --viterbi: train with cost-augmented decoding, C for each wrong tag (0)", "C"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, "Model file to write", "FILE"},
      {NULL}};
  GOptionContext *ctx = g_option_context_new("- train the copydesk entity tagger");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    fprintf(stderr, "train-ner: %s\n", error->message);
    return 2;
  }
  g_option_context_free(ctx);
  if (train_paths == NULL || out_path == NULL || epochs < 1 || bits < 10 || bits > 26 ||
      runs < 1) {
    fprintf(stderr, "train-ner: need --train FILE and -o MODEL (epochs ≥ 1, 10 ≤ bits ≤ 26)\n");
    return 2;
  }
  if (cost < 0 || (cost != 0 && !viterbi)) {
    fprintf(stderr, "train-ner: --cost %g: give a cost of 0 or more, with --viterbi\n", cost);
    return 2;
  }

  NerGazetteer *gaz = ner_gazetteer_new();
  GString *blob = g_string_new(NULL);
  if (gaz_dir && !ner_gazetteer_add_dir(gaz, gaz_dir, blob, &error)) {
    fprintf(stderr, "train-ner: %s\n", error->message);
    return 2;
  }
  fprintf(stderr, "train-ner: %u gazetteer entries\n", ner_gazetteer_size(gaz));
  NerClusterTable clusters = {0};
  if (clusters_path && !ner_clusters_read(clusters_path, &clusters, &error)) {
    fprintf(stderr, "train-ner: %s\n", error->message);
    return 2;
  }
  the_clusters = &clusters;

  /* all training files, read as one corpus by concatenating their documents */
  aux_map = map;
  guint n_main = g_strv_length(train_paths), n_aux = aux_paths ? g_strv_length(aux_paths) : 0;
  guint n_train = n_main + n_aux;
  Data *train = g_new0(Data, n_train);
  for (guint k = 0; k < n_train; k++) {
    train[k].domain = k >= n_main;
    if (!load(k < n_main ? train_paths[k] : aux_paths[k - n_main], gaz, &train[k])) return 2;
  }
  Data dev = {0};
  if (dev_path && !load(dev_path, gaz, &dev)) return 2;

  gsize buckets = (gsize)1 << bits;
  Trainer tr = {.mask = buckets - 1, .step = 1};
  guint n_tables = domains && n_aux ? 3 : 1;
  for (guint t = 0; t < n_tables; t++) {
    tr.w[t] = g_new0(float, buckets * NER_N_TAGS);
    tr.u[t] = g_new0(double, buckets * NER_N_TAGS);
  }
  float *avg = g_new0(float, buckets * NER_N_TAGS);
  float *best = g_new0(float, buckets * NER_N_TAGS);
  double *soup = runs > 1 ? g_new0(double, buckets * NER_N_TAGS) : NULL;
  double best_f1 = -1;
  int best_epoch = 0;
  GString *kept = g_string_new(NULL);

  gsize n_docs = 0;
  for (guint k = 0; k < n_train; k++) n_docs += conll_n_docs(train[k].corpus);
  guint64 *order = g_new(guint64, n_docs);
  gsize max_tokens = 0;
  for (guint k = 0; k < n_train; k++) max_tokens = MAX(max_tokens, train[k].corpus->tokens->len);
  guint8 *pred = g_new0(guint8, max_tokens ? max_tokens : 1);
  for (int run = 0; run < runs; run++) {
  /* each run starts afresh, with seed SEED + RUN */
  for (guint t = 0; t < n_tables; t++) {
    memset(tr.w[t], 0, sizeof(float) * buckets * NER_N_TAGS);
    memset(tr.u[t], 0, sizeof(double) * buckets * NER_N_TAGS);
  }
  tr.step = 1;
  best_f1 = -1;
  best_epoch = 0;
  /* the visiting order: (file, document) pairs */
  gsize o = 0;
  for (guint k = 0; k < n_train; k++)
    for (gsize d = 0; d < conll_n_docs(train[k].corpus); d++) order[o++] = (guint64)k << 40 | d;
  rng_state = (guint64)(seed + run) * G_GUINT64_CONSTANT(0x9E3779B97F4A7C15) + 0x1234567;
  if (rng_state == 0) rng_state = 1;
  for (int epoch = 1; epoch <= epochs; epoch++) {
    for (gsize i = n_docs - 1; i > 0; i--) {
      gsize j = (gsize)(rng_next() % (i + 1));
      guint64 t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    gint64 t0 = g_get_monotonic_time();
    tr.errors = tr.seen = 0;
    for (gsize i = 0; i < n_docs; i++) {
      Data *data = &train[order[i] >> 40];
      if (data->domain && aux_fraction < 1.0 &&
          (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0) >= aux_fraction)
        continue;
      run_doc(data, order[i] & ((G_GUINT64_CONSTANT(1) << 40) - 1), train_step, &tr, pred);
    }
    for (gsize i = 0; i < buckets * NER_N_TAGS; i++) {
      double a = (double)tr.w[0][i] - tr.u[0][i] / tr.step;
      if (n_tables > 1) a += (double)tr.w[1][i] - tr.u[1][i] / tr.step;
      avg[i] = (float)a;
    }
    double f1 = 0;
    if (dev.corpus) {
      ConllScore s = evaluate(&dev, &tr, avg);
      f1 = conll_score_f1(&s, -1);
      fprintf(stderr,
              "epoch %2d: train token errors %.2f%%, dev F1 %.2f (PER %.2f ORG %.2f LOC %.2f "
              "MISC %.2f), %.1f s\n",
              epoch, 100.0 * (double)tr.errors / (double)tr.seen, f1, conll_score_f1(&s, 0),
              conll_score_f1(&s, 1), conll_score_f1(&s, 2), conll_score_f1(&s, 3),
              (double)(g_get_monotonic_time() - t0) / 1e6);
    } else {
      fprintf(stderr, "epoch %2d: train token errors %.2f%%\n", epoch,
              100.0 * (double)tr.errors / (double)tr.seen);
    }
    if (!dev.corpus || f1 > best_f1) {
      best_f1 = f1;
      best_epoch = epoch;
      memcpy(best, avg, sizeof(float) * buckets * NER_N_TAGS);
    }
  }
  g_string_append_printf(kept, "%s%d", run ? "," : "", best_epoch);
  if (soup)
    for (gsize i = 0; i < buckets * NER_N_TAGS; i++) soup[i] += best[i];
  }
  if (soup) { /* the average of the runs' weights */
    for (gsize i = 0; i < buckets * NER_N_TAGS; i++) best[i] = (float)(soup[i] / runs);
    if (dev.corpus) {
      ConllScore s = evaluate(&dev, &tr, best);
      best_f1 = conll_score_f1(&s, -1);
      fprintf(stderr,
              "average of %d runs: dev F1 %.2f (PER %.2f ORG %.2f LOC %.2f MISC %.2f)\n", runs,
              best_f1, conll_score_f1(&s, 0), conll_score_f1(&s, 1), conll_score_f1(&s, 2),
              conll_score_f1(&s, 3));
    }
  }

  GString *desc = g_string_new("train-ner");
  for (guint k = 0; k < n_train; k++) {
    char *base = g_path_get_basename(train_paths[k]);
    g_string_append_printf(desc, " --train %s", base);
    g_free(base);
  }
  for (guint k = 0; k < n_aux; k++) {
    char *base = g_path_get_basename(aux_paths[k]);
    g_string_append_printf(desc, " --aux %s", base);
    g_free(base);
  }
  if (n_aux)
    g_string_append_printf(desc, " --aux-map %s --aux-doc-sentences %d --aux-fraction %g%s",
                           map ? map : "", aux_doc_sentences, aux_fraction,
                           domains ? " --domains" : "");
  if (dev_path) {
    char *base = g_path_get_basename(dev_path);
    g_string_append_printf(desc, " --dev %s", base);
    g_free(base);
  }
  g_string_append_printf(desc, " --epochs %d --seed %" G_GINT64_FORMAT " --bits %d%s%s", epochs,
                         seed, bits, gaz_dir ? " --gazetteers DIR" : "",
                         clusters_path ? " --clusters FILE" : "");
  if (runs > 1) g_string_append_printf(desc, " --runs %d", runs);
  if (viterbi) g_string_append(desc, " --viterbi");
  if (viterbi && cost != 0) g_string_append_printf(desc, " --cost %g", cost);
  g_string_append_printf(desc, "; kept epoch %s", kept->str);
  if (dev.corpus) g_string_append_printf(desc, " (dev F1 %.2f)", best_f1);
  NerModelSpec spec = {.hash_bits = (guint)bits,
                       .weights = best,
                       .gazetteer_blob = blob->str,
                       .gazetteer_len = blob->len,
                       .gazetteer = gaz,
                       .clusters = &clusters,
                       .description = desc->str,
                       .viterbi = viterbi};
  gsize n_rows;
  if (!ner_model_write(&spec, out_path, &n_rows, &error)) {
    fprintf(stderr, "train-ner: %s\n", error->message);
    return 3;
  }
  fprintf(stderr, "train-ner: wrote %s: epoch %s, %zu of %zu rows non-zero\n", out_path,
          kept->str, n_rows, buckets);

  g_string_free(desc, TRUE);
  g_string_free(kept, TRUE);
  g_free(pred);
  g_free(order);
  g_free(soup);
  g_free(best);
  g_free(avg);
  for (guint t = 0; t < n_tables; t++) {
    g_free(tr.w[t]);
    g_free(tr.u[t]);
  }
  for (guint k = 0; k < n_train; k++) data_free(&train[k]);
  g_free(train);
  data_free(&dev);
  g_free((gpointer)clusters.keys);
  g_free((gpointer)clusters.vals);
  ner_gazetteer_free(gaz);
  g_string_free(blob, TRUE);
  g_strfreev(train_paths);
  g_strfreev(aux_paths);
  g_free(dev_path);
  g_free(out_path);
  g_free(gaz_dir);
  g_free(clusters_path);
  g_free(map);
  return 0;
}
