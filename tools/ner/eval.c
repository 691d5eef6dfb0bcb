/* copydesk — eval-ner: tags a CoNLL file with a model and writes "token gold pred" lines for
 * conlleval, plus its own scores and the tagging speed on stderr.
 *
 *   eval-ner -m conf/models/en-news.cdm eng.testb > testb.out
 *   python3 conlleval.py < testb.out
 *
 * Mentions are consolidated as the plugin does by default (--no-consolidate: not).
 * --repeat N tags the file N times to time it (model load and file reading excluded; token
 * analysis, gazetteer and word-cluster lookups and both decoding passes included, on one
 * thread), and also reports the fastest of the N passes (the least disturbed by other work
 * on a shared machine).  --check also tags the file the plain way (ner_tag_document_reference)
 * and exits with status 1 unless every tag is the same.
 */
#include <stdio.h>
#include <string.h>

#include "conll.h"

/* What the plugin does with consolidate: true (its default): mentions of one entity take
 * its type (Rubio, tagged ORG, becomes PERSON after Marco Rubio).  Spans do not change. */
static void consolidate(const NerToken *tok, gsize n, guint8 *tags) {
  NerMention *m = g_new(NerMention, n ? n : 1);
  gsize nm = ner_tags_to_mentions(tags, n, m);
  GPtrArray *entities = ner_consolidate(tok, m, nm);
  for (gsize k = 0; k < nm; k++)
    for (gsize i = m[k].first; i <= m[k].last; i++) {
      guint part = NER_TAG_PART(tags[i]);
      tags[i] = (guint8)(1 + 4 * m[k].type + part);
    }
  g_ptr_array_free(entities, TRUE);
  g_free(m);
}

int main(int argc, char **argv) {
  char *model_path = NULL, *out_path = NULL;
  int repeat = 1;
  gboolean quiet = FALSE, no_consolidate = FALSE, check = FALSE;
  GOptionEntry entries[] = {
      {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file", "FILE"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, "Write token gold pred here", "FILE"},
      {"repeat", 'r', 0, G_OPTION_ARG_INT, &repeat, "Tag the input N times (timing)", "N"},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No token lines on stdout", NULL},
      {"no-consolidate", 0, 0, G_OPTION_ARG_NONE, &no_consolidate,
       "Score the tagger's own types (the plugin's consolidate: false)", NULL},
      {"check", 0, 0, G_OPTION_ARG_NONE, &check,
       "Also tag the plain way (every feature looked up, no caches) and fail unless the "
       "tags are the same", NULL},
      {NULL}};
  GOptionContext *ctx = g_option_context_new("FILE - tag a CoNLL file with an entity model");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 || model_path == NULL) {
    fprintf(stderr, "eval-ner: %s\n", error ? error->message : "usage: eval-ner -m MODEL FILE");
    return 2;
  }
  g_option_context_free(ctx);
  gint64 t0 = g_get_monotonic_time();
  NerModel *model = ner_model_load(model_path, &error);
  if (model == NULL) {
    fprintf(stderr, "eval-ner: %s\n", error->message);
    return 2;
  }
  gint64 t1 = g_get_monotonic_time();
  ConllCorpus *c = conll_read(argv[1], &error);
  if (c == NULL) {
    fprintf(stderr, "eval-ner: %s\n", error->message);
    return 2;
  }
  gsize n = c->tokens->len;
  guint8 *pred = g_new0(guint8, n ? n : 1);
  gint64 t2 = g_get_monotonic_time(), fastest = G_MAXINT64;
  for (int r = 0; r < MAX(repeat, 1); r++) {
    gint64 r0 = g_get_monotonic_time();
    for (gsize d = 0; d < conll_n_docs(c); d++) {
      gsize first, nt, n_sent, *sent;
      conll_doc(c, d, &first, &nt, &sent, &n_sent);
      ner_tag_document(model, ner_model_gazetteer(model),
                       &g_array_index(c->tokens, NerToken, first), nt, sent, n_sent,
                       pred + first);
      if (!no_consolidate) consolidate(&g_array_index(c->tokens, NerToken, first), nt,
                                       pred + first);
      g_free(sent);
    }
    fastest = MIN(fastest, g_get_monotonic_time() - r0);
  }
  gint64 t3 = g_get_monotonic_time();
  gsize differ = 0;
  if (check) { /* the fast tagger against the reference one, before consolidation */
    guint8 *fast = g_new0(guint8, n ? n : 1), *ref = g_new0(guint8, n ? n : 1);
    for (gsize d = 0; d < conll_n_docs(c); d++) {
      gsize first, nt, n_sent, *sent;
      conll_doc(c, d, &first, &nt, &sent, &n_sent);
      const NerToken *tok = &g_array_index(c->tokens, NerToken, first);
      ner_tag_document(model, ner_model_gazetteer(model), tok, nt, sent, n_sent, fast + first);
      ner_tag_document_reference(model, ner_model_gazetteer(model), tok, nt, sent, n_sent,
                                 ref + first);
      g_free(sent);
    }
    for (gsize i = 0; i < n; i++) differ += fast[i] != ref[i];
    fprintf(stderr, "eval-ner: check: %zu of %zu tags differ from the reference tagger's\n",
            differ, n);
    g_free(fast);
    g_free(ref);
  }

  FILE *out = out_path ? fopen(out_path, "w") : (quiet ? NULL : stdout);
  if (out) {
    gsize s = 0;
    for (gsize i = 0; i < n; i++) {
      if (s < c->sent->len && g_array_index(c->sent, gsize, s) == i) {
        if (i > 0) fputc('\n', out);
        s++;
      }
      const char *line = g_array_index(c->lines, char *, i);
      const char *last = line + strlen(line);
      while (last > line && last[-1] != ' ' && last[-1] != '\t') last--;
      const NerToken *t = &g_array_index(c->tokens, NerToken, i);
      fprintf(out, "%.*s %s %s\n", (int)t->len, t->text, last, ner_tag_name(pred[i]));
    }
    if (out != stdout) fclose(out);
  }
  ConllScore score = {0};
  conll_score_add(&score, (const guint8 *)c->gold->data, pred, n);
  double secs = (double)(t3 - t2) / 1e6;
  fprintf(stderr,
          "eval-ner: %s: F1 %.2f (PER %.2f ORG %.2f LOC %.2f MISC %.2f); %zu tokens x %d in "
          "%.3f s = %.0f tokens/s (fastest pass %.0f tokens/s); model load %.1f ms (%zu "
          "bytes)\n",
          argv[1], conll_score_f1(&score, -1), conll_score_f1(&score, 0),
          conll_score_f1(&score, 1), conll_score_f1(&score, 2), conll_score_f1(&score, 3), n,
          MAX(repeat, 1), secs, secs > 0 ? (double)n * MAX(repeat, 1) / secs : 0,
          fastest > 0 ? (double)n * 1e6 / (double)fastest : 0, (double)(t1 - t0) / 1e3,
          ner_model_file_size(model));
  g_free(pred);
  conll_free(c);
  ner_model_free(model);
  g_free(model_path);
  g_free(out_path);
  return differ ? 1 : 0;
}
