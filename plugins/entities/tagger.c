/* copydesk — entities: greedy left-to-right decoding, in two passes.
 *
 * Each token of a sentence gets the best BILOU tag allowed after the previous one (I-X or
 * L-X after B-X or I-X, and only then; no mention left open at the end of the sentence),
 * scored from its static features, the two previous tags, and the label its word form got
 * earlier in the document.  After each sentence the document memory learns the labels of
 * its capitalised words.  A second pass tags the document again, now also seeing what the
 * first pass said about every other occurrence of each word (before and after it), with
 * the same weights.  The same driver trains the model (with a step that updates weights)
 * and tags with it, so both see exactly the same features.
 *
 * When tagging, the static scores of all tokens are computed first, in a pipeline that
 * overlaps the memory latency of the weight lookups; both passes reuse them.
 */
#include <string.h>

#include "ner.h"

/* The "tag" before the first token of a sentence. */
#define TAG_BOS NER_N_TAGS

guint ner_best_tag(const float *scores, guint prev, gboolean last) {
  if (prev == TAG_BOS) prev = NER_TAG_O;
  guint best = G_MAXUINT;
  for (guint t = 0; t < NER_N_TAGS; t++)
    if ((best == G_MAXUINT || scores[t] > scores[best]) && ner_tag_allowed(prev, t, last))
      best = t;
  return best;
}

static void decode_pass(const NerTokInfo *info, gsize n, const gsize *sent_start, gsize n_sent,
                        NerStepFunc step, void *ctx, gboolean give_static, const NerAgg *agg,
                        guint pass, guint8 *tags) {
  NerDocMemory mem;
  ner_memory_init(&mem, n);
  guint64 f[NER_MAX_FEATS + NER_MAX_DYN_FEATS];
  for (gsize si = 0; si < n_sent; si++) {
    gsize s = sent_start[si], e = si + 1 < n_sent ? sent_start[si + 1] : n;
    guint prev1 = TAG_BOS, prev2 = TAG_BOS;
    for (gsize i = s; i < e; i++) {
      guint ns = give_static ? ner_static_features(info, s, e, i, f) : 0;
      guint memval = (info[i].flags & NER_TOK_CAP) ? ner_memory_get(&mem, info[i].lower) : 0;
      guint nf = ns + ner_dynamic_features(info, s, e, i, prev1, prev2, memval, agg, f + ns);
      guint tag = step(ctx, i, f, ns, nf, prev1, i + 1 == e, pass);
      tags[i] = (guint8)tag;
      prev2 = prev1;
      prev1 = tag;
    }
    ner_memory_record(&mem, info, s, e, tags);
  }
  ner_memory_clear(&mem);
}

void ner_decode(const NerTokInfo *info, gsize n, const gsize *sent_start, gsize n_sent,
                NerStepFunc step, void *ctx, gboolean give_static, guint8 *tags) {
  decode_pass(info, n, sent_start, n_sent, step, ctx, give_static, NULL, 0, tags);
  NerAgg *agg = ner_buffer(NER_BUF_AGG, sizeof(NerAgg) * n, FALSE);
  ner_aggregate(info, n, tags, agg);
  decode_pass(info, n, sent_start, n_sent, step, ctx, give_static, agg, 1, tags);
}

/* The static scores of every token (relative to O), computed in a pipeline so that memory
 * latency overlaps: the features of token i are computed and their index blocks asked for,
 * the rows of token i − 1 are found and asked for, and those of token i − 2 added up. */
static void static_scores(const NerModel *model, const NerTokInfo *info, gsize n,
                          const gsize *sent_start, gsize n_sent, gint32 *scores) {
  guint64 f[3][NER_MAX_FEATS];
  guint nf[3];
  const gint16 *rows[3][NER_MAX_FEATS];
  guint nr[3];
  memset(scores, 0, sizeof(gint32) * NER_N_TAGS * n);
  gsize si = 0, s = 0, e = 0;
  for (gsize i = 0; i < n + 2; i++) {
    if (i < n) {
      while (i >= e && si < n_sent) { /* the sentence of token i */
        s = sent_start[si];
        e = si + 1 < n_sent ? sent_start[si + 1] : n;
        si++;
      }
      guint a = (guint)(i % 3);
      nf[a] = ner_static_features(info, s, e, i, f[a]);
      ner_model_prefetch(model, f[a], nf[a]);
    }
    if (i >= 1 && i - 1 < n) {
      guint b = (guint)((i - 1) % 3);
      nr[b] = ner_model_rows(model, f[b], nf[b], rows[b]);
    }
    if (i >= 2) {
      guint c = (guint)((i - 2) % 3);
      ner_model_add_rows(rows[c], nr[c], scores + (i - 2) * NER_N_TAGS);
    }
  }
}

typedef struct {
  const NerModel *model;
  gint32 *static_scores; /* n × NER_N_TAGS */
} ModelCtx;

static guint model_step(void *ctx, gsize i, const guint64 *f, guint n_static, guint n,
                        guint prev, gboolean last, guint pass) {
  ModelCtx *mc = ctx;
  (void)pass;
  gint32 iscores[NER_N_TAGS];
  memcpy(iscores, mc->static_scores + i * NER_N_TAGS, sizeof iscores);
  ner_model_score(mc->model, f, n, iscores);
  (void)n_static;
  float scores[NER_N_TAGS];
  for (guint t = 0; t < NER_N_TAGS; t++) scores[t] = (float)iscores[t];
  return ner_best_tag(scores, prev, last);
}

void ner_tag_document(const NerModel *model, const NerGazetteer *gaz, const NerToken *tok,
                      gsize n, const gsize *sent_start, gsize n_sent, guint8 *tags) {
  if (n == 0) return;
  static const gsize whole[1] = {0};
  if (n_sent == 0 || sent_start[0] != 0) { /* no sentences: one */
    sent_start = whole;
    n_sent = 1;
  }
  NerTokInfo *info = ner_buffer(NER_BUF_INFO, sizeof(NerTokInfo) * n, FALSE);
  ner_tokens_analyse(tok, n, sent_start, n_sent, gaz, ner_model_clusters(model), info);
  ModelCtx mc = {model, ner_buffer(NER_BUF_SCORES, sizeof(gint32) * n * NER_N_TAGS, FALSE)};
  static_scores(model, info, n, sent_start, n_sent, mc.static_scores);
  ner_decode(info, n, sent_start, n_sent, model_step, &mc, FALSE, tags);
}

gsize ner_tags_to_mentions(const guint8 *tags, gsize n, NerMention *mentions) {
  gsize count = 0;
  for (gsize i = 0; i < n;) {
    if (tags[i] == NER_TAG_O) {
      i++;
      continue;
    }
    NerType type = (NerType)NER_TAG_TYPE(tags[i]);
    gsize j = i;
    while (!NER_TAG_ENDS(tags[j]) && j + 1 < n && NER_TAG_CONTINUES(tags[j + 1]) &&
           NER_TAG_TYPE(tags[j + 1]) == (guint)type)
      j++;
    mentions[count].first = i;
    mentions[count].last = j;
    mentions[count].type = type;
    mentions[count].entity = 0;
    count++;
    i = j + 1;
  }
  return count;
}
