/* copydesk — entities: the internal API of the named-entity tagger.
 *
 * Shared by the plugin (entities.c) and the training and evaluation tools in tools/ner/,
 * which compile these sources directly.  Nothing here is part of the public ABI.
 *
 *   gazetteer.c    lists of names (country, city, given name, …) matched over token runs
 *   features.c     token normalisation and hashed feature extraction
 *   model.c        the binary model file: write, load (one read), verify, look up weights
 *   tagger.c       greedy left-to-right BIO decoding of a document with the quantised model
 *   consolidate.c  groups the mentions of one thing in a document (Rubio → Marco Rubio)
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* ---- Tags ------------------------------------------------------------------ */

/* Entity types, in the order used by tag numbers. */
typedef enum { NER_PER = 0, NER_ORG = 1, NER_LOC = 2, NER_MISC = 3, NER_N_TYPES = 4 } NerType;

/* BIO tags: 0 is O, 1 + 2*type is B-type, 2 + 2*type is I-type. */
#define NER_N_TAGS 9
#define NER_TAG_O 0
#define NER_TAG_B(type) (1 + 2 * (type))
#define NER_TAG_I(type) (2 + 2 * (type))
#define NER_TAG_TYPE(tag) ((guint)((tag) - 1) / 2)
#define NER_TAG_IS_B(tag) ((tag) != 0 && ((tag) & 1))
#define NER_TAG_IS_I(tag) ((tag) != 0 && !((tag) & 1))

/* "O", "B-PER", "I-PER", … */
const char *ner_tag_name(guint tag);
/* "PER", "ORG", "LOC", "MISC" (CoNLL names). */
const char *ner_type_conll(NerType type);
/* "PERSON", "ORG", "LOC", "MISC" (copydesk layer labels). */
const char *ner_type_label(NerType type);
/* Parses a CoNLL type name (PER, ORG, LOC, MISC); -1 when unknown. */
int ner_type_parse(const char *s, gsize len);
/* TRUE when tag NEXT may follow tag PREV in BIO (I-X only after B-X or I-X). */
gboolean ner_tag_allowed(guint prev, guint next);

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
  NER_GAZ_N_CLASSES
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
/* Class mask of the word sequence whose per-word hashes (ner_gaz_word_hash) are WORDS[0..N). */
guint32 ner_gazetteer_lookup(const NerGazetteer *gaz, const guint64 *words, guint n);
/* The hash of one word as gazetteers see it: lower-cased, ’ as '. */
guint64 ner_gaz_word_hash(const char *word, gsize len);

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
};

/* What features.c computes once per token. */
typedef struct {
  guint64 word, lower, shape, sshape;
  guint64 pre[4], suf[4];
  guint64 gazkey; /* ner_gaz_word_hash */
  guint32 flags;
  guint32 gaz;    /* per class: 4 bits B I L U (class c at bits 4c..4c+3) */
} NerTokInfo;

/* Maximum static features per token (fixed ones plus gazetteer ones). */
#define NER_MAX_FEATS 96
/* Dynamic features (previous tags, document memory) per token and candidate history. */
#define NER_MAX_DYN_FEATS 8

/* Fills INFO[0..n) for the tokens of a document, whose sentences are SENT_START[0..n_sent)
 * (token index of each sentence's first token; sentences are consecutive and cover all tokens).
 * GAZ may be NULL. */
void ner_tokens_analyse(const NerToken *tok, gsize n, const gsize *sent_start, gsize n_sent,
                        const NerGazetteer *gaz, NerTokInfo *info);
/* Writes the hashed (un-masked) static feature ids of token I of its sentence [S, E) to OUT;
 * returns how many (≤ NER_MAX_FEATS). */
guint ner_static_features(const NerTokInfo *info, gsize s, gsize e, gsize i, guint64 *out);
/* Writes the dynamic feature ids of token I given the two previous tags and the document
 * memory's label for the token's form (MEM: 0 none, 1 O, 2+type). */
guint ner_dynamic_features(const NerTokInfo *info, gsize i, guint prev1, guint prev2, guint mem,
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
#define NER_MODEL_FORMAT 1
/* Bumped whenever features.c changes what a feature id means. */
#define NER_FEATURE_SET 1

typedef struct NerModel NerModel;

/* What a trainer hands to ner_model_write(). */
typedef struct {
  guint hash_bits;      /* buckets = 1 << hash_bits */
  const float *weights; /* buckets × NER_N_TAGS, row-major */
  const char *gazetteer_blob;
  gsize gazetteer_len;
  const char *description; /* free text stored in the file (training command, scores) */
} NerModelSpec;

/* Quantises SPEC's weights to int16, drops all-zero rows and writes the model to PATH.
 * The output depends only on SPEC (byte-reproducible).  *N_ROWS receives the rows kept. */
gboolean ner_model_write(const NerModelSpec *spec, const char *path, gsize *n_rows,
                         GError **error);
/* Reads PATH in one read and checks magic, version, sizes and checksum; errors name the file. */
NerModel *ner_model_load(const char *path, GError **error);
void ner_model_free(NerModel *model);
guint ner_model_hash_bits(const NerModel *model);
gsize ner_model_n_rows(const NerModel *model);
gsize ner_model_file_size(const NerModel *model);
const char *ner_model_description(const NerModel *model);
/* The gazetteer the model was trained with (never NULL; maybe empty). */
const NerGazetteer *ner_model_gazetteer(const NerModel *model);
const char *ner_model_gazetteer_blob(const NerModel *model, gsize *len);
/* Adds the weights of feature ids F[0..n) to SCORES[0..NER_N_TAGS). */
void ner_model_score(const NerModel *model, const guint64 *f, guint n, gint32 *scores);
/* Prefetches the rows of feature ids F[0..n). */
void ner_model_prefetch(const NerModel *model, const guint64 *f, guint n);

/* ---- Tagging ------------------------------------------------------------------------ */

/* One decision of the greedy decoder: given the feature ids F[0..n) of token I (static and
 * dynamic, the previous tag PREV), return the tag chosen.  Training plugs in a step that
 * also updates weights; tagging one that only scores. */
typedef guint (*NerStepFunc)(void *ctx, gsize i, const guint64 *f, guint n, guint prev);

/* Picks the best tag allowed after PREV from SCORES. */
guint ner_best_tag(const float *scores, guint prev);

/* Runs the greedy left-to-right decoder over a document whose tokens are analysed in INFO:
 * features, document memory, previous tags; TAGS receives the tags STEP chose. */
void ner_decode(const NerTokInfo *info, gsize n, const gsize *sent_start, gsize n_sent,
                NerStepFunc step, void *ctx, guint8 *tags);

/* Tags the tokens of a document (sentences as for ner_tokens_analyse); TAGS receives BIO tags.
 * GAZ: the gazetteer to match (usually the model's, maybe extended); NULL: none. */
void ner_tag_document(const NerModel *model, const NerGazetteer *gaz, const NerToken *tok,
                      gsize n, const gsize *sent_start, gsize n_sent, guint8 *tags);

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

/* Spans of BIO tags: fills MENTIONS (at most n) and returns the count. */
gsize ner_tags_to_mentions(const guint8 *tags, gsize n, NerMention *mentions);

G_END_DECLS
