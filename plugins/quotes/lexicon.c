/* copydesk — quotes: the word lists, read from plain text files.
 *
 * Every file has the same shape: "# comment" lines, "[section flag …]" headers and
 * lines of whitespace-separated words under them.  All words go into one open-addressing
 * table keyed by the lowercased form; a word in several lists gets every list's flags.
 * Keys are the first eight lowercased bytes packed into an integer (plus a hash of the
 * rest for longer words), so a lookup folds case on the fly and never copies a word;
 * the hashes of the entries are computed once, at load.  A 32,768-bit filter marks the
 * words the tokenizer looks up at once (cues, adverbs, connectors: LEXICON_EAGER).
 */
#include <string.h>

#include "quotes.h"

#define MAX_KEY LEXICON_MAX_KEY

/* ASCII case folding as a table (bytes >= 0x80 unchanged). */
static const guint8 *fold_table(void) {
  static guint8 fold[256];
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    for (guint i = 0; i < 256; i++) fold[i] = (guint8)((i >= 'A' && i <= 'Z') ? i | 0x20 : i);
    g_once_init_leave(&done, 1);
  }
  return fold;
}

guint64 lexicon_pack(const char *s, gsize len) {
  const guint8 *fold = fold_table();
  guint64 k = 0;
  gsize n = len < 8 ? len : 8;
  for (gsize i = 0; i < n; i++) k |= (guint64)fold[(guchar)s[i]] << (8 * i);
  return k;
}

static inline const WordInfo *find(const Lexicon *lex, guint64 key, const char *s, gsize len) {
  return lexicon_find(lex, key, s, len);
}

const WordInfo lexicon_none = {.key = (char *)""};
const WordInfo lexicon_lazy = {.key = (char *)""}; /* no flags: see quotes.h */

static void insert_slot(Lexicon *lex, gsize idx) {
  const WordInfo *w = &lex->words[idx];
  guint64 h = lexicon_hash(w->packed, lexicon_tail_hash(w->key, w->len));
  gsize i = lexicon_first_slot(h, lex->mask);
  while (lex->slots[i]) i = (i + 1) & lex->mask;
  lex->slots[i] = ((guint32)(h >> 52) << LEXICON_IDX_BITS) | (guint32)(idx + 1);
}

static void grow(Lexicon *lex) {
  gsize size = (lex->mask + 1) * 2;
  g_free(lex->slots);
  lex->slots = g_new0(guint32, size);
  lex->mask = size - 1;
  for (gsize i = 0; i < lex->n; i++) insert_slot(lex, i);
}

/* The entry of the LEN bytes at WORD, added (with no flags) when the lexicon has none;
 * NULL for a word longer than MAX_KEY. */
static WordInfo *add_word(Lexicon *lex, const char *word, gsize len) {
  if (len == 0 || len > MAX_KEY) return NULL;
  /* (room for eight bytes to be read at once) lowercased eight bytes at a time */
  char lower[MAX_KEY + 8] = {0};
  memcpy(lower, word, len);
  for (gsize i = 0; i < len; i += 8) {
    guint64 x = GUINT64_TO_LE(lexicon_fold8(lower + i));
    memcpy(lower + i, &x, 8);
  }
  guint64 packed = pack_word(lower, len, TRUE);
  const WordInfo *found = find(lex, packed, lower, len);
  if (found) return (WordInfo *)found;
  if (lex->n + 1 >= (gsize)1 << LEXICON_IDX_BITS) return NULL;
  if ((lex->n + 1) * 4 > lex->mask + 1) grow(lex);
  if (lex->n == lex->cap) {
    /* entries move: slots hold indices, never pointers */
    lex->cap = lex->cap ? lex->cap * 2 : 256;
    lex->words = g_renew(WordInfo, lex->words, lex->cap);
  }
  WordInfo *w = &lex->words[lex->n];
  *w = (WordInfo){0};
  w->key = g_string_chunk_insert_len(lex->strings, lower, (gssize)len);
  w->packed = packed;
  w->len = (guint32)len;
  insert_slot(lex, lex->n);
  lex->n++;
  return w;
}

const WordInfo *lexicon_lookup_packed(const Lexicon *lex, guint64 key, const char *s, gsize len) {
  if (len == 0 || len > MAX_KEY) return NULL;
  const WordInfo *w = find(lex, key, s, len);
  if (w) return w;
  if (len > 1 && s[len - 1] == '.') {
    gsize l = len - 1;
    if (l < 8) key &= (1ull << (8 * l)) - 1;
    return find(lex, key, s, l);
  }
  return NULL;
}

const WordInfo *lexicon_lookup(const Lexicon *lex, const char *s, gsize len) {
  if (len == 0 || len > MAX_KEY) return NULL;
  return lexicon_lookup_packed(lex, lexicon_pack(s, len), s, len);
}

typedef enum { FILE_CUES, FILE_TITLES, FILE_NAMES, FILE_WORDS } FileKind;

typedef struct {
  const char *name;
  guint32 flags;
} WordSection;

static const WordSection word_sections[] = {
    {"pronoun-male", W_PRON_M},     {"pronoun-female", W_PRON_F},
    {"pronoun-plural", W_PRON_PL},  {"pronoun-neuter", W_PRON_IT},
    {"pronoun-first", W_PRON_1},    {"determiner", W_DET},
    {"adverb", W_ADV},              {"function", W_FUNC},
    {"org-noun", W_ORG_NOUN},       {"org-word", W_ORG_WORD},
    {"speaker-noun", W_SPEAKER_NOUN}, {"connector", W_CONNECT},
    {"scare", W_SCARE},             {"title-context", W_TITLE_CTX},
};

/* The next part of [*P, END) that spaces and tabs delimit: its first byte, with its length
 * in *LEN and *P moved past it; NULL when none is left. */
static inline const char *next_part(const char **p, const char *end, gsize *len) {
  const char *s = *p;
  while (s < end && (*s == ' ' || *s == '\t')) s++;
  /* (the file's text is NUL-terminated, and holds no NUL before its end) */
  const char *e = s + strcspn(s, " \t\n");
  if (e > end) e = end;
  *p = e;
  *len = (gsize)(e - s);
  return s < e ? s : NULL;
}

/* The LEN bytes at S are the word WORD. */
static gboolean part_is(const char *s, gsize len, const char *word) {
  return len == strlen(word) && memcmp(s, word, len) == 0;
}

/* Reads one file of KIND into LEX: its lines (up to the first NUL) without the ASCII
 * white space around them, split at spaces and tabs. */
static gboolean load_file(Lexicon *lex, const char *path, FileKind kind, GError **error) {
  char *contents = NULL;
  if (!g_file_get_contents(path, &contents, NULL, error)) return FALSE;
  guint32 flags = 0;
  const char *lemma = NULL, *role = NULL;
  gboolean according = FALSE; /* the section's lemma is "according to" */
  gboolean in_section = FALSE;
  gboolean ok = TRUE;
  GString *name = g_string_new(NULL); /* a section's */
  const char *p = contents, *text_end = contents + strlen(contents);
  for (guint ln = 0; p <= text_end && ok; ln++) {
    const char *nl = memchr(p, '\n', (gsize)(text_end - p));
    const char *line = p, *end = nl ? nl : text_end;
    p = end + 1;
    while (line < end && g_ascii_isspace(*line)) line++;
    while (end > line && g_ascii_isspace(end[-1])) end--;
    if (line == end || *line == '#') continue;
    if (*line == '[') {
      const char *close = memchr(line, ']', (gsize)(end - line));
      if (!close) {
        g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                    "%s:%u: section header without ']'", path, ln + 1);
        ok = FALSE;
        break;
      }
      /* The name is every part but the flag words. */
      g_string_truncate(name, 0);
      guint32 extra = 0;
      const char *q = line + 1, *part;
      gsize len;
      while ((part = next_part(&q, close, &len)) != NULL) {
        if (part_is(part, len, "indirect")) extra |= W_CUE_INDIRECT;
        else if (kind == FILE_TITLES && part_is(part, len, "m")) extra |= W_MALE;
        else if (kind == FILE_TITLES && part_is(part, len, "f")) extra |= W_FEMALE;
        else {
          if (name->len) g_string_append_c(name, ' ');
          g_string_append_len(name, part, (gssize)len);
        }
      }
      in_section = TRUE;
      flags = extra;
      lemma = role = NULL;
      according = FALSE;
      switch (kind) {
      case FILE_CUES:
        flags |= W_CUE;
        lemma = g_string_chunk_insert_len(lex->strings, name->str, (gssize)name->len);
        according = strcmp(lemma, "according to") == 0;
        break;
      case FILE_TITLES:
        if (g_strcmp0(name->str, "descriptor") == 0) flags |= W_DESCRIPTOR;
        else {
          flags |= W_TITLE;
          role = g_string_chunk_insert_const(lex->strings, name->str);
        }
        break;
      case FILE_NAMES:
        flags |= W_GIVEN;
        if (g_strcmp0(name->str, "male") == 0) flags |= W_MALE;
        else if (g_strcmp0(name->str, "female") == 0) flags |= W_FEMALE;
        break;
      case FILE_WORDS: {
        guint i;
        for (i = 0; i < G_N_ELEMENTS(word_sections); i++)
          if (g_strcmp0(word_sections[i].name, name->str) == 0) break;
        if (i == G_N_ELEMENTS(word_sections)) {
          g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                      "%s:%u: unknown section [%s]", path, ln + 1, name->str);
          ok = FALSE;
        } else {
          flags |= word_sections[i].flags;
        }
        break;
      }
      }
      continue;
    }
    if (!in_section) {
      g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                  "%s:%u: words before the first [section]", path, ln + 1);
      ok = FALSE;
      break;
    }
    const char *q = line, *part;
    gsize len;
    while ((part = next_part(&q, end, &len)) != NULL) {
      WordInfo *w = add_word(lex, part, len);
      if (!w) continue;
      /* A name in both the male and the female list gets both flags: no gender. */
      w->flags |= flags;
      if (lemma && !w->lemma) w->lemma = lemma;
      /* (a word whose lemma came from a section before got the flag from that one) */
      if (according && w->lemma == lemma) w->flags |= W_ACCORDING;
      if (role && !w->role) w->role = role;
    }
  }
  g_string_free(name, TRUE);
  g_free(contents);
  return ok;
}

Lexicon *lexicon_load(const char *cues, const char *titles, const char *names, const char *words,
                      GError **error) {
  Lexicon *lex = g_new0(Lexicon, 1);
  lex->mask = 8191; /* a quarter full with 2,048 words: the shipped lists never grow it */
  lex->slots = g_new0(guint32, lex->mask + 1);
  lex->strings = g_string_chunk_new(4096);
  if (!load_file(lex, cues, FILE_CUES, error) || !load_file(lex, titles, FILE_TITLES, error) ||
      !load_file(lex, names, FILE_NAMES, error) || !load_file(lex, words, FILE_WORDS, error)) {
    lexicon_free(lex);
    return NULL;
  }
  for (gsize i = 0; i < lex->n; i++) {
    const WordInfo *w = &lex->words[i];
    if (!(w->flags & LEXICON_EAGER)) continue;
    guint b = (guint)(lexicon_hash(w->packed, lexicon_tail_hash(w->key, w->len)) >>
                      (64 - LEXICON_CUE_FILTER_LOG));
    lex->cue_filter[b >> 6] |= 1ull << (b & 63);
  }
  return lex;
}

void lexicon_free(Lexicon *lex) {
  if (!lex) return;
  g_free(lex->slots);
  g_free(lex->words);
  g_string_chunk_free(lex->strings);
  g_free(lex);
}
