/* copydesk — entities: the internal API of the named-entity tagger.
 *
 * Shared by the plugin (entities.c) and the training and evaluation tools in tools/ner/,
 * which compile these sources directly.  Nothing here is part of the public ABI.
 *
 *   gazetteer.c    lists of names (country, city, given name, …) matched over token runs
 *   features.c     token normalisation, word clusters and hashed feature extraction
 *   model.c        the binary model file: write, map, verify, look up weights
 *   tagger.c       BILOU decoding of a document (greedy or Viterbi), in two passes
 *   consolidate.c  groups the mentions of one thing in a document (Rubio → Marco Rubio)
 *   headline.c     Title Case headlines shown to the tagger in sentence case
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* ---- Tags ------------------------------------------------------------------ */

/* Entity types, in the order used by tag numbers. */
typedef enum { NER_PER = 0, NER_ORG = 1, NER_LOC = 2, NER_MISC = 3, NER_N_TYPES = 4 } NerType;

/* BILOU tags: 0 is O; for each type, 1 + 4*type is B (the first token of a mention of two or
 * more), 2 + 4*type I (inside), 3 + 4*type L (last), 4 + 4*type U (a one-token mention). */
#define NER_N_TAGS 17
#define NER_TAG_O 0
#define NER_TAG_B(type) (1 + 4 * (type))
#define NER_TAG_I(type) (2 + 4 * (type))
#define NER_TAG_L(type) (3 + 4 * (type))
#define NER_TAG_U(type) (4 + 4 * (type))
#define NER_TAG_TYPE(tag) ((guint)((tag) - 1) / 4)
#define NER_TAG_PART(tag) ((guint)((tag) - 1) % 4) /* 0 B, 1 I, 2 L, 3 U */
/* B or U: the tag starts a mention */
#define NER_TAG_STARTS(tag) ((tag) != 0 && (NER_TAG_PART(tag) == 0 || NER_TAG_PART(tag) == 3))
/* I or L: the tag continues one */
#define NER_TAG_CONTINUES(tag) ((tag) != 0 && (NER_TAG_PART(tag) == 1 || NER_TAG_PART(tag) == 2))
/* L or U: the mention ends here */
#define NER_TAG_ENDS(tag) ((tag) != 0 && NER_TAG_PART(tag) >= 2)

/* The tag's CoNLL (BIO) name: "O", "B-PER" (for B and U), "I-PER" (for I and L), … */
const char *ner_tag_name(guint tag);
/* Its BILOU name: "O", "B-PER", "I-PER", "L-PER", "U-PER", … */
const char *ner_tag_name_bilou(guint tag);
/* "PER", "ORG", "LOC", "MISC" (CoNLL names). */
const char *ner_type_conll(NerType type);
/* "PERSON", "ORG", "LOC", "MISC" (copydesk layer labels). */
const char *ner_type_label(NerType type);
/* Parses a CoNLL type name (PER, ORG, LOC, MISC); -1 when unknown. */
int ner_type_parse(const char *s, gsize len);
/* TRUE when tag NEXT may follow tag PREV (O at the start of a sentence): I-X or L-X after
 * B-X or I-X, and only then.  LAST: NEXT is the last tag of the sentence (not B or I). */
gboolean ner_tag_allowed(guint prev, guint next, gboolean last);
/* Converts BIO tags (0 O, 1 + 2*type B, 2 + 2*type I) of one sentence to BILOU, in place. */
void ner_bio_to_bilou(guint8 *tags, gsize n);

/* ---- Scratch memory ------------------------------------------------------------ */

/* Per-thread buffers that keep their memory from one document to the next, so tagging a
 * stream of documents does not map, fault in and unmap the same pages again and again.
 * Each caller uses its own buffer number; the contents are undefined (ZERO: cleared). */
enum {
  NER_BUF_INFO,
  NER_BUF_SCORES,
  NER_BUF_HIST,
  NER_BUF_HIST_PREV,
  NER_BUF_HIST_O,
  NER_BUF_GAZ1,
  NER_BUF_AGG,
  NER_BUF_SEEN,
  NER_BUF_CKEYS,
  NER_BUF_CASE,
  NER_BUF_AGG_SLOTS,
  NER_BUF_AGG_SLOT_OF,
  NER_BUF_MEM_KEYS,
  NER_BUF_MEM_VALS,
  NER_BUF_VIT_DELTA,
  NER_BUF_VIT_BACK,
  NER_BUF_HEADLINE,
  NER_BUF_N
};
void *ner_buffer(guint which, gsize bytes, gboolean zero);

/* A small open-addressing set of 64-bit keys for the analysis of one document, held in the
 * per-thread buffer WHICH (so one set per buffer number is in use at a time). */
typedef struct {
  guint64 *keys;
  gsize mask;
} NerKeySet;

/* Empties SET, sized for up to N keys, in buffer WHICH. */
static inline void ner_keyset_init(NerKeySet *set, gsize n, guint which) {
  gsize size = 16;
  while (size < n * 2) size *= 2;
  set->mask = size - 1;
  set->keys = ner_buffer(which, sizeof(guint64) * size, TRUE);
}

static inline void ner_keyset_add(NerKeySet *set, guint64 key) {
  key |= 1;
  gsize j = key & set->mask;
  while (set->keys[j] != 0 && set->keys[j] != key) j = (j + 1) & set->mask;
  set->keys[j] = key;
}

static inline gboolean ner_keyset_has(const NerKeySet *set, guint64 key) {
  key |= 1;
  for (gsize j = key & set->mask; set->keys[j] != 0; j = (j + 1) & set->mask)
    if (set->keys[j] == key) return TRUE;
  return FALSE;
}

/* ---- Hashing ----------------------------------------------------------------- */

/* 64-bit FNV-1a of LEN bytes. */
guint64 ner_hash_bytes(const void *data, gsize len);
/* A strong 64-bit mix (splitmix64 finaliser). */
static inline guint64 ner_mix(guint64 x) {
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT(0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}
static inline guint64 ner_combine(guint64 a, guint64 b) {
  return ner_mix(a * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) + b);
}
/* CRC-32 (IEEE) of LEN bytes, continuing from CRC (start with 0). */
guint32 ner_crc32(guint32 crc, const void *data, gsize len);

/* ---- Gazetteers --------------------------------------------------------------- */

/* Gazetteer classes; a list file's name says its class ("city.txt", "city-capitals.txt"). */
typedef enum {
  NER_GAZ_COUNTRY = 0,
  NER_GAZ_REGION,
  NER_GAZ_CITY,
  NER_GAZ_DEMONYM,
  NER_GAZ_GIVEN_NAME,
  NER_GAZ_ORG,
  NER_GAZ_TITLE,
  NER_GAZ_MISC,
  NER_GAZ_SURNAME,
  NER_GAZ_PERSON,
  NER_GAZ_PLACE,
  NER_GAZ_TEAM,
  NER_GAZ_N_CLASSES /* at most 16 */
} NerGazClass;

#define NER_GAZ_MAX_WORDS 6

typedef struct NerGazetteer NerGazetteer;

/* The name of class C ("country", …); -1 from ner_gaz_class_parse() when unknown. */
const char *ner_gaz_class_name(NerGazClass c);
int ner_gaz_class_parse(const char *s, gsize len);
NerGazetteer *ner_gazetteer_new(void);
void ner_gazetteer_free(NerGazetteer *gaz);
/* Adds one entry (words separated by spaces) to class C. */
void ner_gazetteer_add(NerGazetteer *gaz, NerGazClass c, const char *entry, gsize len);
/* Adds the lines of TEXT: "class<TAB>entry" each ('#' lines and blank lines skipped). */
gboolean ner_gazetteer_add_blob(NerGazetteer *gaz, const char *text, gsize len, GError **error);
/* Reads every "CLASS.txt" / "CLASS-anything.txt" file of DIR (one entry a line, '#' comments),
 * sorted by name; appends them to BLOB (may be NULL) as "class<TAB>entry" lines. */
gboolean ner_gazetteer_add_dir(NerGazetteer *gaz, const char *dir, GString *blob, GError **error);
/* Number of entries. */
guint ner_gazetteer_size(const NerGazetteer *gaz);
/* Its open-addressing table (SLOTS keys and class masks), to store in a model file. */
void ner_gazetteer_table(const NerGazetteer *gaz, const guint64 **keys, const guint32 **masks,
                         gsize *slots);
/* A read-only gazetteer over such a table (not copied; nothing may be added); NULL when the
 * table is malformed. */
NerGazetteer *ner_gazetteer_new_view(const guint64 *keys, const guint32 *masks, gsize slots);
/* Class mask of the word sequence whose per-word hashes (ner_gaz_word_hash) are WORDS[0..N),
 * with NER_GAZ_PREFIX set when the sequence starts a longer entry. */
#define NER_GAZ_PREFIX (1u << 31)
guint32 ner_gazetteer_lookup(const NerGazetteer *gaz, const guint64 *words, guint n);
/* The hash of one word as gazetteers see it: lower-cased, ’ as '. */
guint64 ner_gaz_word_hash(const char *word, gsize len);

/* ---- Word clusters ------------------------------------------------------------------ */

/* Brown clusters of word forms (tools/ner/make-clusters), as an open-addressing table:
 * KEYS[j] the ner_hash_bytes() of a form (typographic marks plain, digits as 0; case kept),
 * 0 for an empty slot; VALS[j] its bit string as 1 followed by the bits, root first
 * (0b1 = the root itself, 0b101 = "01").  MASK + 1 slots, a power of two, at most half full. */
typedef struct {
  const guint64 *keys;
  const guint32 *vals;
  guint64 mask; /* 0: no table */
} NerClusterTable;

/* The cluster of KEY, 0 when unknown. */
static inline guint32 ner_cluster_lookup(const NerClusterTable *t, guint64 key) {
  if (t == NULL || t->mask == 0) return 0;
  key |= 1;
  for (guint64 j = key & t->mask, probes = 0; probes <= t->mask; j = (j + 1) & t->mask, probes++) {
    if (t->keys[j] == key) return t->vals[j];
    if (t->keys[j] == 0) return 0;
  }
  return 0;
}
/* Reads make-clusters output (bits TAB word TAB count lines) into a new table whose arrays
 * the caller frees (g_free of keys and vals). */
gboolean ner_clusters_read(const char *path, NerClusterTable *t, GError **error);
/* The key of a cluster file's word, as features.c computes it for a token. */
guint64 ner_cluster_key(const char *word, gsize len);

/* ---- Features ------------------------------------------------------------------- */

/* One token as the tagger sees it. */
typedef struct {
  const char *text;
  guint32 len;
} NerToken;

/* Token flags. */
enum {
  NER_TOK_CAP = 1 << 0,      /* starts with an upper-case letter */
  NER_TOK_ALLCAPS = 1 << 1,  /* has letters, all upper case */
  NER_TOK_LOWER = 1 << 2,    /* starts with a lower-case letter */
  NER_TOK_DIGIT = 1 << 3,    /* has a digit */
  NER_TOK_ALPHA = 1 << 4,    /* has a letter */
  NER_TOK_INITIAL = 1 << 5,  /* first token of its sentence */
  NER_TOK_CAPSSENT = 1 << 6, /* in a sentence written in capitals (a headline) */
  NER_TOK_SEENLOW = 1 << 7,  /* capitalised here, but the lower-case form occurs in the doc */
  NER_TOK_DATELINE = 1 << 8, /* a word in capitals opening a sentence, before a date or "(":
                              * "LONDON 1996-08-30", "ANKARA (Reuters) -" */
  NER_TOK_TABLE = 1 << 9,    /* in a line of a table: numbers and names, at most one word
                              * in lower case ("Chelsea 2 Arsenal 1") */
};

/* What features.c computes once per token. */
typedef struct {
  guint64 word, lower, shape, sshape;
  guint64 pre[4], suf[4];
  guint64 gazkey; /* ner_gaz_word_hash */
  guint32 flags;
  guint64 gaz;    /* per class: 4 bits B I L U (class c at bits 4c..4c+3) */
  guint32 cluster; /* ner_cluster_lookup() of the form (or its lower-case / title-case), 0 */
  guint8 run_pos, run_len; /* in a run of capitalised words (maybe joined by &, of, de …),
                            * the token's position and the run's length (0: none), capped */
  guint16 run_to_end;       /* tokens from this one to the run's last */
  guint8 doccase;  /* 8 | how the form is written elsewhere in the document where case
                    * tells (not sentence-initial, not in a headline): 1 lower, 2 title,
                    * 4 capitals; 0 for a token without letters */
  guint64 topic;   /* the document's topic word (a headline's first word in capitals
                    * before a dash: "SOCCER - ..."), as its lower-case hash; 0: none */
} NerTokInfo;

/* Maximum static features per token (fixed ones plus gazetteer ones). */
#define NER_MAX_FEATS 192
/* Dynamic features (previous tags, document memory) per token and candidate history. */
#define NER_MAX_DYN_FEATS 24

/* Fills INFO[0..n) for the tokens of a document, whose sentences are SENT_START[0..n_sent)
 * (token index of each sentence's first token; sentences are consecutive and cover all tokens).
 * GAZ and CLUSTERS may be NULL. */
void ner_tokens_analyse(const NerToken *tok, gsize n, const gsize *sent_start, gsize n_sent,
                        const NerGazetteer *gaz, const NerClusterTable *clusters,
                        NerTokInfo *info);
/* The form fields of one token (word, lower, shape, sshape, pre, suf, gazkey, the flags
 * NER_TOK_CAP, ALLCAPS, LOWER, DIGIT and ALPHA, cluster) from its bytes alone, as
 * ner_tokens_analyse() computes them; the other fields cleared.  CLUSTERS may be NULL. */
void ner_token_form(const char *text, gsize len, const NerClusterTable *clusters,
                    NerTokInfo *t);
/* The second half of ner_tokens_analyse(): given the form fields of INFO[0..n), adds what
 * depends on the rest of the document (sentence-initial, headline, seen in lower case,
 * dateline, runs of capitalised words, gazetteer matches, how the form is written
 * elsewhere).  GAZ may be NULL.  SINGLE, when not NULL, holds what ner_gazetteer_lookup()
 * of GAZ says of each token alone (its gazkey), so those lookups are not made again. */
void ner_tokens_context(const NerToken *tok, gsize n, const gsize *sent_start, gsize n_sent,
                        const NerGazetteer *gaz, const guint32 *single, NerTokInfo *info);
/* Writes the hashed (un-masked) static feature ids of token I of its sentence [S, E) to OUT;
 * returns how many (≤ NER_MAX_FEATS). */
guint ner_static_features(const NerTokInfo *info, gsize s, gsize e, gsize i, guint64 *out);
/* ner_static_features() in four parts whose ids together are exactly its own (in another
 * order): the features of token T's form alone (the bias, word, affixes, shape, cluster);
 * those a token gets from its neighbour T, D = -2, -1, 1 or 2 places away (T NULL: from the
 * sentence boundary, when it has no neighbour D places away); those of the short shapes of
 * a token (SSHAPE) and its neighbours (SM1, SP1, from ner_shape_context()) with its FLAGS
 * (position, seen in lower case, dateline) and DOCCASE, which take few values; and the
 * rest of token I's context in sentence [S, E) (with ner_gaz_features() below).  Each
 * returns how many ids it wrote to OUT (ner_shape_features: at most 7). */
#define NER_POS_FLAGS \
  (NER_TOK_INITIAL | NER_TOK_CAP | NER_TOK_ALLCAPS | NER_TOK_LOWER | NER_TOK_CAPSSENT)
#define NER_MAX_FORM_FEATS 20
#define NER_MAX_NEIGHBOUR_FEATS 4
guint ner_form_features(const NerTokInfo *t, guint64 *out);
guint ner_neighbour_features(const NerTokInfo *t, int d, guint64 *out);
guint ner_shape_features(guint64 sm1, guint64 sshape, guint64 sp1, guint32 flags,
                         guint doccase, guint64 *out);
void ner_shape_context(const NerTokInfo *info, gsize s, gsize e, gsize i, guint64 *sm1,
                       guint64 *sp1);
/* The gazetteer features of a token whose matches are GAZ, its neighbours' GM1 and GP1
 * (0 outside the sentence), with its position flags POS (flags & NER_POS_FLAGS); also
 * taking few values, and not among ner_context_features()'s. */
guint ner_gaz_features(guint64 gaz, guint64 gm1, guint64 gp1, guint32 pos, guint64 *out);
guint ner_context_features(const NerTokInfo *info, gsize s, gsize e, gsize i, guint64 *out);
/* What the first pass said about the other occurrences of a token's word form in the document
 * (ner_aggregate): 0 when there are none; else the majority label (1 O, 2 + type) in bits 0-3,
 * the set of labels seen (bit 4 + label) in bits 5-9, and bit 12 when the majority type's
 * mentions mostly continue an entity rather than start it. */
typedef guint16 NerAgg;
/* Computes AGG[0..n) from the first pass's TAGS. */
void ner_aggregate(const NerTokInfo *info, gsize n, const guint8 *tags, NerAgg *agg);

/* Writes the dynamic feature ids of token I of sentence [S, E) given the two previous tags,
 * the document memory's label for the token's form (MEM: 0 none, 1 O, 2+type) and, in the
 * second pass, the first pass's aggregates AGG (NULL in the first pass). */
guint ner_dynamic_features(const NerTokInfo *info, gsize s, gsize e, gsize i, guint prev1,
                           guint prev2, guint mem, const NerAgg *agg, guint64 *out);

/* The dynamic features of the first-order (Viterbi) decoder: ner_dynamic_features()'s
 * without those of the tag before the previous one. */
guint ner_dynamic_features1(const NerTokInfo *info, gsize s, gsize e, gsize i, guint prev1,
                            guint mem, const NerAgg *agg, guint64 *out);

/* ner_dynamic_features() in parts whose ids together are exactly its own (in another
 * order), so the tagger can add up the weights of the parts with few values once:
 * the previous two tags (PREV1, PREV2: 0..NER_N_TAGS, NER_N_TAGS before the sentence); the
 * document memory's label MEM (none when 0) with the token's FLAGS and PREV1; the first
 * pass's aggregate A of the token (none when 0) with PREV1; the word and shape of token I
 * of a sentence starting at S with the previous tags; and, in the second pass, the
 * aggregates of token I and its neighbours in sentence [S, E), which do not depend on the
 * tags chosen.  Each returns how many ids it wrote to OUT (at most 6). */
guint ner_tag_features(guint prev1, guint prev2, guint64 *out);
guint ner_memory_features(guint mem, guint32 flags, guint prev1, guint64 *out);
guint ner_agg_tag_features(NerAgg a, guint prev1, guint64 *out);
guint ner_word_history_features(const NerTokInfo *info, gsize s, gsize i, guint prev1,
                                guint prev2, guint64 *out);
/* ner_word_history_features() in two: with the previous tag (depends on the token's form
 * and PREV1 only), and with the tag before it and the previous word. */
guint ner_prev_word_features(const NerTokInfo *t, guint prev1, guint64 *out);
guint ner_prev2_word_features(const NerTokInfo *info, gsize s, gsize i, guint prev2,
                              guint64 *out);
guint ner_agg_features(const NerTokInfo *info, gsize s, gsize e, gsize i, const NerAgg *agg,
                       guint64 *out);
/* ner_agg_features() of a token with aggregate A and FLAGS whose neighbours' majority
 * labels are AM (before; 15 at the sentence's start) and AP (after; 15 at its end): those
 * of PARTS, a mask of NER_AGG_OWN (the majority label, with the token's position and
 * whether it mostly continues a mention), NER_AGG_SET (the labels seen), NER_AGG_M1 (with
 * AM) and NER_AGG_NEXT (with AP). */
enum { NER_AGG_OWN = 1, NER_AGG_SET = 2, NER_AGG_M1 = 4, NER_AGG_NEXT = 8 };
guint ner_agg_features_of(NerAgg a, guint32 flags, guint am, guint ap, guint parts,
                          guint64 *out);

/* Document memory: the label each capitalised word form last got in this document. */
typedef struct {
  guint64 *keys;
  guint8 *vals;
  gsize mask, used;
} NerDocMemory;
void ner_memory_init(NerDocMemory *mem, gsize n_tokens);
void ner_memory_clear(NerDocMemory *mem);
guint ner_memory_get(const NerDocMemory *mem, guint64 key);
void ner_memory_put(NerDocMemory *mem, guint64 key, guint val);
/* Records the labels of sentence [S, E) with tags TAGS[S..E) in MEM. */
void ner_memory_record(NerDocMemory *mem, const NerTokInfo *info, gsize s, gsize e,
                       const guint8 *tags);

/* ---- Model ------------------------------------------------------------------------ */

#define NER_MODEL_MAGIC "CDNERMDL"
#define NER_MODEL_FORMAT 2
/* Bumped whenever features.c changes what a feature id means. */
#define NER_FEATURE_SET 2
/* Set with the feature set in a model file trained for the first-order (Viterbi) decoder. */
#define NER_MODEL_VITERBI (1u << 16)

typedef struct NerModel NerModel;

/* What a trainer hands to ner_model_write(). */
typedef struct {
  guint hash_bits;      /* buckets = 1 << hash_bits */
  const float *weights; /* buckets × NER_N_TAGS, row-major */
  const char *gazetteer_blob;
  gsize gazetteer_len;
  const NerGazetteer *gazetteer; /* the blob's entries, stored as a table (NULL: none) */
  const NerClusterTable *clusters; /* may be NULL */
  const char *description; /* free text stored in the file (training command, scores) */
  gboolean viterbi;        /* trained for the first-order decoder (ner_decode_viterbi) */
} NerModelSpec;

/* Quantises SPEC's weights to int16, drops all-zero rows and writes the model to PATH.
 * The output depends only on SPEC (byte-reproducible).  *N_ROWS receives the rows kept. */
gboolean ner_model_write(const NerModelSpec *spec, const char *path, gsize *n_rows,
                         GError **error);
/* Reads PATH in one read and checks magic, version, sizes and checksum; errors name the file. */
NerModel *ner_model_load(const char *path, GError **error);
void ner_model_free(NerModel *model);
guint ner_model_hash_bits(const NerModel *model);
/* A number for MODEL that no other model loaded by this process gets (1, 2, …), so that
 * caches of what a model computed can tell models apart even when one is freed and another
 * is loaded at the same address. */
guint64 ner_model_serial(const NerModel *model);
gsize ner_model_n_rows(const NerModel *model);
/* TRUE when MODEL was trained for the first-order decoder: ner_tag_document() uses it. */
gboolean ner_model_viterbi(const NerModel *model);
/* The largest weight (relative to O's, at least 0) of each tag but O in any row:
 * MAX[0..NER_N_TAGS - 1). */
void ner_model_column_max(const NerModel *model, gint32 *max);
gsize ner_model_file_size(const NerModel *model);
const char *ner_model_description(const NerModel *model);
/* The gazetteer the model was trained with (never NULL; maybe empty). */
const NerGazetteer *ner_model_gazetteer(const NerModel *model);
/* The word clusters the model was trained with (mask 0: none). */
const NerClusterTable *ner_model_clusters(const NerModel *model);
const char *ner_model_gazetteer_blob(const NerModel *model, gsize *len);
/* Adds the weights of feature ids F[0..n) to SCORES[0..NER_N_TAGS), relative to O's: SCORES[0]
 * is left as it is. */
void ner_model_score(const NerModel *model, const guint64 *f, guint n, gint32 *scores);
/* ner_model_score() in two steps, so that the rows of one token can be fetched while another
 * is scored: finds the rows of feature ids F[0..n) (and asks the cache for them), writes
 * them to ROWS and returns how many there are; then adds N ROWS to SCORES. */
guint ner_model_rows(const NerModel *model, const guint64 *f, guint n, const gint16 **rows);
void ner_model_add_rows(const gint16 *const *rows, guint n, gint32 *scores);
/* The sums of N ROWS (the weights of the tags but O, relative to O) written to
 * SUMS[0..NER_N_TAGS - 1). */
void ner_model_sum_rows(const gint16 *const *rows, guint n, gint32 *sums);
/* The sums of the rows of feature ids F[0..n), written to SUMS[0..NER_N_TAGS - 1). */
void ner_model_sum(const NerModel *model, const guint64 *f, guint n, gint32 *sums);
/* Prefetches the index blocks of feature ids F[0..n). */
void ner_model_prefetch(const NerModel *model, const guint64 *f, guint n);

/* ---- Tagging ------------------------------------------------------------------------ */

/* One decision of the greedy decoder: given the feature ids of token I — static ones
 * F[0..n_static) (none when the decoder was told not to give them), then dynamic ones up to
 * F[n) — and the previous tag PREV, return the tag chosen.  PASS is 0 or 1.  Training plugs
 * in a step that also updates weights; tagging one that only scores, adding the static
 * scores it computed beforehand. */
typedef guint (*NerStepFunc)(void *ctx, gsize i, const guint64 *f, guint n_static, guint n,
                             guint prev, gboolean last, guint pass);

/* Picks the best tag allowed after PREV from SCORES (LAST: for the sentence's last token). */
guint ner_best_tag(const float *scores, guint prev, gboolean last);

/* Runs the greedy left-to-right decoder over a document whose tokens are analysed in INFO,
 * twice: the second pass sees what the first said about the other occurrences of each word
 * form (ner_aggregate).  TAGS receives the tags of the second pass.  GIVE_STATIC: hand STEP
 * the static features (else only the dynamic ones: the caller has scored the static ones). */
void ner_decode(const NerTokInfo *info, gsize n, const gsize *sent_start, gsize n_sent,
                NerStepFunc step, void *ctx, gboolean give_static, guint8 *tags);

/* The first-order decoder: each sentence gets the best-scoring sequence of BILOU tags
 * allowed (Viterbi), a token's scores given the previous tag being those of its static
 * features plus its ner_dynamic_features1(); two passes as ner_decode().  SCORE writes the
 * scores of the NER_N_TAGS tags for feature ids F[0..n).  When GOLD is given, after each
 * sentence UPDATE is called for each token whose tag or previous tag differ from the gold
 * ones: with the features of the gold path and the gold tag (DELTA +1), and with those of
 * the path chosen and its tag (DELTA -1) — a structured perceptron's update; and the search
 * then adds COST to the score of every tag but the gold one (cost-augmented decoding: the
 * gold path must win by COST a wrong tag, or the weights are updated).  PRUNE: see
 * NER_VITERBI_PRUNE. */
typedef void (*NerScoreFunc)(void *ctx, const guint64 *f, guint n, float *scores);
typedef void (*NerUpdateFunc)(void *ctx, const guint64 *f, guint n, guint tag, float delta);
void ner_decode_viterbi(const NerTokInfo *info, gsize n, const gsize *sent_start, gsize n_sent,
                        NerScoreFunc score, NerUpdateFunc update, void *ctx, double prune,
                        double cost, const guint8 *gold, guint8 *tags);
/* When tagging with a model file, a previous tag whose best path scores more than this
 * below the best previous tag's (in the file's int16 weight units: two of the largest
 * weights) is not followed; PRUNE 0: every one is (training). */
#define NER_VITERBI_PRUNE 65534

/* Tags the tokens of a document (sentences as for ner_tokens_analyse); TAGS receives BILOU tags.
 * GAZ: the gazetteer to match (usually the model's, maybe extended); NULL: none. */
void ner_tag_document(const NerModel *model, const NerGazetteer *gaz, const NerToken *tok,
                      gsize n, const gsize *sent_start, gsize n_sent, guint8 *tags);
/* The same tags, found the plain way: every static feature id computed by
 * ner_static_features() and looked up one by one, no cache (for checking and timing). */
void ner_tag_document_reference(const NerModel *model, const NerGazetteer *gaz,
                                const NerToken *tok, gsize n, const gsize *sent_start,
                                gsize n_sent, guint8 *tags);

/* ---- Consolidation -------------------------------------------------------------------- */

typedef struct {
  gsize first, last;  /* token indices, inclusive */
  NerType type;
  guint entity;       /* out: entity number (0, 1, … in order of first mention) */
} NerMention;

typedef struct {
  NerType type;
  char *name;         /* canonical name (the fullest form; an alias's full name) */
  guint n_mentions;
} NerEntity;

/* Groups MENTIONS (in text order) into entities: the same name; a person's surname or given
 * name alone after or before the full name; an acronym of an organisation's name; known
 * aliases (U.S. → United States).  May relabel a mention to its entity's type.  Returns the
 * entities, in order of first mention (free with ner_entities_free). */
GPtrArray *ner_consolidate(const NerToken *tok, NerMention *mentions, gsize n_mentions);
void ner_entity_free(gpointer entity);

/* When some sentences of the document (sentences start at SENT_START[0..N_SENT)) are in
 * Title Case ("Trump Singles Out Reporter At Florida Rally"), a copy of TOK[0..N) whose
 * words there are as sentence case writes them (headline.c says how; GAZ, which may be NULL,
 * tells given names), their text in BUF (emptied first; keep it until the copy is freed);
 * else NULL.  Tag the copy, name mentions from TOK. */
NerToken *ner_headline_truecase(const NerToken *tok, gsize n, const gsize *sent_start,
                                gsize n_sent, const NerGazetteer *gaz, GString *buf);

/* Spans of BILOU tags (a stray I or L starts a mention): fills MENTIONS (at most n) and
 * returns the count. */
gsize ner_tags_to_mentions(const guint8 *tags, gsize n, NerMention *mentions);

G_END_DECLS
