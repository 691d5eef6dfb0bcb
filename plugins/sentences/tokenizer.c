/* copydesk — sentences: a Penn-Treebank-like tokenizer for news text.
 *
 * One left-to-right scan; every token is found by looking a bounded distance ahead,
 * except URLs and e-mail addresses, whose scans never cover the same bytes twice.
 *
 *   words      letters, digits and marks; inner hyphens (well-known, 20-year-old),
 *              inner apostrophes (O'Brien) and ampersands between capitals (AT&T)
 *              stay inside.  Clitics split off: do|n't, it|'s, Rubio|'s, they|'re
 *              (with ' or ’); a trailing apostrophe is its own token (Reuters|’).
 *   periods    kept by abbreviations in the table (Mr. Jan. Inc.), by single letters
 *              (J. p.) and by words with inner periods whose parts are at most two
 *              letters (U.S. J.R.R. a.m. Ph.D.); otherwise a separate token.
 *   numbers    digits with inner , . : / between digits (1,000.5  10:30  3/4); a
 *              number running into letters is a word (5th, 1990s).
 *   url, email http(s)://, ftp://, www. up to whitespace, trailing punctuation (and an
 *              unbalanced closing bracket) left out; local@domain.tld.
 *   punct      one token per mark, except runs of dots (...), of hyphens (--), of !
 *              and ?, and the two-character quotes `` and ''; … — – are tokens.
 *   symbol     currency, math and other symbols, and % & @ #.
 *
 * Most tokens are cheap to find, and the main loop (scan_range()) takes them itself from a
 * byte-class table, without decoding characters: plain ASCII words (found sixteen bytes at
 * once), ASCII words before a period, joined by hyphens or with an apostrophe and clitic,
 * one-byte punctuation and runs of . - ! ?, the typographic quotes and dashes, white space.
 * scan_token() applies the rules above to everything else, decoding characters only when
 * the word is not ASCII letters and digits joined by marks (ascii_joined_word()).  Each token also notes whether a line break
 * comes before it and whether it may start a list marker (sentences.h).
 *
 * Without the token layer, the sentences need only the tokens near a decision: an end
 * mark, a possible abbreviation or list item (. ! ? and the end marks from 0x80, but for
 * periods inside words and numbers; a ) near white space), a line break.  The sparse scan
 * (scan_sparse()) takes every token up to the first plain word after a decision, finds the
 * next decision 32 bytes at a time, and leaves out the words between up to the decision's
 * chunk (bytes between spaces; for a line break, the chunk before it); it resumes there.
 * Tokens never span white space, so the scan may resume after any space, and sentences.c
 * tokenizes a stretch again where a rule counts its tokens.
 */
#include <string.h>

#include "v16.h"
#include "sentences.h"

/* The token layer's label of each TokenKind. */
static const char *const labels[] = {"word", "number", "punct", "symbol", "url", "email"};

static inline gsize utf8_len(guchar c) {
  if (c < 0xC0) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

/* The character at T[I] (0 past the end); *LEN receives its byte length. */
static inline gunichar char_at(const char *t, gsize n, gsize i, gsize *len) {
  if (i >= n) {
    *len = 0;
    return 0;
  }
  guchar c = (guchar)t[i];
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  *len = utf8_len(c);
  return g_utf8_get_char(t + i);
}

static inline gboolean is_letter(gunichar u) {
  if (u < 0x80) return (u | 0x20) >= 'a' && (u | 0x20) <= 'z';
  return g_unichar_isalpha(u) || g_unichar_ismark(u);
}

static inline gboolean is_digit(gunichar u) {
  if (u < 0x80) return u >= '0' && u <= '9';
  return g_unichar_isdigit(u);
}

static inline gboolean is_alnum(gunichar u) { return is_letter(u) || is_digit(u); }

static inline gboolean is_upper(gunichar u) {
  if (u < 0x80) return u >= 'A' && u <= 'Z';
  return g_unichar_isupper(u) || g_unichar_istitle(u);
}

/* Invisible characters that may sit inside a word: ZWNJ, ZWJ, soft hyphen, word joiner. */
static inline gboolean is_word_joiner(gunichar u) {
  return u == 0x200C || u == 0x200D || u == 0x00AD || u == 0x2060;
}

static inline gboolean is_apostrophe(gunichar u) { return u == '\'' || u == 0x2019; }

static inline gboolean is_hyphen(gunichar u) { return u == '-' || u == 0x2010 || u == 0x2011; }

/* ---- URLs and e-mail addresses --------------------------------------------- */

static gboolean starts_with_ci(const char *t, gsize n, gsize i, const char *prefix) {
  gsize len = strlen(prefix);
  return i + len <= n && g_ascii_strncasecmp(t + i, prefix, len) == 0;
}

/* Characters that end a URL: whitespace, <>"` and the typographic quotes. */
static gboolean ends_url(gunichar u) {
  return u == 0 || u == ' ' || u == '\t' || u == '\n' || u == '\r' || u == '\v' || u == '\f' ||
         u == '<' || u == '>' || u == '"' || u == '`' || (u >= 0x2018 && u <= 0x201F) ||
         u == 0x00AB || u == 0x00BB || u == 0x2026 || (u >= 0x80 && g_unichar_isspace(u));
}

/* Whether a URL may start at T[I]: "ht" (http://, https://), "ft" (ftp://) or "ww" (www.),
 * in either case. */
static inline gboolean url_may_start(const char *t, gsize i) {
  char first = (char)(t[i] | 0x20), second = (char)(t[i + 1] | 0x20);
  return ((first == 'h' || first == 'f') && second == 't') || (first == 'w' && second == 'w');
}

/* End of a URL starting at I, or 0 when none starts there. */
static gsize scan_url(const char *t, gsize n, gsize i) {
  gsize j;
  if (!url_may_start(t, i)) return 0;
  if (starts_with_ci(t, n, i, "http://"))
    j = i + 7;
  else if (starts_with_ci(t, n, i, "https://"))
    j = i + 8;
  else if (starts_with_ci(t, n, i, "ftp://"))
    j = i + 6;
  else if (starts_with_ci(t, n, i, "www."))
    j = i + 4;
  else
    return 0;
  gsize body = j, len;
  int parens = 0, brackets = 0;
  for (;;) {
    gunichar u = char_at(t, n, j, &len);
    if (ends_url(u)) break;
    parens += u == '(' ? 1 : u == ')' ? -1 : 0;
    brackets += u == '[' ? 1 : u == ']' ? -1 : 0;
    j += len;
  }
  /* Trailing punctuation belongs to the sentence; a closing bracket only when unbalanced. */
  while (j > body) {
    char c = t[j - 1];
    if (c == ')' && parens < 0)
      parens++;
    else if (c == ']' && brackets < 0)
      brackets++;
    else if (!strchr(".,;:!?'*", c) || c == '\0')
      break;
    j--;
  }
  return j > body ? j : 0;
}

static inline gboolean is_email_local(guchar c) {
  return g_ascii_isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* End of an e-mail address starting at I, or 0.  *GIVE_UP receives a position before
 * which no other start can succeed when this one fails (so no byte is scanned more than
 * twice). */
static gsize scan_email(const char *t, gsize n, gsize i, gsize *give_up) {
  gsize j = i;
  while (j < n && is_email_local((guchar)t[j])) j++;
  *give_up = j;
  if (j == i || j >= n || t[j] != '@' || t[j - 1] == '.') return 0;
  gsize at = j++;
  /* Every start before the '@' fails the same way; later ones scan the domain again at
   * most once more. */
  *give_up = at + 1;
  while (j < n && (g_ascii_isalnum(t[j]) || t[j] == '-' || t[j] == '.')) j++;
  while (j > at + 1 && (t[j - 1] == '.' || t[j - 1] == '-')) j--;
  if (j == at + 1 || t[at + 1] == '.') return 0;
  /* The top-level domain, after the last dot: at least two letters. */
  gsize k = j;
  while (k > at + 1 && t[k - 1] != '.') {
    if (!g_ascii_isalpha(t[k - 1])) return 0;
    k--;
  }
  return k > at + 1 && j - k >= 2 ? j : 0;
}

/* ---- Words and numbers ---------------------------------------------------- */

/* ASCII bytes that go on a plain word: digits and letters; every other byte is 0. */
enum { ASCII_DIGIT = 1, ASCII_LETTER = 2 };
static const guint8 ascii_word[256] = {
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, /* 0x00 */
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, /* 0x10 */
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, /* 0x20 */
    1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0, /* 0x30  0-9 */
    0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, /* 0x40  A-O */
    2,2,2,2,2,2,2,2,2,2,2,0,0,0,0,0, /* 0x50  P-Z */
    0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, /* 0x60  a-o */
    2,2,2,2,2,2,2,2,2,2,2,0,0,0,0,0, /* 0x70  p-z */
};

/* One bit for each of the sixteen bytes at P that is an ASCII letter or digit, the first
 * byte lowest; *LETTERS gets those of the letters.  (A byte is in [LO, LO + N) when, offset
 * by 0x80 - LO, it is below N - 0x80 read signed.) */
static inline guint alnum_bits(const char *p, guint *letters) {
  V16Unsigned v; /* added to unsigned: a signed byte's overflow would be undefined */
  memcpy(&v, p, 16);
  V16 letter = (V16)((V16)((v | 0x20) + (guchar)(0x80 - 'a')) < (gint8)(26 - 0x80));
  V16 digit = (V16)((V16)(v + (guchar)(0x80 - '0')) < (gint8)(10 - 0x80));
  *letters = v16_bits(letter);
  return v16_bits(letter | digit);
}

/* ascii_word_end() past its first sixteen bytes: the end of the run of ASCII letters and
 * digits from T[J], *ALPHA set when it or the bytes before it (LETTER) hold a letter.
 * Sixteen bytes at once while they lie in the text, then a byte at a time (the NUL after
 * the text stops the run). */
G_NO_INLINE static gsize ascii_word_rest(const char *t, gsize n, gsize j, gboolean letter,
                                         gboolean *alpha) {
  for (; j + 16 <= n; j += 16) {
    guint letters, other = ~alnum_bits(t + j, &letters) & 0xFFFF;
    if (other != 0) {
      *alpha = letter || (letters & (other - 1)) != 0; /* (see ascii_word_end()) */
      return j + (guint)__builtin_ctz(other);
    }
    letter |= letters != 0;
  }
  while ((guchar)(t[j] - '0') < 10) j++; /* a number, or the digits before letters (5th) */
  *alpha = letter || ascii_word[(guchar)t[j]] != 0;
  /* Four bytes a round, without a loop test each (a word byte is never the last byte). */
  for (;; j += 4) {
    if (ascii_word[(guchar)t[j]] == 0) return j;
    if (ascii_word[(guchar)t[j + 1]] == 0) return j + 1;
    if (ascii_word[(guchar)t[j + 2]] == 0) return j + 2;
    if (ascii_word[(guchar)t[j + 3]] == 0) return j + 3;
  }
}

/* The end of the run of ASCII letters and digits starting at T[J] (of a text of N bytes);
 * *ALPHA is set when it holds a letter.  Sixteen bytes at once when they lie in the text
 * and the run ends there (most words), else ascii_word_rest(). */
static inline gsize ascii_word_end(const char *t, gsize n, gsize j, gboolean *alpha) {
  if (j + 16 > n) return ascii_word_rest(t, n, j, FALSE, alpha);
  guint letters, other = ~alnum_bits(t + j, &letters) & 0xFFFF;
  if (other == 0) return ascii_word_rest(t, n, j + 16, letters != 0, alpha);
  /* The letters before the first other byte: OTHER - 1 sets the bits below its lowest
   * and keeps those above, where no letter is. */
  *alpha = (letters & (other - 1)) != 0;
  return j + (guint)__builtin_ctz(other);
}

/* What a byte is to the scan: whitespace, the start of a word, punctuation; and after a
 * word, whether it may continue it (ends_ascii_word() relies on this order: the classes up
 * to BYTE_PUNCT always end a word). */
enum {
  BYTE_SPACE, /* space, tab, other C0 controls (NUL too) and DEL */
  BYTE_BREAK, /* \n \v \f: a line break */
  BYTE_CR,    /* \r: a line break unless \n follows */
  BYTE_WORD,  /* an ASCII letter or digit */
  BYTE_PUNCT, /* other ASCII punctuation and symbols */
  BYTE_JOIN,  /* . - ' &: may join two words, or be an abbreviation's period */
  BYTE_SEP,   /* comma, colon, slash: may sit between digits */
  BYTE_HIGH,  /* 0x80 and above: part of a longer character */
};
#define S BYTE_SPACE
#define B BYTE_BREAK
#define R BYTE_CR
#define W BYTE_WORD
#define P BYTE_PUNCT
#define J BYTE_JOIN
#define C BYTE_SEP
#define H BYTE_HIGH
static const guint8 byte_class[256] = {
    S,S,S,S,S,S,S,S,S,S,B,B,B,R,S,S, /* 0x00  \t \n \v \f \r */
    S,S,S,S,S,S,S,S,S,S,S,S,S,S,S,S, /* 0x10 */
    S,P,P,P,P,P,J,J,P,P,P,P,C,J,J,C, /* 0x20  space ! " # $ % & ' ( ) * + , - . / */
    W,W,W,W,W,W,W,W,W,W,C,P,P,P,P,P, /* 0x30  0-9 : ; < = > ? */
    P,W,W,W,W,W,W,W,W,W,W,W,W,W,W,W, /* 0x40  @ A-O */
    W,W,W,W,W,W,W,W,W,W,W,P,P,P,P,P, /* 0x50  P-Z [ \ ] ^ _ */
    P,W,W,W,W,W,W,W,W,W,W,W,W,W,W,W, /* 0x60  ` a-o */
    W,W,W,W,W,W,W,W,W,W,W,P,P,P,P,S, /* 0x70  p-z { | } ~ DEL */
    H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H, H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,
    H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H, H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,
    H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H, H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,
    H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H, H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,
};
#undef S
#undef B
#undef R
#undef W
#undef P
#undef J
#undef C
#undef H

typedef struct {
  gsize end;
  gsize split; /* where a clitic starts (0: none) */
  TokenKind kind;
  guint8 flags;
} WordScan;

/* Case-insensitive comparison of the ASCII letters at T[I..E) with LOWER. */
static gboolean tail_is(const char *t, gsize i, gsize e, const char *lower) {
  gsize len = strlen(lower);
  if (e - i != len) return FALSE;
  for (gsize k = 0; k < len; k++)
    if (g_ascii_tolower(t[i + k]) != lower[k]) return FALSE;
  return TRUE;
}

/* The clitic a word [I, E) ends with, if any: the position where it starts. */
static gsize find_clitic(const char *t, gsize i, gsize e, gsize apostrophe, gsize apostrophe_len) {
  gsize after = apostrophe + apostrophe_len;
  /* n't: do|n't, ca|n't, wo|n't */
  if (tail_is(t, after, e, "t") && apostrophe >= i + 2 && g_ascii_tolower(t[apostrophe - 1]) == 'n')
    return apostrophe - 1;
  if (apostrophe > i &&
      (tail_is(t, after, e, "s") || tail_is(t, after, e, "re") || tail_is(t, after, e, "ve") ||
       tail_is(t, after, e, "ll") || tail_is(t, after, e, "d") || tail_is(t, after, e, "m")))
    return apostrophe;
  return 0;
}

/* The flags the period after the word T[I, J), which ends in a letter, gives the word when
 * it is the word's (TOKEN_FLAG_ABBREV among them), else 0: the last period of U.S.-like words (PERIODS inner periods between
 * letters, WIDEST the most letters between two, SEGMENT the letters after the last) whose
 * parts are short or that are known abbreviations, an initial (one letter, J.), or an
 * abbreviation of the list (Mr.) when no hyphen or other joiner made the word (JOINED). */
static inline guint8 period_flags(const char *t, gsize i, gsize j, guint periods, guint widest, guint segment,
                                  gboolean joined) {
  if (periods > 0)
    return MAX(widest, segment) <= 2 || sentences_abbreviation(t + i, j - i) != ABBR_NONE
               ? TOKEN_FLAG_MULTI | TOKEN_FLAG_ABBREV
               : 0;
  if (joined) return 0;
  if (segment == 1 && j - i <= 4 /* one letter, maybe with marks */)
    return TOKEN_FLAG_INITIAL | TOKEN_FLAG_ABBREV;
  /* (Most words before a period are longer than any abbreviation, or have no abbreviation's
   * shape: no call for them.) */
  return j - i <= ABBREVIATION_MAX && sentences_abbreviation_shape(t + i, j - i) &&
                 sentences_abbreviation(t + i, j - i) != ABBR_NONE
             ? TOKEN_FLAG_ABBREV
             : 0;
}

G_ALWAYS_INLINE static inline WordScan scan_word(const char *t, gsize n, gsize i) {
  WordScan w = {0, 0, TOKEN_NUMBER, 0};
  gboolean alpha = FALSE, joined = FALSE;
  guint periods = 0, segment = 0, widest_segment = 0;
  gsize apostrophe = 0, apostrophe_len = 0, j = i, len;
  gunichar prev = 0;
  for (;;) {
    /* Plain ASCII letters and digits, the bulk of every word. */
    gsize run = j;
    gboolean letters;
    j = ascii_word_end(t, n, j, &letters);
    if (j > run) {
      alpha |= letters;
      segment += (guint)(j - run);
      prev = (guchar)t[j - 1];
    }
    gunichar u = char_at(t, n, j, &len);
    if (len == 0) break;
    if (is_letter(u)) {
      alpha = TRUE;
      segment++;
    } else if (is_digit(u)) {
      segment++;
    } else if (is_word_joiner(u) && j > i) {
      /* inside a word: keep going */
    } else {
      gsize next_len;
      gunichar next = char_at(t, n, j + len, &next_len);
      if ((u == '.' || u == ',' || u == ':' || u == '/') && is_digit(prev) && is_digit(next)) {
        /* 1,000.5  10:30  3/4 */
      } else if (u == '.' && is_letter(prev) && is_letter(next)) {
        periods++;
        widest_segment = MAX(widest_segment, segment);
        segment = 0;
      } else if (is_hyphen(u) && is_alnum(prev) && is_alnum(next)) {
        joined = TRUE;
      } else if (is_apostrophe(u) && is_letter(prev) && is_letter(next)) {
        apostrophe = j;
        apostrophe_len = len;
        joined = TRUE;
      } else if (u == '&' && is_upper(prev) && is_upper(next)) {
        joined = TRUE;
      } else {
        break;
      }
    }
    prev = u;
    j += len;
  }
  w.end = j;
  w.kind = alpha ? TOKEN_WORD : TOKEN_NUMBER;
  /* A period after letters that is not the start of "..": does it belong to the word? */
  guint8 kept;
  if (j < n && t[j] == '.' && is_letter(prev) && !(j + 1 < n && t[j + 1] == '.') &&
      (kept = period_flags(t, i, j, periods, widest_segment, segment, joined)) != 0) {
    w.end = j + 1;
    w.flags |= kept;
    return w;
  }
  if (apostrophe != 0) w.split = find_clitic(t, i, j, apostrophe, apostrophe_len);
  return w;
}

/* TRUE when the byte at T[J], after a run of ASCII letters and digits, ends the word
 * whatever the run holds: an ASCII byte that scan_word() never keeps inside a word.  A
 * period may be an abbreviation's, an inner one (U.S.) or a decimal point; a hyphen, an
 * apostrophe or an ampersand may join two words; a comma, colon or slash may sit between
 * digits (1,000  10:30  3/4); a byte from 0x80 may be a letter or a joiner. */
static inline gboolean ends_ascii_word(const char *t, gsize j) {
  guint8 class = byte_class[(guchar)t[j]];
  if (class <= BYTE_PUNCT) return TRUE; /* white space or punctuation (no word byte here) */
  return class == BYTE_SEP && !g_ascii_isdigit(t[j - 1]);
}

/* The end of the word that the run of ASCII letters and digits T[I, J) and the period
 * at T[J] start, and its flags, as scan_word() finds them: the period is the word's
 * after an initial (J.) or an abbreviation (Mr.), else a token of its own.  0 when it
 * may be inside the word (1.5, U.S.) or a character from 0x80 follows it that may be a
 * letter, a mark or a digit: any but those from U+2000 to U+203F (E2 80 xx: spaces,
 * dashes, quotes, …, none of them), which scan_word() stops before as before a space. */
static inline gsize ascii_word_before_period(const char *t, gsize i, gsize j, guint8 *flags) {
  guchar prev = (guchar)t[j - 1], next = (guchar)t[j + 1];
  if (next >= 0x80 && !(next == 0xE2 && (guchar)t[j + 2] == 0x80)) return 0;
  gboolean letter = ascii_word[prev] == ASCII_LETTER;
  if (ascii_word[next] == (letter ? ASCII_LETTER : ASCII_DIGIT)) return 0;
  if (!letter || next == '.') return j; /* after a number, or the start of ".." */
  guint8 kept = period_flags(t, i, j, 0, 0, (guint)(j - i), FALSE);
  if (kept == 0) return j;
  *flags = kept;
  return j + 1;
}

/* The end of the word that the runs of ASCII letters and digits from T[I] make when joined
 * as scan_word() joins them: by a hyphen, by a period between two letters, by a period,
 * comma, colon or slash between two digits; with its kind and flags, as scan_word() finds
 * them (an abbreviation's final period kept).  J is the end of the first run, ALPHA whether
 * it holds a letter.  0 when scan_word() would look at more than those: an apostrophe or an
 * ampersand, a byte from 0x80 after the runs or after a mark.  Always inlined: the main
 * loop's hyphenated words then cost about what its own test of them did. */
G_ALWAYS_INLINE static inline gsize ascii_joined_word(const char *t, gsize n, gsize i, gsize j,
                                                      gboolean alpha, TokenKind *kind,
                                                      guint8 *flags) {
  gboolean joined = FALSE;
  guint periods = 0, segment = (guint)(j - i), widest_segment = 0;
  for (;;) {
    guchar c = (guchar)t[j];
    if (c >= 0x80 || c == '\'' || c == '&') return 0;
    if (c != '.' && c != ',' && c != ':' && c != '/' && c != '-') break;
    guchar next = (guchar)t[j + 1];
    if (next >= 0x80) return 0;
    guint8 before = ascii_word[(guchar)t[j - 1]], after = ascii_word[next];
    if (c == '-') {
      if (after == 0) break;
      joined = TRUE;
    } else if (before == after && (before == ASCII_DIGIT || c == '.')) {
      if (before == ASCII_LETTER) { /* U.S. */
        periods++;
        widest_segment = MAX(widest_segment, segment);
        segment = 0;
      }
    } else {
      break;
    }
    gboolean letters;
    gsize e = ascii_word_end(t, n, j + 1, &letters);
    alpha |= letters;
    segment += (guint)(e - (j + 1));
    j = e;
  }
  *kind = alpha ? TOKEN_WORD : TOKEN_NUMBER;
  *flags = 0;
  /* A period after a letter that is not the start of "..": does it belong to the word? */
  guint8 kept;
  if (t[j] == '.' && ascii_word[(guchar)t[j - 1]] == ASCII_LETTER && t[j + 1] != '.' &&
      (kept = period_flags(t, i, j, periods, widest_segment, segment, joined)) != 0) {
    *flags = kept;
    return j + 1;
  }
  return j;
}

/* ---- Punctuation and symbols ------------------------------------------------ */

static TokenKind char_kind(gunichar u) {
  if (u < 0x80) {
    /* % & @ # and g_unichar_type()'s ASCII symbols; letters and digits never get here. */
    switch (u) {
      case '%': case '&': case '@': case '#': case '$': case '+': case '<':
      case '=': case '>': case '^': case '`': case '|': case '~':
        return TOKEN_SYMBOL;
      default:
        return TOKEN_PUNCT;
    }
  }
  switch (g_unichar_type(u)) {
    case G_UNICODE_CURRENCY_SYMBOL:
    case G_UNICODE_MATH_SYMBOL:
    case G_UNICODE_MODIFIER_SYMBOL:
    case G_UNICODE_OTHER_SYMBOL:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
      return TOKEN_SYMBOL;
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
      return TOKEN_NUMBER;
    default:
      return TOKEN_PUNCT;
  }
}

/* ---- The scan ------------------------------------------------------------- */

/* The sentence role of the punctuation token [START, END) starting with U. */
static TokenMark mark_of(const char *t, gsize start, gsize end, gunichar u) {
  switch (u) {
    case '.':
      return end - start == 1 ? MARK_PERIOD : MARK_ELLIPSIS;
    case 0x2026:
      return MARK_ELLIPSIS;
    case 0x3002: /* 。 ideographic full stop */
    case 0xFF0E: /* ． fullwidth full stop */
    case 0xFF61: /* ｡ halfwidth ideographic full stop */
      return MARK_PERIOD;
    case '!':
    case '?':
    case 0xFF01: /* ！ */
    case 0xFF1F: /* ？ */
      return MARK_BANG;
    case ')':
    case ']':
    case '}':
    case 0x201D:
    case 0x2019:
    case 0x00BB:
    case 0x203A:
      return MARK_CLOSE;
    case '(':
    case '[':
    case '{':
    case '`':
    case 0x201C:
    case 0x2018:
    case 0x201E:
    case 0x201A:
    case 0x00AB:
    case 0x2039:
    case 0x00BF:
    case 0x00A1:
      return MARK_OPEN;
    case '"':
    case '\'':
      return MARK_QUOTE;
    case '-':
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
      return MARK_DASH;
    default:
      (void)t;
      return MARK_NONE;
  }
}

/* Doubles LIST's room. */
G_NO_INLINE static void grow_indices(TokenIndices *list) {
  list->cap = list->cap ? list->cap * 2 : 64;
  list->v = g_renew(gsize, list->v, list->cap);
}

/* Appends token index K to LIST. */
static inline void add_index(TokenIndices *list, gsize k) {
  if (list->len == list->cap) grow_indices(list);
  list->v[list->len++] = k;
}

/* The kind and sentence role (char_kind(), mark_of()) of the ASCII punctuation and symbols
 * that ascii_punct() takes; TAKEN is 0 for the others: ` ' (pairs, clitics, '90s) and # @
 * (tags, handles), which scan_token() looks further at, and every byte that is no
 * punctuation.  sentences_tokenizer_check() compares the table with the functions. */
typedef struct {
  guint8 taken, kind, mark;
} PunctInfo;
#define PUNCT(m) {1, TOKEN_PUNCT, m}
#define SYMBOL {1, TOKEN_SYMBOL, MARK_NONE}
static const PunctInfo punct_info[128] = {
    ['!'] = PUNCT(MARK_BANG),  ['?'] = PUNCT(MARK_BANG), ['-'] = PUNCT(MARK_DASH),
    ['"'] = PUNCT(MARK_QUOTE), ['$'] = SYMBOL,          ['%'] = SYMBOL,
    ['&'] = SYMBOL,            ['('] = PUNCT(MARK_OPEN), [')'] = PUNCT(MARK_CLOSE),
    ['*'] = PUNCT(MARK_NONE),  ['+'] = SYMBOL,          [','] = PUNCT(MARK_NONE),
    ['.'] = PUNCT(MARK_PERIOD), ['/'] = PUNCT(MARK_NONE), [':'] = PUNCT(MARK_NONE),
    [';'] = PUNCT(MARK_NONE),  ['<'] = SYMBOL,          ['='] = SYMBOL,
    ['>'] = SYMBOL,            ['['] = PUNCT(MARK_OPEN), ['\\'] = PUNCT(MARK_NONE),
    [']'] = PUNCT(MARK_CLOSE), ['^'] = SYMBOL,          ['_'] = PUNCT(MARK_NONE),
    ['{'] = PUNCT(MARK_OPEN),  ['|'] = SYMBOL,          ['}'] = PUNCT(MARK_CLOSE),
    ['~'] = SYMBOL,
};
#undef PUNCT
#undef SYMBOL

/* The end of the ASCII punctuation or symbol token at T[I] (an ASCII byte) that is one
 * byte, a run of periods, of hyphens or of ! and ?, or the quote '', with its kind and
 * sentence role; 0 for the marks that scan_token() looks further at (punct_info: a lone
 * ', `, # and @).  (The NUL after the text stops a run.) */
static inline gsize ascii_punct(const char *t, gsize i, TokenKind *kind, TokenMark *mark) {
  const PunctInfo *info = &punct_info[(guchar)t[i] & 0x7F];
  if (!info->taken) {
    if (t[i] != '\'' || t[i + 1] != '\'') return 0;
    *kind = TOKEN_PUNCT; /* '' as scan_token() takes it */
    *mark = MARK_QUOTE;
    return i + 2;
  }
  gsize end = i + 1;
  *kind = (TokenKind)info->kind;
  *mark = (TokenMark)info->mark;
  switch (t[i]) {
    case '.':
      if (t[end] != '.') break;
      while (t[end] == '.') end++; /* ... */
      *mark = MARK_ELLIPSIS;
      break;
    case '-':
      while (t[end] == '-') end++; /* -- */
      break;
    case '!':
    case '?':
      while (t[end] == '!' || t[end] == '?') end++;
      break;
    default:
      break;
  }
  return end;
}

gboolean sentences_tokenizer_check(void) {
  for (guint c = 0x21; c < 0x7F; c++) {
    const PunctInfo *info = &punct_info[c];
    gboolean punct = byte_class[c] == BYTE_PUNCT || byte_class[c] == BYTE_JOIN ||
                     byte_class[c] == BYTE_SEP;
    gboolean looked_at = strchr("`'#@", (int)c) != NULL;
    if (info->taken != (punct && !looked_at)) return FALSE;
    if (!info->taken) continue;
    TokenKind kind = char_kind(c);
    char text[2] = {(char)c, '\0'};
    if (info->kind != kind ||
        info->mark != (kind == TOKEN_PUNCT ? mark_of(text, 0, 1, c) : MARK_NONE))
      return FALSE;
  }
  return TRUE;
}

/* The longest token of each TokenKind that may start a list item's marker (sentences.h):
 * a number, punctuation or symbol of up to three bytes, a one-letter word; an initial
 * ("J.", TOKEN_FLAG_INITIAL, up to three bytes) is a word too. */
static const guint8 marker_max[] = {
    [TOKEN_WORD] = 1, [TOKEN_NUMBER] = 3, [TOKEN_PUNCT] = 3,
    [TOKEN_SYMBOL] = 3, [TOKEN_URL] = 0, [TOKEN_EMAIL] = 0,
};

/* May the token [START, END) of KIND, FLAGS and MARK, after white space when SPACE, start a
 * list item's marker?  Punctuation starts one only as a bullet, which is no quote, bracket
 * or end mark (sentences.c's bullets are dashes and marks of no sentence role).  Most tokens
 * are longer than three bytes: one comparison. */
static inline gboolean may_start_marker(gsize start, gsize end, TokenKind kind, guint8 flags,
                                        gboolean space, TokenMark mark) {
  if (end - start > 3 || !space) return FALSE;
  if (mark != MARK_NONE && mark != MARK_DASH) return FALSE;
  return (kind == TOKEN_WORD && (flags & TOKEN_FLAG_INITIAL)) || end - start <= marker_max[kind];
}

/* Appends a token, doubling the array when it is full; its span gets the label of its kind
 * when LABEL (the sparse scan's tokens go into no layer: their labels are left unset).
 * Always inlined: each caller's constant kind, flags and mark then fold its tests away. */
G_ALWAYS_INLINE static inline void push(TokenArray *tokens, gboolean label, gsize start,
                                        gsize end, TokenKind kind, guint8 flags, guint newlines,
                                        gboolean space, TokenMark mark) {
  gsize k = tokens->len;
  if (k == tokens->cap) {
    tokens->cap = tokens->cap ? tokens->cap * 2 : 256;
    tokens->spans = g_renew(CopydeskSpanInit, tokens->spans, tokens->cap);
    tokens->v = g_renew(Token, tokens->v, tokens->cap);
  }
  if (newlines != 0) add_index(&tokens->breaks, k);
  if (may_start_marker(start, end, kind, flags, space, mark)) add_index(&tokens->markers, k);
  /* (Read the array's fields before writing a span, which the compiler cannot tell
   * apart from them.) */
  CopydeskSpanInit *span = &tokens->spans[k];
  Token *tok = &tokens->v[k];
  tokens->len = k + 1;
  span->start = start;
  span->end = end;
  if (label) span->label = labels[kind];
  *tok = (Token){(guint8)kind,
                 flags | (mark == MARK_PERIOD || mark == MARK_ELLIPSIS || mark == MARK_BANG
                              ? TOKEN_FLAG_END
                              : 0),
                 (guint8)newlines, /* the scan stops counting at 255 */
                 (guint8)space, (guint8)mark, {0}};
}

/* A clitic standing alone after a token: 's 're 've 'll 'd 'm ("Jr.'s"). */
static gsize scan_lone_clitic(const char *t, gsize n, gsize i, gsize apostrophe_len) {
  gsize j = i + apostrophe_len;
  while (j < n && g_ascii_isalpha(t[j]) && j - i < 6) j++;
  gsize next_len;
  if (is_letter(char_at(t, n, j, &next_len))) return 0;
  gsize a = i + apostrophe_len;
  if (tail_is(t, a, j, "s") || tail_is(t, a, j, "re") || tail_is(t, a, j, "ve") ||
      tail_is(t, a, j, "ll") || tail_is(t, a, j, "d") || tail_is(t, a, j, "m"))
    return j;
  return 0;
}

/* Where the scan may find e-mail addresses. */
typedef struct {
  gsize no_email_before; /* no address starts before this position */
  gsize next_at;         /* the next '@' at or after the last position asked about */
} EmailState;

/* email_at() past its first test. */
G_NO_INLINE static gsize find_email(const char *t, gsize n, gsize i, EmailState *st) {
  /* An address needs an '@' within the 64 bytes a local part may have. */
  if (st->next_at < i) {
    const char *at = memchr(t + i, '@', n - i);
    st->next_at = at ? (gsize)(at - t) : n;
  }
  if (st->next_at == n) {
    st->no_email_before = n;
    return 0;
  }
  if (st->next_at - i > 64) {
    st->no_email_before = st->next_at - 64;
    return 0;
  }
  gsize give_up, end = scan_email(t, n, i, &give_up);
  if (end == 0) st->no_email_before = give_up;
  return end;
}

/* The end of an e-mail address starting at I (an ASCII letter or digit), or 0. */
static inline gsize email_at(const char *t, gsize n, gsize i, EmailState *st) {
  return i < st->no_email_before ? 0 : find_email(t, n, i, st);
}

/* The scan's state between tokens. */
typedef struct {
  const char *t;
  gsize n;
  TokenArray *tokens;
  EmailState email;
} Scan;

/* The token at I that is not a plain ASCII word (see sentences_tokenize()): a URL or
 * an address, a word before a period, a word with inner marks, clitics or non-ASCII
 * letters, punctuation, a symbol.  J is the end of the run of ASCII letters and digits
 * at I (ascii_word_end(), ALPHA when it holds a letter), or 0 when none starts there.
 * Appends it (two tokens for a word and its clitic) and returns where it ends.  Kept
 * out of line so that the plain words' loop keeps its state in registers. */
G_NO_INLINE static gsize scan_token(Scan *sc, gsize i, gsize j, gboolean alpha, guint newlines,
                                    gboolean space) {
  const char *t = sc->t;
  gsize n = sc->n, end = 0;
  TokenKind kind = TOKEN_PUNCT;
  guint8 flags = 0;
  if (j != 0) {
    if ((end = scan_url(t, n, i)) != 0) {
      kind = TOKEN_URL;
    } else if ((end = email_at(t, n, i, &sc->email)) != 0) {
      kind = TOKEN_EMAIL;
    } else {
      /* U.S. 1,000.5, and a word before a period the main loop left (it takes most) */
      end = ascii_joined_word(t, n, i, j, alpha, &kind, &flags);
    }
    if (end != 0) {
      push(sc->tokens, TRUE, i, end, kind, flags, newlines, space, MARK_NONE);
      return end;
    }
  }
  gsize len;
  gunichar u = char_at(t, n, i, &len);
  gsize next_len;
  gunichar next = char_at(t, n, i + len, &next_len);
  /* (No ASCII character is a mark.) */
  if (is_alnum(u) || (u >= 0x80 && g_unichar_ismark(u))) {
    WordScan w = scan_word(t, n, i);
    if (w.split != 0) {
      push(sc->tokens, TRUE, i, w.split, w.kind, 0, newlines, space, MARK_NONE);
      push(sc->tokens, TRUE, w.split, w.end, TOKEN_WORD, 0, 0, FALSE, MARK_NONE);
      return w.end;
    }
    end = w.end;
    kind = w.kind;
    flags = w.flags;
  }
  if (end == 0) {
    end = i + len;
    kind = char_kind(u);
    if (u == '.' && next == '.') {
      while (end < n && t[end] == '.') end++; /* ... */
    } else if (u == '-' && next == '-') {
      while (end < n && t[end] == '-') end++; /* -- */
    } else if (u == '!' || u == '?') {
      while (end < n && (t[end] == '!' || t[end] == '?')) end++;
    } else if ((u == '`' && next == '`') || (u == '\'' && next == '\'')) {
      end++; /* `` and '' */
    } else if (is_apostrophe(u) && !space) {
      gsize clitic = scan_lone_clitic(t, n, i, len);
      if (clitic != 0) {
        end = clitic;
        kind = TOKEN_WORD;
      }
    } else if (is_apostrophe(u) && space && is_digit(next)) {
      /* '90s */
      gsize e = i + len;
      while (e < n && g_ascii_isdigit(t[e])) e++;
      if (e < n && t[e] == 's') e++;
      gsize after_len;
      if (e - (i + len) >= 2 && !is_alnum(char_at(t, n, e, &after_len))) {
        end = e;
        kind = TOKEN_WORD;
      }
    } else if ((u == '#' || u == '@') && space && is_letter(next)) {
      WordScan w = scan_word(t, n, i + len); /* #hashtag, @handle */
      end = w.end;
      kind = TOKEN_WORD;
      if (w.flags & TOKEN_FLAG_ABBREV) end--;
    }
  }
  TokenMark mark = kind == TOKEN_PUNCT ? mark_of(t, i, end, u) : MARK_NONE;
  push(sc->tokens, TRUE, i, end, kind, flags, newlines, space, mark);
  return end;
}

/* The sentence role of the typographic mark at T[I] – — ‘ “ ” …, the commonest tokens that
 * start with a byte from 0x80 (each a token of its own, as scan_token() finds); MARK_NONE
 * for any other character.  (’ may start a clitic: scan_token() looks at it.) */
static inline TokenMark typographic_mark(const char *t, gsize i) {
  if ((guchar)t[i] != 0xE2 || (guchar)t[i + 1] != 0x80) return MARK_NONE;
  switch ((guchar)t[i + 2]) {
    case 0x93: /* – U+2013 */
    case 0x94: /* — U+2014 */
      return MARK_DASH;
    case 0x98: /* ‘ U+2018 */
    case 0x9C: /* “ U+201C */
      return MARK_OPEN;
    case 0x9D: /* ” U+201D */
      return MARK_CLOSE;
    case 0xA6: /* … U+2026 */
      return MARK_ELLIPSIS;
    default:
      return MARK_NONE;
  }
}

/* The whitespace character at T[I] (from 0x80): its length, and the line breaks it makes
 * in *NEWLINES; 0 when it is no whitespace. */
static gsize unicode_space(const char *t, gsize i, guint *newlines) {
  gsize len = utf8_len((guchar)t[i]);
  gunichar u = g_utf8_get_char(t + i);
  if (u == 0x2028 || u == 0x85 || u == 0x2029) {
    *newlines = MIN(*newlines + (u == 0x2029 ? 2 : 1), 255u);
    return len;
  }
  GUnicodeType type = g_unichar_type(u);
  if (g_unichar_isspace(u) || type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT) return len;
  return 0;
}

/* The scan's state between two tokens: the line breaks and whether white space (or the
 * start of the text) came since the last one. */
typedef struct {
  guint newlines;
  gboolean space;
} Between;

/* Tokenizes from I, between tokens in state *AT, up to the end of the text; returns where
 * the scan ends.  When SPARSE, stops instead after the first plain word that starts at or
 * after PLAIN_FROM (ASCII letters and digits, not a number of one to three digits, white
 * space before it and a space after it): *PLAIN_END receives its end, and the scan ends
 * on the space, and leaves the labels of the tokens it takes itself unset (push()).  Always
 * inlined: a constant SPARSE folds its tests away. */
G_ALWAYS_INLINE static inline gsize scan_range(Scan *sc, gsize i, Between *at, gboolean sparse,
                                               gsize plain_from, gsize *plain_end) {
  const char *t = sc->t;
  gsize n = sc->n;
  TokenArray *tokens = sc->tokens;
  guint newlines = at->newlines;
  gboolean space = at->space;
  while (i < n) {
    guchar c = (guchar)t[i];
    guint8 class = byte_class[c];
    gsize j = 0; /* the end of the run of ASCII letters and digits at I, if one starts */
    gboolean alpha; /* whether that run holds a letter (set with J) */
    if (class == BYTE_WORD) {
      /* Most tokens are words, and most words a run of ASCII letters and digits that a
       * space or a plain punctuation mark ends, which needs none of scan_token()'s rules.
       * Only a URL (http:// https:// ftp:// www.: a scheme or "www" runs up to its ':'
       * or '.') or an e-mail address could start there instead.  (Marked likely: the
       * compiler then keeps this path's values in registers.) */
      j = ascii_word_end(t, n, i, &alpha);
      guchar stop_byte = (guchar)t[j];
      if (G_LIKELY(ends_ascii_word(t, j) && stop_byte != ':')) {
        gsize end = email_at(t, n, i, &sc->email);
        if (end != 0) {
          push(tokens, !sparse, i, end, TOKEN_EMAIL, 0, newlines, space, MARK_NONE);
        } else {
          end = j;
          push(tokens, !sparse, i, end, alpha ? TOKEN_WORD : TOKEN_NUMBER, 0, newlines, space,
               MARK_NONE);
          if (sparse && space && t[end] == ' ' && i >= plain_from && (alpha || end - i > 3)) {
            at->newlines = 0;
            at->space = TRUE;
            *plain_end = end;
            return end;
          }
        }
        newlines = 0;
        space = t[end] == ' '; /* the commonest whitespace, taken here */
        i = end + space;
        continue;
      }
      /* The commonest of the others: a word before a period (an abbreviation's, or one of
       * its own), where neither a URL nor an e-mail address starts (the only URL whose
       * first run of letters a period ends is "www.": three bytes).  scan_token() takes
       * the rest the same way.  A period of its own that does not start ".." is taken
       * here too, as ascii_punct() would. */
      if (stop_byte == '.' && i < sc->email.no_email_before &&
          !(j - i == 3 && url_may_start(t, i))) {
        guint8 flags = 0;
        gsize end = ascii_word_before_period(t, i, j, &flags);
        if (end != 0) {
          push(tokens, !sparse, i, end, alpha ? TOKEN_WORD : TOKEN_NUMBER, flags, newlines, space,
               MARK_NONE);
          if (end == j && t[j + 1] != '.') {
            push(tokens, !sparse, j, j + 1, TOKEN_PUNCT, 0, 0, FALSE, MARK_PERIOD);
            end = j + 1;
          }
          /* (A sentence's end comes before a line break more often than other tokens.) */
          newlines = t[end] == '\n';
          space = t[end] == ' ' || newlines;
          i = end + space;
          continue;
        }
      }
      /* A word with an apostrophe (' or ’) between ASCII letters and a run of ASCII letters
       * and digits after it that a byte ending the word ends (ends_ascii_word()), where no
       * e-mail address starts: one word (O'Brien) or a word and its clitic (do|n't,
       * Rubio|'s), as scan_word() takes them. */
      gsize apostrophe_len = stop_byte == '\'' ? 1
                             : stop_byte == 0xE2 && (guchar)t[j + 1] == 0x80 &&
                                       (guchar)t[j + 2] == 0x99
                                 ? 3
                                 : 0;
      if (apostrophe_len != 0 && ascii_word[(guchar)t[j - 1]] == ASCII_LETTER &&
          ascii_word[(guchar)t[j + apostrophe_len]] == ASCII_LETTER &&
          i < sc->email.no_email_before) {
        gboolean more;
        gsize end = ascii_word_end(t, n, j + apostrophe_len, &more);
        if (ends_ascii_word(t, end)) {
          gsize split = find_clitic(t, i, end, j, apostrophe_len);
          if (split != 0) {
            push(tokens, !sparse, i, split, TOKEN_WORD, 0, newlines, space, MARK_NONE);
            push(tokens, !sparse, split, end, TOKEN_WORD, 0, 0, FALSE, MARK_NONE);
          } else {
            push(tokens, !sparse, i, end, TOKEN_WORD, 0, newlines, space, MARK_NONE);
          }
          newlines = 0;
          space = t[end] == ' ';
          i = end + space;
          continue;
        }
      }
      /* And the next commonest: runs of ASCII letters and digits joined by hyphens
       * (well-known, 20-year-old), where no e-mail address starts (nor a URL, whose scheme
       * or "www" runs up to a ':' or '.'): ascii_joined_word() takes them as scan_token()
       * would. */
      if (stop_byte == '-' && i < sc->email.no_email_before) {
        TokenKind kind;
        guint8 flags;
        gsize end = ascii_joined_word(t, n, i, j, alpha, &kind, &flags);
        if (end != 0) {
          push(tokens, !sparse, i, end, kind, flags, newlines, space, MARK_NONE);
          newlines = 0;
          space = t[end] == ' ';
          i = end + space;
          continue;
        }
      }
    }
    switch (class) {
      /* Whitespace, and invisible characters between tokens. */
      case BYTE_SPACE:
        space = TRUE;
        i++;
        continue;
      case BYTE_BREAK:
        newlines += newlines < 255;
        space = TRUE;
        i++;
        continue;
      case BYTE_CR:
        if (!(i + 1 < n && t[i + 1] == '\n')) newlines += newlines < 255;
        space = TRUE;
        i++;
        continue;
      case BYTE_HIGH: {
        TokenMark mark = typographic_mark(t, i);
        if (mark != MARK_NONE) {
          push(tokens, !sparse, i, i + 3, TOKEN_PUNCT, 0, newlines, space, mark);
          newlines = 0;
          space = t[i + 3] == ' ';
          i += 3 + space;
          continue;
        }
        gsize len = unicode_space(t, i, &newlines);
        if (len != 0) {
          space = TRUE;
          i += len;
          continue;
        }
        break;
      }
      case BYTE_PUNCT:
      case BYTE_JOIN:
      case BYTE_SEP: {
        TokenKind kind;
        TokenMark mark;
        gsize end = ascii_punct(t, i, &kind, &mark);
        if (end != 0) {
          push(tokens, !sparse, i, end, kind, 0, newlines, space, mark);
          newlines = 0;
          space = t[end] == ' ';
          i = end + space;
          continue;
        }
        break;
      }
      default:
        break;
    }
    i = scan_token(sc, i, j, j != 0 && alpha, newlines, space);
    newlines = 0;
    space = FALSE;
  }
  at->newlines = newlines;
  at->space = space;
  return i;
}

/* ---- Leaving plain stretches out ------------------------------------------------ */

/* One bit for each of the sixteen bytes at P that may be a decision (see next_decision()),
 * the first byte lowest, and for a few more: a control or the first byte of a character
 * from 0x80 (in [0xC0, 0x20) counted round from 0xC0: V + 0xC0 is then below 0x60, read as
 * offset by 0x80), ! ) (V | 0x08 is ')'), . ? and also / > (V | 0x11 is '?'). */
static inline guint decision_bits(const char *p) {
  V16Unsigned u; /* added to unsigned: a signed byte's overflow would be undefined */
  memcpy(&u, p, 16);
  V16 v = (V16)u;
  return v16_bits((V16)((V16)(u + 0xC0) < (gint8)(0x60 - 0x80)) | (V16)((v | 0x08) == ')') |
                  (V16)((v | 0x11) == '?'));
}

/* Whether the byte from 0x80 at T[I] starts a character the sentence rules decide on: an
 * end mark (… 。 ． ｡ ！ ？) or a line break (U+0085 U+2028 U+2029).  Other characters
 * (letters, quotes, dashes, spaces) go into tokens no rule looks at unless a decision
 * near them does. */
static inline gboolean high_decision(const char *t, gsize i) {
  guchar c = (guchar)t[i], c1 = (guchar)t[i + 1], c2;
  switch (c) {
    case 0xC2:
      return c1 == 0x85;
    case 0xE2:
      c2 = (guchar)t[i + 2];
      return c1 == 0x80 && (c2 == 0xA6 || c2 == 0xA8 || c2 == 0xA9);
    case 0xE3:
      return c1 == 0x80 && (guchar)t[i + 2] == 0x82;
    case 0xEF:
      c2 = (guchar)t[i + 2];
      return (c1 == 0xBC && (c2 == 0x8E || c2 == 0x81 || c2 == 0x9F)) ||
             (c1 == 0xBD && c2 == 0xA1);
    default:
      return FALSE; /* another character, or a byte inside one */
  }
}

/* Whether the digits that end before T[E] follow an apostrophe or a byte from 0x80. */
G_NO_INLINE static gboolean after_apostrophe_digits(const char *t, gsize e) {
  while (e > 0 && g_ascii_isdigit(t[e - 1])) e--;
  return e > 0 && (t[e - 1] == '\'' || (guchar)t[e - 1] >= 0x80);
}

/* Whether the period at T[I] (I > 0) may be a decision: not when it sits between two ASCII
 * letters (U.S, a.m) or two ASCII digits (1.5), where a word or number takes it in (the
 * main loop and scan_word() join them) or, after "'s" and the like, it is a token that
 * a letter follows without a space, which ends nothing; but between digits after an
 * apostrophe ("'90.5": "'90" is a token of its own) or a byte from 0x80 (’90) it is a
 * period token, which ends a sentence before footnote numbers ("… '90.5 Then"). */
static inline gboolean period_decision(const char *t, gsize i) {
  guint8 before = ascii_word[(guchar)t[i - 1]];
  if (before == 0 || ascii_word[(guchar)t[i + 1]] != before) return TRUE;
  return before == ASCII_DIGIT && after_apostrophe_digits(t, i - 1);
}

/* Whether the ) at T[I] may be a decision: only as the end of a list item's marker ("a)",
 * "1.)", "-12)", "•3)"), which starts after white space (or the start of the text) at most
 * five bytes of ASCII before it (a bullet, three digits, a period), or after a character
 * from 0x80 (a bullet, a space of its own).  Every other ) is a closing bracket, which
 * the rules look at only after an end mark or at the end of a line: the scans from those
 * decisions take it. */
static inline gboolean paren_decision(const char *t, gsize i) {
  if (i < 6) return TRUE;
  for (gsize k = i - 6; k < i; k++)
    if ((guchar)t[k] <= ' ' || (guchar)t[k] >= 0x7F) return TRUE;
  return FALSE;
}

/* Whether the byte at T[I] (I > 0) is a decision (next_decision()).  Always inlined, as
 * next_decision() asks it for every byte decision_bits() marks. */
G_ALWAYS_INLINE static inline gboolean is_decision(const char *t, gsize i) {
  guchar c = (guchar)t[i];
  if (c >= 0x80) return high_decision(t, i);
  if (c == '.') return period_decision(t, i);
  if (c == ')') return paren_decision(t, i);
  return c < 0x20 || c == '!' || c == '?';
}

/* The first byte at or after I (I > 0, before N) that the sentence rules may decide on, or
 * N: a line break or another control, ! ? and the end marks from 0x80 (high_decision()), a
 * period but one inside a word or number (period_decision()), and a ) that may end a list
 * item's marker ("a)", "1)": paren_decision()).  32 bytes at a time (the last ones as the
 * 32 that end at N); the few bytes decision_bits() marks besides (those of other characters
 * from 0x80, / >, and the periods and brackets that are no decision) are looked at one by
 * one. */
static gsize next_decision(const char *t, gsize i, gsize n) {
  if (n >= 32) {
    const gsize last = n - 32; /* the 32 bytes from I lie in the text while I <= LAST */
    for (; i <= last; i += 32) {
      guint32 bits = decision_bits(t + i) | decision_bits(t + i + 16) << 16;
      for (; bits != 0; bits &= bits - 1) {
        gsize k = i + (gsize)__builtin_ctz(bits);
        if (is_decision(t, k)) return k;
      }
    }
    if (i < n) {
      /* the 32 bytes from LAST: those before I are known */
      guint32 bits = decision_bits(t + last) | decision_bits(t + last + 16) << 16;
      for (bits &= ~0u << (i - last); bits != 0; bits &= bits - 1) {
        gsize k = last + (gsize)__builtin_ctz(bits);
        if (is_decision(t, k)) return k;
      }
    }
    return n;
  }
  for (; i < n; i++)
    if (is_decision(t, i)) return i;
  return n;
}

/* The index of the highest bit of M (not 0): 31 ^ clz, which is the bsr instruction. */
static inline guint top_bit(guint m) {
  return 31 ^ (guint)__builtin_clz(m);
}

/* One bit for each of the sixteen bytes at P that is a space, the first byte lowest. */
static inline guint space_bits(const char *p) {
  V16 v;
  memcpy(&v, p, 16);
  return v16_bits((V16)(v == ' '));
}

/* The start of the chunk that ends at E: the position after the last space before E, or
 * LO when there is none from LO on.  Sixteen bytes at a time (while they lie in the text). */
static inline gsize chunk_start(const char *t, gsize lo, gsize e) {
  while (e >= 16 && e > lo) {
    guint bits = space_bits(t + e - 16);
    if (e - 16 < lo) bits &= ~0u << (lo - (e - 16)); /* (the bytes before LO are not asked about) */
    if (bits != 0) return e - 15 + top_bit(bits);
    e -= 16;
  }
  while (e > lo && t[e - 1] != ' ') e--;
  return MAX(e, lo);
}

/* The start of the chunk that ends at E (after E1), or E1 when it reaches back to E1;
 * *PLAIN is set when it is ASCII letters and digits only, and *LETTER when it holds a
 * letter besides.  The sixteen bytes before E at once when they lie after E1, then (when
 * they are all letters and digits) or else a byte at a time while it may be plain. */
static inline gsize chunk_before(const char *t, gsize e1, gsize e, gboolean *plain,
                                 gboolean *letter) {
  *plain = FALSE;
  *letter = FALSE;
  gsize s = e;
  guint8 kinds = 0; /* ASCII_DIGIT, ASCII_LETTER: what the bytes from S on hold (after a
                     * first sixteen of letters and digits, only whether a letter is among them) */
  if (e >= e1 + 16) {
    guint letters, other = ~alnum_bits(t + e - 16, &letters) & 0xFFFF;
    if (other != 0) {
      guint last = top_bit(other); /* the last that is no letter or digit */
      s = e - 16 + last + 1;
      if (t[s - 1] != ' ') return chunk_start(t, e1, s - 1);
      *plain = TRUE;
      *letter = (letters >> (last + 1)) != 0;
      return s;
    }
    s = e - 16; /* all sixteen are letters or digits */
    kinds = letters != 0 ? ASCII_LETTER : ASCII_DIGIT;
  }
  for (; s > e1; s--) {
    guint8 w = ascii_word[(guchar)t[s - 1]];
    if (w == 0) {
      if (t[s - 1] != ' ') return chunk_start(t, e1, s - 1);
      break;
    }
    kinds |= w;
  }
  *plain = TRUE;
  *letter = (kinds & ASCII_LETTER) != 0;
  return s;
}

/* Where to resume after the plain word ending at E1 when the next decision is at Q: the
 * start of the chunk (run of bytes other than the space) that holds the last token before
 * Q, or Q's own, if a plain chunk ends before it (and after E1) so that what lies between
 * can be left out; else 0.  sentences.c's rules look back from a decision's tokens past
 * the start of its chunk only when a line break or the end of the text is the decision
 * (the last token of the line), or through plain words, which the plain word at E1 stands
 * for. */
static gsize resume_at(const char *t, gsize e1, gsize q) {
  gsize e = q, r;
  for (;;) {
    while (e > e1 && t[e - 1] == ' ') e--;
    if (e == e1) return 0;
    r = chunk_start(t, e1, e);
    /* (A chunk of bytes from 0x80 and DEL only may hold no token: white space, a format
     * mark.) */
    gsize k = r;
    while (k < e && ((guchar)t[k] >= 0x80 || t[k] == 0x7F)) k++;
    if (k < e) break;
    e = r;
  }
  for (;;) {
    e = r - 1; /* (a space comes before every chunk start after E1: T[E1] is one) */
    while (e > e1 && t[e - 1] == ' ') e--;
    /* The chunk before: is it plain (ASCII letters and digits, not a number of at most
     * three digits, which footnotes_at() in sentences.c strings together)? */
    gboolean plain, letter;
    gsize s = chunk_before(t, e1, e, &plain, &letter);
    if (s <= e1) return 0; /* (a space follows E1: no chunk starts there) */
    if (plain && (letter || e - s > 3)) return r;
    r = s;
  }
}

/* Tokenizes the text as sentences_tokenize() does, but leaves out stretches of tokens
 * that no sentence rule looks at (TokenArray.gaps): from the first plain word after a
 * decision to the chunk of the next one (resume_at()), when a plain chunk ends the
 * stretch. */
G_NO_INLINE static void scan_sparse(Scan scan) {
  Scan *sc = &scan; /* (its fields then lie in this frame: one load each, no pointer first) */
  const char *t = sc->t;
  gsize n = sc->n, i = 0, plain_from = 0;
  Between at = {0, TRUE};
  while (i < n) {
    gsize e1 = 0;
    i = scan_range(sc, i, &at, TRUE, plain_from, &e1);
    if (e1 == 0) break; /* the end of the text */
    gsize q = next_decision(t, e1, n);
    gsize r = resume_at(t, e1, q);
    if (r != 0) {
      add_index(&sc->tokens->gaps, sc->tokens->len - 1);
      i = r; /* after a space, no line break since the plain word */
    }
    plain_from = q + 1;
  }
}

void sentences_tokenize(const char *t, gsize n, gboolean sparse, TokenArray *tokens) {
  const char *first_at = memchr(t, '@', n);
  Scan sc = {t, n, tokens, {0, first_at ? (gsize)(first_at - t) : n}};
  Between at = {0, TRUE};
  if (sparse)
    scan_sparse(sc);
  else
    scan_range(&sc, 0, &at, FALSE, 0, NULL);
}

void sentences_tokens_free(TokenArray *tokens) {
  g_free(tokens->spans);
  g_free(tokens->v);
  g_free(tokens->breaks.v);
  g_free(tokens->markers.v);
  g_free(tokens->gaps.v);
}
