/* copydesk — entities: decoding, in two passes, greedy or first-order (Viterbi).
 *
 * The greedy decoder gives each token of a sentence the best BILOU tag allowed after the
 * previous one (I-X or L-X after B-X or I-X, and only then; no mention left open at the end
 * of the sentence), scored from its static features, the two previous tags, and the label
 * its word form got earlier in the document.  The first-order decoder (for models trained
 * with train-ner --viterbi, which says so in the file) gives each sentence the best-scoring
 * sequence of tags allowed, a token's scores depending on the previous tag but not on the
 * one before it.  After each sentence the document memory learns the labels of its
 * capitalised words.  A second pass tags the document again, now also seeing what the
 * first pass said about every other occurrence of each word (before and after it), with
 * the same weights.  The same drivers train the model (with a step or an update that
 * changes weights) and tag with it, so both see exactly the same features.
 *
 * When tagging, the static scores of all tokens are computed first and both passes reuse
 * them: the weights of the features that depend on a word form alone are summed once per
 * form and kept in a per-thread cache; the others are looked up in a pipeline that
 * overlaps the memory latency of the weight lookups.
 */
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* ---- The first-order decoder ----------------------------------------------------- */

/* Tags sentence [S, E) with the best path; DELTA and BACK are scratch of (E - S) × NER_N_TAGS. */
static void viterbi_sentence(const NerTokInfo *info, gsize s, gsize e, const NerDocMemory *mem,
                             const NerAgg *agg, NerScoreFunc score, void *ctx, double prune,
                             const guint8 *gold, double cost, double *delta, guint8 *back,
                             guint8 *tags) {
  guint64 f[NER_MAX_FEATS + NER_MAX_DYN_FEATS];
  for (gsize i = s; i < e; i++) {
    double *dl = delta + (i - s) * NER_N_TAGS;
    guint8 *bk = back + (i - s) * NER_N_TAGS;
    for (guint t = 0; t < NER_N_TAGS; t++) dl[t] = -G_MAXDOUBLE;
    guint ns = ner_static_features(info, s, e, i, f);
    float st[NER_N_TAGS];
    score(ctx, f, ns, st);
    guint memval = (info[i].flags & NER_TOK_CAP) ? ner_memory_get(mem, info[i].lower) : 0;
    gboolean last = i + 1 == e;
    double floor = -G_MAXDOUBLE; /* previous tags scoring less are not followed */
    if (i > s && prune > 0) {
      for (guint p = 0; p < NER_N_TAGS; p++)
        floor = MAX(floor, delta[(i - s - 1) * NER_N_TAGS + p]);
      floor -= prune;
    }
    for (guint p = (i == s ? TAG_BOS : 0); p <= (i == s ? TAG_BOS : NER_N_TAGS - 1); p++) {
      double from = i == s ? 0 : delta[(i - s - 1) * NER_N_TAGS + p];
      if (from == -G_MAXDOUBLE || from < floor) continue;
      guint nd = ner_dynamic_features1(info, s, e, i, p, memval, agg, f);
      float dy[NER_N_TAGS];
      score(ctx, f, nd, dy);
      guint pp = p == TAG_BOS ? NER_TAG_O : p;
      for (guint t = 0; t < NER_N_TAGS; t++) {
        if (!ner_tag_allowed(pp, t, last)) continue;
        double v = from + (double)st[t] + (double)dy[t];
        if (gold && t != gold[i]) v += cost;
        if (v > dl[t]) {
          dl[t] = v;
          bk[t] = (guint8)p;
        }
      }
    }
  }
  const double *dl = delta + (e - 1 - s) * NER_N_TAGS;
  guint best = 0;
  for (guint t = 1; t < NER_N_TAGS; t++)
    if (dl[t] > dl[best]) best = t;
  for (gsize i = e; i-- > s;) {
    tags[i] = (guint8)best;
    best = back[(i - s) * NER_N_TAGS + best];
  }
}

static void viterbi_pass(const NerTokInfo *info, gsize n, const gsize *sent_start, gsize n_sent,
                         NerScoreFunc score, NerUpdateFunc update, void *ctx, double prune,
                         double cost, const guint8 *gold, const NerAgg *agg, guint8 *tags) {
  NerDocMemory mem;
  ner_memory_init(&mem, n);
  gsize longest = 1;
  for (gsize si = 0; si < n_sent; si++) {
    gsize s = sent_start[si], e = si + 1 < n_sent ? sent_start[si + 1] : n;
    longest = MAX(longest, e - s);
  }
  double *delta = g_new(double, longest * NER_N_TAGS);
  guint8 *back = g_new(guint8, longest * NER_N_TAGS);
  guint64 f[NER_MAX_FEATS + NER_MAX_DYN_FEATS];
  for (gsize si = 0; si < n_sent; si++) {
    gsize s = sent_start[si], e = si + 1 < n_sent ? sent_start[si + 1] : n;
    viterbi_sentence(info, s, e, &mem, agg, score, ctx, prune, gold, cost, delta, back, tags);
    if (gold) {
      for (gsize i = s; i < e; i++) {
        guint gp = i == s ? TAG_BOS : gold[i - 1], pp = i == s ? TAG_BOS : tags[i - 1];
        if (gold[i] == tags[i] && gp == pp) continue;
        guint memval = (info[i].flags & NER_TOK_CAP) ? ner_memory_get(&mem, info[i].lower) : 0;
        guint ns = ner_static_features(info, s, e, i, f);
        guint nd = ner_dynamic_features1(info, s, e, i, gp, memval, agg, f + ns);
        update(ctx, f, ns + nd, gold[i], 1);
        nd = ner_dynamic_features1(info, s, e, i, pp, memval, agg, f + ns);
        update(ctx, f, ns + nd, tags[i], -1);
      }
    }
    ner_memory_record(&mem, info, s, e, tags);
  }
  g_free(delta);
  g_free(back);
  ner_memory_clear(&mem);
}

void ner_decode_viterbi(const NerTokInfo *info, gsize n, const gsize *sent_start, gsize n_sent,
                        NerScoreFunc score, NerUpdateFunc update, void *ctx, double prune,
                        double cost, const guint8 *gold, guint8 *tags) {
  viterbi_pass(info, n, sent_start, n_sent, score, update, ctx, prune, cost, gold, NULL, tags);
  NerAgg *agg = ner_buffer(NER_BUF_AGG, sizeof(NerAgg) * n, FALSE);
  ner_aggregate(info, n, tags, agg);
  viterbi_pass(info, n, sent_start, n_sent, score, update, ctx, prune, cost, gold, agg, tags);
}

/* ---- Static scores -------------------------------------------------------------- */

/* Feature ids to look up in a pipeline, so that memory latency overlaps: the ids of token i
 * are computed and their index blocks asked for, the rows of token i − 2 are found and
 * asked for, and those of token i − 4 added up.  FEATURES(ctx, info, s, e, i, out) gives the ids
 * of token i of sentence [s, e). */
typedef guint (*FeatureFunc)(const void *ctx, const NerTokInfo *info, gsize s, gsize e,
                             gsize i, guint64 *out);

static void add_scores_pipelined(const NerModel *model, const NerTokInfo *info, gsize n,
                                 const gsize *sent_start, gsize n_sent, FeatureFunc features,
                                 const void *ctx, gint32 *scores) {
  enum { LAG = 2, DEPTH = 2 * LAG + 1 }; /* tokens between the steps; ring size */
  guint64 f[DEPTH][NER_MAX_FEATS];
  guint nf[DEPTH];
  const gint16 *rows[DEPTH][NER_MAX_FEATS];
  guint nr[DEPTH];
  gsize si = 0, s = 0, e = 0;
  for (gsize i = 0; i < n + 2 * LAG; i++) {
    if (i < n) {
      while (i >= e && si < n_sent) { /* the sentence of token i */
        s = sent_start[si];
        e = si + 1 < n_sent ? sent_start[si + 1] : n;
        si++;
      }
      guint a = (guint)(i % DEPTH);
      nf[a] = features(ctx, info, s, e, i, f[a]);
      ner_model_prefetch(model, f[a], nf[a]);
    }
    if (i >= LAG && i - LAG < n) {
      guint b = (guint)((i - LAG) % DEPTH);
      nr[b] = ner_model_rows(model, f[b], nf[b], rows[b]);
    }
    if (i >= 2 * LAG) {
      guint c = (guint)((i - 2 * LAG) % DEPTH);
      ner_model_add_rows(rows[c], nr[c], scores + (i - 2 * LAG) * NER_N_TAGS);
    }
  }
}

/* The scores of the tags but O, from a form or a neighbour: the sum of its features' rows. */
typedef struct {
  gint32 v[NER_N_TAGS - 1];
} ScoreVec;

/* SCORES[1..NER_N_TAGS) += X */
static inline void vec_add(gint32 *scores, const ScoreVec *x) {
#if defined(__SSE2__)
  G_STATIC_ASSERT(NER_N_TAGS - 1 == 16);
  for (guint k = 0; k < 16; k += 4) {
    __m128i a = _mm_loadu_si128((const __m128i *)(scores + 1 + k));
    __m128i b = _mm_loadu_si128((const __m128i *)(x->v + k));
    _mm_storeu_si128((__m128i *)(scores + 1 + k), _mm_add_epi32(a, b));
  }
#else
  for (guint t = 0; t < NER_N_TAGS - 1; t++) scores[t + 1] += x->v[t];
#endif
}

/* ACC += X */
static inline void vec_acc(ScoreVec *acc, const ScoreVec *x) {
#if defined(__SSE2__)
  for (guint k = 0; k < 16; k += 4) {
    __m128i a = _mm_loadu_si128((const __m128i *)(acc->v + k));
    __m128i b = _mm_loadu_si128((const __m128i *)(x->v + k));
    _mm_storeu_si128((__m128i *)(acc->v + k), _mm_add_epi32(a, b));
  }
#else
  for (guint t = 0; t < NER_N_TAGS - 1; t++) acc->v[t] += x->v[t];
#endif
}

static void vec_of(const NerModel *model, const guint64 *f, guint n, ScoreVec *out) {
  ner_model_sum(model, f, n, out->v);
}

/* The form cache: per thread, what the model says about the word forms seen lately.  A
 * form's features (ner_form_features) and those it gives its neighbours
 * (ner_neighbour_features) depend on its bytes alone, so the sums of their weights are kept
 * with the part of the form's analysis the context features need, and a form seen before
 * costs one lookup instead of some thirty (the sums are exact, so the scores are the same).
 * Four-way set-associative (the oldest entry of a set goes first), keyed by a 64-bit hash
 * of the token's bytes, the keys apart from the entries so that a lookup reads one line;
 * emptied when another model is used. */
#define FORM_CACHE_BITS 15
#define FORM_WAY_BITS 2 /* 4 ways */
#define SHAPE_CACHE_SIZE 4096
#define SHAPE_PREV_SLOTS 256
#define GAZ_CACHE_SIZE 2048
/* neighbour positions d = -2, -1, 1, 2 as indexes 0..3 */
#define NB_INDEX(d) ((d) < 0 ? (d) + 2 : (d) + 1)

/* What the tagger needs of a form: the fields of its analysis the context features read,
 * and its sums. */
typedef struct {
  guint64 lower, sshape, gazkey;
  guint32 flags;
  guint32 gaz1;   /* ner_gazetteer_lookup() of the form alone in the model's gazetteer */
  ScoreVec self;  /* the form's own features */
  ScoreVec nb[4]; /* what the form gives the token it is a neighbour of, at d = -2, -1, 1, 2 */
  ScoreVec after_o; /* ner_prev_word_features() after a token tagged O */
} FormSums;

typedef struct {
  gint16 v[NER_N_TAGS - 1];
} ScoreVec16;

/* A FormSums as the cache keeps it, in four cache lines: the sums of a few rows in 16 bits
 * (the form's own, of some fifteen rows, in 32).  A form whose sums do not fit is marked
 * WIDE and its sums are worked out again whenever it is seen (none such in the shipped
 * model's tables for common words, but possible). */
typedef struct {
  ScoreVec self;
  ScoreVec16 nb[4];
  ScoreVec16 after_o;
  guint64 lower, sshape, gazkey;
  guint32 gaz1;
  guint16 flags; /* the form's flags fit in 16 bits */
  guint16 wide;
} FormEntry;
G_STATIC_ASSERT(NER_TOK_DATELINE < (1 << 16));
G_STATIC_ASSERT(sizeof(FormEntry) == 256);

static gboolean vec_narrow(const ScoreVec *x, ScoreVec16 *out) {
  for (guint t = 0; t < NER_N_TAGS - 1; t++) {
    if (x->v[t] < -32768 || x->v[t] > 32767) return FALSE;
    out->v[t] = (gint16)x->v[t];
  }
  return TRUE;
}

static inline void vec_widen(const ScoreVec16 *x, ScoreVec *out) {
  for (guint t = 0; t < NER_N_TAGS - 1; t++) out->v[t] = x->v[t];
}

static void form_pack(FormEntry *fe, const FormSums *fs) {
  fe->self = fs->self;
  fe->lower = fs->lower;
  fe->sshape = fs->sshape;
  fe->gazkey = fs->gazkey;
  fe->flags = (guint16)fs->flags;
  fe->gaz1 = fs->gaz1;
  gboolean fits = vec_narrow(&fs->after_o, &fe->after_o);
  for (guint k = 0; k < 4; k++) fits = fits && vec_narrow(&fs->nb[k], &fe->nb[k]);
  fe->wide = !fits;
}

static void form_unpack(const FormEntry *fe, FormSums *fs) {
  fs->self = fe->self;
  fs->lower = fe->lower;
  fs->sshape = fe->sshape;
  fs->gazkey = fe->gazkey;
  fs->flags = fe->flags;
  fs->gaz1 = fe->gaz1;
  for (guint k = 0; k < 4; k++) vec_widen(&fe->nb[k], &fs->nb[k]);
  vec_widen(&fe->after_o, &fs->after_o);
}

/* The sums of the previous tag P with a short shape (the second id of
 * ner_prev_word_features()), each P's filled in when first needed. */
typedef struct {
  guint64 key;  /* the short shape | 1; 0: empty */
  guint32 have; /* bit P: sums[P] is there */
  ScoreVec sums[NER_N_TAGS + 1];
} ShapePrev;

typedef struct {
  guint64 serial; /* of the model the entries are for; 0: none */
  guint64 *keys;      /* the key of each entry (0: empty), four a set; 64-byte aligned */
  gpointer keys_block; /* what was allocated for them */
  guint8 *victim;     /* per set: the way to replace next */
  FormEntry *entries; /* from form_entries_alloc(), for free() */
  ScoreVec boundary[4]; /* what a token gets with no neighbour at d = -2, -1, 1, 2 */
  /* the dynamic features with few values (ner_tag_features, ner_memory_features,
   * ner_agg_tag_features), by previous tags (TAG_BOS included), memory label 1..5, token
   * position (1 sentence-initial, 2 in a headline) and majority label 1..5 */
  ScoreVec tag_tab[NER_N_TAGS + 1][NER_N_TAGS + 1]; /* [prev2][prev1] */
  ScoreVec p1_tab[NER_N_TAGS + 1]; /* the first-order decoder's: the previous tag alone */
  ScoreVec colmax; /* ner_model_column_max() */
  /* the first-order decoder's sums of the previous tag with a short shape, by short shape
   * (few: a direct-mapped table) */
  ShapePrev shape_prev[SHAPE_PREV_SLOTS];
  ScoreVec mem_tab[5][NER_N_TAGS + 1][4];           /* [mem - 1][prev1][position] */
  ScoreVec agg_tab[5][NER_N_TAGS + 1];              /* [majority - 1][prev1] */
  /* the second pass's aggregate features that do not depend on the tags chosen
   * (ner_agg_features_of): by majority label, whether it continues, position (1 capitalised,
   * 2 sentence-initial, 4 in a headline); by the set of labels seen; by the neighbour's
   * majority label (0..5, 15) and the token's (0..5) */
  ScoreVec agg_own_tab[5][2][8];
  ScoreVec agg_set_tab[64];
  ScoreVec agg_m1_tab[16][6];   /* [before][token] */
  ScoreVec agg_next_tab[6][16]; /* [token][after] */
  /* the sums of ner_shape_features() by their values (few: a direct-mapped table) */
  guint64 shape_keys[SHAPE_CACHE_SIZE]; /* 0: empty */
  ScoreVec shape_sums[SHAPE_CACHE_SIZE];
  /* the sums of ner_gaz_features() by their values, likewise */
  guint64 gaz_keys[GAZ_CACHE_SIZE];
  ScoreVec gaz_sums[GAZ_CACHE_SIZE];
} FormCache;

/* The position index of agg_own_tab. */
static inline guint agg_position(guint32 flags) {
  return ((flags & NER_TOK_CAP) ? 1 : 0) | ((flags & NER_TOK_INITIAL) ? 2 : 0) |
         ((flags & NER_TOK_CAPSSENT) ? 4 : 0);
}

/* The position index of mem_tab. */
static inline guint mem_position(guint32 flags) {
  return ((flags & NER_TOK_INITIAL) ? 1 : 0) | ((flags & NER_TOK_CAPSSENT) ? 2 : 0);
}

/* BYTES for the cache's entries, 2 MB aligned and in huge pages where the system gives
 * them on request: entries are looked up all over the 8 MB, and with small pages nearly
 * every lookup also missed the address translation cache. */
static FormEntry *form_entries_alloc(gsize bytes) {
  void *p = NULL;
  if (posix_memalign(&p, (gsize)2 << 20, bytes) != 0) g_error("entities: out of memory");
#if defined(MADV_HUGEPAGE)
  madvise(p, bytes, MADV_HUGEPAGE); /* only a hint: without it, small pages */
#endif
  return p;
}

static void form_cache_free(gpointer p) {
  FormCache *fc = p;
  if (fc == NULL) return;
  free(fc->entries);
  g_free(fc->keys_block);
  g_free(fc->victim);
  g_free(fc);
}

static GPrivate form_cache_key = G_PRIVATE_INIT(form_cache_free);

static FormCache *form_cache_for(const NerModel *model) {
  FormCache *fc = g_private_get(&form_cache_key);
  gsize bytes = sizeof(FormEntry) << FORM_CACHE_BITS;
  if (fc == NULL) {
    fc = g_new0(FormCache, 1);
    fc->entries = form_entries_alloc(bytes);
    fc->keys_block = g_malloc((sizeof(guint64) << FORM_CACHE_BITS) + 64);
    fc->keys = (guint64 *)(((guintptr)fc->keys_block + 63) & ~(guintptr)63);
    fc->victim = g_new(guint8, (gsize)1 << (FORM_CACHE_BITS - FORM_WAY_BITS));
    g_private_set(&form_cache_key, fc);
  }
  if (fc->serial != ner_model_serial(model)) {
    memset(fc->keys, 0, sizeof(guint64) << FORM_CACHE_BITS);
    memset(fc->shape_keys, 0, sizeof fc->shape_keys);
    memset(fc->gaz_keys, 0, sizeof fc->gaz_keys);
    for (guint k = 0; k < SHAPE_PREV_SLOTS; k++) fc->shape_prev[k].key = 0;
    memset(fc->victim, 0, (gsize)1 << (FORM_CACHE_BITS - FORM_WAY_BITS));
    guint64 f[NER_MAX_NEIGHBOUR_FEATS];
    for (int d = -2; d <= 2; d++)
      if (d != 0) vec_of(model, f, ner_neighbour_features(NULL, d, f), &fc->boundary[NB_INDEX(d)]);
    guint64 g[8];
    for (guint p1 = 0; p1 <= NER_N_TAGS; p1++) {
      ner_tag_features(p1, 0, g); /* its first id is that of the previous tag alone */
      vec_of(model, g, 1, &fc->p1_tab[p1]);
      for (guint p2 = 0; p2 <= NER_N_TAGS; p2++)
        vec_of(model, g, ner_tag_features(p1, p2, g), &fc->tag_tab[p2][p1]);
      for (guint m = 1; m <= 5; m++) {
        for (guint pos = 0; pos < 4; pos++) {
          guint32 flags = ((pos & 1) ? NER_TOK_INITIAL : 0) | ((pos & 2) ? NER_TOK_CAPSSENT : 0);
          vec_of(model, g, ner_memory_features(m, flags, p1, g), &fc->mem_tab[m - 1][p1][pos]);
        }
        vec_of(model, g, ner_agg_tag_features((NerAgg)m, p1, g), &fc->agg_tab[m - 1][p1]);
      }
    }
    for (guint m = 1; m <= 5; m++)
      for (guint cont = 0; cont < 2; cont++)
        for (guint pos = 0; pos < 8; pos++) {
          guint32 flags = ((pos & 1) ? NER_TOK_CAP : 0) | ((pos & 2) ? NER_TOK_INITIAL : 0) |
                          ((pos & 4) ? NER_TOK_CAPSSENT : 0);
          NerAgg a = (NerAgg)(m | cont << 12);
          vec_of(model, g, ner_agg_features_of(a, flags, 0, 0, NER_AGG_OWN, g),
                 &fc->agg_own_tab[m - 1][cont][pos]);
        }
    for (guint set = 0; set < 64; set++)
      vec_of(model, g, ner_agg_features_of((NerAgg)(1 | set << 4), 0, 0, 0, NER_AGG_SET, g),
             &fc->agg_set_tab[set]);
    for (guint a = 0; a < 6; a++)
      for (guint x = 0; x < 16; x++) {
        vec_of(model, g, ner_agg_features_of((NerAgg)a, 0, x, 0, NER_AGG_M1, g),
               &fc->agg_m1_tab[x][a]);
        vec_of(model, g, ner_agg_features_of((NerAgg)a, 0, 0, x, NER_AGG_NEXT, g),
               &fc->agg_next_tab[a][x]);
      }
    ner_model_column_max(model, fc->colmax.v);
    fc->serial = ner_model_serial(model);
  }
  return fc;
}

/* The keys of the set KEY belongs to. */
static inline const guint64 *form_set_keys(const FormCache *fc, guint64 key) {
  gsize set = (gsize)(ner_mix(key) >> (64 - (FORM_CACHE_BITS - FORM_WAY_BITS)));
  return fc->keys + (set << FORM_WAY_BITS);
}

/* The entry holding KEY, or -1. */
static inline gssize form_find(const FormCache *fc, guint64 key) {
  gsize set = (gsize)(ner_mix(key) >> (64 - (FORM_CACHE_BITS - FORM_WAY_BITS)));
  const guint64 *k = fc->keys + (set << FORM_WAY_BITS);
  for (guint w = 0; w < (1u << FORM_WAY_BITS); w++)
    if (k[w] == key) return (gssize)((set << FORM_WAY_BITS) + w);
  return -1;
}

/* An entry for KEY (not in the cache), in place of the oldest of its set. */
static inline gsize form_replace(FormCache *fc, guint64 key) {
  gsize set = (gsize)(ner_mix(key) >> (64 - (FORM_CACHE_BITS - FORM_WAY_BITS)));
  gsize j = (set << FORM_WAY_BITS) + (fc->victim[set] & ((1u << FORM_WAY_BITS) - 1));
  fc->victim[set]++;
  fc->keys[j] = key;
  return j;
}


/* Works out FE for the form of token T. */
static void form_sums(FormSums *fe, const NerModel *model, const NerToken *t) {
  NerTokInfo info;
  ner_token_form(t->text, t->len, ner_model_clusters(model), &info);
  fe->lower = info.lower;
  fe->sshape = info.sshape;
  fe->gazkey = info.gazkey;
  fe->flags = info.flags;
  fe->gaz1 = ner_gazetteer_lookup(ner_model_gazetteer(model), &info.gazkey, 1);
  /* the ids of the five sums first, so that all their index blocks and rows are asked for
   * before any is waited for */
  enum { N = 6 };
  guint64 f[N][NER_MAX_FORM_FEATS];
  guint nf[N];
  const gint16 *rows[N][NER_MAX_FORM_FEATS];
  guint nr[N];
  ScoreVec *out[N] = {&fe->self, &fe->nb[0], &fe->nb[1], &fe->nb[2], &fe->nb[3], &fe->after_o};
  static const int d_of[N] = {0, -2, -1, 1, 2, 0};
  for (guint g = 0; g < N; g++) {
    nf[g] = g == 0       ? ner_form_features(&info, f[g])
            : g == N - 1 ? ner_prev_word_features(&info, NER_TAG_O, f[g])
                         : ner_neighbour_features(&info, d_of[g], f[g]);
    ner_model_prefetch(model, f[g], nf[g]);
  }
  for (guint g = 0; g < N; g++) nr[g] = ner_model_rows(model, f[g], nf[g], rows[g]);
  for (guint g = 0; g < N; g++) ner_model_sum_rows(rows[g], nr[g], out[g]->v);
}

static guint context_features(const void *ctx, const NerTokInfo *info, gsize s, gsize e,
                              gsize i, guint64 *out) {
  (void)ctx;
  return ner_context_features(info, s, e, i, out);
}

/* Analyses the tokens into INFO and writes the static scores of every token (relative to O)
 * to SCORES: the form and neighbour sums from the form cache (the entries of the tokens a
 * few places ahead fetched while one is handled), then the context features.  The fields
 * of INFO only the form features read (word, shape, pre, suf, cluster) are not filled in. */
static void static_scores(const NerModel *model, const NerGazetteer *gaz, const NerToken *tok,
                          gsize n, const gsize *sent_start, gsize n_sent, NerTokInfo *info,
                          gint32 *scores, ScoreVec *after_o) {
  /* the gazetteer's answers for single words come with the forms, when it is the model's */
  guint32 *single = gaz == ner_model_gazetteer(model)
                        ? ner_buffer(NER_BUF_GAZ1, sizeof(guint32) * n, FALSE)
                        : NULL;
  enum { AHEAD = 6, KEYS_AHEAD = 16 };
  memset(scores, 0, sizeof(gint32) * NER_N_TAGS * n);
  FormCache *fc = form_cache_for(model);
  guint64 *keys = ner_buffer(NER_BUF_CKEYS, sizeof(guint64) * n, FALSE);
  for (gsize i = 0; i < n; i++) keys[i] = ner_hash_bytes(tok[i].text, tok[i].len) | 1;
  for (gsize i = 0; i < MIN(n, (gsize)KEYS_AHEAD); i++) __builtin_prefetch(form_set_keys(fc, keys[i]));
  for (gsize i = 0; i < MIN(n, (gsize)AHEAD); i++) {
    gssize j = form_find(fc, keys[i]);
    if (j >= 0)
      for (gsize b = 0; b < sizeof(FormEntry); b += 64)
        __builtin_prefetch((const char *)&fc->entries[j] + b);
  }
  gsize si = 0, s = 0, e = 0;
  for (gsize i = 0; i < n; i++) {
    /* the keys of the set of the token KEYS_AHEAD places on, and the entry of the token
     * AHEAD places on, if it is there */
    if (i + KEYS_AHEAD < n) __builtin_prefetch(form_set_keys(fc, keys[i + KEYS_AHEAD]));
    if (i + AHEAD < n) {
      gssize j = form_find(fc, keys[i + AHEAD]);
      if (j >= 0)
        for (gsize b = 0; b < sizeof(FormEntry); b += 64)
          __builtin_prefetch((const char *)&fc->entries[j] + b);
    }
    while (i >= e && si < n_sent) {
      s = sent_start[si];
      e = si + 1 < n_sent ? sent_start[si + 1] : n;
      si++;
    }
    gssize found = form_find(fc, keys[i]);
    FormSums sums;
    const FormSums *fe = &sums;
    if (found >= 0 && !fc->entries[found].wide) {
      form_unpack(&fc->entries[found], &sums);
    } else {
      form_sums(&sums, model, &tok[i]);
      if (found < 0) form_pack(&fc->entries[form_replace(fc, keys[i])], &sums);
    }
    NerTokInfo *t = &info[i];
    t->lower = fe->lower;
    t->sshape = fe->sshape;
    t->gazkey = fe->gazkey;
    t->flags = fe->flags;
    if (single) single[i] = fe->gaz1;
    t->gaz = 0;
    t->run_pos = t->run_len = 0;
    t->run_to_end = 0;
    t->doccase = 0;
    after_o[i] = fe->after_o;
    gint32 *sc = scores + i * NER_N_TAGS;
    vec_add(sc, &fe->self);
    /* token i is the neighbour at d = 1 of token i − 1, at d = −1 of token i + 1, … */
    if (i >= s + 2) vec_add(sc - 2 * NER_N_TAGS, &fe->nb[NB_INDEX(2)]);
    else vec_add(sc, &fc->boundary[NB_INDEX(-2)]);
    if (i >= s + 1) vec_add(sc - NER_N_TAGS, &fe->nb[NB_INDEX(1)]);
    else vec_add(sc, &fc->boundary[NB_INDEX(-1)]);
    if (i + 1 < e) vec_add(sc + NER_N_TAGS, &fe->nb[NB_INDEX(-1)]);
    else vec_add(sc, &fc->boundary[NB_INDEX(1)]);
    if (i + 2 < e) vec_add(sc + 2 * NER_N_TAGS, &fe->nb[NB_INDEX(-2)]);
    else vec_add(sc, &fc->boundary[NB_INDEX(2)]);
  }
  ner_tokens_context(tok, n, sent_start, n_sent, gaz, single, info);
  /* the shape features, from a table of their sums by value */
  si = 0;
  s = e = 0;
  for (gsize i = 0; i < n; i++) {
    while (i >= e && si < n_sent) {
      s = sent_start[si];
      e = si + 1 < n_sent ? sent_start[si + 1] : n;
      si++;
    }
    guint64 sm1, sp1;
    ner_shape_context(info, s, e, i, &sm1, &sp1);
    guint32 flags = info[i].flags & (NER_POS_FLAGS | NER_TOK_SEENLOW | NER_TOK_DATELINE);
    guint doccase = info[i].doccase;
    guint64 key = ner_mix(sm1 * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) +
                          info[i].sshape * G_GUINT64_CONSTANT(0xc2b2ae3d27d4eb4f) +
                          sp1 * G_GUINT64_CONSTANT(0x165667b19e3779f9) +
                          ((guint64)doccase << 32 | flags)) | 1;
    gsize slot = key & (SHAPE_CACHE_SIZE - 1);
    if (fc->shape_keys[slot] != key) {
      guint64 f[8];
      vec_of(model, f, ner_shape_features(sm1, info[i].sshape, sp1, flags, doccase, f),
             &fc->shape_sums[slot]);
      fc->shape_keys[slot] = key;
    }
    vec_add(scores + i * NER_N_TAGS, &fc->shape_sums[slot]);
    /* the gazetteer features, likewise */
    guint64 gm1 = i > s ? info[i - 1].gaz : 0, gp1 = i + 1 < e ? info[i + 1].gaz : 0;
    if (info[i].gaz | gm1 | gp1) {
      guint32 pos = info[i].flags & NER_POS_FLAGS;
      key = ner_mix(info[i].gaz * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) +
                    gm1 * G_GUINT64_CONSTANT(0xc2b2ae3d27d4eb4f) +
                    gp1 * G_GUINT64_CONSTANT(0x165667b19e3779f9) + pos) | 1;
      slot = key & (GAZ_CACHE_SIZE - 1);
      if (fc->gaz_keys[slot] != key) {
        guint64 f[NER_MAX_FEATS];
        vec_of(model, f, ner_gaz_features(info[i].gaz, gm1, gp1, pos, f), &fc->gaz_sums[slot]);
        fc->gaz_keys[slot] = key;
      }
      vec_add(scores + i * NER_N_TAGS, &fc->gaz_sums[slot]);
    }
  }
  add_scores_pipelined(model, info, n, sent_start, n_sent, context_features, NULL, scores);
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

/* The first-order decoder's scores from the model: integer sums, exact in a float (a token's
 * few hundred int16 rows sum to less than 2^24 in magnitude). */
static void model_score(void *ctx, const guint64 *f, guint n, float *scores) {
  gint32 s[NER_N_TAGS] = {0};
  ner_model_score(ctx, f, n, s);
  for (guint t = 0; t < NER_N_TAGS; t++) scores[t] = (float)s[t];
}

/* The tags allowed after PREV (TAG_BOS included) as a bit mask: [prev][last]; and, for the
 * tags but O, as lanes of all ones (allowed) or zeros. */
static guint32 allowed_mask[NER_N_TAGS + 1][2];
static gint32 allowed_lanes[NER_N_TAGS + 1][2][NER_N_TAGS - 1];

static gpointer init_allowed_mask(gpointer unused) {
  (void)unused;
  for (guint p = 0; p <= NER_N_TAGS; p++)
    for (guint last = 0; last < 2; last++)
      for (guint t = 0; t < NER_N_TAGS; t++)
        if (ner_tag_allowed(p == TAG_BOS ? NER_TAG_O : p, t, last)) {
          allowed_mask[p][last] |= 1u << t;
          if (t > 0) allowed_lanes[p][last][t - 1] = -1;
        }
  return NULL;
}

/* ner_best_tag() over integer scores: the first of the best-scoring tags allowed.  X holds
 * the scores of the tags but O (tag t at t − 1), relative to O's, which is 0. */
static inline guint best_tag(const ScoreVec *x, guint prev, gboolean last) {
  guint32 mask = allowed_mask[prev][last ? 1 : 0];
#if defined(__SSE2__)
  /* the best score of the tags allowed, four at a time, then the first tag that has it */
  const gint32 *lanes = allowed_lanes[prev][last ? 1 : 0];
  const __m128i lowest = _mm_set1_epi32(G_MININT32);
  __m128i v[4], best = lowest;
  for (guint k = 0; k < 4; k++) {
    __m128i m = _mm_loadu_si128((const __m128i *)(lanes + 4 * k));
    __m128i xs = _mm_loadu_si128((const __m128i *)(x->v + 4 * k));
    v[k] = _mm_or_si128(_mm_and_si128(m, xs), _mm_andnot_si128(m, lowest));
    __m128i gt = _mm_cmpgt_epi32(v[k], best);
    best = _mm_or_si128(_mm_and_si128(gt, v[k]), _mm_andnot_si128(gt, best));
  }
  for (guint step = 0; step < 2; step++) { /* the largest lane into every lane */
    __m128i other = step == 0 ? _mm_shuffle_epi32(best, _MM_SHUFFLE(1, 0, 3, 2))
                              : _mm_shuffle_epi32(best, _MM_SHUFFLE(2, 3, 0, 1));
    __m128i gt = _mm_cmpgt_epi32(other, best);
    best = _mm_or_si128(_mm_and_si128(gt, other), _mm_andnot_si128(gt, best));
  }
  gint32 top = _mm_cvtsi128_si32(best);
  if ((mask & 1) && 0 >= top) return NER_TAG_O; /* O first: it wins ties */
  __m128i topv = _mm_set1_epi32(top);
  guint32 eq = 0;
  for (guint k = 0; k < 4; k++)
    eq |= (guint32)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v[k], topv))) << (4 * k);
  eq &= mask >> 1;
  return 1 + (guint)__builtin_ctz(eq);
#else
  guint best = (guint)__builtin_ctz(mask);
  for (mask &= mask - 1; mask; mask &= mask - 1) {
    guint t = (guint)__builtin_ctz(mask);
    if (x->v[t - 1] > (best == 0 ? 0 : x->v[best - 1])) best = t;
  }
  return best;
#endif
}

/* What one pass leaves for the next: per token, the sum of the word history features
 * (ner_word_history_features) and the previous tags they were computed with. */
typedef struct {
  ScoreVec *hist;
  guint16 *hist_prev; /* prev1 | prev2 << 5 */
  const ScoreVec *after_o; /* per token: ner_prev_word_features() after O (FormSums) */
} History;

/* One pass of the greedy decoder when tagging: what decode_pass() with model_step() does,
 * with the static scores BASE computed beforehand and the dynamic features with few values
 * added from the form cache's tables.  In the second pass (AGG non-NULL) the aggregate
 * features come from tables too, and the word history sums of the first pass are reused
 * where the previous tags are the same. */
static void tag_pass(const NerModel *model, const FormCache *fc, const NerTokInfo *info,
                     gsize n, const gsize *sent_start, gsize n_sent, const gint32 *base,
                     const NerAgg *agg, History *h, guint8 *tags) {
  NerDocMemory mem;
  ner_memory_init(&mem, n);
  guint64 f[8];
  for (gsize si = 0; si < n_sent; si++) {
    gsize s = sent_start[si], e = si + 1 < n_sent ? sent_start[si + 1] : n;
    guint prev1 = TAG_BOS, prev2 = TAG_BOS;
    guint64 p2w = 0; /* the id of ner_prev2_word_features() of token i, found at i − 1 */
    if (!agg) ner_prev2_word_features(info, s, s, prev2, &p2w);
    for (gsize i = s; i < e; i++) {
      /* the scores of the tags but O, relative to O's (whose static score is 0) */
      ScoreVec sc;
      memcpy(sc.v, base + i * NER_N_TAGS + 1, sizeof sc.v);
      vec_acc(&sc, &fc->tag_tab[prev2][prev1]);
      guint32 flags = info[i].flags;
      if (flags & NER_TOK_CAP) {
        guint m = ner_memory_get(&mem, info[i].lower);
        if (m) vec_acc(&sc, &fc->mem_tab[m - 1][prev1][mem_position(flags)]);
      }
      guint16 prevs = (guint16)(prev1 | prev2 << 5);
      if (agg) {
        NerAgg a = agg[i];
        guint am = i > s ? agg[i - 1] & 15 : 15, ap = i + 1 < e ? agg[i + 1] & 15 : 15;
        if (a) {
          vec_acc(&sc, &fc->agg_tab[(a & 15) - 1][prev1]);
          vec_acc(&sc, &fc->agg_own_tab[(a & 15) - 1][a >> 12][agg_position(flags)]);
          vec_acc(&sc, &fc->agg_set_tab[(a >> 4) & 63]);
        }
        vec_acc(&sc, &fc->agg_m1_tab[am][a & 15]);
        vec_acc(&sc, &fc->agg_next_tab[a & 15][ap]);
      }
      if (agg && h->hist_prev[i] == prevs) {
        vec_acc(&sc, &h->hist[i]);
      } else if (!agg && prev1 == NER_TAG_O) { /* the first pass, after O: most tokens */
        ner_model_sum(model, &p2w, 1, h->hist[i].v);
        vec_acc(&h->hist[i], &h->after_o[i]);
        h->hist_prev[i] = prevs;
        vec_acc(&sc, &h->hist[i]);
      } else {
        ner_model_sum(model, f, ner_word_history_features(info, s, i, prev1, prev2, f),
                      h->hist[i].v);
        h->hist_prev[i] = prevs;
        vec_acc(&sc, &h->hist[i]);
      }
      guint tag = best_tag(&sc, prev1, i + 1 == e);
      if (!agg && i + 1 < e) { /* the next token's id, and its index block */
        ner_prev2_word_features(info, s, i + 1, prev1, &p2w);
        ner_model_prefetch(model, &p2w, 1);
      }
      tags[i] = (guint8)tag;
      prev2 = prev1;
      prev1 = tag;
    }
    ner_memory_record(&mem, info, s, e, tags);
  }
  ner_memory_clear(&mem);
}

/* The first-order decoder when tagging: what viterbi_pass() with model_score() does, with
 * the static scores BASE computed beforehand and the dynamic features with few values from
 * the form cache's tables.  After O, the features of the token's word and short shape with
 * the previous tag come from the form cache too; after another tag P, the shape's from a
 * small table, and the word's row is looked up only when it could matter: it adds at most
 * the largest weight of a tag (ner_model_column_max) to its score, and nothing to O's, so
 * it is not looked up when P's paths with it would still score less, for every tag T that
 * may follow P, than the best path to T found so far (the first of equal paths is kept, as
 * in viterbi_sentence()) or more than NER_VITERBI_PRUNE below the best path to any tag
 * found so far: the latter end in a tag the next token does not follow, and that is not
 * the last token's best, so their score and back pointer do not matter, in this decoder or
 * in viterbi_sentence().  Path scores are kept relative to the best of their token, so that
 * they fit in 32 bits (a path followed is at most NER_VITERBI_PRUNE below the best, and a
 * token's scores stay below 2^24): the differences, and so the choices, are those of
 * viterbi_sentence(). */
#if defined(__SSE2__)
#define VIT_NONE (G_MININT32 / 2)
G_STATIC_ASSERT(NER_VITERBI_PRUNE < (1 << 28));

/* Lanes 4K..4K+3 of X. */
static inline __m128i vec_lanes(const ScoreVec *x, guint k) {
  return _mm_loadu_si128((const __m128i *)(x->v + 4 * k));
}

/* The largest of the 16 lanes of X[0..4). */
static inline gint32 lanes_max(const __m128i *x) {
  __m128i m = x[0];
  for (guint k = 1; k < 4; k++) {
    __m128i gt = _mm_cmpgt_epi32(x[k], m);
    m = _mm_or_si128(_mm_and_si128(gt, x[k]), _mm_andnot_si128(gt, m));
  }
  for (guint step = 0; step < 2; step++) {
    __m128i o = step == 0 ? _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2))
                          : _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1));
    __m128i gt = _mm_cmpgt_epi32(o, m);
    m = _mm_or_si128(_mm_and_si128(gt, o), _mm_andnot_si128(gt, m));
  }
  return _mm_cvtsi128_si32(m);
}

static void tag_pass_viterbi(const NerModel *model, FormCache *fc, const NerTokInfo *info,
                             gsize n, const gsize *sent_start, gsize n_sent,
                             const gint32 *base, const NerAgg *agg, const ScoreVec *after_o,
                             gint32 *delta, guint8 *back, guint8 *tags) {
  NerDocMemory mem;
  ner_memory_init(&mem, n);
  const __m128i none = _mm_set1_epi32(VIT_NONE);
  __m128i bound[4]; /* the largest weight of each tag */
  for (guint k = 0; k < 4; k++) bound[k] = vec_lanes(&fc->colmax, k);
  for (gsize si = 0; si < n_sent; si++) {
    gsize s = sent_start[si], e = si + 1 < n_sent ? sent_start[si + 1] : n;
    for (gsize i = s; i < e; i++) {
      gint32 *dl = delta + i * NER_N_TAGS; /* dl[0] O, dl[1..16] the others */
      const gint32 *dp = dl - NER_N_TAGS;
      /* the scores that do not depend on the previous tag */
      ScoreVec st;
      memcpy(st.v, base + i * NER_N_TAGS + 1, sizeof st.v);
      guint32 flags = info[i].flags;
      NerAgg a = agg ? agg[i] : 0;
      if (agg) {
        guint am = i > s ? agg[i - 1] & 15 : 15, ap = i + 1 < e ? agg[i + 1] & 15 : 15;
        if (a) {
          vec_acc(&st, &fc->agg_own_tab[(a & 15) - 1][a >> 12][agg_position(flags)]);
          vec_acc(&st, &fc->agg_set_tab[(a >> 4) & 63]);
        }
        vec_acc(&st, &fc->agg_m1_tab[am][a & 15]);
        vec_acc(&st, &fc->agg_next_tab[a & 15][ap]);
      }
      guint m = (flags & NER_TOK_CAP) ? ner_memory_get(&mem, info[i].lower) : 0;
      guint last = i + 1 == e;
      __m128i best[4], from_of[4]; /* the best path to each tag but O, and where from */
      for (guint k = 0; k < 4; k++) best[k] = none, from_of[k] = _mm_setzero_si128();
      gint32 best_o = VIT_NONE;
      guint from_o = 0;
      /* a lower bound of the best path to any tag (VIT_NONE: none yet) */
      gint32 top = VIT_NONE;
      guint p_first = i == s ? TAG_BOS : 0, p_last = i == s ? TAG_BOS : NER_N_TAGS - 1;
      __m128i stv[4];
      for (guint k = 0; k < 4; k++) stv[k] = vec_lanes(&st, k);
      /* the memory's and the majority label's rows by previous tag: [p][position] and [p] */
      const ScoreVec(*mem_row)[4] = m ? fc->mem_tab[m - 1] : NULL;
      guint mpos = mem_position(flags);
      const ScoreVec *agg_row = a ? fc->agg_tab[(a & 15) - 1] : NULL;
      /* the previous tags' sums with the token's short shape */
      guint64 skey = info[i].sshape | 1;
      ShapePrev *sp = &fc->shape_prev[ner_mix(skey) & (SHAPE_PREV_SLOTS - 1)];
      if (sp->key != skey) {
        sp->key = skey;
        sp->have = 0;
      }
      for (guint p = p_first; p <= p_last; p++) {
        /* the previous token's paths are relative to its best, which is 0 */
        gint32 from = i == s ? 0 : dp[p];
        if (from < -(gint32)NER_VITERBI_PRUNE) continue;
        guint32 allowed = allowed_mask[p][last];
        const gint32 *lanes = allowed_lanes[p][last];
        /* the scores of the tags but O after P, but for its word and shape features */
        __m128i c[4];
        for (guint k = 0; k < 4; k++) {
          c[k] = _mm_add_epi32(stv[k], vec_lanes(&fc->p1_tab[p], k));
          if (m) c[k] = _mm_add_epi32(c[k], vec_lanes(&mem_row[p][mpos], k));
          if (a) c[k] = _mm_add_epi32(c[k], vec_lanes(&agg_row[p], k));
        }
        __m128i fv = _mm_set1_epi32(from);
        const ScoreVec *w = &after_o[i];
        ScoreVec looked;
        if (p != NER_TAG_O) {
          /* the previous tag with the token's short shape, from a table; then, if the
           * previous tag with its word could matter, that row */
          guint64 f[2];
          if (!(sp->have & (1u << p))) {
            ner_prev_word_features(&info[i], p, f); /* f[0] with the word, f[1] the shape */
            vec_of(model, &f[1], 1, &sp->sums[p]);
            sp->have |= 1u << p;
          }
          for (guint k = 0; k < 4; k++) c[k] = _mm_add_epi32(c[k], vec_lanes(&sp->sums[p], k));
          gint32 thr = top == VIT_NONE ? VIT_NONE : top - (gint32)NER_VITERBI_PRUNE;
          gboolean may = (allowed & 1) && from >= best_o && from >= thr;
          __m128i tv = _mm_set1_epi32(thr);
          for (guint k = 0; k < 4 && !may; k++) {
            __m128i al = _mm_loadu_si128((const __m128i *)(lanes + 4 * k));
            __m128i ub = _mm_add_epi32(_mm_add_epi32(fv, c[k]), bound[k]);
            __m128i no = _mm_or_si128(_mm_cmpgt_epi32(best[k], ub), _mm_cmpgt_epi32(tv, ub));
            may = _mm_movemask_epi8(_mm_andnot_si128(no, al)) != 0;
          }
          if (!may) continue;
          ner_prev_word_features(&info[i], p, f);
          ner_model_sum(model, f, 1, looked.v);
          w = &looked;
        }
        if ((allowed & 1) && from > best_o) {
          best_o = from;
          from_o = p;
        }
        __m128i pv = _mm_set1_epi32((gint32)p);
        for (guint k = 0; k < 4; k++) {
          __m128i al = _mm_loadu_si128((const __m128i *)(lanes + 4 * k));
          __m128i v = _mm_add_epi32(_mm_add_epi32(fv, c[k]), vec_lanes(w, k));
          __m128i gt = _mm_and_si128(al, _mm_cmpgt_epi32(v, best[k]));
          best[k] = _mm_or_si128(_mm_and_si128(gt, v), _mm_andnot_si128(gt, best[k]));
          from_of[k] = _mm_or_si128(_mm_and_si128(gt, pv), _mm_andnot_si128(gt, from_of[k]));
        }
        if (p == p_first || p == NER_TAG_O) top = MAX(best_o, lanes_max(best));
      }
      /* keep the paths relative to the best (those of no path stay far below) */
      gint32 mx = MAX(best_o, lanes_max(best));
      __m128i mv = _mm_set1_epi32(mx);
      dl[0] = best_o == VIT_NONE ? VIT_NONE : best_o - mx;
      for (guint k = 0; k < 4; k++) {
        __m128i dead = _mm_cmpeq_epi32(best[k], none);
        __m128i rel = _mm_sub_epi32(best[k], mv);
        _mm_storeu_si128((__m128i *)(dl + 1 + 4 * k),
                         _mm_or_si128(_mm_and_si128(dead, none), _mm_andnot_si128(dead, rel)));
      }
      guint8 *bk = back + i * NER_N_TAGS;
      bk[0] = (guint8)from_o;
      __m128i b16 = _mm_packs_epi32(from_of[0], from_of[1]);
      __m128i b16b = _mm_packs_epi32(from_of[2], from_of[3]);
      _mm_storeu_si128((__m128i *)(bk + 1), _mm_packus_epi16(b16, b16b));
    }
    const gint32 *dl = delta + (e - 1) * NER_N_TAGS;
    guint best = 0;
    for (guint t = 1; t < NER_N_TAGS; t++)
      if (dl[t] > dl[best]) best = t;
    for (gsize i = e; i-- > s;) {
      tags[i] = (guint8)best;
      best = back[i * NER_N_TAGS + best];
    }
    ner_memory_record(&mem, info, s, e, tags);
  }
  ner_memory_clear(&mem);
}
#endif

void ner_tag_document(const NerModel *model, const NerGazetteer *gaz, const NerToken *tok,
                      gsize n, const gsize *sent_start, gsize n_sent, guint8 *tags) {
  if (n == 0) return;

  static GOnce once = G_ONCE_INIT;
  g_once(&once, init_allowed_mask, NULL);
  static const gsize whole[1] = {0};
  if (n_sent == 0 || sent_start[0] != 0) { /* no sentences: one */
    sent_start = whole;
    n_sent = 1;
  }
  NerTokInfo *info = ner_buffer(NER_BUF_INFO, sizeof(NerTokInfo) * n, FALSE);
  gint32 *base = ner_buffer(NER_BUF_SCORES, sizeof(gint32) * n * NER_N_TAGS, FALSE);
  ScoreVec *after_o = ner_buffer(NER_BUF_HIST_O, sizeof(ScoreVec) * n, FALSE);
  static_scores(model, gaz, tok, n, sent_start, n_sent, info, base, after_o);
  FormCache *fc = form_cache_for(model);
#if defined(__SSE2__)
  if (ner_model_viterbi(model)) {
    gint32 *delta = ner_buffer(NER_BUF_VIT_DELTA, sizeof(gint32) * n * NER_N_TAGS, FALSE);
    guint8 *back = ner_buffer(NER_BUF_VIT_BACK, n * NER_N_TAGS + 16, FALSE);
    tag_pass_viterbi(model, fc, info, n, sent_start, n_sent, base, NULL, after_o, delta, back,
                     tags);
    NerAgg *agg = ner_buffer(NER_BUF_AGG, sizeof(NerAgg) * n, FALSE);
    ner_aggregate(info, n, tags, agg);
    tag_pass_viterbi(model, fc, info, n, sent_start, n_sent, base, agg, after_o, delta, back,
                     tags);
    return;
  }
#endif
  History h = {ner_buffer(NER_BUF_HIST, sizeof(ScoreVec) * n, FALSE),
               ner_buffer(NER_BUF_HIST_PREV, sizeof(guint16) * n, FALSE), after_o};
  tag_pass(model, fc, info, n, sent_start, n_sent, base, NULL, &h, tags);
  NerAgg *agg = ner_buffer(NER_BUF_AGG, sizeof(NerAgg) * n, FALSE);
  ner_aggregate(info, n, tags, agg);
  tag_pass(model, fc, info, n, sent_start, n_sent, base, agg, &h, tags);
}

void ner_tag_document_reference(const NerModel *model, const NerGazetteer *gaz,
                                const NerToken *tok, gsize n, const gsize *sent_start,
                                gsize n_sent, guint8 *tags) {
  if (n == 0) return;
  static const gsize whole[1] = {0};
  if (n_sent == 0 || sent_start[0] != 0) {
    sent_start = whole;
    n_sent = 1;
  }
  NerTokInfo *info = g_new(NerTokInfo, n);
  ner_tokens_analyse(tok, n, sent_start, n_sent, gaz, ner_model_clusters(model), info);
  ModelCtx mc = {model, g_new0(gint32, n * NER_N_TAGS)};
  if (ner_model_viterbi(model))
    ner_decode_viterbi(info, n, sent_start, n_sent, model_score, NULL, (gpointer)model,
                       NER_VITERBI_PRUNE, 0, NULL, tags);
  else
    ner_decode(info, n, sent_start, n_sent, model_step, &mc, TRUE, tags);
  g_free(mc.static_scores);
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
