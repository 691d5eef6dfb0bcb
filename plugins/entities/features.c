/* copydesk — entities: token analysis and hashed features.
 *
 * Every token is analysed once (ner_tokens_analyse): its form with typographic quotes and
 * dashes made plain, the lower-cased form with digits as 0, a shape (Xxxx, dd-dd, X.X.)
 * and a short shape (repeats collapsed), prefixes and suffixes of 1–4 characters, flags
 * (capitalised, all capitals, sentence-initial, in a sentence written in capitals, seen in
 * lower case elsewhere in the document) and gazetteer matches (B/I/L/U per class).  These
 * are 64-bit hashes; a feature id combines a template number with one or more of them, so
 * no feature string is ever built.  The model masks ids down to its table size.
 *
 * Static features depend on the tokens only; dynamic ones on the tags already chosen to the
 * left and on the document memory (the label a word form got earlier in the article).
 */
#include <string.h>

#include "ner.h"

static const char *const tag_names[NER_N_TAGS] = {"O",     "B-PER", "I-PER",  "B-ORG", "I-ORG",
                                                  "B-LOC", "I-LOC", "B-MISC", "I-MISC"};
static const char *const conll_types[NER_N_TYPES] = {"PER", "ORG", "LOC", "MISC"};
static const char *const labels[NER_N_TYPES] = {"PERSON", "ORG", "LOC", "MISC"};

const char *ner_tag_name(guint tag) { return tag < NER_N_TAGS ? tag_names[tag] : "?"; }
const char *ner_type_conll(NerType type) { return conll_types[type]; }
const char *ner_type_label(NerType type) { return labels[type]; }

int ner_type_parse(const char *s, gsize len) {
  for (int t = 0; t < NER_N_TYPES; t++)
    if (strlen(conll_types[t]) == len && memcmp(conll_types[t], s, len) == 0) return t;
  return -1;
}

gboolean ner_tag_allowed(guint prev, guint next) {
  if (!NER_TAG_IS_I(next)) return TRUE;
  return prev != NER_TAG_O && NER_TAG_TYPE(prev) == NER_TAG_TYPE(next);
}

guint64 ner_hash_bytes(const void *data, gsize len) {
  const guchar *p = data;
  guint64 h = G_GUINT64_CONSTANT(0xcbf29ce484222325);
  for (gsize i = 0; i < len; i++) {
    h ^= p[i];
    h *= G_GUINT64_CONSTANT(0x100000001b3);
  }
  return h;
}

/* ---- Token analysis ------------------------------------------------------------ */

#define MAX_CHARS 48

typedef struct {
  char norm[MAX_CHARS * 4 + 8];  /* the form, typographic marks made plain */
  char lower[MAX_CHARS * 4 + 8]; /* lower case, digits as 0 */
  gsize norm_len, lower_len;
  gsize char_end[MAX_CHARS]; /* byte end of each character of LOWER */
  guint n_chars;
  char shape[16];
  gsize shape_len;
  char sshape[16];
  gsize sshape_len;
  guint32 flags;
} Analysis;

static void analyse_one(const char *text, gsize len, Analysis *a) {
  a->norm_len = a->lower_len = a->shape_len = a->sshape_len = 0;
  a->n_chars = 0;
  a->flags = 0;
  gboolean has_upper = FALSE, has_lower = FALSE, first = TRUE;
  for (gsize i = 0; i < len && a->n_chars < MAX_CHARS;) {
    gunichar u;
    gsize clen;
    guchar c = (guchar)text[i];
    if (c < 0x80) {
      u = c;
      clen = 1;
    } else {
      u = g_utf8_get_char_validated(text + i, (gssize)(len - i));
      if (u == (gunichar)-1 || u == (gunichar)-2) {
        u = 0xFFFD;
        clen = 1;
      } else {
        clen = (gsize)(g_utf8_next_char(text + i) - (text + i));
      }
    }
    i += clen;
    /* typographic marks as the plain ASCII the training data uses */
    if (u == 0x2019 || u == 0x2018 || u == 0x201B || u == 0x2032) u = '\'';
    else if (u == 0x201C || u == 0x201D || u == 0x201E || u == 0x00AB || u == 0x00BB) u = '"';
    else if (u == 0x2013 || u == 0x2014 || u == 0x2012 || u == 0x2010 || u == 0x2011) u = '-';
    else if (u == 0x2026) u = '.';
    char shape_c;
    gunichar low = u;
    if (u < 0x80) {
      if (u >= 'A' && u <= 'Z') {
        shape_c = 'X';
        low = u + 32;
        has_upper = TRUE;
        a->flags |= NER_TOK_ALPHA;
        if (first) a->flags |= NER_TOK_CAP;
      } else if (u >= 'a' && u <= 'z') {
        shape_c = 'x';
        has_lower = TRUE;
        a->flags |= NER_TOK_ALPHA;
        if (first) a->flags |= NER_TOK_LOWER;
      } else if (u >= '0' && u <= '9') {
        shape_c = 'd';
        low = '0';
        a->flags |= NER_TOK_DIGIT;
      } else {
        shape_c = (char)u;
      }
    } else if (g_unichar_isupper(u) || g_unichar_istitle(u)) {
      shape_c = 'X';
      low = g_unichar_tolower(u);
      has_upper = TRUE;
      a->flags |= NER_TOK_ALPHA;
      if (first) a->flags |= NER_TOK_CAP;
    } else if (g_unichar_isalpha(u)) {
      shape_c = 'x';
      if (g_unichar_islower(u)) has_lower = TRUE;
      a->flags |= NER_TOK_ALPHA;
      if (first && g_unichar_islower(u)) a->flags |= NER_TOK_LOWER;
    } else if (g_unichar_isdigit(u)) {
      shape_c = 'd';
      low = '0';
      a->flags |= NER_TOK_DIGIT;
    } else {
      shape_c = 'o';
    }
    first = FALSE;
    a->norm_len += (gsize)g_unichar_to_utf8(u, a->norm + a->norm_len);
    a->lower_len += (gsize)g_unichar_to_utf8(low, a->lower + a->lower_len);
    a->char_end[a->n_chars++] = a->lower_len;
    if (a->shape_len < 12) a->shape[a->shape_len++] = shape_c;
    if (a->sshape_len == 0 || a->sshape[a->sshape_len - 1] != shape_c)
      if (a->sshape_len < 8) a->sshape[a->sshape_len++] = shape_c;
  }
  if (has_upper && !has_lower) a->flags |= NER_TOK_ALLCAPS;
}

/* A small open-addressing set of 64-bit keys, for the analysis of one document. */
typedef struct {
  guint64 *keys;
  gsize mask;
} KeySet;

static void keyset_init(KeySet *set, gsize n) {
  gsize size = 16;
  while (size < n * 2) size *= 2;
  set->mask = size - 1;
  set->keys = g_new0(guint64, size);
}

static void keyset_add(KeySet *set, guint64 key) {
  key |= 1;
  gsize j = key & set->mask;
  while (set->keys[j] != 0 && set->keys[j] != key) j = (j + 1) & set->mask;
  set->keys[j] = key;
}

static gboolean keyset_has(const KeySet *set, guint64 key) {
  key |= 1;
  gsize j = key & set->mask;
  while (set->keys[j] != 0) {
    if (set->keys[j] == key) return TRUE;
    j = (j + 1) & set->mask;
  }
  return FALSE;
}

void ner_tokens_analyse(const NerToken *tok, gsize n, const gsize *sent_start, gsize n_sent,
                        const NerGazetteer *gaz, NerTokInfo *info) {
  Analysis a;
  KeySet lower_seen;
  keyset_init(&lower_seen, n);
  for (gsize i = 0; i < n; i++) {
    NerTokInfo *t = &info[i];
    analyse_one(tok[i].text, tok[i].len, &a);
    t->word = ner_hash_bytes(a.norm, a.norm_len);
    t->lower = ner_hash_bytes(a.lower, a.lower_len);
    t->shape = ner_hash_bytes(a.shape, a.shape_len);
    t->sshape = ner_hash_bytes(a.sshape, a.sshape_len);
    for (guint k = 0; k < 4; k++) {
      guint nc = k + 1 < a.n_chars ? k + 1 : a.n_chars;
      gsize pre_end = nc ? a.char_end[nc - 1] : 0;
      gsize suf_start = a.n_chars > nc ? a.char_end[a.n_chars - nc - 1] : 0;
      t->pre[k] = ner_hash_bytes(a.lower, pre_end) + k;
      t->suf[k] = ner_hash_bytes(a.lower + suf_start, a.lower_len - suf_start) + k;
    }
    t->gazkey = ner_gaz_word_hash(tok[i].text, tok[i].len);
    t->flags = a.flags;
    t->gaz = 0;
    if (a.flags & NER_TOK_LOWER) keyset_add(&lower_seen, t->lower);
  }
  for (gsize i = 0; i < n; i++)
    if ((info[i].flags & NER_TOK_CAP) && keyset_has(&lower_seen, info[i].lower))
      info[i].flags |= NER_TOK_SEENLOW;
  g_free(lower_seen.keys);

  for (gsize si = 0; si < n_sent; si++) {
    gsize s = sent_start[si], e = si + 1 < n_sent ? sent_start[si + 1] : n;
    if (s >= e) continue;
    info[s].flags |= NER_TOK_INITIAL;
    /* a sentence written in capitals: no word starting lower case, at least 2 all-caps words */
    guint caps = 0, lower = 0;
    for (gsize i = s; i < e; i++) {
      if (info[i].flags & NER_TOK_ALLCAPS && tok[i].len > 1) caps++;
      if (info[i].flags & NER_TOK_LOWER) lower++;
    }
    if (caps >= 2 && lower == 0)
      for (gsize i = s; i < e; i++) info[i].flags |= NER_TOK_CAPSSENT;
    if (gaz == NULL || ner_gazetteer_size(gaz) == 0) continue;
    guint64 words[NER_GAZ_MAX_WORDS];
    for (gsize i = s; i < e; i++) {
      if (!(info[i].flags & (NER_TOK_CAP | NER_TOK_DIGIT))) continue;
      guint max = (guint)MIN((gsize)NER_GAZ_MAX_WORDS, e - i);
      for (guint L = 1; L <= max; L++) {
        words[L - 1] = info[i + L - 1].gazkey;
        guint32 mask = ner_gazetteer_lookup(gaz, words, L);
        for (guint c = 0; mask; c++, mask >>= 1) {
          if (!(mask & 1)) continue;
          if (L == 1) {
            info[i].gaz |= 8u << (4 * c); /* U */
            continue;
          }
          info[i].gaz |= 1u << (4 * c); /* B */
          for (guint k = 1; k + 1 < L; k++) info[i + k].gaz |= 2u << (4 * c); /* I */
          info[i + L - 1].gaz |= 4u << (4 * c);                              /* L */
        }
      }
    }
  }
}

/* ---- Feature ids ----------------------------------------------------------------- */

enum {
  T_BIAS = 1,
  T_WORD,
  T_LOWER,
  T_SHAPE,
  T_PRE,
  T_SUF = T_PRE + 4,
  T_LM1 = T_SUF + 4,
  T_LM2,
  T_LP1,
  T_LP2,
  T_WM1,
  T_WP1,
  T_SM1,
  T_SP1,
  T_BIL,
  T_BIR,
  T_SH3,
  T_POS,
  T_CAPS_L,
  T_CAPS_S,
  T_CAPMID,
  T_SEENLOW,
  T_GAZ,
  T_GAZ_M1,
  T_GAZ_P1,
  T_GAZ_CAP,
  T_SUF_CAP,
  T_P1,
  T_P12,
  T_P1W,
  T_P1S,
  T_MEM,
  T_MEM_POS,
  T_MEM_W,
};

#define TPL(t) (G_GUINT64_CONSTANT(0x51ed270b27f1e3a5) * (guint64)(t))
#define F1(t, a) ner_combine(TPL(t), (a))
#define F2(t, a, b) ner_combine(ner_combine(TPL(t), (a)), (b))
#define F3(t, a, b, c) ner_combine(ner_combine(ner_combine(TPL(t), (a)), (b)), (c))

static const guint64 BOUNDARY_L = G_GUINT64_CONSTANT(0x2545f4914f6cdd1d);
static const guint64 BOUNDARY_R = G_GUINT64_CONSTANT(0x9e3779b97f4a7c55);

guint ner_static_features(const NerTokInfo *info, gsize s, gsize e, gsize i, guint64 *out) {
  const NerTokInfo *t = &info[i];
  guint n = 0;
  guint64 lm1 = i > s ? info[i - 1].lower : BOUNDARY_L;
  guint64 lm2 = i > s + 1 ? info[i - 2].lower : BOUNDARY_L;
  guint64 lp1 = i + 1 < e ? info[i + 1].lower : BOUNDARY_R;
  guint64 lp2 = i + 2 < e ? info[i + 2].lower : BOUNDARY_R;
  guint64 wm1 = i > s ? info[i - 1].word : BOUNDARY_L;
  guint64 wp1 = i + 1 < e ? info[i + 1].word : BOUNDARY_R;
  guint64 sm1 = i > s ? info[i - 1].sshape : BOUNDARY_L;
  guint64 sp1 = i + 1 < e ? info[i + 1].sshape : BOUNDARY_R;
  guint32 pos = t->flags & (NER_TOK_INITIAL | NER_TOK_CAP | NER_TOK_ALLCAPS | NER_TOK_LOWER |
                            NER_TOK_CAPSSENT);
  out[n++] = TPL(T_BIAS);
  out[n++] = F1(T_WORD, t->word);
  out[n++] = F1(T_LOWER, t->lower);
  out[n++] = F1(T_SHAPE, t->shape);
  for (guint k = 0; k < 4; k++) {
    out[n++] = F1(T_PRE + k, t->pre[k]);
    out[n++] = F1(T_SUF + k, t->suf[k]);
  }
  out[n++] = F1(T_LM1, lm1);
  out[n++] = F1(T_LM2, lm2);
  out[n++] = F1(T_LP1, lp1);
  out[n++] = F1(T_LP2, lp2);
  out[n++] = F1(T_WM1, wm1);
  out[n++] = F1(T_WP1, wp1);
  out[n++] = F2(T_SM1, sm1, t->sshape);
  out[n++] = F2(T_SP1, t->sshape, sp1);
  out[n++] = F2(T_BIL, lm1, t->lower);
  out[n++] = F2(T_BIR, t->lower, lp1);
  out[n++] = F3(T_SH3, sm1, t->sshape, sp1);
  out[n++] = F2(T_POS, pos, t->sshape);
  if (t->flags & NER_TOK_CAPSSENT) {
    out[n++] = F1(T_CAPS_L, t->lower);
    out[n++] = F2(T_CAPS_S, lm1, t->lower);
  }
  if ((t->flags & NER_TOK_CAP) && !(t->flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT)))
    out[n++] = F1(T_CAPMID, lm1);
  if (t->flags & NER_TOK_CAP) out[n++] = F1(T_SUF_CAP, t->suf[2]);
  if (t->flags & NER_TOK_SEENLOW)
    out[n++] = F1(T_SEENLOW, t->flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT));
  for (guint c = 0; c < NER_GAZ_N_CLASSES; c++) {
    guint bits = (t->gaz >> (4 * c)) & 15;
    for (guint b = 0; b < 4; b++)
      if (bits & (1u << b)) {
        out[n++] = F1(T_GAZ, c * 4 + b);
        out[n++] = F2(T_GAZ_CAP, c * 4 + b, pos);
      }
    if (i > s && ((info[i - 1].gaz >> (4 * c)) & 15)) out[n++] = F1(T_GAZ_M1, c);
    if (i + 1 < e && ((info[i + 1].gaz >> (4 * c)) & 15)) out[n++] = F1(T_GAZ_P1, c);
  }
  return n;
}

guint ner_dynamic_features(const NerTokInfo *info, gsize i, guint prev1, guint prev2, guint mem,
                           guint64 *out) {
  const NerTokInfo *t = &info[i];
  guint n = 0;
  out[n++] = F1(T_P1, prev1);
  out[n++] = F2(T_P12, prev2, prev1);
  out[n++] = F2(T_P1W, prev1, t->lower);
  out[n++] = F2(T_P1S, prev1, t->sshape);
  if (mem) {
    out[n++] = F1(T_MEM, mem);
    out[n++] = F2(T_MEM_POS, mem, t->flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT));
    out[n++] = F2(T_MEM_W, mem, prev1);
  }
  return n;
}

/* ---- Document memory -------------------------------------------------------------- */

void ner_memory_init(NerDocMemory *mem, gsize n_tokens) {
  gsize size = 64;
  while (size < n_tokens * 2) size *= 2;
  mem->mask = size - 1;
  mem->used = 0;
  mem->keys = g_new0(guint64, size);
  mem->vals = g_new0(guint8, size);
}

void ner_memory_clear(NerDocMemory *mem) {
  g_free(mem->keys);
  g_free(mem->vals);
  mem->keys = NULL;
  mem->vals = NULL;
}

guint ner_memory_get(const NerDocMemory *mem, guint64 key) {
  key |= 1;
  gsize j = key & mem->mask;
  while (mem->keys[j] != 0) {
    if (mem->keys[j] == key) return mem->vals[j];
    j = (j + 1) & mem->mask;
  }
  return 0;
}

void ner_memory_put(NerDocMemory *mem, guint64 key, guint val) {
  key |= 1;
  gsize j = key & mem->mask;
  while (mem->keys[j] != 0 && mem->keys[j] != key) j = (j + 1) & mem->mask;
  if (mem->keys[j] == 0) {
    if ((mem->used + 1) * 2 > mem->mask + 1) return; /* full enough: stop remembering */
    mem->keys[j] = key;
    mem->used++;
  }
  mem->vals[j] = (guint8)val;
}

void ner_memory_record(NerDocMemory *mem, const NerTokInfo *info, gsize s, gsize e,
                       const guint8 *tags) {
  for (gsize i = s; i < e; i++) {
    guint32 f = info[i].flags;
    if (!(f & NER_TOK_CAP) || (f & NER_TOK_CAPSSENT)) continue;
    guint val = tags[i] == NER_TAG_O ? 1 : 2 + NER_TAG_TYPE(tags[i]);
    /* a sentence-initial word tagged O says little: it may be capitalised for position only */
    if (val == 1 && (f & NER_TOK_INITIAL)) continue;
    ner_memory_put(mem, info[i].lower, val);
  }
}
