/* copydesk — quotes: tokens, blocks and quotation marks.
 *
 * One left-to-right scan cuts the text into words, numbers, punctuation and possible
 * quotation marks.  Apostrophes inside a word stay in it (don't, O'Brien); a possessive
 * 's is dropped and flagged on its word (Rubio's); an apostrophe before a digit is
 * punctuation, never a quotation mark (the ’90s).
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
 *   attribution follows it.
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

/* Words whose final period is their own (besides single letters and U.S.-like words and
 * the lexicon's titles). */
static gboolean own_period(const Lexicon *lex, const char *s, gsize len) {
  static const char *const abbrevs[] = {"jr", "sr", "inc", "corp", "co", "ltd", "st", "no",
                                        "vs", "mt", "ft", "bros", "messrs", "sens", "reps"};
  for (guint i = 0; i < G_N_ELEMENTS(abbrevs); i++)
    if (strlen(abbrevs[i]) == len && g_ascii_strncasecmp(abbrevs[i], s, len) == 0) return TRUE;
  const WordInfo *w = lexicon_lookup(lex, s, len);
  return w && (w->flags & (W_TITLE | W_DESCRIPTOR)) && !(w->flags & W_CUE) && len <= 5 &&
         (s[0] >= 'A' && s[0] <= 'Z');
}

/* ---- Tokenizer ------------------------------------------------------------------- */

static void tokenize(Scan *scan, const Lexicon *lex) {
  const char *t = scan->text;
  gsize n = scan->len, i = 0;
  guint nl = 0;
  gboolean space = TRUE;
  while (i < n) {
    gsize clen;
    gunichar u = char_at(t, i, n, &clen);
    if (is_space_u(u)) {
      if (u == '\n' && nl < 255) nl++;
      space = TRUE;
      i += clen;
      continue;
    }
    Tok tok = {.start = i, .nl = (guint8)nl};
    if (space) tok.flags |= F_SPACE;
    nl = 0;
    space = FALSE;
    if (is_alnum_u(u)) {
      gsize j = i + clen, word_end;
      gboolean inner_period = FALSE, upper = u < 0x80 ? (u >= 'A' && u <= 'Z') : g_unichar_isupper(u);
      guint letters = 0, uppers = 0;
      if (g_unichar_isalpha(u)) letters++, uppers += upper;
      tok.kind = (u < 0x80 && u >= '0' && u <= '9') ? T_NUM : T_WORD;
      if (upper) tok.flags |= F_CAP;
      for (;;) {
        if (j >= n) break;
        gsize l2;
        gunichar v = char_at(t, j, n, &l2);
        if (is_alnum_u(v)) {
          if (v < 0x80 ? ((v | 0x20) >= 'a' && (v | 0x20) <= 'z') : g_unichar_isalpha(v)) {
            letters++;
            uppers += v < 0x80 ? (v >= 'A' && v <= 'Z') : g_unichar_isupper(v);
          }
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
              tok.end = j;
              tok.flags |= F_POSS;
              i = after;
              goto word_done;
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
      if (j < n && t[j] == '.' && tok.kind == T_WORD && !(j + 1 < n && t[j + 1] == '.')) {
        gsize wl = j - i;
        if (inner_period || (wl == 1 && upper) || own_period(lex, t + i, wl)) {
          word_end = j + 1;
          tok.flags |= F_PERIOD;
        }
      }
      tok.end = word_end;
      i = word_end;
    word_done:
      if (letters >= 2 && uppers == letters) tok.flags |= F_UPPER;
      if (upper && (tok.end - tok.start == 1 || (tok.end - tok.start == 2 && (tok.flags & F_PERIOD))))
        tok.flags |= F_INITIAL;
      if (tok.kind == T_WORD) tok.info = lexicon_lookup(lex, t + tok.start, tok.end - tok.start);
      g_array_append_val(scan->toks, tok);
      continue;
    }
    QuoteChar q = quote_char(u);
    if (q == Q_STRAIGHT_S && i + 1 < n && t[i + 1] == '\'') {
      tok.kind = T_QUOTE;
      tok.qchar = Q_APOS2;
      tok.end = i + 2;
    } else if (q == Q_BACKTICK && i + 1 < n && t[i + 1] == '`') {
      tok.kind = T_QUOTE;
      tok.qchar = Q_BACKTICK2;
      tok.end = i + 2;
    } else if (q != Q_NONE) {
      tok.kind = T_QUOTE;
      tok.qchar = (guint8)q;
      tok.end = i + clen;
      /* ’90s, '90s, ‘90s: an apostrophe before a year, never a quotation mark. */
      if ((q == Q_RSQ || q == Q_STRAIGHT_S || q == Q_LSQ) && tok.end + 1 < n &&
          g_ascii_isdigit(t[tok.end]) && g_ascii_isdigit(t[tok.end + 1]) &&
          (tok.end + 2 >= n || !g_ascii_isdigit(t[tok.end + 2])))
        tok.kind = T_PUNCT;
    } else {
      tok.kind = T_PUNCT;
      tok.end = i + clen;
    }
    i = tok.end;
    g_array_append_val(scan->toks, tok);
  }
}

/* ---- Sentences and blocks ----------------------------------------------------------- */

static void assign_sentences(Scan *scan, const gsize *sents, gsize n_sents) {
  Tok *tok = (Tok *)(void *)scan->toks->data;
  gsize n = scan->toks->len, si = 0;
  guint32 block = 0, prev_sent = G_MAXUINT32, sent_counter = 0;
  for (gsize k = 0; k < n; k++) {
    Tok *t = &tok[k];
    guint32 sent;
    if (n_sents > 0) {
      while (si + 1 < n_sents && sents[2 * si + 1] <= t->start) si++;
      sent = (guint32)si;
    } else {
      sent = 0;
    }
    gboolean new_block = k > 0 && (t->nl >= 2 || (t->nl >= 1 && (sent != prev_sent || n_sents == 0)));
    if (new_block) block++;
    if (n_sents == 0) {
      /* No sentence layer: a sentence per block. */
      if (new_block || k == 0) sent_counter = k == 0 ? 0 : sent_counter + 1;
      sent = sent_counter;
    }
    if (k == 0 || sent != prev_sent) t->flags |= F_SENT_START;
    if (k == 0 || new_block) t->flags |= F_BLOCK_START | F_SENT_START;
    t->sent = sent;
    t->block = block;
    prev_sent = sent;
  }
  scan->n_blocks = n ? block + 1 : 0;
  scan->n_sents = n ? (n_sents ? (guint32)n_sents : sent_counter + 1) : 0;
}

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

/* Pairs the marks of the block of tokens [first, last]. */
static void pair_block(Pairer *p, gsize first, gsize last) {
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
  for (; k <= last; k++) {
    const Tok *t = scan_tok(s, k);
    if (t->kind != T_QUOTE) continue;
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
  g_array_set_size(scan->toks, 0);
  g_array_set_size(scan->cands, 0);
  tokenize(scan, lex);
  assign_sentences(scan, sents, n_sents);
  Pairer p = {.scan = scan};
  gsize n = scan->toks->len, first = 0;
  for (gsize k = 1; k <= n; k++) {
    if (k < n && !(scan_tok(scan, k)->flags & F_BLOCK_START)) continue;
    pair_block(&p, first, k - 1);
    first = k;
  }
}

void scan_clear(Scan *scan) {
  if (scan->toks) g_array_free(scan->toks, TRUE);
  if (scan->cands) g_array_free(scan->cands, TRUE);
  scan->toks = scan->cands = NULL;
}
