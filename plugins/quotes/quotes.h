/* copydesk — the quotes plugin's internal interface.
 *
 * lexicon.c   word lists read from conf/lexicons/ (cue verbs, titles, given names,
 *             word classes) into one case-insensitive table: one lookup per word.
 * scan.c      tokens, blocks (paragraphs, and lines that end a sentence), and the
 *             quotation marks paired into candidate quotes, block by block.
 * attribute.c names and mentions, speakers, cues, pronouns, titles and scare quotes,
 *             indirect speech; writes the quote, speaker and cue layers.
 * quotes.c    the plugin: options, descriptor, process().
 *
 * Everything is linear in the text: each decision looks at a bounded window of tokens,
 * and backward searches (antecedents, earlier speakers) stop after a fixed number of
 * candidates.
 */
#pragma once

#include <copydesk/copydesk.h>

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

typedef struct {
  char *key;         /* lowercase form */
  guint32 flags;     /* W_* */
  const char *lemma; /* cue lemma (W_CUE), interned in the lexicon */
  const char *role;  /* title role (W_TITLE), interned */
} WordInfo;

typedef struct Lexicon Lexicon;

/* Loads the four word lists; NULL with ERROR when a file cannot be read. */
Lexicon *lexicon_load(const char *cues, const char *titles, const char *names, const char *words,
                      GError **error);
void lexicon_free(Lexicon *lex);
/* The entry for the LEN bytes at S (case-insensitive; a trailing period is optional). */
const WordInfo *lexicon_lookup(const Lexicon *lex, const char *s, gsize len);

/* ---- Tokens, blocks and candidate quotes -------------------------------------- */

typedef enum {
  T_WORD = 0,
  T_NUM,
  T_PUNCT,
  T_QUOTE, /* a character that can be a quotation mark (or an apostrophe) */
} TokKind;

enum {
  F_CAP = 1u << 0,        /* starts with an uppercase letter */
  F_UPPER = 1u << 1,      /* all letters uppercase (two or more) */
  F_POSS = 1u << 2,       /* followed by 's / ’s (not a token of its own) */
  F_SENT_START = 1u << 3, /* first token of a sentence */
  F_BLOCK_START = 1u << 4,
  F_SPACE = 1u << 5,      /* whitespace before */
  F_IN_QUOTE = 1u << 6,   /* inside a kept quote */
  F_PERIOD = 1u << 7,     /* a word ending in its own period (Mr., U.S., J.) */
  F_INITIAL = 1u << 8,    /* a single capital letter, with or without a period */
};

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
  guint8 pad;
  const WordInfo *info; /* lexicon entry or NULL */
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

typedef struct {
  const char *text;
  gsize len;
  GArray *toks;  /* Tok */
  GArray *cands; /* Cand, in text order */
  guint32 n_blocks;
  guint32 n_sents;
} Scan;

/* Tokenizes DOC's text and pairs its quotation marks; SENTS holds the sentence starts
 * and ends (byte pairs, sorted) or is empty. */
void scan_run(Scan *scan, const Lexicon *lex, const char *text, gsize len, const gsize *sents,
              gsize n_sents);
void scan_clear(Scan *scan);

static inline const Tok *scan_tok(const Scan *s, gsize k) {
  return &g_array_index(s->toks, Tok, k);
}

/* ---- Attribution --------------------------------------------------------------- */

typedef struct {
  const Lexicon *lex;
  gboolean indirect;
} QuotesConfig;

/* Finds, classifies and attributes the quotes of DOC (scanned into SCAN) and writes the
 * quote, speaker and cue layers. */
gboolean attribute_run(const QuotesConfig *config, CopydeskDocument *doc, Scan *scan,
                       GError **error);
