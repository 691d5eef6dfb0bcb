/* copydesk — the sentences plugin's internal interface.
 *
 * tokenizer.c cuts the text into tokens (and notes the whitespace before each);
 * sentences.c groups tokens into paragraphs and sentences; abbreviations.c holds
 * the word lists the sentence rules consult.
 */
#pragma once

#include <copydesk/copydesk.h>

typedef enum {
  TOKEN_WORD,
  TOKEN_NUMBER,
  TOKEN_PUNCT,
  TOKEN_SYMBOL,
  TOKEN_URL,
  TOKEN_EMAIL,
} TokenKind;

enum {
  TOKEN_FLAG_ABBREV = 1 << 0,  /* a word whose final period is its own ("Mr.", "U.S.", "J.") */
  TOKEN_FLAG_INITIAL = 1 << 1, /* of those, a single letter and its period ("J.") */
  TOKEN_FLAG_MULTI = 1 << 2,   /* of those, one with inner periods ("U.S.", "a.m.") */
  TOKEN_FLAG_HARD = 1 << 3,    /* a line break before this token ends a sentence */
  TOKEN_FLAG_END = 1 << 4,     /* . … ! ? (MARK_PERIOD, MARK_ELLIPSIS, MARK_BANG) */
  TOKEN_FLAG_BEFORE_HARD = 1 << 5, /* the next token has TOKEN_FLAG_HARD, or this one ends
                                    * its paragraph (sentences.c sets both) */
  /* Enumerated lists ("1. … 2. …", "a) … b) …", "• 9. … • 10. …"), found by sentences.c: */
  TOKEN_FLAG_ITEM_START = 1 << 6, /* the first token of an item's marker: a sentence starts */
  TOKEN_FLAG_ITEM_MARK = 1 << 7,  /* a token of the marker: its period ends nothing */
};

/* What a punctuation token does, for the sentence rules. */
typedef enum {
  MARK_NONE = 0,
  MARK_PERIOD,   /* . */
  MARK_ELLIPSIS, /* ... … */
  MARK_BANG,     /* runs of ! and ? */
  MARK_CLOSE,    /* ” ’ » › ) ] } */
  MARK_OPEN,     /* “ ‘ „ ‚ « ‹ ( [ { ¿ ¡ `` */
  MARK_QUOTE,    /* " ' '' : opening or closing by position */
  MARK_DASH,     /* - -- ‒ – — ― */
} TokenMark;

/* What the sentence rules need of a token besides its range (TokenArray.spans). */
typedef struct {
  guint8 kind;      /* TokenKind */
  guint8 flags;     /* TOKEN_FLAG_* */
  guint8 newlines;  /* line breaks in the whitespace before it (capped at 255) */
  guint8 space;     /* whitespace (or the start of the text) before it */
  guint8 mark;      /* TokenMark (punctuation only) */
  guint8 unused[3]; /* (eight bytes a token: an index into the array is a shift) */
} Token;
G_STATIC_ASSERT(sizeof(Token) == 8); /* push() writes a token as one 64-bit value */

/* A growable array of token indices, in increasing order (V holds LEN of CAP). */
typedef struct {
  gsize *v;
  gsize len, cap;
} TokenIndices;

/* A growable array of tokens, each a span (its byte range in the current text and, unless
 * the tokens were taken sparsely, its kind's label, ready for the token layer) and a Token
 * (SPANS and V hold LEN of CAP; free them, BREAKS.v, MARKERS.v and GAPS.v with g_free), and
 * lists of the few tokens that sentences.c looks at without a pass over every token. */
typedef struct {
  CopydeskSpanInit *spans;
  Token *v;
  gsize len, cap;
  TokenIndices breaks;  /* the tokens after a line break: paragraphs and lines */
  TokenIndices markers; /* the tokens that may start a list item's marker: after white
                         * space, a number or a punctuation mark or symbol of at most three
                         * bytes (no quote, bracket or end mark: a bullet), a one-letter word
                         * or an initial */
  TokenIndices gaps;    /* when the tokens were taken sparsely: the tokens after which
                         * the tokens up to the next one were left out (a plain word, the
                         * white space after it, and what follows up to the next token) */
} TokenArray;

/* Appends the tokens of the LEN bytes of TEXT (valid UTF-8, NUL-terminated) to TOKENS.
 * When SPARSE, stretches of tokens that no sentence rule looks at are left out: each
 * starts after a plain word (ASCII letters and digits, not a number of one to three
 * digits, white space before it and a space after it) and ends with a plain chunk (the
 * same, between spaces); it holds no line break, no ! ?, no end mark from 0x80, no period
 * but those between two ASCII letters (U.S, a.m) or two digits not after an apostrophe
 * (1.5), no ) within six bytes of white space or of a byte from 0x7F (a list item's
 * "a)"),
 * and ends before the chunk (bytes between spaces) of the next of those, and before the
 * last chunk with a token before a line break (TokenArray.gaps lists them).  Splitting
 * sentences on such tokens gives the same sentences and paragraphs as on all of them
 * (sentences.c counts left-out tokens where a rule needs them). */
void sentences_tokenize(const char *text, gsize len, gboolean sparse, TokenArray *tokens);
/* Frees the arrays of TOKENS (not TOKENS itself). */
void sentences_tokens_free(TokenArray *tokens);
/* TRUE when the tokenizer's table of ASCII punctuation agrees with its character rules;
 * checked once when the plugin is created. */
gboolean sentences_tokenizer_check(void);

typedef enum {
  ABBR_NONE = 0,
  ABBR_TITLE,   /* precedes a name: Mr. Sen. Gov. St. — never ends a sentence */
  ABBR_NUMBER,  /* precedes a number: No. Vol. Fig. — continues before a digit */
  ABBR_MONTH,   /* Jan. … Dec. (not May) — continues before a digit */
  ABBR_TIME,    /* a.m. p.m. — continues before a lowercase word, a day, a month or a zone */
  ABBR_SUFFIX,  /* follows a name: Jr. Inc. Corp. Co. Ltd. */
  ABBR_ALWAYS,  /* vs. e.g. i.e. — never ends a sentence */
  ABBR_GENERAL, /* etc. Ave. Calif. U.S. U.K. … */
} AbbrevClass;

/* The longest abbreviation (without its final period): longer words are none. */
enum { ABBREVIATION_MAX = 6 };

/* For each ASCII first byte and each length, bit (B & 31) set for the last byte B of each
 * abbreviation of that length that starts with it (filled once by sentences_tables_init()).
 * Most words before a period have no such entry and are not looked up; the all-capitals
 * retry keeps the first byte and the length, and its lowercase last byte has the same bit. */
extern guint32 sentences_abbreviation_shapes[128][ABBREVIATION_MAX + 1];

/* Could the LEN bytes at S (1 to ABBREVIATION_MAX) be an abbreviation, by their first
 * byte, length and last byte?  (Inline: the tokenizer asks it of most words before a
 * period, and few pass.) */
static inline gboolean sentences_abbreviation_shape(const char *s, gsize len) {
  guchar c = (guchar)s[0];
  return c < 128 && (sentences_abbreviation_shapes[c][len] >> ((guchar)s[len - 1] & 31) & 1);
}

/* The class of the abbreviation S (LEN bytes, without its final period), or ABBR_NONE. */
AbbrevClass sentences_abbreviation(const char *s, gsize len);
/* TRUE when the capitalised word S usually starts a sentence ("The", "He", "But", …). */
gboolean sentences_is_starter(const char *s, gsize len);
/* TRUE for a time zone such as "EDT" or "GMT". */
gboolean sentences_is_time_zone(const char *s, gsize len);
/* TRUE for a day or month name ("Monday", "March", "Jan"). */
gboolean sentences_is_date_word(const char *s, gsize len);
/* Fills, once, the table of the abbreviations' first bytes, lengths and last bytes that
 * sentences_abbreviation() consults (call it when the plugin is created); FALSE when a table
 * is not sorted or an abbreviation could not be found (too long, a first byte from 0x80). */
gboolean sentences_tables_init(void);
