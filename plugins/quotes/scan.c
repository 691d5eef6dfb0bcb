/* copydesk — quotes: tokens, blocks and quotation marks.
 *
 * One left-to-right scan cuts the text into words, numbers, punctuation and possible
 * quotation marks, and gives each token its sentence and block as it goes.  Apostrophes
 * inside a word stay in it (don't, O'Brien); a possessive 's is dropped and flagged on
 * its word (Rubio's), but he's, it's, that's are no possessives; an apostrophe before a
 * digit is punctuation, never a quotation mark (the ’90s).  The scan also lists the
 * quotation marks, the capitalised words, the sentences and which of them hold a
 * reported-speech cue, so the later passes visit only those tokens.
 *
 * Most tokens are plain words (ASCII letters and digits that a space or punctuation
 * ends) and one-byte punctuation; the main loop (tokenize()) takes those itself, a word's
 * first sixteen bytes tested at once (eight without SSE2) and its first eight packed into
 * its lexicon key, with the sentence and block of the token before.  Everything else is out of line: ASCII words
 * joined by marks or before a possessive (ascii_joined_word()), other words with joiners
 * or letters from 0x80 (scan_word()), possible quotation marks and characters from 0x80
 * (scan_mark()), and a token that starts a sentence or block (position_change()).
 *
 * A block is a paragraph, or a line whose break also ends a sentence (articles that put
 * one paragraph per line).  Marks are paired inside a block with a small stack:
 *
 * - curly, low and angle marks open or close by their shape („ opens and “ then closes);
 *   a straight " or '' decides by the spaces around it, then by whether one is open;
 * - a closing single mark (’ ') closes only when a single mark is open at the current
 *   level, otherwise it is an apostrophe (Reuters’); single marks still open at the
 *   block end were apostrophes too;
 * - a double mark closes the innermost open double mark and discards single marks
 *   opened after it; pairs nested inside an open pair are not separate quotes;
 * - a block that ends inside a double quotation continues into the next block when that
 *   block opens with a double mark (the convention for quotes over paragraphs);
 *   otherwise the quotation ends with the block: unbalanced marks are repaired
 *   locally and never swallow the rest of the article;
 * - a closing double mark with nothing open and no quote before it in the block makes a
 *   candidate from the block start (the opening mark was lost); it is kept only if an
 *   attribution follows it;
 * - three straight single marks are a double then a single mark when they open, and a
 *   single then a double one when they close (NYT style, a quote ending in a nested one).
 *
 * The stack is bounded (deeper marks are ignored), so any run of marks is linear.
 */
#include <stddef.h>
#include <string.h>

#include "quotes.h"

/* SSE2 (x86-64's baseline) tests sixteen bytes of a word at once; elsewhere eight, in a
 * 64-bit register (-DWORD_SIMD=0 picks that anywhere, to test it) */
#ifndef WORD_SIMD
#if defined(__SSE2__) && defined(__x86_64__)
#define WORD_SIMD 1
#else
#define WORD_SIMD 0
#endif
#endif
#if WORD_SIMD
#include <emmintrin.h>
#endif

#define MAX_DEPTH 16

static inline gboolean is_ascii_alnum(guchar c) {
  return (guchar)((c | 0x20) - 'a') < 26 || (guchar)(c - '0') < 10;
}

/* The character U+2000-U+203F (General Punctuation: curly quotes, dashes, thin spaces)
 * at T[I], decoded without GLib, or 0 for any other.  None of them is a letter. */
static inline gunichar general_punctuation(const char *t, gsize n, gsize i) {
  if (i + 2 >= n || (guchar)t[i] != 0xE2 || (guchar)t[i + 1] != 0x80 || ((guchar)t[i + 2] & 0xC0) != 0x80)
    return 0;
  return 0x2000 + ((guchar)t[i + 2] & 0x3F);
}

static inline gunichar char_at(const char *t, gsize i, gsize n, gsize *clen) {
  guchar c = (guchar)t[i];
  if (c < 0x80) {
    *clen = 1;
    return c;
  }
  /* U+2000-U+203F (curly quotes, dashes), the commonest, decoded here */
  gunichar u = general_punctuation(t, n, i);
  if (u) {
    *clen = 3;
    return u;
  }
  u = g_utf8_get_char_validated(t + i, (gssize)(n - i));
  if (u == (gunichar)-1 || u == (gunichar)-2) {
    *clen = 1;
    return 0xFFFD;
  }
  *clen = (gsize)(g_utf8_next_char(t + i) - (t + i));
  return u;
}

static inline gboolean is_alnum_u(gunichar u) {
  if (u < 0x80) return is_ascii_alnum((guchar)u);
  /* General Punctuation (quotation marks, dashes, spaces) holds no letter or mark */
  if (u >= 0x2000 && u <= 0x206F) return FALSE;
  return g_unichar_isalnum(u) || g_unichar_ismark(u);
}

static inline gboolean is_space_u(gunichar u) {
  return u == ' ' || u == '\t' || u == '\n' || u == '\r' || u == '\f' || u == '\v' || u == 0xA0 ||
         u == 0x2028 || u == 0x2029 || (u >= 0x2000 && u <= 0x200B) || u == 0x202F ||
         u == 0x3000 || u == 0xFEFF;
}

static QuoteChar quote_char(gunichar u) {
  switch (u) {
  case 0x201C: return Q_LDQ;
  case 0x201D: return Q_RDQ;
  case 0x2018: return Q_LSQ;
  case 0x2019: return Q_RSQ;
  case 0x201E: return Q_LOW_D;
  case 0x201A: return Q_LOW_S;
  case 0x00AB: return Q_LGUIL;
  case 0x00BB: return Q_RGUIL;
  case 0x2039: return Q_LSGUIL;
  case 0x203A: return Q_RSGUIL;
  case '"': return Q_STRAIGHT_D;
  case '\'': return Q_STRAIGHT_S;
  case '`': return Q_BACKTICK;
  default: return Q_NONE;
  }
}

static inline gboolean is_apostrophe_u(gunichar u) { return u == '\'' || u == 0x2019; }

/* Byte classes for the ASCII fast path. */
enum {
  B_ALNUM = 1u << 0, /* ASCII letter or digit */
  B_ALPHA = 1u << 1,
  B_UPPER = 1u << 2,
  B_SPACE = 1u << 3, /* ASCII whitespace other than \n */
  B_NL = 1u << 4,
  B_HIGH = 1u << 5,  /* the first byte of a multi-byte character */
  B_END = 1u << 6,   /* ends a word whatever follows: ASCII other than letters, digits and
                      * the joiners ' - & / . , : */
  B_MARK = 1u << 7,  /* ASCII punctuation that is a token of one byte and never a
                      * quotation mark (all but ' " `) */
};

#define U (B_ALNUM | B_ALPHA | B_UPPER) /* A-Z */
#define L (B_ALNUM | B_ALPHA)           /* a-z */
#define D B_ALNUM                       /* 0-9 */
#define S (B_SPACE | B_END)             /* space \t \v \f \r */
#define N (B_NL | B_END)                /* \n */
#define M (B_MARK | B_END)              /* other ASCII: punctuation, controls */
#define J B_MARK                        /* the joiners - & / . , : */
#define R 0                             /* ' (a joiner, or a quotation mark) */
#define Q B_END                         /* " ` */
#define H B_HIGH
static const guint8 byte_class[256] = {
    M,M,M,M,M,M,M,M,M,S,N,S,S,S,M,M, /* 0x00  \t \n \v \f \r */
    M,M,M,M,M,M,M,M,M,M,M,M,M,M,M,M, /* 0x10 */
    S,M,Q,M,M,M,J,R,M,M,M,M,J,J,J,J, /* 0x20  space ! " # $ % & ' ( ) * + , - . / */
    D,D,D,D,D,D,D,D,D,D,J,M,M,M,M,M, /* 0x30  0-9 : ; < = > ? */
    M,U,U,U,U,U,U,U,U,U,U,U,U,U,U,U, /* 0x40  @ A-O */
    U,U,U,U,U,U,U,U,U,U,U,M,M,M,M,M, /* 0x50  P-Z [ \ ] ^ _ */
    Q,L,L,L,L,L,L,L,L,L,L,L,L,L,L,L, /* 0x60  ` a-o */
    L,L,L,L,L,L,L,L,L,L,L,M,M,M,M,M, /* 0x70  p-z { | } ~ DEL */
    H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H, H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,
    H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H, H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,
    H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H, H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,
    H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H, H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,H,
};
#undef U
#undef L
#undef D
#undef S
#undef N
#undef M
#undef J
#undef R
#undef Q
#undef H

/* A byte mask (the high bit of each byte) of the bytes of X, eight text bytes read
 * little-endian, that are not ASCII letters or digits. */
static inline guint64 swar_not_alnum(guint64 x) {
  const guint64 ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  guint64 l = x & ~high;
  guint64 lc = l | (ones * 0x20);
  guint64 letter = (lc + ones * (0x80 - 'a')) & ~(lc + ones * (0x80 - 'z' - 1));
  guint64 digit = (l + ones * (0x80 - '0')) & ~(l + ones * (0x80 - '9' - 1));
  return ~((letter | digit) & ~x) & high;
}

#if WORD_SIMD
/* The offset of the first of the sixteen bytes at P that is no ASCII letter or digit, 16
 * when all are; LOWER receives the first eight, ASCII capitals lowercased (and other
 * bytes with their 0x20 bit set). */
static inline gsize alnum_run16(const char *p, guint64 *lower) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  /* ASCII letters and digits are lowercase with the 0x20 bit set */
  __m128i lc = _mm_or_si128(v, _mm_set1_epi8(0x20));
  /* moved so that a-z (0-9) are the 26 (10) smallest signed bytes; bytes from 0x80
   * land elsewhere */
  __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(lc, _mm_set1_epi8((char)(0x80 - 'a'))), _mm_set1_epi8(-128 + 26));
  __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))), _mm_set1_epi8(-128 + 10));
  *lower = (guint64)_mm_cvtsi128_si64(lc);
  guint64 alnum = (guint)_mm_movemask_epi8(_mm_or_si128(letter, digit));
  return (gsize)__builtin_ctzll(~alnum);
}
#endif

/* The end of the run of ASCII letters and digits from J (T[N] is the text's NUL). */
static inline gsize alnum_run_end(const char *t, gsize n, gsize j) {
#if WORD_SIMD
  guint64 lower;
  while (j + 15 <= n) {
    gsize r = alnum_run16(t + j, &lower);
    if (r < 16) return j + r;
    j += 16;
  }
#endif
  while (j + 8 <= n) {
    guint64 x;
    memcpy(&x, t + j, 8);
    if (G_BYTE_ORDER == G_BIG_ENDIAN) x = GUINT64_SWAP_LE_BE(x);
    guint64 m = swar_not_alnum(x);
    if (m) return j + ((gsize)__builtin_ctzll(m) >> 3);
    j += 8;
  }
  while (j < n && (byte_class[(guchar)t[j]] & B_ALNUM)) j++;
  return j;
}

/* Words whose final period is their own (besides single letters and U.S.-like words and
 * the lexicon's titles), as lexicon_pack() keys: compared in one instruction each. */
static const guint64 period_words[] = {
    PACK2('j', 'r'),      PACK2('s', 'r'),      PACK2('c', 'o'),      PACK2('s', 't'),
    PACK2('n', 'o'),      PACK2('v', 's'),      PACK2('m', 't'),      PACK2('f', 't'),
    PACK3('i', 'n', 'c'), PACK3('l', 't', 'd'), PACK4('c', 'o', 'r', 'p'), PACK4('b', 'r', 'o', 's'),
    PACK4('s', 'e', 'n', 's'), PACK4('r', 'e', 'p', 's'), PACK6('m', 'e', 's', 's', 'r', 's'),
};
/* period_words[period_from[LEN], period_from[LEN + 1]) are the words of LEN bytes */
static const guint8 period_from[8] = {0, 0, 0, 8, 10, 14, 14, 15};

/* The period after the word S (LEN bytes, lexicon_pack() key KEY) is its own. */
static inline gboolean own_period(const Lexicon *lex, const char *s, gsize len, guint64 key) {
  if (len > 6 || len < 2) return FALSE;
  for (guint i = period_from[len]; i < period_from[len + 1]; i++)
    if (key == period_words[i]) return TRUE;
  if (len > 5 || !(s[0] >= 'A' && s[0] <= 'Z')) return FALSE;
  const WordInfo *w = lexicon_lookup_packed(lex, key, s, len);
  return w && (w->flags & (W_TITLE | W_DESCRIPTOR)) && !(w->flags & W_CUE);
}

/* ---- Tokenizer ------------------------------------------------------------------- */

/* Sentence and block of each token.  The main loop gives a token the sentence and block
 * of the one before; position_change() moves them on before a token that follows a line
 * break or starts at or past the current sentence's end.  (The main loop marks the
 * sentence of a reported-speech cue itself.) */
typedef struct {
  const gsize *sents;
  gsize n_sents, si;
  gsize sent_end; /* where the current sentence ends (G_MAXSIZE without sentences) */
  guint nl;       /* line breaks since the last token (at most 255) */
  guint32 sent, block, sent_counter;
  Items *sent_first; /* gsize */
  Items *sent_flags; /* guint8, as long as sent_first (zeroed when it grows) */
  Vec *block_first;   /* each block's first token */
  Vec *sent_toks;
} Position;

/* The bits of a token's flags, kind, quotation mark, line breaks and shape, stored at
 * once (tok_set_meta()), that come from what precedes the token: F_SPACE, F_SENT_START
 * and F_BLOCK_START in the flags, and its line breaks from bit LEAD_NL. */
#define LEAD_NL 48

/* Moves P's sentence and block on for the K-th token, which starts at START and is the
 * first, follows a line break or starts at or past the current sentence's end: a block is
 * a paragraph, or a line whose break also ends a sentence; without sentences, a sentence
 * per block.  Returns the token's lead bits but F_SPACE (its F_SENT_START / F_BLOCK_START
 * and line breaks). */
static G_NO_INLINE guint64 position_change(Position *p, gsize start, gsize k) {
  guint nl = p->nl;
  p->nl = 0;
  guint32 sent;
  gboolean new_sent, new_block;
  if (G_LIKELY(p->n_sents > 0)) {
    gsize si = p->si;
    if (start >= p->sent_end) {
      /* the sentence ends, in locals: the loop stores nothing */
      const gsize *sents = p->sents;
      gsize ns = p->n_sents;
      while (si + 1 < ns && sents[2 * si + 1] <= start) si++;
      p->si = si;
      p->sent_end = si + 1 < ns ? sents[2 * si + 1] : G_MAXSIZE;
    }
    /* (tokenize() sized the sentence arrays for every given sentence) */
    sent = (guint32)si;
    new_sent = k == 0 || sent != p->sent;
    new_block = k > 0 && nl && (nl >= 2 || new_sent);
  } else {
    /* a sentence per block */
    new_block = k > 0 && nl;
    if (k == 0) p->sent_counter = 0;
    else if (new_block) p->sent_counter++;
    sent = p->sent_counter;
    new_sent = k == 0 || new_block;
    if (sent >= p->sent_first->n) {
      items_resize(p->sent_first, sent + 1, sizeof(gsize));
      items_resize(p->sent_flags, sent + 1, 1);
    }
  }
  guint32 flags = 0;
  if (new_sent) {
    flags = F_SENT_START;
    ITEM(p->sent_first, gsize, sent) = k;
    vec_push(p->sent_toks, k);
  }
  if (k == 0 || new_block) {
    p->block += new_block;
    flags = F_BLOCK_START | F_SENT_START;
    vec_push(p->block_first, k);
  }
  p->sent = sent;
  return flags | (guint64)nl << LEAD_NL;
}

/* Records a reported-speech cue or "according" (a word with lexicon FLAGS) in the SF_*
 * flags of SENT, its sentence.  (A branch: cues are rare.) */
static inline void mark_sentence(Position *p, guint32 sent, guint32 flags) {
  if (G_UNLIKELY(flags & SCAN_SENTENCE_WORDS)) ITEM(p->sent_flags, guint8, sent) |= sentence_flags_of(flags);
}

/* Words whose 's is "is" or "has" (he's, it's, there's), as lexicon_pack() keys, by length. */
static const guint64 contraction_words[] = {
    PACK2('h', 'e'),           PACK2('i', 't'),           PACK3('s', 'h', 'e'),
    PACK3('w', 'h', 'o'),      PACK3('h', 'o', 'w'),      PACK3('l', 'e', 't'),
    PACK4('t', 'h', 'a', 't'), PACK4('h', 'e', 'r', 'e'), PACK4('w', 'h', 'a', 't'),
    PACK5('t', 'h', 'e', 'r', 'e'), PACK5('w', 'h', 'e', 'r', 'e'),
};
/* contraction_words[contraction_from[LEN], contraction_from[LEN + 1]) are the words of LEN bytes */
static const guint8 contraction_from[7] = {0, 0, 0, 2, 6, 9, 11};

/* The word S (LEN bytes, S + 8 readable when FULL) is one of contraction_words. */
static gboolean contraction_word(const char *s, gsize len, gboolean full) {
  if (len > 5) return FALSE;
  guint64 key = pack_word(s, len, full);
  for (guint i = contraction_from[len]; i < contraction_from[len + 1]; i++)
    if (key == contraction_words[i]) return TRUE;
  return FALSE;
}

/* Two letters or more in [start, end) and every one a capital (NATO, U.S.): stops at the
 * first small letter, so an ordinary capitalised word costs a byte or two. */
static gboolean all_capitals(const char *t, gsize start, gsize end) {
  guint letters = 0;
  for (gsize i = start; i < end;) {
    guchar b = (guchar)t[i];
    if (b < 0x80) {
      if ((guchar)(b - 'a') < 26) return FALSE;
      letters += (guchar)(b - 'A') < 26;
      i++;
      continue;
    }
    gunichar u = g_utf8_get_char_validated(t + i, (gssize)(end - i));
    if (u == (gunichar)-1 || u == (gunichar)-2) {
      i++;
      continue;
    }
    if (g_unichar_isalpha(u)) {
      if (!g_unichar_isupper(u)) return FALSE;
      letters++;
    }
    i = (gsize)(g_utf8_next_char(t + i) - t);
  }
  return letters >= 2;
}

/* F_UPPER and F_INITIAL for a capitalised word [START, END) with FLAGS. */
static inline guint32 capital_flags(const char *t, gsize start, gsize end, guint32 flags) {
  guint32 f = 0;
  /* a capital then a small ASCII letter, the common case, is neither */
  if (end - start > 1 && (guchar)(t[start + 1] - 'a') < 26) return 0;
  /* one byte is one letter: an initial, never all capitals */
  if (end - start == 1) return F_INITIAL;
  if (all_capitals(t, start, end)) f |= F_UPPER;
  if (end - start == 2 && (flags & F_PERIOD)) f |= F_INITIAL;
  return f;
}

/* The entry for the word S (LEN bytes, key KEY, hash H), &lexicon_none when in no list. */
static inline const WordInfo *find_word(const Lexicon *lex, guint64 h, guint64 key, const char *s, gsize len) {
  const WordInfo *w = lexicon_find_hashed(lex, h, key, s, len);
  return w ? w : &lexicon_none;
}

/* The lexicon entry of the word S (LEN bytes, lexicon_pack() key KEY) as the tokenizer
 * sets it: looked up when it ends in a period, is capitalised (UPPER: names) or may be a
 * cue (the cue filter; cues decide a sentence's kind); &lexicon_lazy for the rest, which
 * the attribution looks up when it asks. */
static inline const WordInfo *eager_info(const Lexicon *lex, const char *s, gsize len, guint64 key,
                                         gboolean upper) {
  if (G_UNLIKELY(len > LEXICON_MAX_KEY)) return &lexicon_none;
  if (G_UNLIKELY(s[len - 1] == '.')) {
    const WordInfo *w = lexicon_lookup_packed(lex, key, s, len);
    return w ? w : &lexicon_none;
  }
  guint64 h = lexicon_hash(key, lexicon_tail_hash(s, len));
  if (!upper && !lexicon_maybe_cue(lex, h)) return &lexicon_lazy;
  return find_word(lex, h, key, s, len);
}

/* eager_info() of a plain word with its own period (Mr.): out of line, as those are rare
 * (the main loop looks up short words itself, with no tail to hash). */
static G_NO_INLINE const WordInfo *eager_info_slow(const Lexicon *lex, const char *s, gsize len, guint64 key,
                                                   gboolean upper) {
  return eager_info(lex, s, len, key, upper);
}

/* lexicon_tail_hash() of a plain word (ASCII letters and digits, LEN > 8): its bytes
 * all have their 0x20 bit set once lowercased, so setting it folds them. */
static inline guint64 plain_tail_hash(const char *s, gsize len) {
  guint64 h = 1469598103934665603ull;
  for (gsize i = 8;; i += 8) {
    /* the last round takes the word's last eight bytes */
    const char *p = i + 8 < len ? s + i : s + len - 8;
    guint64 x;
    memcpy(&x, p, 8);
    if (G_BYTE_ORDER == G_BIG_ENDIAN) x = GUINT64_SWAP_LE_BE(x);
    h = (h ^ (x | 0x2020202020202020ull)) * 1099511628211ull;
    if (i + 8 >= len) return h | 1;
  }
}

/* eager_info() of a plain word of more than eight bytes (no period of its own). */
static inline const WordInfo *long_word_info(const Lexicon *lex, const char *s, gsize len, guint64 key,
                                             gboolean upper) {
  if (G_UNLIKELY(len > LEXICON_MAX_KEY)) return &lexicon_none;
  guint64 h = lexicon_hash(key, plain_tail_hash(s, len));
  if (!upper && !lexicon_maybe_cue(lex, h)) return &lexicon_lazy;
  return find_word(lex, h, key, s, len);
}

/* The period at T[J] after the word [I, J) of T (N bytes; T[N] is its NUL) is the word's
 * own: no second period follows, and the word has an inner period (INNER: U.S.), is one
 * capital (UPPER: J.) or is listed (own_period(): Mr.). */
static inline gboolean final_period_is_own(const Lexicon *lex, const char *t, gsize n, gsize i, gsize j,
                                           gboolean upper, gboolean inner) {
  if (t[j] != '.' || t[j + 1] == '.') return FALSE;
  gsize wl = j - i;
  return inner || (wl == 1 && upper) || own_period(lex, t + i, wl, pack_word(t + i, wl, i + 8 <= n));
}

/* Sets the capital flags (UPPER: it starts with a capital) and, for a word, the lexicon
 * entry of TOK, a token of T (N bytes) whose start, end and kind are set. */
static inline void word_entry(const Lexicon *lex, const char *t, gsize n, gboolean upper, Tok *tok) {
  if (upper) tok->flags |= capital_flags(t, tok->start, tok->end, tok->flags);
  if (tok->kind == T_WORD) {
    gsize wl = tok->end - tok->start;
    tok->info = eager_info(lex, t + tok->start, wl, pack_word(t + tok->start, wl, tok->start + 8 <= n), upper);
  }
}

/* The rest of a word of SCAN's text that starts at I (K the class of its first byte),
 * scanned up to J (the end of its first character, or of its first run of ASCII letters
 * and digits): sets TOK's end, kind, flags and lexicon entry; returns where scanning goes
 * on.  Any word: the main loop takes the plain ASCII ones itself (plain_word_ends), and
 * ascii_joined_word() the commonest ASCII words with joiners before this is asked. */
static G_NO_INLINE gsize scan_word(const Scan *scan, const Lexicon *lex, gsize i, gsize j, guint8 k, Tok *tok) {
  const char *t = scan->text;
  gsize n = scan->len;
  gsize word_end;
  gboolean inner_period = FALSE, upper;
  if (k & B_ALNUM) {
    upper = (k & B_UPPER) != 0;
    tok->kind = (k & B_ALPHA) ? T_WORD : T_NUM;
  } else {
    gsize clen;
    upper = g_unichar_isupper(char_at(t, i, n, &clen));
    tok->kind = T_WORD;
  }
  tok->flags |= upper ? F_CAP : 0;
  for (;;) {
    /* the ASCII letters and digits of the word */
    j = alnum_run_end(t, n, j);
    if (j >= n) break;
    /* the usual ends: a space, or ASCII punctuation that never joins two words */
    if (byte_class[(guchar)t[j]] & B_END) break;
    gsize l2;
    gunichar v = char_at(t, j, n, &l2);
    if (v >= 0x80 && is_alnum_u(v)) {
      j += l2;
      continue;
    }
    if (j + l2 >= n) break;
    gsize l3;
    gunichar w = char_at(t, j + l2, n, &l3);
    if (!is_alnum_u(w)) break;
    if (is_apostrophe_u(v)) {
      /* Rubio's: the word ends before the apostrophe and the s is dropped. */
      if ((w == 's' || w == 'S') && (j + l2 + 1 >= n || !is_alnum_u((guchar)t[j + l2 + 1]) ||
                                     (guchar)t[j + l2 + 1] >= 0x80)) {
        gsize after = j + l2 + 1;
        gsize l4 = 0;
        gunichar x = after < n ? char_at(t, after, n, &l4) : 0;
        if (after >= n || !is_alnum_u(x)) {
          tok->end = j;
          /* he's, it's, that's, there's: "is" or "has", not a possessive */
          if (!contraction_word(t + i, j - i, i + 8 <= n)) tok->flags |= F_POSS;
          j = after;
          goto done;
        }
      }
      j += l2;
      continue;
    }
    if (v == '-' || v == 0x2010 || v == 0x2011 || v == '&' || v == '/') {
      j += l2;
      continue;
    }
    if (v == '.' || v == ',' || v == ':') {
      /* 3.5, 1,000, 10:30, U.S */
      if (v == '.' && !(w >= '0' && w <= '9')) inner_period = TRUE;
      else if (v != '.' && !(w >= '0' && w <= '9' && t[j - 1] >= '0' && t[j - 1] <= '9'))
        break;
      j += l2;
      continue;
    }
    break;
  }
  word_end = j;
  if (tok->kind == T_WORD && final_period_is_own(lex, t, n, i, j, upper, inner_period)) {
    word_end = j + 1;
    tok->flags |= F_PERIOD;
  }
  tok->end = word_end;
  j = word_end;
done:
  word_entry(lex, t, n, upper, tok);
  return j;
}

/* The end of the run of ASCII letters and digits from J, four bytes a round without a
 * bound: the caller knows a byte that is none comes before the text's end, or reads up
 * to its NUL. */
static inline gsize alnum_end_unbounded(const char *t, gsize j) {
  for (;; j += 4) {
    if (!(byte_class[(guchar)t[j]] & B_ALNUM)) return j;
    if (!(byte_class[(guchar)t[j + 1]] & B_ALNUM)) return j + 1;
    if (!(byte_class[(guchar)t[j + 2]] & B_ALNUM)) return j + 2;
    if (!(byte_class[(guchar)t[j + 3]] & B_ALNUM)) return j + 3;
  }
}

/* How an ASCII word's run of letters and digits that ends at J, before a character from
 * 0x80 at J, goes on by scan_word()'s rules: J_END when the word ends at J (a character
 * of U+2000-U+203F other than ’ ‐ ‑, whatever follows it; or ’ ‐ ‑ that no letter or
 * digit follows), J_POSS for a possessive ’s, J_NONE when scan_word() must decide (’ ‐ ‑
 * inside a word, or a character outside U+2000-U+203F). */
enum { J_NONE, J_END, J_POSS };
static inline int ascii_word_before_mark(const char *t, gsize n, gsize j) {
  gunichar v = general_punctuation(t, n, j);
  if (!v) return J_NONE;
  guint8 kw = byte_class[(guchar)t[j + 3]];
  /* none of them joins two words unless a letter or digit follows */
  if (!(kw & (B_ALNUM | B_HIGH))) return J_END;
  if (v == 0x2019) {
    /* ’s then no letter or digit: a possessive (T[J + 4] may be the text's NUL) */
    if (((guchar)t[j + 3] | 0x20) == 's' && !(byte_class[(guchar)t[j + 4]] & (B_ALNUM | B_HIGH))) return J_POSS;
    return J_NONE;
  }
  return v == 0x2010 || v == 0x2011 ? J_NONE : J_END;
}

/* scan_word() of the commonest words that are not plain, without decoding characters:
 * ASCII letters and digits joined by - & / ' (or by . between digits or before one, and
 * , : between digits), ended by a possessive 's or ’s, by a joiner that no letter or
 * digit follows, or by a mark of U+2000-U+203F (ascii_word_before_mark()).  I, J, K and TOK as for scan_word(); returns where scanning goes
 * on, or 0 (TOK untouched) for any other word: a letter from 0x80, ’ or ‐ inside it, an
 * inner period before a letter (U.S.), or a character that only decoding tells. */
static G_NO_INLINE gsize ascii_joined_word(const Scan *scan, const Lexicon *lex, gsize i, gsize j, guint8 k,
                                           Tok *tok) {
  const char *t = scan->text;
  gsize n = scan->len;
  gboolean poss = FALSE;
  gsize resume;
  for (;;) {
    /* T[J] ends a run of letters and digits (T[N] is the text's NUL, which ends words) */
    guchar c = (guchar)t[j];
    if (byte_class[c] & B_END) break;
    if (c >= 0x80) {
      int how = ascii_word_before_mark(t, n, j);
      if (how == J_NONE) return 0;
      if (how == J_POSS) {
        poss = TRUE;
        resume = j + 4;
      }
      break;
    }
    /* a joiner: ' - & / . , : (not the NUL, so T[J + 1] is in the text or its NUL) */
    guchar d = (guchar)t[j + 1];
    guint8 kd = byte_class[d];
    if (!(kd & B_ALNUM)) {
      /* no letter or digit after it: the word ends, but a letter from 0x80 may follow */
      if ((kd & B_HIGH) && !general_punctuation(t, n, j + 1)) return 0;
      break;
    }
    if (c == '\'') {
      guchar e = (guchar)t[j + 2];
      if ((d | 0x20) == 's' && !(byte_class[e] & B_ALNUM)) {
        /* 's then no letter or digit: a possessive (a letter from 0x80 would join) */
        if (e >= 0x80 && !general_punctuation(t, n, j + 2)) return 0;
        poss = TRUE;
        resume = j + 2;
        break;
      }
    } else if (c == '.') {
      if (kd & B_ALPHA) return 0; /* an inner period (U.S.) */
    } else if (c == ',' || c == ':') {
      /* 1,000 and 10:30; otherwise the word ends */
      if ((kd & B_ALPHA) || !((guchar)(t[j - 1] - '0') < 10)) break;
    }
    /* (the runs after a joiner are short: no vector test; the NUL at T[N] ends them) */
    j = alnum_end_unbounded(t, j + 1);
  }
  gboolean upper = (k & B_UPPER) != 0;
  tok->kind = (k & B_ALPHA) ? T_WORD : T_NUM;
  tok->flags |= upper ? F_CAP : 0;
  tok->end = j;
  if (poss) {
    /* he's, it's, that's, there's: "is" or "has", not a possessive */
    if (!contraction_word(t + i, j - i, i + 8 <= n)) tok->flags |= F_POSS;
  } else {
    resume = j;
    if (tok->kind == T_WORD && final_period_is_own(lex, t, n, i, j, upper, FALSE)) {
      tok->end = resume = j + 1;
      tok->flags |= F_PERIOD;
    }
  }
  word_entry(lex, t, n, upper, tok);
  return resume;
}

/* The first R bytes of eight (R <= 16: all eight from 8). */
static const guint64 keep_bytes[17] = {
    0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFF, 0xFFFFFFFFFFFF, 0xFFFFFFFFFFFFFF, ~0ull, ~0ull, ~0ull,
    ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};

/* The bytes the main loop's word test reads at once: I < fast (tokenize()) means that
 * they are in the text (its NUL included). */
#if WORD_SIMD
#define WORD_WINDOW 16
#else
#define WORD_WINDOW 8
#endif

/* The end of the run of ASCII letters and digits at I, the start of the commonest token,
 * a plain word: WORD_WINDOW bytes from I are in the text (its NUL included, which ends
 * the run at the latest; tokenize()'s FAST).  KEY receives the lexicon_pack() key of the
 * run.  The first WORD_WINDOW bytes are tested at once (SSE2, or eight with a SWAR test):
 * a byte loop would be a few instructions shorter, but its exit mispredicts about once a
 * word. */
static inline gsize word_run_end(const char *t, gsize i, guint64 *key) {
  guint64 x;
#if WORD_SIMD
  gsize r = alnum_run16(t + i, &x);
  if (G_LIKELY(r < 16)) {
    *key = x & keep_bytes[r];
    return i + r;
  }
  *key = x;
  return alnum_end_unbounded(t, i + 16);
#else
  memcpy(&x, t + i, 8);
  if (G_BYTE_ORDER == G_BIG_ENDIAN) x = GUINT64_SWAP_LE_BE(x);
  guint64 m = swar_not_alnum(x);
  /* ASCII letters and digits are lowercase with the 0x20 bit set */
  x |= 0x2020202020202020ull;
  if (G_LIKELY(m)) {
    gsize r = (gsize)__builtin_ctzll(m) >> 3;
    *key = x & keep_bytes[r];
    return i + r;
  }
  *key = x;
  return alnum_end_unbounded(t, i + 8);
#endif
}

/* The run of letters and digits that ends at J is a plain word: a space or ASCII
 * punctuation ends it, not a joiner such as ' - . , before a letter or digit, nor a byte
 * from 0x80 (scan_word() takes those words).  T[N] is the text's NUL, which ends words,
 * so no bound is checked (J <= N). */
static inline gboolean plain_word_ends(const char *t, gsize j) {
  guint8 k = byte_class[(guchar)t[j]];
  return (k & B_END) || !((k & B_HIGH) | (byte_class[(guchar)t[j + 1]] & (B_HIGH | B_ALNUM)));
}

const WordInfo *scan_lookup(const Lexicon *lex, const Scan *scan, const Tok *tok) {
  gsize wl = tok->end - tok->start;
  if (tok->kind != T_WORD || wl > LEXICON_MAX_KEY) return &lexicon_none;
  const char *s = scan->text + tok->start;
  const WordInfo *w = lexicon_find(lex, scan_tok_key(scan, tok), s, wl);
  return w ? w : &lexicon_none;
}

/* A token that is no word, at I with the character U (CLEN bytes): TOK gets its end, kind
 * and quotation mark; the quotation marks are listed in QUOTE_TOKS (TOK is token K). */
static G_NO_INLINE gsize scan_mark(const char *t, gsize n, gsize i, gunichar u, gsize clen, Tok *tok,
                       gsize k, Vec *quote_toks) {
  guchar c = (guchar)t[i];
  QuoteChar q = u < 0x80 ? (c == '"' ? Q_STRAIGHT_D : c == '\'' ? Q_STRAIGHT_S : c == '`' ? Q_BACKTICK : Q_NONE)
                         : quote_char(u);
  tok->kind = T_PUNCT;
  tok->end = i + clen;
  /* three straight single marks: closing a quote that ends in a nested one they are
   * ' then '' (,''' said X); opening one, '' then ' */
  gboolean triple_close = q == Q_STRAIGHT_S && i + 2 < n && t[i + 1] == '\'' && t[i + 2] == '\'' &&
                          !(i + 3 < n && (byte_class[(guchar)t[i + 3]] & B_ALNUM));
  if (q == Q_STRAIGHT_S && i + 1 < n && t[i + 1] == '\'' && !triple_close) {
    tok->kind = T_QUOTE;
    tok->qchar = Q_APOS2;
    tok->end = i + 2;
    vec_push(quote_toks, k);
  } else if (q == Q_BACKTICK && i + 1 < n && t[i + 1] == '`') {
    tok->kind = T_QUOTE;
    tok->qchar = Q_BACKTICK2;
    tok->end = i + 2;
    vec_push(quote_toks, k);
  } else if (q != Q_NONE) {
    tok->kind = T_QUOTE;
    tok->qchar = (guint8)q;
    /* ’90s, '90s, ‘90s: an apostrophe before a year, never a quotation mark. */
    if ((q == Q_RSQ || q == Q_STRAIGHT_S || q == Q_LSQ) && tok->end + 1 < n && g_ascii_isdigit(t[tok->end]) &&
        g_ascii_isdigit(t[tok->end + 1]) && (tok->end + 2 >= n || !g_ascii_isdigit(t[tok->end + 2])))
      tok->kind = T_PUNCT;
    else
      vec_push(quote_toks, k);
  }
  return tok->end;
}

/* White space from 0x80 at I: its length, or 0. */
static G_NO_INLINE gsize unicode_space(const char *t, gsize n, gsize i) {
  gsize clen;
  return is_space_u(char_at(t, i, n, &clen)) ? clen : 0;
}

/* A token the main loop does not take itself, at I (class K): a word with joiners or
 * other letters (ascii_joined_word(), else scan_word()), or a character that may be a
 * quotation mark or is no ASCII (scan_mark()).  TOK has its start, sentence, block, flags
 * and line breaks (kind, quotation mark and shape 0, entry &lexicon_none); the token is
 * the NT-th.  Returns its end.  Inline: the main loop calls the three directly. */
static inline gsize other_token(Scan *scan, const Lexicon *lex, gsize i, guint8 k, gsize run_end, Tok *tok,
                                gsize nt) {
  const char *t = scan->text;
  gsize n = scan->len, clen = 1;
  gunichar u = (guchar)t[i];
  if (k & B_ALNUM) {
    gsize end = ascii_joined_word(scan, lex, i, run_end, k, tok);
    return end ? end : scan_word(scan, lex, i, run_end, k, tok);
  }
  if (k & B_HIGH) u = char_at(t, i, n, &clen);
  if ((k & B_HIGH) && is_alnum_u(u)) return scan_word(scan, lex, i, i + clen, k, tok);
  return scan_mark(t, n, i, u, clen, tok, nt, &scan->quote_toks);
}

/* Sets TOK's flags (LEAD's and FLAGS), kind, line breaks (LEAD's) and shape, and no
 * quotation mark: the fields are adjacent, so on a little-endian machine one store sets
 * them all. */
static inline void tok_set_meta(Tok *tok, guint64 lead, guint32 flags, guint8 kind, guint8 shape) {
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  G_STATIC_ASSERT(offsetof(Tok, kind) == offsetof(Tok, flags) + 4 && offsetof(Tok, qchar) == offsetof(Tok, flags) + 5 &&
                  offsetof(Tok, nl) == offsetof(Tok, flags) + LEAD_NL / 8 && offsetof(Tok, shape) == offsetof(Tok, flags) + 7);
  guint64 meta = lead | flags | (guint64)kind << 32 | (guint64)shape << 56;
  memcpy((char *)tok + offsetof(Tok, flags), &meta, sizeof meta);
#else
  tok->flags = (guint32)lead | flags;
  tok->kind = kind;
  tok->qchar = 0;
  tok->nl = (guint8)(lead >> LEAD_NL);
  tok->shape = shape;
#endif
}

/* Cuts the text into tokens.  The main loop takes white space, plain ASCII words and
 * one-byte punctuation itself, with the token's sentence and block carried over from the
 * token before; the rest (words with joiners or other letters, quotation marks,
 * characters from 0x80) goes to other_token(). */
static void tokenize(Scan *scan, const Lexicon *lex, const gsize *sents, gsize n_sents) {
  Position pos = {.sents = sents, .n_sents = n_sents, .sent_end = n_sents > 0 ? sents[1] : G_MAXSIZE,
                  .sent_first = &scan->sent_first, .sent_flags = &scan->sent_flags,
                  .block_first = &scan->block_first, .sent_toks = &scan->sent_toks};
  memset(items_reserve(&scan->sent_flags, n_sents + 1, 1), 0, n_sents + 1);
  items_reserve(&scan->sent_first, n_sents + 1, sizeof(gsize));
  const char *t = scan->text;
  gsize n = scan->len, i = 0;
  /* the lead bits (LEAD_NL) of the next token */
  guint64 lead = F_SPACE;
  /* the current sentence and block */
  guint32 sent = 0, block = 0;
  /* written in place: the array grows by doubling, and the list of capitalised words
   * (no longer than the tokens') with it */
  gsize cap = MAX(scan->caps.cap, n / 4 + 64);
  if (cap > scan->caps.cap) {
    /* the list holds nothing to keep: a new one, not a copy */
    g_free(scan->caps.v);
    scan->caps.v = g_new(gsize, cap);
    scan->caps.cap = cap;
  }
  Tok *out = items_reserve(&scan->toks, cap, sizeof(Tok));
  gsize *next_cap = scan->caps.v;
  /* the token being written, the NT-th (nt is TOK - OUT, computed where needed) */
  Tok *tok = out;
  /* from where word_run_end() may not be asked: where fewer than WORD_WINDOW bytes are left
   * (the NUL after the text counts: T[N] may be read, and ends any run), and from the last
   * byte that is no ASCII letter or digit (not needed, as the NUL ends a run, but the loop
   * GCC makes with it is cheaper) */
  gsize fast = n;
  while (fast > 0 && (byte_class[(guchar)t[fast - 1]] & B_ALNUM)) fast--;
  fast = fast > 0 ? fast - 1 : 0;
  fast = MIN(fast, n >= WORD_WINDOW - 1 ? n - (WORD_WINDOW - 2) : 0);
  /* the byte from which a token is checked before it is written: at most the current
   * sentence's end, at most the token's start plus the free slots from it (each token
   * starts on a byte of its own), and at most FAST (the text's NUL, which ends the loop,
   * is after it); 0 after a line break (the next token may start a block).  One compare a
   * token does all of it. */
  gsize check = 0;
  for (;;) {
    guint8 k = byte_class[(guchar)t[i]];
    gsize end = i;
    guint64 key;
    if (G_UNLIKELY(i >= check) && !(k & (B_SPACE | B_NL)) && !((k & B_HIGH) && unicode_space(t, n, i))) {
      /* a token at or past CHECK */
      if (i >= n) break; /* the NUL, not a token */
      gsize nt = (gsize)(tok - out);
      if (nt == 0 || pos.nl || i >= pos.sent_end) {
        lead |= position_change(&pos, i, nt);
        sent = pos.sent;
        block = pos.block;
      }
      if (cap - nt < 64) {
        gsize done = (gsize)(next_cap - scan->caps.v);
        cap *= 2;
        if (cap > scan->toks.cap) {
          scan->toks.v = g_renew(Tok, scan->toks.v, cap);
          scan->toks.cap = cap;
        }
        out = scan->toks.v;
        tok = out + nt;
        scan->caps.cap = cap;
        scan->caps.v = g_renew(gsize, scan->caps.v, cap);
        next_cap = scan->caps.v + done;
      }
      check = MIN(MIN(pos.sent_end, i + (cap - nt)), fast);
      if (i >= fast && (k & B_ALNUM)) {
        /* the text's last bytes, where word_run_end() may not read */
        end = alnum_run_end(t, n, i + 1);
        if (!plain_word_ends(t, end)) goto other;
        key = pack_word(t + i, end - i, i + 8 <= n);
        goto plain_word;
      }
    }
    if (G_LIKELY(k & B_ALNUM) && plain_word_ends(t, end = word_run_end(t, i, &key))) {
    plain_word:;
      guint8 kind = T_NUM;
      guint32 flags = 0;
      /* a capitalised word: F_CAP, and listed in the caps (digits are no capitals) */
      gboolean upper = (k & B_UPPER) != 0;
      tok->start = i;
      tok->sent = sent;
      tok->block = block;
      if (k & B_ALPHA) {
        kind = T_WORD;
        gsize len = end - i;
        /* (T[N] is the text's NUL: no bound to check) */
        if (G_UNLIKELY(t[end] == '.') && t[end + 1] != '.' &&
            ((len == 1 && upper) || (len <= 6 && own_period(lex, t + i, len, key)))) {
          /* a final period that belongs to the word (Mr., J.) */
          if (len < 8) key |= (guint64)'.' << (8 * len);
          end++;
          flags |= F_PERIOD;
          const WordInfo *info = tok->info = eager_info_slow(lex, t + i, len + 1, key, upper);
          mark_sentence(&pos, sent, info->flags);
        } else if (G_UNLIKELY(len > 8)) {
          const WordInfo *info = tok->info = long_word_info(lex, t + i, len, key, upper);
          mark_sentence(&pos, sent, info->flags);
        } else {
          /* eager_info() of a short word: no tail to hash */
          guint64 h = lexicon_hash(key, 0);
          tok->info = &lexicon_lazy;
          if (upper || lexicon_maybe_cue(lex, h)) {
            const WordInfo *info = tok->info = find_word(lex, h, key, t + i, len);
            mark_sentence(&pos, sent, info->flags);
          }
        }
        if (upper) {
          flags |= F_CAP | capital_flags(t, i, end, flags);
          *next_cap++ = (gsize)(tok - out);
        }
      } else {
        tok->info = &lexicon_none;
      }
      tok->end = end;
      /* (the key's first byte is the word's with its 0x20 bit set, which word_shape() drops) */
      tok_set_meta(tok, lead, flags, kind, word_shape((guchar)key, end - i));
    } else if (k & B_MARK) {
      tok->start = i;
      tok->end = end = i + 1;
      tok->sent = sent;
      tok->block = block;
      tok_set_meta(tok, lead, 0, T_PUNCT, 0);
      tok->info = &lexicon_none;
    } else if (k & (B_SPACE | B_NL)) {
      if (k & B_NL) {
        pos.nl += pos.nl < 255;
        check = 0; /* the next token may start a block */
      }
      lead = F_SPACE;
      i++;
      continue;
    } else {
      if (G_UNLIKELY(k & B_HIGH)) {
        gsize l = unicode_space(t, n, i);
        if (l) {
          lead = F_SPACE;
          i += l;
          continue;
        }
      }
    other:
      tok->start = i;
      tok->sent = sent;
      tok->block = block;
      tok_set_meta(tok, lead, 0, 0, 0);
      tok->info = &lexicon_none;
      /* END: the end of the word's first run, when K is a letter or digit */
      end = other_token(scan, lex, i, k, end, tok, (gsize)(tok - out));
      if (tok->kind == T_WORD) tok->shape = word_shape((guchar)t[i], tok->end - tok->start);
      mark_sentence(&pos, sent, tok->info->flags);
      if ((tok->flags & F_CAP) && tok->kind == T_WORD) *next_cap++ = (gsize)(tok - out);
    }
    tok++;
    /* the commonest white space, one space, taken here without a branch (a space follows
     * four words in five; T[N] is the text's NUL): F_SPACE is bit 0, so the test is the
     * flag and the byte to skip at once */
    G_STATIC_ASSERT(F_SPACE == 1);
    lead = t[end] == ' ';
    i = end + lead;
  }
  gsize nt = (gsize)(tok - out);
  scan->toks.n = nt;
  scan->caps.n = (gsize)(next_cap - scan->caps.v);
  scan->n_blocks = nt ? pos.block + 1 : 0;
  scan->n_sents = nt ? (n_sents ? (guint32)n_sents : pos.sent_counter + 1) : 0;
  if (scan->sent_first.n < scan->n_sents + 1) {
    items_resize(&scan->sent_first, scan->n_sents + 1, sizeof(gsize));
    items_resize(&scan->sent_flags, scan->n_sents + 1, 1);
  }
}
/* ---- Sentences and blocks ----------------------------------------------------------- */

/* ---- Pairing ------------------------------------------------------------------------ */

typedef enum { R_NONE, R_OPEN_D, R_CLOSE_D, R_OPEN_S, R_CLOSE_S } Role;

typedef struct {
  gsize tok;
  gboolean dbl;
  QuoteChar qc;
} Open;

typedef struct {
  Scan *scan;
  Open *stack; /* MAX_DEPTH open marks, read only below DEPTH */
  int depth;
  gboolean block_has_quote; /* a candidate or an open mark seen in this block */
  gsize cont_open;          /* opening mark of a quote continued from an earlier block */
  gboolean continuing;
  gsize n_cands; /* the candidates made (the array is sized for the most there can be) */
} Pairer;

/* Sets of ASCII characters, a bit each (ascii_in()). */
#define ASCII_BIT(c) (1ull << ((c) & 63))
/* the ASCII characters after which a mark opens (left_open()) */
static const guint64 opens_after[2] = {
    ASCII_BIT(0) | ASCII_BIT('(') | ASCII_BIT('<') | ASCII_BIT('-') | ASCII_BIT('/') | ASCII_BIT('"') |
        ASCII_BIT('\''),
    ASCII_BIT('[') | ASCII_BIT('{')};
/* the ASCII characters before which a mark closes (right_close()): white space too */
static const guint64 closes_before[2] = {
    ASCII_BIT(0) | ASCII_BIT('\t') | ASCII_BIT('\n') | ASCII_BIT('\v') | ASCII_BIT('\f') | ASCII_BIT('\r') |
        ASCII_BIT(' ') | ASCII_BIT('.') | ASCII_BIT(',') | ASCII_BIT(';') | ASCII_BIT(':') | ASCII_BIT('!') |
        ASCII_BIT('?') | ASCII_BIT(')') | ASCII_BIT('>') | ASCII_BIT('-') | ASCII_BIT('"') | ASCII_BIT('\''),
    ASCII_BIT(']') | ASCII_BIT('}')};

/* The ASCII character C (below 0x80) is in SET. */
static inline gboolean ascii_in(const guint64 set[2], guchar c) { return (set[c >> 6] >> (c & 63)) & 1; }

/* left_open() of a mark after a byte from 0x80: the character that ends there decides. */
static G_NO_INLINE gboolean left_open_slow(const Scan *s, const Tok *t) {
  const char *p = g_utf8_find_prev_char(s->text, s->text + t->start);
  if (!p) return TRUE;
  switch (g_utf8_get_char(p)) {
  case 0x2014: case 0x2013: case 0x201C: case 0x2018: case 0x00AB: case 0x201E:
    return TRUE;
  default:
    return FALSE;
  }
}

/* The mark T opens on its left: at the text's start, after white space, or after one of
 * ( [ { < - / " ' — – “ ‘ « „ (or a NUL). */
static inline gboolean left_open(const Scan *s, const Tok *t) {
  if (t->start == 0 || (t->flags & F_SPACE)) return TRUE;
  guchar c = (guchar)s->text[t->start - 1];
  return c < 0x80 ? ascii_in(opens_after, c) : left_open_slow(s, t);
}

/* right_close() of a mark before a byte from 0x80. */
static G_NO_INLINE gboolean right_close_slow(const Scan *s, const Tok *t) {
  gsize clen;
  gunichar u = char_at(s->text, t->end, s->len, &clen);
  if (is_space_u(u)) return TRUE;
  switch (u) {
  case 0x2014: case 0x2013: case 0x201D: case 0x2019: case 0x00BB: case 0x2026:
    return TRUE;
  default:
    return FALSE;
  }
}

/* The mark T closes on its right: at the text's end, before white space, or before one
 * of . , ; : ! ? ) ] } > - " ' — – ” ’ » … (or a NUL). */
static inline gboolean right_close(const Scan *s, const Tok *t) {
  if (t->end >= s->len) return TRUE;
  guchar c = (guchar)s->text[t->end];
  return c < 0x80 ? ascii_in(closes_before, c) : right_close_slow(s, t);
}

/* The topmost double mark on the stack, or -1. */
static inline int top_double(const Pairer *p) {
  for (int i = p->depth - 1; i >= 0; i--)
    if (p->stack[i].dbl) return i;
  return -1;
}

/* Adds a candidate to the pairer's; the array has room (scan_run()). */
static inline void add_cand(Pairer *p, gsize open_tok, gsize close_tok, gsize first, gsize last,
                     guint32 flags) {
  Scan *s = p->scan;
  if (first > last || last >= s->toks.n) return;
  Cand c = {.open_tok = open_tok, .close_tok = close_tok, .first = first, .last = last, .flags = flags};
  c.cstart = scan_tok(s, first)->start;
  c.cend = scan_tok(s, last)->end;
  if (c.cend <= c.cstart) return;
  ITEM(&s->cands, Cand, p->n_cands++) = c;
}

/* The role of mark T, with TD the topmost double mark open (top_double()). */
static Role decide(const Pairer *p, const Tok *t, int td) {
  gboolean lo = left_open(p->scan, t), rc = right_close(p->scan, t);
  /* a single mark is open at the current level when the topmost mark is one */
  gboolean open_d = td >= 0, open_s = p->depth > 0 && !p->stack[p->depth - 1].dbl;
  switch ((QuoteChar)t->qchar) {
  case Q_LDQ:
    if (open_d && p->stack[td].qc == Q_LOW_D) return R_CLOSE_D;
    if (!lo && rc && open_d) return R_CLOSE_D;
    return R_OPEN_D;
  case Q_RDQ:
    if (lo && !rc && !open_d) return R_OPEN_D;
    /* ”… at a paragraph's start, nothing open: a wrong-way opening mark */
    if ((t->flags & F_BLOCK_START) && !open_d) return R_OPEN_D;
    return R_CLOSE_D;
  case Q_LOW_D:
  case Q_LGUIL:
  case Q_BACKTICK2: return R_OPEN_D;
  case Q_RGUIL: return R_CLOSE_D;
  case Q_STRAIGHT_D:
  case Q_APOS2:
    if (lo && !rc) return R_OPEN_D;
    if (!lo && rc) return R_CLOSE_D;
    return open_d ? R_CLOSE_D : R_OPEN_D;
  case Q_LSQ:
  case Q_LSGUIL:
  case Q_LOW_S:
  case Q_BACKTICK: return R_OPEN_S;
  case Q_RSGUIL: return open_s ? R_CLOSE_S : R_NONE;
  case Q_RSQ:
    if (lo && !rc) return R_NONE; /* ’em, ’til */
    return open_s ? R_CLOSE_S : R_NONE;
  case Q_STRAIGHT_S:
    if (lo && !rc) return R_OPEN_S;
    if (open_s && !lo) return R_CLOSE_S;
    return R_NONE;
  default: return R_NONE;
  }
}

static gboolean opens_double(QuoteChar q) {
  return q == Q_LDQ || q == Q_STRAIGHT_D || q == Q_APOS2 || q == Q_BACKTICK2 || q == Q_LGUIL ||
         q == Q_LOW_D;
}

/* Pairs the marks of the block of tokens [first, last]; its quotation marks are the
 * tokens QT[0 .. NQ). */
static void pair_block(Pairer *p, gsize first, gsize last, const gsize *qt, gsize nq) {
  Scan *s = p->scan;
  gsize k = first;
  p->depth = 0;
  p->block_has_quote = FALSE;
  if (p->continuing) {
    /* The block's first token re-opens the quote of the block before. */
    p->stack[0] = (Open){.tok = p->cont_open, .dbl = TRUE, .qc = Q_LDQ};
    p->depth = 1;
    p->block_has_quote = TRUE;
    k = first + 1;
  }
  gboolean was_continuing = p->continuing;
  p->continuing = FALSE;
  for (gsize qi = 0; qi < nq; qi++) {
    k = qt[qi];
    if (k < first || (was_continuing && k == first)) continue;
    const Tok *t = scan_tok(s, k);
    int td = top_double(p);
    Role r = decide(p, t, td);
    switch (r) {
    case R_NONE: break;
    case R_OPEN_D:
    case R_OPEN_S:
      if (p->depth < MAX_DEPTH)
        p->stack[p->depth++] = (Open){.tok = k, .dbl = r == R_OPEN_D, .qc = (QuoteChar)t->qchar};
      p->block_has_quote = TRUE;
      break;
    case R_CLOSE_D:
    case R_CLOSE_S: {
      /* (a single mark closes only the topmost mark, which decide() found single) */
      int i = r == R_CLOSE_D ? td : p->depth - 1;
      if (i < 0) {
        /* A closing mark with nothing open: the opening one was lost. */
        if (r == R_CLOSE_D && !p->block_has_quote && k > first)
          add_cand(p, first, k, first, k - 1, C_NO_OPEN);
        p->block_has_quote = TRUE;
        break;
      }
      gsize o = p->stack[i].tok;
      p->depth = i;
      if (p->depth == 0) {
        guint32 flags = r == R_CLOSE_S ? C_SINGLE : 0;
        if (was_continuing && o < first) flags |= C_MULTIPARA;
        add_cand(p, o, k, o + 1, k - 1, flags);
      }
      break;
    }
    }
  }
  /* The block ends: a double quotation still open continues or ends here. */
  int bottom = -1;
  for (int i = 0; i < p->depth; i++)
    if (p->stack[i].dbl) {
      bottom = i;
      break;
    }
  if (bottom < 0) return;
  gsize o = p->stack[bottom].tok;
  if (last + 1 < s->toks.n) {
    const Tok *next = scan_tok(s, last + 1);
    if (next->kind == T_QUOTE && opens_double((QuoteChar)next->qchar) &&
        left_open(s, next) && !right_close(s, next)) {
      p->continuing = TRUE;
      p->cont_open = o;
      return;
    }
  }
  guint32 flags = C_UNCLOSED | (o < first ? C_MULTIPARA : 0);
  /* Trailing quotation marks of other levels are not content. */
  gsize end = last;
  add_cand(p, o, last, o + 1, end, flags);
}

void scan_run(Scan *scan, const Lexicon *lex, const char *text, gsize len, const gsize *sents,
              gsize n_sents) {
  scan->text = text;
  scan->len = len;
  scan->quote_toks.n = scan->block_first.n = scan->caps.n = scan->sent_toks.n = 0;
  tokenize(scan, lex, sents, n_sents);
  /* Only blocks with quotation marks have anything to pair (a block continuing a
   * quotation opens with one). */
  Open stack[MAX_DEPTH]; /* read only below the pairer's depth: not zeroed */
  Pairer p = {.scan = scan, .stack = stack};
  gsize n = scan->toks.n;
  const gsize *qt = scan->quote_toks.v;
  const gsize *bf = scan->block_first.v;
  gsize nq = scan->quote_toks.n, nb = scan->block_first.n, b = 0;
  /* a candidate is made at a closing mark or at the end of a block with marks: at most
   * two a mark */
  items_reserve(&scan->cands, 2 * nq, sizeof(Cand));
  for (gsize qi = 0; qi < nq;) {
    while (b + 1 < nb && bf[b + 1] <= qt[qi]) b++;
    gsize first = bf[b], last = b + 1 < nb ? bf[b + 1] - 1 : n - 1;
    gsize qe = qi;
    while (qe < nq && qt[qe] <= last) qe++;
    pair_block(&p, first, last, qt + qi, qe - qi);
    qi = qe;
    b++;
    /* a quotation continues only into the very next block */
    if (p.continuing && (b >= nb || qi >= nq || qt[qi] != bf[b])) p.continuing = FALSE;
  }
  scan->cands.n = p.n_cands;
}

void scan_clear(Scan *scan) {
  Items *arrays[] = {&scan->toks, &scan->cands, &scan->sent_first, &scan->sent_flags};
  Vec *vecs[] = {&scan->quote_toks, &scan->block_first, &scan->caps, &scan->sent_toks};
  for (guint i = 0; i < G_N_ELEMENTS(vecs); i++) {
    g_free(vecs[i]->v);
    *vecs[i] = (Vec){0};
  }
  for (guint i = 0; i < G_N_ELEMENTS(arrays); i++) {
    g_free(arrays[i]->v);
    *arrays[i] = (Items){0};
  }
}
