/* copydesk — quotes: tokens, blocks and quotation marks.
 *
 * One left-to-right scan cuts the text into words, numbers, punctuation and possible
 * quotation marks, and gives each token its sentence and block as it goes.  Apostrophes
 * inside a word stay in it (don't, O'Brien); a possessive 's is dropped and flagged on
 * its word (Rubio's), but he's, it's, that's are no possessives; an apostrophe before a
 * digit is punctuation, never a quotation mark (the ’90s).  ASCII words are scanned
 * eight bytes at a time.  The scan also lists the quotation marks, the capitalised
 * words, the sentences and which of them hold a reported-speech cue, so the later
 * passes visit only those tokens.
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
#include <string.h>

#include "quotes.h"

#define MAX_DEPTH 16

static inline gboolean is_ascii_alnum(guchar c) {
  return (guchar)((c | 0x20) - 'a') < 26 || (guchar)(c - '0') < 10;
}

static inline gunichar char_at(const char *t, gsize i, gsize n, gsize *clen) {
  guchar c = (guchar)t[i];
  if (c < 0x80) {
    *clen = 1;
    return c;
  }
  gunichar u = g_utf8_get_char_validated(t + i, (gssize)(n - i));
  if (u == (gunichar)-1 || u == (gunichar)-2) {
    *clen = 1;
    return 0xFFFD;
  }
  *clen = (gsize)(g_utf8_next_char(t + i) - (t + i));
  return u;
}

static inline gboolean is_alnum_u(gunichar u) {
  if (u < 0x80) return is_ascii_alnum((guchar)u);
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
};

static const guint8 *byte_classes(void) {
  static guint8 cls[256];
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    for (guint c = 0; c < 256; c++) {
      guint8 k = 0;
      if (c >= 0x80) k = B_HIGH;
      else if (c >= 'A' && c <= 'Z') k = B_ALNUM | B_ALPHA | B_UPPER;
      else if (c >= 'a' && c <= 'z') k = B_ALNUM | B_ALPHA;
      else if (c >= '0' && c <= '9') k = B_ALNUM;
      else if (c == '\n') k = B_NL;
      else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') k = B_SPACE;
      cls[c] = k;
    }
    g_once_init_leave(&done, 1);
  }
  return cls;
}

/* lexicon_pack() of the LEN bytes at S (S + 8 readable when FULL): eight bytes at once,
 * ASCII capitals folded with a SWAR test. */
static inline guint64 pack_word(const char *s, gsize len, gboolean full) {
  if (!full) return lexicon_pack(s, len);
  guint64 x;
  memcpy(&x, s, 8);
  if (G_BYTE_ORDER == G_BIG_ENDIAN) x = GUINT64_SWAP_LE_BE(x);
  /* keep the first LEN bytes (1 <= LEN), without a branch */
  gsize keep = len < 8 ? len : 8;
  x &= ~0ull >> (64 - 8 * keep);
  const guint64 ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  guint64 h = x & ~high;
  guint64 ge_a = h + ones * (0x80 - 'A');
  guint64 gt_z = h + ones * (0x80 - 'Z' - 1);
  guint64 upper = ge_a & ~gt_z & ~x & high;
  return x | (upper >> 2);
}

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

/* The end of the run of ASCII letters and digits from J. */
static inline gsize alnum_run_end(const guint8 *cls, const char *t, gsize n, gsize j) {
  while (j + 8 <= n) {
    guint64 x;
    memcpy(&x, t + j, 8);
    if (G_BYTE_ORDER == G_BIG_ENDIAN) x = GUINT64_SWAP_LE_BE(x);
    guint64 m = swar_not_alnum(x);
    if (m) return j + ((gsize)__builtin_ctzll(m) >> 3);
    j += 8;
  }
  while (j < n && (cls[(guchar)t[j]] & B_ALNUM)) j++;
  return j;
}

/* Words whose final period is their own (besides single letters and U.S.-like words and
 * the lexicon's titles). */
static gboolean own_period(const Lexicon *lex, const char *s, gsize len) {
  /* by length: jr sr co st no vs mt ft / inc ltd / corp bros sens reps / messrs */
  static const char *const by_len[7] = {NULL, NULL, "jr sr co st no vs mt ft ", "inc ltd ",
                                        "corp bros sens reps ", NULL, "messrs "};
  if (len > 6 || len < 2) return FALSE;
  if (by_len[len]) {
    char w[8];
    for (gsize i = 0; i < len; i++) w[i] = g_ascii_tolower(s[i]);
    for (const char *p = by_len[len]; *p; p += len + 1)
      if (memcmp(p, w, len) == 0) return TRUE;
  }
  if (len > 5 || !(s[0] >= 'A' && s[0] <= 'Z')) return FALSE;
  const WordInfo *w = lexicon_lookup(lex, s, len);
  return w && (w->flags & (W_TITLE | W_DESCRIPTOR)) && !(w->flags & W_CUE);
}

/* ---- Tokenizer ------------------------------------------------------------------- */

/* Sentence and block of each token as it is made (see assign below). */
typedef struct {
  const gsize *sents;
  gsize n_sents, si, k;
  gsize sent_end; /* where the current sentence ends (n_sents > 0) */
  guint32 block, prev_sent, sent_counter;
  GArray *sent_first;
  Vec *block_first; /* each block's first token */
  Vec *sent_toks, *caps;
  GArray *sent_flags; /* guint8, as long as sent_first (zeroed when it grows) */
} Assign;

/* Gives TOK (the K-th token) its sentence and block: a block is a paragraph, or a line
 * whose break also ends a sentence; without sentences, a sentence per block. */
static inline void assign(Assign *a, Tok *tok) {
  gsize k = a->k++;
  guint32 sent;
  if (a->n_sents > 0) {
    if (tok->start >= a->sent_end) {
      while (a->si + 1 < a->n_sents && a->sents[2 * a->si + 1] <= tok->start) a->si++;
      a->sent_end = a->si + 1 < a->n_sents ? a->sents[2 * a->si + 1] : G_MAXSIZE;
    }
    sent = (guint32)a->si;
  } else {
    sent = 0;
  }
  gboolean new_block = FALSE;
  if (tok->nl && k > 0)
    new_block = tok->nl >= 2 || sent != a->prev_sent || a->n_sents == 0;
  if (new_block) a->block++;
  if (a->n_sents == 0) {
    if (new_block || k == 0) a->sent_counter = k == 0 ? 0 : a->sent_counter + 1;
    sent = a->sent_counter;
  }
  if (G_UNLIKELY(k == 0 || sent != a->prev_sent)) {
    tok->flags |= F_SENT_START;
    if (sent >= a->sent_first->len) {
      g_array_set_size(a->sent_first, sent + 1);
      g_array_set_size(a->sent_flags, sent + 1);
    }
    g_array_index(a->sent_first, gsize, sent) = k;
    vec_push(a->sent_toks, k);
  }
  if (G_UNLIKELY(k == 0 || new_block)) {
    tok->flags |= F_BLOCK_START | F_SENT_START;
    vec_push(a->block_first, k);
  }
  tok->sent = sent;
  tok->block = a->block;
  a->prev_sent = sent;
  if (tok->info->flags & W_CUE_INDIRECT) g_array_index(a->sent_flags, guint8, sent) |= SF_CUE;
  /* without a branch on the (unpredictable) capital: written always, counted when one */
  if (G_UNLIKELY(a->caps->n == a->caps->cap)) {
    a->caps->cap = a->caps->cap ? a->caps->cap * 2 : 256;
    a->caps->v = g_renew(gsize, a->caps->v, a->caps->cap);
  }
  a->caps->v[a->caps->n] = k;
  a->caps->n += (tok->flags & F_CAP) && tok->kind == T_WORD;
}

/* Words whose 's is "is" or "has" (he's, it's, there's). */
static gboolean contraction_word(const char *s, gsize len) {
  static const char *const words[] = {"he", "she", "it", "that", "there", "here", "what", "who", "where", "how", "let"};
  if (len > 5) return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS(words); i++)
    if (strlen(words[i]) == len && g_ascii_strncasecmp(words[i], s, len) == 0) return TRUE;
  return FALSE;
}

/* Two letters or more in [start, end) and every one a capital (NATO, U.S.): stops at the
 * first small letter, so an ordinary capitalised word costs a byte or two. */
static gboolean all_capitals(const guint8 *cls, const char *t, gsize start, gsize end) {
  guint letters = 0;
  for (gsize i = start; i < end;) {
    guchar b = (guchar)t[i];
    if (b < 0x80) {
      if (cls[b] & B_ALPHA) {
        if (!(cls[b] & B_UPPER)) return FALSE;
        letters++;
      }
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

/* The rest of a word that starts at I with the character U (CLEN bytes, class K): sets
 * TOK's end, kind and flags; returns where scanning goes on. */
static inline gsize scan_word(const Lexicon *lex, const guint8 *cls, const char *t, gsize n, gsize i,
                              gunichar u, gsize clen, guint8 k, Tok *tok) {
  gsize j = i + clen, word_end;
  gboolean inner_period = FALSE, upper;
  if (k & B_ALNUM) {
    upper = (k & B_UPPER) != 0;
    tok->kind = (k & B_ALPHA) ? T_WORD : T_NUM;
  } else {
    upper = g_unichar_isupper(u);
    tok->kind = T_WORD;
  }
  tok->flags |= upper ? F_CAP : 0;
  for (;;) {
    /* the ASCII letters and digits of the word */
    j = alnum_run_end(cls, t, n, j);
    if (j >= n) break;
    {
      /* the usual ends: a space, or ASCII punctuation that never joins two words */
      guchar b = (guchar)t[j];
      if (cls[b] & (B_SPACE | B_NL)) break;
      if (b < 0x80 && b != '\'' && b != '-' && b != '&' && b != '/' && b != '.' && b != ',' && b != ':')
        break;
    }
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
          if (!contraction_word(t + i, j - i)) tok->flags |= F_POSS;
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
  /* A final period that belongs to the word. */
  if (j < n && t[j] == '.' && tok->kind == T_WORD && !(j + 1 < n && t[j + 1] == '.')) {
    gsize wl = j - i;
    if (inner_period || (wl == 1 && upper) || own_period(lex, t + i, wl)) {
      word_end = j + 1;
      tok->flags |= F_PERIOD;
    }
  }
  tok->end = word_end;
  j = word_end;
done:
  if (upper) {
    if (all_capitals(cls, t, tok->start, tok->end)) tok->flags |= F_UPPER;
    if (tok->end - tok->start == 1 || (tok->end - tok->start == 2 && (tok->flags & F_PERIOD)))
      tok->flags |= F_INITIAL;
  }
  if (tok->kind == T_WORD) {
    gsize wl = tok->end - tok->start;
    if (wl <= LEXICON_MAX_KEY) {
      /* only words that may be cues now; the rest when the attribution asks */
      guint64 key = pack_word(t + tok->start, wl, tok->start + 8 <= n);
      if (t[tok->end - 1] == '.') {
        const WordInfo *w = lexicon_lookup_packed(lex, key, t + tok->start, wl);
        if (w) tok->info = w;
      } else {
        guint64 h = lexicon_hash(key, wl, lexicon_tail_hash(t + tok->start, wl));
        /* capitalised words are all asked for (names); cues decide the sentence's kind */
        if (upper || lexicon_maybe_cue(lex, h)) {
          const WordInfo *w = lexicon_find_hashed(lex, h, key, t + tok->start, wl);
          if (w) tok->info = w;
        } else {
          tok->info = &lexicon_lazy;
        }
      }
    }
  }
  return j;
}

const WordInfo *scan_lookup(const Lexicon *lex, const Scan *scan, const Tok *tok) {
  gsize wl = tok->end - tok->start;
  if (tok->kind != T_WORD || wl > LEXICON_MAX_KEY) return &lexicon_none;
  const char *s = scan->text + tok->start;
  const WordInfo *w = lexicon_find(lex, pack_word(s, wl, tok->start + 8 <= scan->len), s, wl);
  return w ? w : &lexicon_none;
}

static void tokenize(Scan *scan, const Lexicon *lex, const gsize *sents, gsize n_sents) {
  Assign as = {.sents = sents, .n_sents = n_sents, .prev_sent = G_MAXUINT32, .sent_first = scan->sent_first,
               .block_first = &scan->block_first, .sent_toks = &scan->sent_toks, .caps = &scan->caps,
               .sent_flags = scan->sent_flags};
  g_array_set_size(scan->sent_flags, 0);
  g_array_set_size(scan->sent_flags, n_sents + 1);
  as.sent_end = n_sents > 0 ? sents[1] : G_MAXSIZE;
  g_array_set_size(scan->sent_first, n_sents + 1);
  const guint8 *cls = byte_classes();
  const char *t = scan->text;
  gsize n = scan->len, i = 0;
  guint nl = 0;
  guint32 space = F_SPACE;
  /* written in place: the array grows by doubling */
  gsize cap = MAX(scan->toks->len, n / 4 + 64);
  g_array_set_size(scan->toks, cap);
  Tok *out = (Tok *)(void *)scan->toks->data;
  gsize nt = 0;
  while (i < n) {
    guchar c = (guchar)t[i];
    guint8 k = cls[c];
    if (k & (B_SPACE | B_NL)) {
      if ((k & B_NL) && nl < 255) nl++;
      space = F_SPACE;
      i++;
      continue;
    }
    gsize clen = 1;
    gunichar u = c;
    if (k & B_HIGH) {
      u = char_at(t, i, n, &clen);
      if (is_space_u(u)) {
        space = F_SPACE;
        i += clen;
        continue;
      }
    }
    if (G_UNLIKELY(nt == cap)) {
      cap *= 2;
      g_array_set_size(scan->toks, cap);
      out = (Tok *)(void *)scan->toks->data;
    }
    Tok *tok = &out[nt];
    tok->start = i;
    tok->nl = (guint8)nl;
    tok->flags = space;
    tok->info = &lexicon_none;
    tok->qchar = Q_NONE;
    tok->pad = 0;
    nl = 0;
    space = 0;
    if ((k & B_ALNUM) || ((k & B_HIGH) && is_alnum_u(u))) {
      i = scan_word(lex, cls, t, n, i, u, clen, k, tok);
    } else {
      QuoteChar q = u < 0x80 ? (c == '"' ? Q_STRAIGHT_D : c == '\'' ? Q_STRAIGHT_S : c == '`' ? Q_BACKTICK : Q_NONE)
                             : quote_char(u);
      tok->kind = T_PUNCT;
      tok->end = i + clen;
      /* three straight single marks: closing a quote that ends in a nested one they are
       * ' then '' (,''' said X); opening one, '' then ' */
      gboolean triple_close = q == Q_STRAIGHT_S && i + 2 < n && t[i + 1] == '\'' && t[i + 2] == '\'' &&
                              !(i + 3 < n && (cls[(guchar)t[i + 3]] & B_ALNUM));
      if (q == Q_STRAIGHT_S && i + 1 < n && t[i + 1] == '\'' && !triple_close) {
        tok->kind = T_QUOTE;
        tok->qchar = Q_APOS2;
        tok->end = i + 2;
        vec_push(&scan->quote_toks, nt);
      } else if (q == Q_BACKTICK && i + 1 < n && t[i + 1] == '`') {
        tok->kind = T_QUOTE;
        tok->qchar = Q_BACKTICK2;
        tok->end = i + 2;
        vec_push(&scan->quote_toks, nt);
      } else if (q != Q_NONE) {
        tok->kind = T_QUOTE;
        tok->qchar = (guint8)q;
        /* ’90s, '90s, ‘90s: an apostrophe before a year, never a quotation mark. */
        if ((q == Q_RSQ || q == Q_STRAIGHT_S || q == Q_LSQ) && tok->end + 1 < n &&
            g_ascii_isdigit(t[tok->end]) && g_ascii_isdigit(t[tok->end + 1]) &&
            (tok->end + 2 >= n || !g_ascii_isdigit(t[tok->end + 2])))
          tok->kind = T_PUNCT;
        else
          vec_push(&scan->quote_toks, nt);
      }
      i = tok->end;
    }
    assign(&as, tok);
    nt++;
  }
  g_array_set_size(scan->toks, nt);
  scan->n_blocks = nt ? as.block + 1 : 0;
  scan->n_sents = nt ? (n_sents ? (guint32)n_sents : as.sent_counter + 1) : 0;
  if (scan->sent_first->len < scan->n_sents + 1) {
    g_array_set_size(scan->sent_first, scan->n_sents + 1);
    g_array_set_size(scan->sent_flags, scan->n_sents + 1);
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
  Open stack[MAX_DEPTH];
  int depth;
  gboolean block_has_quote; /* a candidate or an open mark seen in this block */
  gsize cont_open;          /* opening mark of a quote continued from an earlier block */
  gboolean continuing;
} Pairer;

static gboolean left_open(const Scan *s, const Tok *t) {
  if (t->start == 0 || (t->flags & F_SPACE)) return TRUE;
  const char *p = g_utf8_find_prev_char(s->text, s->text + t->start);
  if (!p) return TRUE;
  gunichar u = g_utf8_get_char(p);
  return strchr("([{<-/", (int)(u < 0x80 ? u : 'x')) != NULL || u == 0x2014 || u == 0x2013 ||
         u == 0x201C || u == 0x2018 || u == 0x00AB || u == 0x201E || (u == '"' && u < 0x80) ||
         u == '\'';
}

static gboolean right_close(const Scan *s, const Tok *t) {
  if (t->end >= s->len) return TRUE;
  gsize clen;
  gunichar u = char_at(s->text, t->end, s->len, &clen);
  return is_space_u(u) || (u < 0x80 && strchr(".,;:!?)]}>-\"'", (int)u) != NULL) || u == 0x2014 ||
         u == 0x2013 || u == 0x201D || u == 0x2019 || u == 0x00BB || u == 0x2026;
}

static int top_index(const Pairer *p, gboolean dbl) {
  for (int i = p->depth - 1; i >= 0; i--)
    if (p->stack[i].dbl == dbl) return i;
  return -1;
}

static void add_cand(Pairer *p, gsize open_tok, gsize close_tok, gsize first, gsize last,
                     guint32 flags) {
  Scan *s = p->scan;
  if (first > last || last >= s->toks->len) return;
  Cand c = {.open_tok = open_tok, .close_tok = close_tok, .first = first, .last = last, .flags = flags};
  c.cstart = scan_tok(s, first)->start;
  c.cend = scan_tok(s, last)->end;
  if (c.cend <= c.cstart) return;
  g_array_append_val(s->cands, c);
}

static Role decide(const Pairer *p, const Tok *t) {
  gboolean lo = left_open(p->scan, t), rc = right_close(p->scan, t);
  int td = top_index(p, TRUE), ts = top_index(p, FALSE);
  gboolean open_d = td >= 0, open_s = ts > td;
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
    Role r = decide(p, t);
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
      int i = top_index(p, r == R_CLOSE_D);
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
  if (last + 1 < s->toks->len) {
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
  if (!scan->toks) scan->toks = g_array_sized_new(FALSE, FALSE, sizeof(Tok), len / 5 + 16);
  if (!scan->cands) scan->cands = g_array_new(FALSE, FALSE, sizeof(Cand));
  if (!scan->sent_first) scan->sent_first = g_array_new(FALSE, FALSE, sizeof(gsize));
  if (!scan->sent_flags) scan->sent_flags = g_array_new(FALSE, TRUE, 1);
  scan->quote_toks.n = scan->block_first.n = scan->caps.n = scan->sent_toks.n = 0;
  g_array_set_size(scan->toks, 0);
  g_array_set_size(scan->cands, 0);
  tokenize(scan, lex, sents, n_sents);
  /* Only blocks with quotation marks have anything to pair (a block continuing a
   * quotation opens with one). */
  Pairer p = {.scan = scan};
  gsize n = scan->toks->len;
  const gsize *qt = scan->quote_toks.v;
  const gsize *bf = scan->block_first.v;
  gsize nq = scan->quote_toks.n, nb = scan->block_first.n, b = 0;
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
}

void scan_clear(Scan *scan) {
  GArray **arrays[] = {&scan->toks, &scan->cands, &scan->sent_first, &scan->sent_flags};
  Vec *vecs[] = {&scan->quote_toks, &scan->block_first, &scan->caps, &scan->sent_toks};
  for (guint i = 0; i < G_N_ELEMENTS(vecs); i++) {
    g_free(vecs[i]->v);
    *vecs[i] = (Vec){0};
  }
  for (guint i = 0; i < G_N_ELEMENTS(arrays); i++)
    if (*arrays[i]) {
      g_array_free(*arrays[i], TRUE);
      *arrays[i] = NULL;
    }
}
