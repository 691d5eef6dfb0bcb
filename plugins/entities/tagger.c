/* copydesk — entities: greedy left-to-right decoding.
 *
 * Each token of a sentence gets the best BIO tag allowed after the previous one (I-X only
 * after B-X or I-X), scored from its static features, the two previous tags, and the label
 * its word form got earlier in the document.  After each sentence the document memory
 * learns the labels of its capitalised words.  The same driver trains the model (with a
 * step that updates weights) and tags with it, so both see exactly the same features.
 */
#include <string.h>

#include "ner.h"

/* The "tag" before the first token of a sentence. */
#define TAG_BOS NER_N_TAGS

guint ner_best_tag(const float *scores, guint prev) {
  guint best = NER_TAG_O;
  for (guint t = 1; t < NER_N_TAGS; t++)
    if (scores[t] > scores[best] && ner_tag_allowed(prev == TAG_BOS ? NER_TAG_O : prev, t))
      best = t;
  return best;
}

void ner_decode(const NerTokInfo *info, gsize n, const gsize *sent_start, gsize n_sent,
                NerStepFunc step, void *ctx, guint8 *tags) {
  NerDocMemory mem;
  ner_memory_init(&mem, n);
  guint64 f[NER_MAX_FEATS + NER_MAX_DYN_FEATS];
  for (gsize si = 0; si < n_sent; si++) {
    gsize s = sent_start[si], e = si + 1 < n_sent ? sent_start[si + 1] : n;
    guint prev1 = TAG_BOS, prev2 = TAG_BOS;
    for (gsize i = s; i < e; i++) {
      guint nf = ner_static_features(info, s, e, i, f);
      guint memval = (info[i].flags & NER_TOK_CAP) ? ner_memory_get(&mem, info[i].lower) : 0;
      nf += ner_dynamic_features(info, i, prev1, prev2, memval, f + nf);
      guint tag = step(ctx, i, f, nf, prev1);
      tags[i] = (guint8)tag;
      prev2 = prev1;
      prev1 = tag;
    }
    ner_memory_record(&mem, info, s, e, tags);
  }
  ner_memory_clear(&mem);
}

static guint model_step(void *ctx, gsize i, const guint64 *f, guint n, guint prev) {
  const NerModel *model = ctx;
  gint32 iscores[NER_N_TAGS] = {0};
  ner_model_score(model, f, n, iscores);
  float scores[NER_N_TAGS];
  for (guint t = 0; t < NER_N_TAGS; t++) scores[t] = (float)iscores[t];
  return ner_best_tag(scores, prev);
}

void ner_tag_document(const NerModel *model, const NerGazetteer *gaz, const NerToken *tok,
                      gsize n, const gsize *sent_start, gsize n_sent, guint8 *tags) {
  if (n == 0) return;
  NerTokInfo *info = g_new(NerTokInfo, n);
  ner_tokens_analyse(tok, n, sent_start, n_sent, gaz, info);
  ner_decode(info, n, sent_start, n_sent, model_step, (void *)model, tags);
  g_free(info);
}

gsize ner_tags_to_mentions(const guint8 *tags, gsize n, NerMention *mentions) {
  gsize count = 0;
  for (gsize i = 0; i < n;) {
    if (tags[i] == NER_TAG_O) {
      i++;
      continue;
    }
    NerType type = (NerType)NER_TAG_TYPE(tags[i]);
    gsize j = i + 1;
    while (j < n && NER_TAG_IS_I(tags[j]) && NER_TAG_TYPE(tags[j]) == (guint)type) j++;
    mentions[count].first = i;
    mentions[count].last = j - 1;
    mentions[count].type = type;
    mentions[count].entity = 0;
    count++;
    i = j;
  }
  return count;
}
