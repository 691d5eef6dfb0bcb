/* copydesk — tools/ner: reading CoNLL-format files. */
#include <string.h>

#include "conll.h"

/* The type of a tag's type name: a CoNLL one, or what MAP ("per=PER,tim=O,…") says; -1 for O
 * (mapped to O), -2 when unknown. */
static int map_type(const char *s, gsize len, const char *map) {
  int type = ner_type_parse(s, len);
  if (type >= 0 || map == NULL) return type >= 0 ? type : -2;
  for (const char *p = map; *p;) {
    const char *eq = strchr(p, '='), *end = strchr(p, ',');
    if (end == NULL) end = p + strlen(p);
    if (eq && eq < end && (gsize)(eq - p) == len && memcmp(p, s, len) == 0) {
      if (end - eq - 1 == 1 && eq[1] == 'O') return -1;
      int t = ner_type_parse(eq + 1, (gsize)(end - eq - 1));
      return t >= 0 ? t : -2;
    }
    p = *end ? end + 1 : end;
  }
  return -2;
}

static guint8 parse_tag(const char *s, gsize len, guint prev, const char *map, gboolean *ok) {
  *ok = TRUE;
  if (len == 1 && s[0] == 'O') return NER_TAG_O;
  if (len < 3 || s[1] != '-' || (s[0] != 'B' && s[0] != 'I')) {
    *ok = FALSE;
    return NER_TAG_O;
  }
  int type = map_type(s + 2, len - 2, map);
  if (type == -1) return NER_TAG_O;
  if (type < 0) {
    *ok = FALSE;
    return NER_TAG_O;
  }
  /* BIO codes here (1 + 2*type B, 2 + 2*type I), BILOU once the sentence is read */
  if (s[0] == 'B') return (guint8)(1 + 2 * type);
  /* I-X continues an X entity; otherwise (IOB1, IO) it starts one */
  if (prev != NER_TAG_O && (prev - 1) / 2 == (guint)type) return (guint8)(2 + 2 * type);
  return (guint8)(1 + 2 * type);
}

ConllCorpus *conll_read(const char *path, GError **error) {
  return conll_read_mapped(path, NULL, 0, error);
}

ConllCorpus *conll_read_mapped(const char *path, const char *map, guint doc_sentences,
                               GError **error) {
  char *buf;
  gsize len;
  if (!g_file_get_contents(path, &buf, &len, error)) return NULL;
  ConllCorpus *c = g_new0(ConllCorpus, 1);
  c->buffer = buf;
  c->tokens = g_array_new(FALSE, FALSE, sizeof(NerToken));
  c->lines = g_array_new(FALSE, FALSE, sizeof(char *));
  c->gold = g_array_new(FALSE, FALSE, sizeof(guint8));
  c->sent = g_array_new(FALSE, FALSE, sizeof(gsize));
  c->doc = g_array_new(FALSE, FALSE, sizeof(gsize));
  gboolean in_sentence = FALSE, doc_open = FALSE;
  guint prev = NER_TAG_O;
  guint lineno = 0;
  for (gsize i = 0; i < len;) {
    gsize e = i;
    while (e < len && buf[e] != '\n') e++;
    if (e < len) buf[e] = '\0'; /* the buffer is NUL-terminated at len anyway */
    lineno++;
    char *line = buf + i;
    gsize ll = e - i;
    while (ll > 0 && (line[ll - 1] == '\r' || line[ll - 1] == ' ' || line[ll - 1] == '\t'))
      line[--ll] = '\0';
    i = e + 1;
    if (ll == 0) {
      in_sentence = FALSE;
      continue;
    }
    if (g_str_has_prefix(line, "-DOCSTART-")) {
      in_sentence = FALSE;
      gsize ns = c->sent->len;
      g_array_append_val(c->doc, ns);
      doc_open = TRUE;
      continue;
    }
    if (!doc_open) {
      gsize ns = c->sent->len;
      g_array_append_val(c->doc, ns);
      doc_open = TRUE;
    }
    if (!in_sentence) {
      gsize nt = c->tokens->len;
      g_array_append_val(c->sent, nt);
      in_sentence = TRUE;
      prev = NER_TAG_O;
    }
    const char *sp = line;
    while (*sp && *sp != ' ' && *sp != '\t') sp++;
    const char *last = line + ll;
    while (last > line && last[-1] != ' ' && last[-1] != '\t') last--;
    NerToken t = {line, (guint32)(sp - line)};
    gboolean ok;
    guint8 tag = parse_tag(last, (gsize)(line + ll - last), prev, map, &ok);
    if (!ok || last == line) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: bad NE tag in \"%s\"", path,
                  lineno, line);
      conll_free(c);
      return NULL;
    }
    prev = tag;
    g_array_append_val(c->tokens, t);
    g_array_append_val(c->lines, line);
    g_array_append_val(c->gold, tag);
  }
  /* BIO → BILOU, sentence by sentence */
  for (guint k = 0; k < c->sent->len; k++) {
    gsize a = g_array_index(c->sent, gsize, k);
    gsize b = k + 1 < c->sent->len ? g_array_index(c->sent, gsize, k + 1) : c->tokens->len;
    ner_bio_to_bilou(&g_array_index(c->gold, guint8, a), b - a);
  }
  /* a file without -DOCSTART- lines: documents of DOC_SENTENCES sentences */
  if (doc_sentences > 0 && c->doc->len <= 1) {
    g_array_set_size(c->doc, 0);
    for (gsize k = 0; k < c->sent->len; k += doc_sentences) g_array_append_val(c->doc, k);
  }
  /* drop documents without sentences */
  GArray *docs = g_array_new(FALSE, FALSE, sizeof(gsize));
  for (guint d = 0; d < c->doc->len; d++) {
    gsize s = g_array_index(c->doc, gsize, d);
    gsize next = d + 1 < c->doc->len ? g_array_index(c->doc, gsize, d + 1) : c->sent->len;
    if (next > s) g_array_append_val(docs, s);
  }
  g_array_free(c->doc, TRUE);
  c->doc = docs;
  return c;
}

void conll_free(ConllCorpus *c) {
  if (c == NULL) return;
  g_free(c->buffer);
  g_array_free(c->tokens, TRUE);
  g_array_free(c->lines, TRUE);
  g_array_free(c->gold, TRUE);
  g_array_free(c->sent, TRUE);
  g_array_free(c->doc, TRUE);
  g_free(c);
}

gsize conll_n_docs(const ConllCorpus *c) { return c->doc->len; }

void conll_doc(const ConllCorpus *c, gsize d, gsize *tok_first, gsize *n_tok, gsize **sent,
               gsize *n_sent) {
  gsize s0 = g_array_index(c->doc, gsize, d);
  gsize s1 = d + 1 < c->doc->len ? g_array_index(c->doc, gsize, d + 1) : c->sent->len;
  gsize t0 = g_array_index(c->sent, gsize, s0);
  gsize t1 = s1 < c->sent->len ? g_array_index(c->sent, gsize, s1) : c->tokens->len;
  *tok_first = t0;
  *n_tok = t1 - t0;
  *n_sent = s1 - s0;
  *sent = g_new(gsize, *n_sent ? *n_sent : 1);
  for (gsize k = 0; k < *n_sent; k++) (*sent)[k] = g_array_index(c->sent, gsize, s0 + k) - t0;
}

static gsize collect(const guint8 *tags, gsize n, GHashTable *set, guint *count) {
  NerMention *m = g_new(NerMention, n ? n : 1);
  gsize nm = ner_tags_to_mentions(tags, n, m);
  for (gsize k = 0; k < nm; k++) {
    count[m[k].type]++;
    gpointer key = GSIZE_TO_POINTER((m[k].first << 24) | ((m[k].last + 1 - m[k].first) << 4) |
                                    m[k].type);
    if (set) g_hash_table_add(set, key);
  }
  g_free(m);
  return nm;
}

void conll_score_add(ConllScore *s, const guint8 *gold, const guint8 *pred, gsize n) {
  GHashTable *gold_set = g_hash_table_new(g_direct_hash, g_direct_equal);
  collect(gold, n, gold_set, s->gold);
  NerMention *m = g_new(NerMention, n ? n : 1);
  gsize nm = ner_tags_to_mentions(pred, n, m);
  for (gsize k = 0; k < nm; k++) {
    s->pred[m[k].type]++;
    gpointer key = GSIZE_TO_POINTER((m[k].first << 24) | ((m[k].last + 1 - m[k].first) << 4) |
                                    m[k].type);
    if (g_hash_table_contains(gold_set, key)) s->correct[m[k].type]++;
  }
  g_free(m);
  g_hash_table_destroy(gold_set);
}

double conll_score_f1(const ConllScore *s, int type) {
  double c = 0, g = 0, p = 0;
  for (int t = 0; t < NER_N_TYPES; t++)
    if (type < 0 || t == type) {
      c += s->correct[t];
      g += s->gold[t];
      p += s->pred[t];
    }
  return g + p > 0 ? 200.0 * c / (g + p) : 0;
}
