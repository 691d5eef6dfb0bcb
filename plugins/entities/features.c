/* copydesk — entities: token analysis and hashed features.
 *
 * Every token is analysed once (ner_tokens_analyse): its form with typographic quotes and
 * dashes made plain, the lower-cased form with digits as 0, a shape (Xxxx, dd-dd, X.X.)
 * and a short shape (repeats collapsed), prefixes and suffixes of 1–4 characters, flags
 * (capitalised, all capitals, sentence-initial, in a sentence written in capitals, seen in
 * lower case elsewhere in the document, part of a dateline), its Brown word cluster, the
 * gazetteer matches (B/I/L/U per class), the run of capitalised words it is in ("Bank of
 * England": its first and last word), and how the same word is written elsewhere in the
 * document (lower case, title case, capitals).  These are 64-bit hashes; a feature id mixes
 * a template number with one or more of them, so no feature string is ever built.  The
 * model masks ids down to its table size.
 *
 * Static features depend on the tokens only; dynamic ones on the tags already chosen to the
 * left, on the document memory (the label a word form got earlier in the article) and, in
 * the second pass, on what the first pass said about the other occurrences of the word
 * (ner_aggregate).
 */
#include <string.h>

#include "ner.h"

static const char *const tag_names[NER_N_TAGS] = {
    "O",      "B-PER",  "I-PER",  "I-PER",  "B-PER",  "B-ORG",  "I-ORG",  "I-ORG",  "B-ORG",
    "B-LOC",  "I-LOC",  "I-LOC",  "B-LOC",  "B-MISC", "I-MISC", "I-MISC", "B-MISC"};
static const char *const bilou_names[NER_N_TAGS] = {
    "O",      "B-PER",  "I-PER",  "L-PER",  "U-PER",  "B-ORG",  "I-ORG",  "L-ORG",  "U-ORG",
    "B-LOC",  "I-LOC",  "L-LOC",  "U-LOC",  "B-MISC", "I-MISC", "L-MISC", "U-MISC"};
static const char *const conll_types[NER_N_TYPES] = {"PER", "ORG", "LOC", "MISC"};
static const char *const labels[NER_N_TYPES] = {"PERSON", "ORG", "LOC", "MISC"};

const char *ner_tag_name(guint tag) { return tag < NER_N_TAGS ? tag_names[tag] : "?"; }
const char *ner_tag_name_bilou(guint tag) { return tag < NER_N_TAGS ? bilou_names[tag] : "?"; }
const char *ner_type_conll(NerType type) { return conll_types[type]; }
const char *ner_type_label(NerType type) { return labels[type]; }

int ner_type_parse(const char *s, gsize len) {
  for (int t = 0; t < NER_N_TYPES; t++)
    if (strlen(conll_types[t]) == len && memcmp(conll_types[t], s, len) == 0) return t;
  return -1;
}

gboolean ner_tag_allowed(guint prev, guint next, gboolean last) {
  gboolean open = prev != NER_TAG_O && !NER_TAG_ENDS(prev);
  if (open) /* after B-X or I-X: I-X or L-X */
    return NER_TAG_CONTINUES(next) && NER_TAG_TYPE(next) == NER_TAG_TYPE(prev) &&
           (!last || NER_TAG_ENDS(next));
  return next == NER_TAG_O || (NER_TAG_STARTS(next) && (!last || NER_TAG_ENDS(next)));
}

void ner_bio_to_bilou(guint8 *tags, gsize n) {
  guint prev = 0; /* the BIO tag before this one */
  for (gsize i = 0; i < n; i++) {
    guint cur = tags[i];
    if (cur == 0) {
      prev = 0;
      continue;
    }
    guint type = (cur - 1) / 2, next = i + 1 < n ? tags[i + 1] : 0;
    gboolean begins = (cur & 1) || prev == 0 || (prev - 1) / 2 != type;
    gboolean ends = next == 0 || (next & 1) || (next - 1) / 2 != type;
    tags[i] = (guint8)(begins ? (ends ? NER_TAG_U(type) : NER_TAG_B(type))
                              : (ends ? NER_TAG_L(type) : NER_TAG_I(type)));
    prev = cur;
  }
}

/* ---- Scratch memory ---------------------------------------------------------------- */

typedef struct {
  void *data[NER_BUF_N];
  gsize size[NER_BUF_N];
} Buffers;

static void buffers_free(gpointer p) {
  Buffers *b = p;
  for (guint k = 0; k < NER_BUF_N; k++) g_free(b->data[k]);
  g_free(b);
}

static GPrivate buffers_key = G_PRIVATE_INIT(buffers_free);

void *ner_buffer(guint which, gsize bytes, gboolean zero) {
  Buffers *b = g_private_get(&buffers_key);
  if (b == NULL) {
    b = g_new0(Buffers, 1);
    g_private_set(&buffers_key, b);
  }
  if (bytes == 0) bytes = 1;
  if (b->size[which] < bytes) {
    gsize size = MAX(bytes, b->size[which] * 2);
    g_free(b->data[which]);
    b->data[which] = g_malloc(size);
    b->size[which] = size;
  }
  if (zero) memset(b->data[which], 0, bytes);
  return b->data[which];
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
  char dnorm[MAX_CHARS * 4 + 8]; /* the form, digits as 0 (the word clusters' key) */
  gsize norm_len, lower_len, dnorm_len;
  gsize char_end[MAX_CHARS]; /* byte end of each character of LOWER */
  guint n_chars;
  char shape[16];
  gsize shape_len;
  char sshape[16];
  gsize sshape_len;
  guint32 flags;
} Analysis;

static void analyse_one(const char *text, gsize len, Analysis *a) {
  a->norm_len = a->lower_len = a->dnorm_len = a->shape_len = a->sshape_len = 0;
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
    a->dnorm_len += (gsize)g_unichar_to_utf8(shape_c == 'd' ? '0' : u, a->dnorm + a->dnorm_len);
    a->norm_len += (gsize)g_unichar_to_utf8(u, a->norm + a->norm_len);
    a->lower_len += (gsize)g_unichar_to_utf8(low, a->lower + a->lower_len);
    a->char_end[a->n_chars++] = a->lower_len;
    if (a->shape_len < 12) a->shape[a->shape_len++] = shape_c;
    if (a->sshape_len == 0 || a->sshape[a->sshape_len - 1] != shape_c)
      if (a->sshape_len < 8) a->sshape[a->sshape_len++] = shape_c;
  }
  if (has_upper && !has_lower) a->flags |= NER_TOK_ALLCAPS;
}

/* Words that may join the capitalised words of one name ("Bank of England", "AT & T"). */
static gboolean is_connector(const NerToken *t) {
  static const char *const words[] = {"&", "of", "de", "del", "da", "der", "van", "von", "du",
                                      "la", "le", "al", "y", "'s"};
  for (guint k = 0; k < G_N_ELEMENTS(words); k++)
    if (t->len == strlen(words[k]) && memcmp(t->text, words[k], t->len) == 0) return TRUE;
  return FALSE;
}

/* Runs of capitalised tokens in sentence [S, E). */
static void mark_runs(const NerToken *tok, NerTokInfo *info, gsize s, gsize e) {
  for (gsize i = s; i < e;) {
    if (!(info[i].flags & NER_TOK_CAP)) {
      i++;
      continue;
    }
    gsize j = i + 1;
    for (;;) {
      if (j < e && (info[j].flags & NER_TOK_CAP)) {
        j++;
      } else if (j + 1 < e && is_connector(&tok[j]) && (info[j + 1].flags & NER_TOK_CAP)) {
        j += 2;
      } else {
        break;
      }
    }
    guint len = (guint)MIN(j - i, (gsize)255);
    for (gsize k = i; k < j; k++) {
      info[k].run_pos = (guint8)MIN(k - i + 1, (gsize)255);
      info[k].run_len = (guint8)len;
      info[k].run_to_end = (guint16)MIN(j - 1 - k, (gsize)65535);
    }
    i = j;
  }
}

/* A dateline: words in capitals opening the sentence (maybe with commas: "WASHINGTON, D.C."),
 * then a date (digits and dashes or slashes) or an opening parenthesis. */
static void mark_dateline(const NerToken *tok, NerTokInfo *info, gsize s, gsize e) {
  gsize j = s;
  while (j < e && ((info[j].flags & NER_TOK_ALLCAPS) ||
                   (j > s && tok[j].len == 1 && tok[j].text[0] == ',')))
    j++;
  if (j == s || j >= e || (info[j - 1].flags & NER_TOK_ALLCAPS) == 0) return;
  gboolean date = (info[j].flags & NER_TOK_DIGIT) && !(info[j].flags & NER_TOK_ALPHA) &&
                  tok[j].len >= 6;
  gboolean paren = tok[j].len == 1 && tok[j].text[0] == '(';
  if (!date && !paren) return;
  for (gsize k = s; k < j; k++) info[k].flags |= NER_TOK_DATELINE;
}

guint64 ner_cluster_key(const char *word, gsize len) {
  Analysis a;
  analyse_one(word, len, &a);
  return ner_hash_bytes(a.dnorm, a.dnorm_len);
}

/* The keys under which the clusters table may know the analysed form A: as written, and
 * (in capitals) title-cased; 0 when there is no second. */
static void cluster_keys(const Analysis *a, guint64 *keys) {
  keys[0] = ner_hash_bytes(a->dnorm, a->dnorm_len);
  keys[1] = 0;
  if ((a->flags & NER_TOK_ALLCAPS) && a->n_chars > 1) {
    char title[sizeof a->lower + 8];
    gsize first = (gsize)(g_utf8_next_char(a->dnorm) - a->dnorm);
    memcpy(title, a->dnorm, first);
    memcpy(title + first, a->lower + a->char_end[0], a->lower_len - a->char_end[0]);
    keys[1] = ner_hash_bytes(title, first + a->lower_len - a->char_end[0]);
  }
}

/* The form fields of T (everything ner_tokens_analyse() computes from the token's own
 * bytes, but the word cluster) from the analysis A of TEXT; the context fields cleared. */
static void fill_form(const char *text, gsize len, const Analysis *a, NerTokInfo *t) {
  t->word = ner_hash_bytes(a->norm, a->norm_len);
  t->lower = ner_hash_bytes(a->lower, a->lower_len);
  t->shape = ner_hash_bytes(a->shape, a->shape_len);
  t->sshape = ner_hash_bytes(a->sshape, a->sshape_len);
  for (guint k = 0; k < 4; k++) {
    guint nc = k + 1 < a->n_chars ? k + 1 : a->n_chars;
    gsize pre_end = nc ? a->char_end[nc - 1] : 0;
    gsize suf_start = a->n_chars > nc ? a->char_end[a->n_chars - nc - 1] : 0;
    t->pre[k] = ner_hash_bytes(a->lower, pre_end) + k;
    t->suf[k] = ner_hash_bytes(a->lower + suf_start, a->lower_len - suf_start) + k;
  }
  t->gazkey = ner_gaz_word_hash(text, len);
  t->flags = a->flags;
  t->gaz = 0;
  t->doccase = 0;
  t->run_pos = t->run_len = 0;
  t->run_to_end = 0;
  t->cluster = 0;
  t->topic = 0;
}

/* The word cluster of a form: as written, else title-cased (for capitals), else lower case. */
static guint32 form_cluster(const NerClusterTable *clusters, const guint64 *ckeys,
                            guint64 lower) {
  guint32 c = ner_cluster_lookup(clusters, ckeys[0]);
  if (c == 0 && ckeys[1]) c = ner_cluster_lookup(clusters, ckeys[1]);
  if (c == 0) c = ner_cluster_lookup(clusters, lower);
  return c;
}

void ner_token_form(const char *text, gsize len, const NerClusterTable *clusters,
                    NerTokInfo *t) {
  Analysis a;
  analyse_one(text, len, &a);
  fill_form(text, len, &a, t);
  if (clusters && clusters->mask) {
    guint64 ckeys[2];
    cluster_keys(&a, ckeys);
    t->cluster = form_cluster(clusters, ckeys, t->lower);
  }
}

void ner_tokens_analyse(const NerToken *tok, gsize n, const gsize *sent_start, gsize n_sent,
                        const NerGazetteer *gaz, const NerClusterTable *clusters,
                        NerTokInfo *info) {
  Analysis a;
  gboolean with_clusters = clusters && clusters->mask;
  guint64 *ckeys =
      with_clusters ? ner_buffer(NER_BUF_CKEYS, sizeof(guint64) * (2 * n + 1), FALSE) : NULL;
  for (gsize i = 0; i < n; i++) {
    analyse_one(tok[i].text, tok[i].len, &a);
    fill_form(tok[i].text, tok[i].len, &a, &info[i]);
    if (with_clusters) cluster_keys(&a, ckeys + 2 * i);
  }
  /* word clusters, looked up a few tokens behind the prefetches */
  if (with_clusters) {
    const guint64 cmask = clusters->mask;
    for (gsize i = 0; i < n + 4; i++) {
      if (i < n) __builtin_prefetch(&clusters->keys[(ckeys[2 * i] | 1) & cmask]);
      if (i < 4) continue;
      gsize k = i - 4;
      info[k].cluster = form_cluster(clusters, ckeys + 2 * k, info[k].lower);
    }
  }
  ner_tokens_context(tok, n, sent_start, n_sent, gaz, NULL, info);
}

void ner_tokens_context(const NerToken *tok, gsize n, const gsize *sent_start, gsize n_sent,
                        const NerGazetteer *gaz, const guint32 *single, NerTokInfo *info) {
  NerKeySet lower_seen;
  ner_keyset_init(&lower_seen, n, NER_BUF_SEEN);
  for (gsize i = 0; i < n; i++)
    if (info[i].flags & NER_TOK_LOWER) ner_keyset_add(&lower_seen, info[i].lower);
  for (gsize i = 0; i < n; i++)
    if ((info[i].flags & NER_TOK_CAP) && ner_keyset_has(&lower_seen, info[i].lower))
      info[i].flags |= NER_TOK_SEENLOW;

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
    if (caps >= 2 && lower == 0) {
      for (gsize i = s; i < e; i++) info[i].flags |= NER_TOK_CAPSSENT;
    } else {
      mark_runs(tok, info, s, e);
      /* a line of a table: numbers, and at most one word in lower case */
      guint nums = 0;
      for (gsize i = s; i < e; i++)
        if ((info[i].flags & NER_TOK_DIGIT) && !(info[i].flags & NER_TOK_ALPHA)) nums++;
      if (nums >= 1 && lower <= 1)
        for (gsize i = s; i < e; i++) info[i].flags |= NER_TOK_TABLE;
    }
    mark_dateline(tok, info, s, e);
    if (gaz == NULL || ner_gazetteer_size(gaz) == 0) continue;
    guint64 words[NER_GAZ_MAX_WORDS];
    for (gsize i = s; i < e; i++) {
      if (!(info[i].flags & (NER_TOK_CAP | NER_TOK_DIGIT))) continue;
      guint max = (guint)MIN((gsize)NER_GAZ_MAX_WORDS, e - i);
      for (guint L = 1; L <= max; L++) {
        words[L - 1] = info[i + L - 1].gazkey;
        guint32 found = L == 1 && single ? single[i] : ner_gazetteer_lookup(gaz, words, L);
        guint32 mask = found & ~NER_GAZ_PREFIX;
        for (guint c = 0; mask; c++, mask >>= 1) {
          if (!(mask & 1)) continue;
          if (L == 1) {
            info[i].gaz |= G_GUINT64_CONSTANT(8) << (4 * c); /* U */
            continue;
          }
          info[i].gaz |= G_GUINT64_CONSTANT(1) << (4 * c); /* B */
          for (guint k = 1; k + 1 < L; k++) info[i + k].gaz |= G_GUINT64_CONSTANT(2) << (4 * c);
          info[i + L - 1].gaz |= G_GUINT64_CONSTANT(4) << (4 * c); /* L */
        }
        if (!(found & NER_GAZ_PREFIX)) break; /* no longer entry starts so */
      }
    }
  }

  /* the document's topic: the first word of its first sentence, in capitals, before a dash
   * ("SOCCER - JAPAN GET LUCKY WIN", "RUGBY UNION - ...") */
  guint64 topic = 0;
  if (n > 1 && (info[0].flags & NER_TOK_ALLCAPS) && tok[0].len > 1) {
    gsize e0 = n_sent > 1 ? sent_start[1] : n;
    for (gsize i = 1; i < MIN(e0, (gsize)4); i++)
      if (tok[i].len == 1 && tok[i].text[0] == '-') {
        topic = info[0].lower;
        break;
      }
  }
  for (gsize i = 0; i < n; i++) info[i].topic = topic;

  /* how the word is written elsewhere in the document, where case is informative (not first
   * in a sentence, not in a headline in capitals): lower case, title case, capitals */
  typedef struct {
    guint64 key;
    guint32 count[3];
  } CaseSlot;
  gsize size = 64;
  while (size < n * 2) size *= 2;
  CaseSlot *tab = ner_buffer(NER_BUF_CASE, sizeof(CaseSlot) * size, TRUE);
  for (int stage = 0; stage < 2; stage++)
    for (gsize i = 0; i < n; i++) {
      guint32 f = info[i].flags;
      if (!(f & NER_TOK_ALPHA)) continue;
      guint64 key = info[i].lower | 1;
      gsize j = key & (size - 1);
      while (tab[j].key != 0 && tab[j].key != key) j = (j + 1) & (size - 1);
      if (stage == 0) tab[j].key = key;
      int form = -1;
      if (!(f & (NER_TOK_INITIAL | NER_TOK_CAPSSENT)))
        form = (f & NER_TOK_LOWER) ? 0 : (f & NER_TOK_ALLCAPS) && tok[i].len > 1 ? 2
               : (f & NER_TOK_CAP) ? 1 : -1;
      if (stage == 0) {
        if (form >= 0) tab[j].count[form]++;
        continue;
      }
      guint bits = 0;
      for (int k = 0; k < 3; k++)
        if (tab[j].count[k] > (guint)(k == form)) bits |= 1u << k;
      info[i].doccase = (guint8)(bits | 8);
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
  T_CL,              /* + 4 × position (−2 … +2) + prefix length index */
  T_CL_NONE = T_CL + 20,
  T_AGG,
  T_AGG_SET,
  T_AGG_POS,
  T_AGG_P1,
  T_AGG_M1,
  T_AGG_NEXT,
  T_AGG_CONT,
  T_DOCCASE,
  T_RUN_END,
  T_RUN_START,
  T_RUN_SHAPE,
  T_DATELINE,
  T_P2W,
  T_TOPIC,
  T_TOPIC_W,
  T_TOPIC_NX,
  T_TABLE_NX,
  T_RUN_BEFORE,
  T_RUN_AFTER,
};

/* The cluster prefixes used: all four for the token itself, 6 and 10 bits for the words next
 * to it, 6 bits for those two away (more cost time and gained nothing on dev). */
static const guint cluster_prefix[4] = {4, 6, 10, 20};
static const guint cluster_use[3] = {15, 6, 2};

static inline guint32 cluster_prefix_of(guint32 c, guint bits) {
  guint len = 31 - (guint)__builtin_clz(c);
  return len <= bits ? c : c >> (len - bits);
}

#define TPL(t) (G_GUINT64_CONSTANT(0x51ed270b27f1e3a5) * (guint64)(t))
/* A feature id: the template and its values, each value times its own odd constant, summed
 * and mixed once (the values are 64-bit hashes or small numbers). */
#define K1 G_GUINT64_CONSTANT(0x9e3779b97f4a7c15)
#define K2 G_GUINT64_CONSTANT(0xc2b2ae3d27d4eb4f)
#define K3 G_GUINT64_CONSTANT(0x165667b19e3779f9)
#define F1(t, a) ner_mix(TPL(t) + (guint64)(a) * K1)
#define F2(t, a, b) ner_mix(TPL(t) + (guint64)(a) * K1 + (guint64)(b) * K2)
#define F3(t, a, b, c) ner_mix(TPL(t) + (guint64)(a) * K1 + (guint64)(b) * K2 + (guint64)(c) * K3)

static const guint64 BOUNDARY_L = G_GUINT64_CONSTANT(0x2545f4914f6cdd1d);
static const guint64 BOUNDARY_R = G_GUINT64_CONSTANT(0x9e3779b97f4a7c55);

/* The features of a capitalised token I of a sentence ending at E in a table line or a document
 * with a topic: the topic with the token's position, its word, and the shape of the token
 * after its run of capitalised words ("Chelsea 2", "Sampras ( U.S. )"). */
static guint topic_features(const NerTokInfo *info, gsize e, gsize i, guint64 *out) {
  const NerTokInfo *t = &info[i];
  if (!(t->flags & NER_TOK_CAP) || !(t->topic || (t->flags & NER_TOK_TABLE))) return 0;
  guint n = 0;
  gsize j = i + (t->run_len ? t->run_to_end : 0) + 1;
  guint64 nx = j < e ? info[j].sshape : BOUNDARY_R;
  guint32 where = t->flags & (NER_TOK_TABLE | NER_TOK_CAPSSENT | NER_TOK_INITIAL);
  if (t->topic) {
    out[n++] = F2(T_TOPIC, t->topic, where);
    out[n++] = F2(T_TOPIC_W, t->topic, t->lower);
    out[n++] = F3(T_TOPIC_NX, t->topic, where, nx);
  }
  if (t->flags & NER_TOK_TABLE) out[n++] = F2(T_TABLE_NX, nx, MIN(t->run_len, 4u));
  return n;
}

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
  if (t->run_len >= 2) {
    guint rp = t->run_pos == 1 ? 0 : t->run_to_end == 0 ? 2 : 1;
    out[n++] = F2(T_RUN_END, info[i + t->run_to_end].lower, rp);
    out[n++] = F2(T_RUN_START, info[i + 1 - t->run_pos].lower, rp);
    out[n++] = F1(T_RUN_SHAPE, MIN(t->run_len, 5u) * 8 + MIN(t->run_pos, 5u));
    gsize first = i + 1 - t->run_pos, after = i + t->run_to_end + 1;
    out[n++] = F2(T_RUN_BEFORE, first > s ? info[first - 1].lower : BOUNDARY_L, rp);
    out[n++] = F2(T_RUN_AFTER, after < e ? info[after].lower : BOUNDARY_R, rp);
  }
  if (t->flags & NER_TOK_DATELINE)
    out[n++] = F2(T_DATELINE, (t->flags & NER_TOK_INITIAL) ? 0 : 1, t->flags & NER_TOK_ALLCAPS);
  if (t->doccase) {
    guint32 cpos = t->flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT | NER_TOK_CAP | NER_TOK_ALLCAPS |
                               NER_TOK_LOWER);
    out[n++] = F2(T_DOCCASE, t->doccase, cpos);
  }
  n += topic_features(info, e, i, out + n);
  /* the word clusters of the token and its neighbours, as bit-string prefixes */
  for (int d = -2; d <= 2; d++) {
    if ((gssize)i + d < (gssize)s || i + d >= e) continue;
    guint32 c = info[i + d].cluster;
    if (c == 0) {
      if (d == 0) out[n++] = TPL(T_CL_NONE);
      continue;
    }
    for (guint k = 0; k < 4; k++) {
      if (!((cluster_use[d < 0 ? -d : d] >> k) & 1)) continue;
      out[n++] = F1(T_CL + 4 * (guint)(d + 2) + k, cluster_prefix_of(c, cluster_prefix[k]));
    }
  }
  return n;
}

/* ner_static_features() in three parts whose feature ids, together, are exactly its own:
 * the features of the token's form alone, those its form gives the tokens up to two away
 * (or the sentence boundary gives), and those of its context.  The first two depend on the
 * form only, so the tagger can add up their weights once per form and cache the sums. */
guint ner_form_features(const NerTokInfo *t, guint64 *out) {
  guint n = 0;
  out[n++] = TPL(T_BIAS);
  out[n++] = F1(T_WORD, t->word);
  out[n++] = F1(T_LOWER, t->lower);
  out[n++] = F1(T_SHAPE, t->shape);
  for (guint k = 0; k < 4; k++) {
    out[n++] = F1(T_PRE + k, t->pre[k]);
    out[n++] = F1(T_SUF + k, t->suf[k]);
  }
  if (t->flags & NER_TOK_CAP) out[n++] = F1(T_SUF_CAP, t->suf[2]);
  if (t->cluster == 0) {
    out[n++] = TPL(T_CL_NONE);
  } else {
    for (guint k = 0; k < 4; k++)
      if ((cluster_use[0] >> k) & 1)
        out[n++] = F1(T_CL + 4 * 2 + k, cluster_prefix_of(t->cluster, cluster_prefix[k]));
  }
  return n;
}

guint ner_neighbour_features(const NerTokInfo *t, int d, guint64 *out) {
  guint n = 0;
  guint64 lower = t ? t->lower : d < 0 ? BOUNDARY_L : BOUNDARY_R;
  guint64 word = t ? t->word : d < 0 ? BOUNDARY_L : BOUNDARY_R;
  switch (d) {
  case -2: out[n++] = F1(T_LM2, lower); break;
  case -1:
    out[n++] = F1(T_LM1, lower);
    out[n++] = F1(T_WM1, word);
    break;
  case 1:
    out[n++] = F1(T_LP1, lower);
    out[n++] = F1(T_WP1, word);
    break;
  case 2: out[n++] = F1(T_LP2, lower); break;
  default: return 0;
  }
  if (t && t->cluster)
    for (guint k = 0; k < 4; k++)
      if ((cluster_use[d < 0 ? -d : d] >> k) & 1)
        out[n++] = F1(T_CL + 4 * (guint)(d + 2) + k, cluster_prefix_of(t->cluster, cluster_prefix[k]));
  return n;
}

guint ner_shape_features(guint64 sm1, guint64 sshape, guint64 sp1, guint32 flags,
                         guint doccase, guint64 *out) {
  guint n = 0;
  guint32 pos = flags & NER_POS_FLAGS;
  out[n++] = F2(T_SM1, sm1, sshape);
  out[n++] = F2(T_SP1, sshape, sp1);
  out[n++] = F3(T_SH3, sm1, sshape, sp1);
  out[n++] = F2(T_POS, pos, sshape);
  if (flags & NER_TOK_SEENLOW)
    out[n++] = F1(T_SEENLOW, flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT));
  if (flags & NER_TOK_DATELINE)
    out[n++] = F2(T_DATELINE, (flags & NER_TOK_INITIAL) ? 0 : 1, flags & NER_TOK_ALLCAPS);
  if (doccase) out[n++] = F2(T_DOCCASE, doccase, pos);
  return n;
}

guint ner_gaz_features(guint64 gaz, guint64 gm1, guint64 gp1, guint32 pos, guint64 *out) {
  guint n = 0;
  if (gaz | gm1 | gp1)
    for (guint c = 0; c < NER_GAZ_N_CLASSES; c++) {
      guint bits = (gaz >> (4 * c)) & 15;
      for (guint b = 0; b < 4; b++)
        if (bits & (1u << b)) {
          out[n++] = F1(T_GAZ, c * 4 + b);
          out[n++] = F2(T_GAZ_CAP, c * 4 + b, pos);
        }
      if ((gm1 >> (4 * c)) & 15) out[n++] = F1(T_GAZ_M1, c);
      if ((gp1 >> (4 * c)) & 15) out[n++] = F1(T_GAZ_P1, c);
    }
  return n;
}

void ner_shape_context(const NerTokInfo *info, gsize s, gsize e, gsize i, guint64 *sm1,
                       guint64 *sp1) {
  *sm1 = i > s ? info[i - 1].sshape : BOUNDARY_L;
  *sp1 = i + 1 < e ? info[i + 1].sshape : BOUNDARY_R;
}

guint ner_context_features(const NerTokInfo *info, gsize s, gsize e, gsize i, guint64 *out) {
  const NerTokInfo *t = &info[i];
  guint n = 0;
  guint64 lm1 = i > s ? info[i - 1].lower : BOUNDARY_L;
  guint64 lp1 = i + 1 < e ? info[i + 1].lower : BOUNDARY_R;
  out[n++] = F2(T_BIL, lm1, t->lower);
  out[n++] = F2(T_BIR, t->lower, lp1);
  if (t->flags & NER_TOK_CAPSSENT) {
    out[n++] = F1(T_CAPS_L, t->lower);
    out[n++] = F2(T_CAPS_S, lm1, t->lower);
  }
  if ((t->flags & NER_TOK_CAP) && !(t->flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT)))
    out[n++] = F1(T_CAPMID, lm1);
  if (t->run_len >= 2) {
    guint rp = t->run_pos == 1 ? 0 : t->run_to_end == 0 ? 2 : 1;
    out[n++] = F2(T_RUN_END, info[i + t->run_to_end].lower, rp);
    out[n++] = F2(T_RUN_START, info[i + 1 - t->run_pos].lower, rp);
    out[n++] = F1(T_RUN_SHAPE, MIN(t->run_len, 5u) * 8 + MIN(t->run_pos, 5u));
    /* the words just before and after the run ("at Brown Deer Park Golf Course") */
    gsize first = i + 1 - t->run_pos, after = i + t->run_to_end + 1;
    out[n++] = F2(T_RUN_BEFORE, first > s ? info[first - 1].lower : BOUNDARY_L, rp);
    out[n++] = F2(T_RUN_AFTER, after < e ? info[after].lower : BOUNDARY_R, rp);
  }
  n += topic_features(info, e, i, out + n);
  return n;
}

guint ner_dynamic_features(const NerTokInfo *info, gsize s, gsize e, gsize i, guint prev1,
                           guint prev2, guint mem, const NerAgg *agg, guint64 *out) {
  const NerTokInfo *t = &info[i];
  guint n = 0;
  out[n++] = F1(T_P1, prev1);
  out[n++] = F2(T_P12, prev2, prev1);
  out[n++] = F2(T_P1W, prev1, t->lower);
  out[n++] = F2(T_P1S, prev1, t->sshape);
  guint64 lm1 = i > s ? info[i - 1].lower : BOUNDARY_L;
  out[n++] = F3(T_P2W, prev2, lm1, t->sshape);
  if (mem) {
    out[n++] = F1(T_MEM, mem);
    out[n++] = F2(T_MEM_POS, mem, t->flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT));
    out[n++] = F2(T_MEM_W, mem, prev1);
  }
  if (agg) {
    guint a = agg[i];
    if (a) {
      guint maj = a & 15;
      out[n++] = F1(T_AGG, maj);
      out[n++] = F1(T_AGG_SET, (a >> 4) & 63);
      out[n++] = F2(T_AGG_POS, maj, t->flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT | NER_TOK_CAP));
      out[n++] = F2(T_AGG_P1, maj, prev1);
      out[n++] = F2(T_AGG_CONT, maj, a >> 12);
    }
    guint am = i > s ? agg[i - 1] & 15 : 15, ap = i + 1 < e ? agg[i + 1] & 15 : 15;
    out[n++] = F2(T_AGG_M1, am, a & 15);
    out[n++] = F2(T_AGG_NEXT, a & 15, ap);
  }
  return n;
}

guint ner_dynamic_features1(const NerTokInfo *info, gsize s, gsize e, gsize i, guint prev1,
                            guint mem, const NerAgg *agg, guint64 *out) {
  const NerTokInfo *t = &info[i];
  guint n = 0;
  out[n++] = F1(T_P1, prev1);
  out[n++] = F2(T_P1W, prev1, t->lower);
  out[n++] = F2(T_P1S, prev1, t->sshape);
  if (mem) {
    out[n++] = F1(T_MEM, mem);
    out[n++] = F2(T_MEM_POS, mem, t->flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT));
    out[n++] = F2(T_MEM_W, mem, prev1);
  }
  if (agg) {
    n += ner_agg_tag_features(agg[i], prev1, out + n);
    n += ner_agg_features(info, s, e, i, agg, out + n);
  }
  return n;
}

/* ner_dynamic_features() in parts, for the tagger's own decoder (whose ids together are
 * exactly its own): see ner.h. */
guint ner_tag_features(guint prev1, guint prev2, guint64 *out) {
  out[0] = F1(T_P1, prev1);
  out[1] = F2(T_P12, prev2, prev1);
  return 2;
}

guint ner_memory_features(guint mem, guint32 flags, guint prev1, guint64 *out) {
  if (!mem) return 0;
  out[0] = F1(T_MEM, mem);
  out[1] = F2(T_MEM_POS, mem, flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT));
  out[2] = F2(T_MEM_W, mem, prev1);
  return 3;
}

guint ner_agg_tag_features(NerAgg a, guint prev1, guint64 *out) {
  if (!a) return 0;
  out[0] = F2(T_AGG_P1, a & 15, prev1);
  return 1;
}

guint ner_prev_word_features(const NerTokInfo *t, guint prev1, guint64 *out) {
  out[0] = F2(T_P1W, prev1, t->lower);
  out[1] = F2(T_P1S, prev1, t->sshape);
  return 2;
}

guint ner_prev2_word_features(const NerTokInfo *info, gsize s, gsize i, guint prev2,
                              guint64 *out) {
  guint64 lm1 = i > s ? info[i - 1].lower : BOUNDARY_L;
  out[0] = F3(T_P2W, prev2, lm1, info[i].sshape);
  return 1;
}

guint ner_word_history_features(const NerTokInfo *info, gsize s, gsize i, guint prev1,
                                guint prev2, guint64 *out) {
  guint n = ner_prev_word_features(&info[i], prev1, out);
  return n + ner_prev2_word_features(info, s, i, prev2, out + n);
}

guint ner_agg_features_of(NerAgg a, guint32 flags, guint am, guint ap, guint parts,
                          guint64 *out) {
  guint n = 0;
  guint maj = a & 15;
  if (a && (parts & NER_AGG_OWN)) {
    out[n++] = F1(T_AGG, maj);
    out[n++] = F2(T_AGG_POS, maj, flags & (NER_TOK_INITIAL | NER_TOK_CAPSSENT | NER_TOK_CAP));
    out[n++] = F2(T_AGG_CONT, maj, a >> 12);
  }
  if (a && (parts & NER_AGG_SET)) out[n++] = F1(T_AGG_SET, (a >> 4) & 63);
  if (parts & NER_AGG_M1) out[n++] = F2(T_AGG_M1, am, maj);
  if (parts & NER_AGG_NEXT) out[n++] = F2(T_AGG_NEXT, maj, ap);
  return n;
}

guint ner_agg_features(const NerTokInfo *info, gsize s, gsize e, gsize i, const NerAgg *agg,
                       guint64 *out) {
  guint am = i > s ? agg[i - 1] & 15 : 15, ap = i + 1 < e ? agg[i + 1] & 15 : 15;
  return ner_agg_features_of(agg[i], info[i].flags, am, ap,
                             NER_AGG_OWN | NER_AGG_SET | NER_AGG_M1 | NER_AGG_NEXT, out);
}

/* TRUE for the articles (The, A, An): a capitalised one says nothing of the word's other
 * occurrences ("The New York Times" does not make every sentence's first "The" a name). */
static gboolean is_article(guint64 lower) {
  static guint64 keys[3];
  static gsize ready = 0; /* workers call this at once: the keys are set up once, safely */
  if (g_once_init_enter(&ready)) {
    keys[0] = ner_hash_bytes("the", 3);
    keys[1] = ner_hash_bytes("a", 1);
    keys[2] = ner_hash_bytes("an", 2);
    g_once_init_leave(&ready, 1);
  }
  return lower == keys[0] || lower == keys[1] || lower == keys[2];
}

void ner_aggregate(const NerTokInfo *info, gsize n, const guint8 *tags, NerAgg *agg) {
  /* per form: counts of each label (O, PER, ORG, LOC, MISC) and of continuing mentions */
  typedef struct {
    guint64 key;
    guint16 count[NER_N_TYPES + 1];
    guint16 cont[NER_N_TYPES + 1];
  } Slot;
  gsize size = 64;
  while (size < n * 2) size *= 2;
  Slot *tab = ner_buffer(NER_BUF_AGG_SLOTS, sizeof(Slot) * size, TRUE);
  gsize mask = size - 1;
  guint32 *slot_of = ner_buffer(NER_BUF_AGG_SLOT_OF, sizeof(guint32) * n, FALSE);
  for (gsize i = 0; i < n; i++) {
    guint32 f = info[i].flags;
    slot_of[i] = G_MAXUINT32;
    if (!(f & (NER_TOK_CAP | NER_TOK_ALLCAPS))) continue;
    guint64 key = info[i].lower | 1;
    gsize j = key & mask;
    while (tab[j].key != 0 && tab[j].key != key) j = (j + 1) & mask;
    tab[j].key = key;
    slot_of[i] = (guint32)j;
    guint label = tags[i] == NER_TAG_O ? 0 : 1 + NER_TAG_TYPE(tags[i]);
    /* in a headline, or first in a sentence and tagged O, a capital says little */
    if ((f & NER_TOK_CAPSSENT) || (label == 0 && (f & NER_TOK_INITIAL))) continue;
    if (tab[j].count[label] < G_MAXUINT16) tab[j].count[label]++;
    if (label && NER_TAG_CONTINUES(tags[i]) && tab[j].cont[label] < G_MAXUINT16) tab[j].cont[label]++;
  }
  for (gsize i = 0; i < n; i++) {
    agg[i] = 0;
    if (slot_of[i] == G_MAXUINT32) continue;
    const Slot *sl = &tab[slot_of[i]];
    guint32 f = info[i].flags;
    guint own = G_MAXUINT;
    if (!((f & NER_TOK_CAPSSENT) ||
          (tags[i] == NER_TAG_O && (f & NER_TOK_INITIAL))))
      own = tags[i] == NER_TAG_O ? 0 : 1 + NER_TAG_TYPE(tags[i]);
    guint best = G_MAXUINT, best_count = 0, set = 0;
    for (guint l = 0; l <= NER_N_TYPES; l++) {
      guint c = sl->count[l] - (l == own);
      if (c == 0) continue;
      set |= 1u << l;
      if (c > best_count) {
        best_count = c;
        best = l;
      }
    }
    if (best == G_MAXUINT) continue;
    guint cont = sl->cont[best] - (best == own && best && NER_TAG_CONTINUES(tags[i]));
    agg[i] = (NerAgg)((best + 1) | set << 4 | (cont * 2 > best_count ? 1u << 12 : 0));
  }
}

/* ---- Document memory -------------------------------------------------------------- */

void ner_memory_init(NerDocMemory *mem, gsize n_tokens) {
  gsize size = 64;
  while (size < n_tokens * 2) size *= 2;
  mem->mask = size - 1;
  mem->used = 0;
  mem->keys = ner_buffer(NER_BUF_MEM_KEYS, sizeof(guint64) * size, TRUE);
  mem->vals = ner_buffer(NER_BUF_MEM_VALS, size, TRUE);
}

void ner_memory_clear(NerDocMemory *mem) {
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
    if (!(f & NER_TOK_CAP) || (f & NER_TOK_CAPSSENT) || is_article(info[i].lower)) continue;
    guint val = tags[i] == NER_TAG_O ? 1 : 2 + NER_TAG_TYPE(tags[i]);
    /* a sentence-initial word tagged O says little: it may be capitalised for position only */
    if (val == 1 && (f & NER_TOK_INITIAL)) continue;
    ner_memory_put(mem, info[i].lower, val);
  }
}
