/* copydesk — the quotes plugin's internal interface.
 *
 * lexicon.c   word lists read from conf/lexicons/ (cue verbs, titles, given names,
 *             word classes) into one case-insensitive table of 32-bit slots; a word of
 *             up to eight bytes is found by two integer compares.
 * scan.c      tokens, sentences and blocks (paragraphs, and lines that end a
 *             sentence) in one pass, and the quotation marks paired into candidate
 *             quotes, block by block.  Capitalised words and possible cues are looked
 *             up as they are cut; other words when the attribution asks for them.
 * attribute.c names and mentions, speakers, cues, pronouns, titles and scare quotes,
 *             indirect speech; writes the quote, speaker and cue layers.
 * quotes.c    the plugin: options, descriptor, process().
 *
 * Everything is linear in the text: each decision looks at a bounded window of tokens,
 * and backward searches (antecedents, earlier speakers) stop after a fixed number of
 * candidates.  Work arrays are kept between documents (a small pool in the config, one
 * set per document in flight), so the process is reentrant and allocation-free once warm.
 */
#pragma once

#include <copydesk/copydesk.h>
#include <string.h>

#include "work_pool.h"

/* ---- Lexicon ----------------------------------------------------------------- */

enum {
  W_CUE = 1u << 0,          /* a speech verb form */
  W_CUE_INDIRECT = 1u << 1, /* ... that also introduces reported speech */
  W_TITLE = 1u << 2,        /* a title stripped from names (Sen., President) */
  W_DESCRIPTOR = 1u << 3,   /* stripped from the front of names, not a role (U.S., former) */
  W_MALE = 1u << 4,         /* given name or title of a man */
  W_FEMALE = 1u << 5,       /* given name or title of a woman */
  W_GIVEN = 1u << 6,        /* a given name */
  W_PRON_M = 1u << 7,
  W_PRON_F = 1u << 8,
  W_PRON_PL = 1u << 9,
  W_PRON_IT = 1u << 10,
  W_PRON_1 = 1u << 11,
  W_DET = 1u << 12,
  W_ADV = 1u << 13,      /* may stand between a subject and its cue (also, later, has) */
  W_FUNC = 1u << 14,     /* capitalised only at a sentence start: never part of a name */
  W_ORG_NOUN = 1u << 15, /* "the company", "the campaign": an organisation nominal */
  W_ORG_WORD = 1u << 16, /* a capitalised word that makes a name an organisation */
  W_SPEAKER_NOUN = 1u << 17, /* official, spokesman, analysts */
  W_CONNECT = 1u << 18,      /* de, van, bin inside names */
  W_SCARE = 1u << 19,        /* so-called, dubbed: a scare quote or nickname follows */
  W_TITLE_CTX = 1u << 20,    /* show, book, film after a quoted title */
  W_ACCORDING = 1u << 21,    /* the cue "according (to)" */
};

#define W_PRONOUN (W_PRON_M | W_PRON_F | W_PRON_PL | W_PRON_IT | W_PRON_1)
/* Flags of the words the tokenizer always looks up (see Lexicon.cue_filter). */
#define LEXICON_EAGER (W_CUE | W_CUE_INDIRECT | W_ADV | W_CONNECT | W_ACCORDING)

typedef struct {
  char *key;         /* lowercase form */
  guint64 packed;    /* its first eight bytes, packed (lexicon_pack) */
  guint32 len;       /* its length */
  guint32 flags;     /* W_* */
  const char *lemma; /* cue lemma (W_CUE), in the lexicon's strings (a copy a section) */
  const char *role;  /* title role (W_TITLE), interned (compared as pointers) */
} WordInfo;

/* The lexicon: one open-addressing table of 32-bit slots, each the index + 1 of a word
 * (low 20 bits, 0: empty) and 12 bits of its hash (the top ones); a word is then told by
 * its packed first eight bytes (lexicon_pack) and length, and only words longer than eight
 * bytes compare the rest.  At most a quarter full (a miss, the common case, then ends after
 * about 1.2 probes): 8192 slots (32 KB) for the shipped lists. */
#define LEXICON_IDX_BITS 20

/* The first slot to probe for hash H in a table of MASK + 1 slots: bits from 40 up, which
 * the multiplication in lexicon_hash() mixes from the word's first six and a half bytes
 * (bits from 20 up would depend on its first four only; words alike that far, officer and
 * officers, share a first slot and are told apart by the 12 bits kept in the slot). */
static inline gsize lexicon_first_slot(guint64 h, gsize mask) { return (gsize)(h >> 40) & mask; }

/* log2 of the cue filter's size in bits: 32768 bits (4 KB) for the ~600 words of the
 * shipped lists let about one other word in fifty pass by chance */
#define LEXICON_CUE_FILTER_LOG 15
#define LEXICON_CUE_FILTER_BITS (1u << LEXICON_CUE_FILTER_LOG)

typedef struct Lexicon {
  /* a bit per hash value (the top LEXICON_CUE_FILTER_LOG bits) of the words with a
   * LEXICON_EAGER flag (cues, adverbs, connectors): the tokenizer looks up only
   * capitalised words and words that pass it; the rest, when asked for, are known to
   * have none of those flags */
  guint64 cue_filter[LEXICON_CUE_FILTER_BITS / 64];
  guint32 *slots; /* power-of-two sized */
  gsize mask;
  WordInfo *words; /* the entries, in insertion order */
  gsize n, cap;
  GStringChunk *strings; /* keys, lemmas, roles */
} Lexicon;

#define LEXICON_MAX_KEY 24

/* Loads the four word lists; NULL with ERROR when a file cannot be read. */
Lexicon *lexicon_load(const char *cues, const char *titles, const char *names, const char *words,
                      GError **error);
void lexicon_free(Lexicon *lex);
/* The entry for the LEN bytes at S (case-insensitive; a trailing period is optional). */
const WordInfo *lexicon_lookup(const Lexicon *lex, const char *s, gsize len);
/* The entry of tokens that are in no list (every flag clear). */
extern const WordInfo lexicon_none;
/* The entry of a word not looked up yet (scan_lookup); every flag clear, which attribute.c
 * relies on: the tokenizer looked up every word with a LEXICON_EAGER flag. */
extern const WordInfo lexicon_lazy;
/* The first eight bytes of S (LEN bytes) lowercased (ASCII) and packed little-endian. */
guint64 lexicon_pack(const char *s, gsize len);
/* lexicon_lookup() with KEY = lexicon_pack(S, LEN) already computed. */
const WordInfo *lexicon_lookup_packed(const Lexicon *lex, guint64 key, const char *s, gsize len);

/* The eight bytes at S, read little-endian, with ASCII capitals lowercased (SWAR: a
 * capital is a byte below 0x80 in [A, Z]). */
static inline guint64 lexicon_fold8(const char *s) {
  guint64 x;
  memcpy(&x, s, 8);
  if (G_BYTE_ORDER == G_BIG_ENDIAN) x = GUINT64_SWAP_LE_BE(x);
  const guint64 ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  guint64 h = x & ~high;
  guint64 ge_a = h + ones * (0x80 - 'A');
  guint64 gt_z = h + ones * (0x80 - 'Z' - 1);
  guint64 upper = ge_a & ~gt_z & ~x & high;
  return x | (upper >> 2);
}

/* lexicon_pack() keys of short lowercase words, written out: PACK3('t', 'h', 'e'). */
#define PACK2(a, b) ((guint64)(a) | (guint64)(b) << 8)
#define PACK3(a, b, c) (PACK2(a, b) | (guint64)(c) << 16)
#define PACK4(a, b, c, d) (PACK3(a, b, c) | (guint64)(d) << 24)
#define PACK5(a, b, c, d, e) (PACK4(a, b, c, d) | (guint64)(e) << 32)
#define PACK6(a, b, c, d, e, f) (PACK5(a, b, c, d, e) | (guint64)(f) << 40)

/* lexicon_pack() of the LEN bytes at S (S + 8 readable when FULL): eight bytes at once,
 * ASCII capitals folded with a SWAR test. */
static inline guint64 pack_word(const char *s, gsize len, gboolean full) {
  if (!full) return lexicon_pack(s, len);
  /* keep the first LEN bytes (1 <= LEN), without a branch */
  gsize keep = len < 8 ? len : 8;
  return lexicon_fold8(s) & (~0ull >> (64 - 8 * keep));
}

/* The hash of the bytes after the eighth (0 for short words), lowercased: eight bytes a
 * round, the last round the word's last eight bytes (which may overlap the round
 * before), so only bytes of the word are read. */
static inline guint64 lexicon_tail_hash(const char *s, gsize len) {
  if (len <= 8) return 0;
  guint64 h = 1469598103934665603ull;
  for (gsize i = 8; i + 8 < len; i += 8) h = (h ^ lexicon_fold8(s + i)) * 1099511628211ull;
  h = (h ^ lexicon_fold8(s + len - 8)) * 1099511628211ull;
  return h | 1;
}

/* The hash of a word from its lexicon_pack() KEY and lexicon_tail_hash() TAIL.  The
 * word's length is not hashed: lexicon_find_hashed() compares it. */
static inline guint64 lexicon_hash(guint64 key, guint64 tail) {
  return (key ^ tail) * 0x9E3779B97F4A7C15ull;
}

static inline gboolean lexicon_maybe_cue(const Lexicon *lex, guint64 h) {
  guint b = (guint)(h >> (64 - LEXICON_CUE_FILTER_LOG));
  return (lex->cue_filter[b >> 6] >> (b & 63)) & 1;
}

/* The entry for exactly the LEN bytes at S (packed KEY, hash H), or NULL. */
static inline const WordInfo *lexicon_find_hashed(const Lexicon *lex, guint64 h, guint64 key, const char *s,
                                                  gsize len) {
  guint32 fp = (guint32)(h >> 52) << LEXICON_IDX_BITS;
  gsize i = lexicon_first_slot(h, lex->mask);
  for (;;) {
    guint32 sl = lex->slots[i];
    if (sl == 0) return NULL;
    if ((sl & ~((1u << LEXICON_IDX_BITS) - 1)) == fp) {
      const WordInfo *w = &lex->words[(sl & ((1u << LEXICON_IDX_BITS) - 1)) - 1];
      if (w->packed == key && w->len == len) {
        if (len <= 8) return w;
        gsize j = 8;
        for (; j < len; j++) {
          guchar c = (guchar)s[j];
          if (c >= 'A' && c <= 'Z') c |= 0x20;
          if ((guchar)w->key[j] != c) break;
        }
        if (j == len) return w;
      }
    }
    i = (i + 1) & lex->mask;
  }
}

/* The entry for exactly the LEN bytes at S (packed KEY), or NULL. */
static inline const WordInfo *lexicon_find(const Lexicon *lex, guint64 key, const char *s, gsize len) {
  return lexicon_find_hashed(lex, lexicon_hash(key, lexicon_tail_hash(s, len)), key, s, len);
}

/* ---- Tokens, blocks and candidate quotes -------------------------------------- */

typedef enum {
  T_WORD = 0,
  T_NUM,
  T_PUNCT,
  T_QUOTE, /* a character that can be a quotation mark (or an apostrophe) */
} TokKind;

enum {
  F_SPACE = 1u << 0,      /* whitespace before (bit 0: the tokenizer's test for one space
                           * is the flag itself) */
  F_UPPER = 1u << 1,      /* all letters uppercase (two or more) */
  F_POSS = 1u << 2,       /* followed by 's / ’s (not a token of its own) */
  F_SENT_START = 1u << 3, /* first token of a sentence */
  F_BLOCK_START = 1u << 4,
  F_CAP = 1u << 5,        /* starts with an uppercase letter */
  F_IN_QUOTE = 1u << 6,   /* inside a kept quote */
  F_PERIOD = 1u << 7,     /* a word ending in its own period (Mr., U.S., J.) */
  F_INITIAL = 1u << 8,    /* a single capital letter, with or without a period */
  F_COMMON = 1u << 9,     /* a capitalised sentence-initial word the text also writes in
                           * lowercase and never capitalised inside a sentence (Another) */
};

/* A fingerprint of a word's first byte (ASCII case folded: its 0x20 bit is shifted out)
 * and length: two words spelt alike up to ASCII case have the same shape (the
 * attribution's test of sentence-initial words compares only words of one shape). */
static inline guint8 word_shape(guchar first, gsize len) {
  return (guint8)(((guint)first << 3) ^ (guint)len);
}

/* Quotation mark characters. */
typedef enum {
  Q_NONE = 0,
  Q_LDQ,    /* “ */
  Q_RDQ,    /* ” */
  Q_LSQ,    /* ‘ */
  Q_RSQ,    /* ’ */
  Q_LOW_D,  /* „ */
  Q_LOW_S,  /* ‚ */
  Q_LGUIL,  /* « */
  Q_RGUIL,  /* » */
  Q_LSGUIL, /* ‹ */
  Q_RSGUIL, /* › */
  Q_STRAIGHT_D, /* " */
  Q_STRAIGHT_S, /* ' */
  Q_BACKTICK2,  /* `` */
  Q_BACKTICK,   /* ` */
  Q_APOS2,      /* '' */
} QuoteChar;

typedef struct {
  gsize start, end;
  guint32 sent;  /* sentence index */
  guint32 block; /* block index */
  guint32 flags; /* F_* */
  guint8 kind;   /* TokKind */
  guint8 qchar;  /* QuoteChar for T_QUOTE */
  guint8 nl;     /* line breaks before (capped) */
  guint8 shape;  /* words: word_shape() of the token */
  const WordInfo *info; /* lexicon entry, &lexicon_none when in no list, &lexicon_lazy
                         * when not looked up yet */
} Tok;

enum {
  C_UNCLOSED = 1u << 0,   /* closed at the end of its block (unbalanced) */
  C_MULTIPARA = 1u << 1,  /* continues over blocks */
  C_SINGLE = 1u << 2,     /* single quotation marks */
  C_NO_OPEN = 1u << 3,    /* a closing mark with no opening one: starts at the block start */
};

typedef struct {
  gsize open_tok;  /* the opening mark's token (for C_NO_OPEN: first content token) */
  gsize close_tok; /* the closing mark's token, or (C_UNCLOSED) the last content token */
  gsize first, last; /* content tokens [first, last]; first > last when empty */
  gsize cstart, cend; /* content bytes (whitespace trimmed) */
  guint32 flags;
} Cand;

/* A growable array of token indices (pushed in the tokenizer's inner loop). */
typedef struct {
  gsize *v;
  gsize n, cap;
} Vec;

static inline void vec_push(Vec *a, gsize x) {
  if (G_UNLIKELY(a->n == a->cap)) {
    a->cap = a->cap ? a->cap * 2 : 256;
    a->v = g_renew(gsize, a->v, a->cap);
  }
  a->v[a->n++] = x;
}

/* A growable array of records of one size (people, mentions, quotes): appended to inline.
 * (GArray's append divides on every call to check for overflow; these grow by doubling.) */
typedef struct {
  void *v;
  gsize n, cap;
} Items;

/* The I-th record of ITEMS (an Items *), of type TYPE. */
#define ITEM(items, TYPE, i) (((TYPE *)(items)->v)[(i)])

/* Room for one more record of SIZE bytes at the end of A: the new last record. */
static inline void *items_push(Items *a, gsize size) {
  if (G_UNLIKELY(a->n == a->cap)) {
    a->cap = a->cap ? a->cap * 2 : 64;
    a->v = g_realloc_n(a->v, a->cap, size);
  }
  return (char *)a->v + size * a->n++;
}

/* Room for N records of SIZE bytes in A, which holds N from now on; the records it held
 * are not kept.  Returns the records. */
static inline void *items_reserve(Items *a, gsize n, gsize size) {
  if (n > a->cap) {
    a->cap = MAX(n, 2 * a->cap);
    g_free(a->v);
    a->v = g_malloc_n(a->cap, size);
  }
  a->n = n;
  return a->v;
}

/* A resized to N records of SIZE bytes, keeping those it held; the records past its old
 * end are zeroed.  Returns the records. */
static inline void *items_resize(Items *a, gsize n, gsize size) {
  if (n > a->cap) {
    a->cap = MAX(n, 2 * a->cap);
    a->v = g_realloc_n(a->v, a->cap, size);
  }
  if (n > a->n) memset((char *)a->v + a->n * size, 0, (n - a->n) * size);
  a->n = n;
  return a->v;
}

enum {
  SF_CUE = 1u << 0,    /* holds a cue that introduces reported speech (W_CUE_INDIRECT) */
  SF_QUOTED = 1u << 1, /* holds a kept quote (set by the attribution pass) */
  SF_ACCORDING = 1u << 2, /* holds "according" (W_ACCORDING) */
};

/* The words the tokenizer records in their sentence's SF_* flags. */
#define SCAN_SENTENCE_WORDS (W_CUE_INDIRECT | W_ACCORDING)

/* The SF_* flags a word with lexicon FLAGS gives its sentence. */
static inline guint8 sentence_flags_of(guint32 flags) {
  return (guint8)(((flags & W_CUE_INDIRECT) ? SF_CUE : 0) | ((flags & W_ACCORDING) ? SF_ACCORDING : 0));
}

typedef struct {
  const char *text;
  gsize len;
  Items toks;  /* Tok */
  Items cands; /* Cand, in text order */
  Items sent_first; /* gsize: the first token of each sentence (by Tok.sent) */
  Vec quote_toks;     /* the T_QUOTE tokens, in order */
  Vec caps;           /* the capitalised words, in order (its cap is TOKS's room too) */
  Vec sent_toks;      /* the first token of each sentence that has tokens, in order */
  Items sent_flags; /* guint8 by Tok.sent: SF_* */
  Vec block_first;    /* the first token of each block */
  guint32 n_blocks;
  guint32 n_sents;
} Scan;

/* Tokenizes DOC's text (TEXT, LEN bytes and a NUL after them) and pairs its quotation
 * marks; SENTS holds the sentence starts and ends (byte pairs, sorted) or is empty. */
void scan_run(Scan *scan, const Lexicon *lex, const char *text, gsize len, const gsize *sents,
              gsize n_sents);
void scan_clear(Scan *scan);
/* The lexicon entry of word token TOK of TEXT (&lexicon_none when in no list). */
const WordInfo *scan_lookup(const Lexicon *lex, const Scan *scan, const Tok *tok);

static inline const Tok *scan_tok(const Scan *s, gsize k) {
  return &ITEM(&s->toks, Tok, k);
}

/* The lexicon_pack() key of TOK, a token of SCAN's text: its first eight bytes folded. */
static inline guint64 scan_tok_key(const Scan *scan, const Tok *tok) {
  return pack_word(scan->text + tok->start, tok->end - tok->start, tok->start + 8 <= scan->len);
}

/* ---- Attribution --------------------------------------------------------------- */

typedef struct {
  const Lexicon *lex;
  gboolean indirect;
  /* Work arrays kept between documents (one set per document being processed at a time;
   * documents on several threads take several sets). */
  WorkPool pool; /* Work (quotes.c) */
} QuotesConfig;

/* The attribution pass's work arrays, reused from one document to the next. */
typedef struct AttrScratch AttrScratch;
AttrScratch *attr_scratch_new(void);
void attr_scratch_free(AttrScratch *scratch);

/* Finds, classifies and attributes the quotes of DOC (scanned into SCAN) and writes the
 * quote, speaker and cue layers (emptied first when DOC has them already: a rerun). */
gboolean attribute_run(const QuotesConfig *config, CopydeskDocument *doc, Scan *scan,
                       AttrScratch *scratch, GError **error);
