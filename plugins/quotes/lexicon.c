/* copydesk — quotes: the word lists, read from plain text files.
 *
 * Every file has the same shape: "# comment" lines, "[section flag …]" headers and
 * lines of whitespace-separated words under them.  All words go into one open-addressing
 * table keyed by the lowercased form; a word in several lists gets every list's flags.
 * Lookups fold ASCII case on the fly, so the tokenizer never copies a word.
 */
#include <string.h>

#include "quotes.h"

#define MAX_KEY 24

struct Lexicon {
  WordInfo *slots; /* power-of-two sized, key NULL when empty */
  guint32 *hashes; /* each slot's hash */
  gsize mask;
  gsize n;
  GStringChunk *strings; /* keys, lemmas, roles */
  /* A quick filter: bit (first letter, last letter) per key length; most words that are
   * not in the table stop here without hashing. */
  guint64 pairs[MAX_KEY + 1][32];
};

static inline guint letter(guchar c) { return (c | 0x20) & 31; }

static inline guint32 hash_fold(const char *s, gsize len) {
  guint32 h = 2166136261u;
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar)s[i];
    if (c >= 'A' && c <= 'Z') c |= 0x20;
    h = (h ^ c) * 16777619u;
  }
  return h;
}

static inline gboolean eq_fold(const char *key, const char *s, gsize len) {
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar)s[i];
    if (c >= 'A' && c <= 'Z') c |= 0x20;
    if ((guchar)key[i] != c) return FALSE;
  }
  return key[len] == '\0';
}

static WordInfo *find_slot(const Lexicon *lex, const char *s, gsize len, guint32 *hash) {
  guint32 h = hash_fold(s, len);
  if (hash) *hash = h;
  gsize i = h & lex->mask;
  for (;;) {
    WordInfo *w = &lex->slots[i];
    if (w->key == NULL || (lex->hashes[i] == h && eq_fold(w->key, s, len))) return w;
    i = (i + 1) & lex->mask;
  }
}

static void grow(Lexicon *lex) {
  gsize old_size = lex->mask + 1;
  WordInfo *old = lex->slots;
  guint32 *old_hashes = lex->hashes;
  lex->mask = old_size * 2 - 1;
  lex->slots = g_new0(WordInfo, old_size * 2);
  lex->hashes = g_new0(guint32, old_size * 2);
  for (gsize i = 0; i < old_size; i++)
    if (old[i].key) {
      guint32 h;
      WordInfo *w = find_slot(lex, old[i].key, strlen(old[i].key), &h);
      *w = old[i];
      lex->hashes[w - lex->slots] = h;
    }
  g_free(old);
  g_free(old_hashes);
}

static WordInfo *add_word(Lexicon *lex, const char *word) {
  if ((lex->n + 1) * 4 > lex->mask + 1) grow(lex);
  gsize len = strlen(word);
  guint32 h;
  WordInfo *w = find_slot(lex, word, len, &h);
  if (w->key == NULL) {
    char *lower = g_ascii_strdown(word, (gssize)len);
    w->key = g_string_chunk_insert(lex->strings, lower);
    g_free(lower);
    lex->hashes[w - lex->slots] = h;
    lex->n++;
    if (len <= MAX_KEY) lex->pairs[len][letter((guchar)word[0])] |= 1ull << letter((guchar)word[len - 1]);
  }
  return w;
}

static inline gboolean maybe(const Lexicon *lex, const char *s, gsize len) {
  return (lex->pairs[len][letter((guchar)s[0])] >> letter((guchar)s[len - 1])) & 1;
}

const WordInfo *lexicon_lookup(const Lexicon *lex, const char *s, gsize len) {
  if (len == 0 || len > MAX_KEY) return NULL;
  if (maybe(lex, s, len)) {
    const WordInfo *w = find_slot(lex, s, len, NULL);
    if (w->key) return w;
  }
  if (len > 1 && s[len - 1] == '.' && maybe(lex, s, len - 1)) {
    const WordInfo *w = find_slot(lex, s, len - 1, NULL);
    if (w->key) return w;
  }
  return NULL;
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

/* Reads one file of KIND into LEX. */
static gboolean load_file(Lexicon *lex, const char *path, FileKind kind, GError **error) {
  char *contents = NULL;
  if (!g_file_get_contents(path, &contents, NULL, error)) return FALSE;
  guint32 flags = 0;
  const char *lemma = NULL, *role = NULL;
  gboolean in_section = FALSE;
  char **lines = g_strsplit(contents, "\n", -1);
  gboolean ok = TRUE;
  for (guint ln = 0; lines[ln] && ok; ln++) {
    char *line = g_strstrip(lines[ln]);
    if (*line == '\0' || *line == '#') continue;
    if (*line == '[') {
      char *close = strchr(line, ']');
      if (!close) {
        g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                    "%s:%u: section header without ']'", path, ln + 1);
        ok = FALSE;
        break;
      }
      *close = '\0';
      char **parts = g_strsplit_set(line + 1, " \t", -1);
      /* The name is every part up to the first flag word. */
      GString *name = g_string_new(NULL);
      guint32 extra = 0;
      for (guint i = 0; parts[i]; i++) {
        if (!*parts[i]) continue;
        if (g_strcmp0(parts[i], "indirect") == 0) extra |= W_CUE_INDIRECT;
        else if (kind == FILE_TITLES && g_strcmp0(parts[i], "m") == 0) extra |= W_MALE;
        else if (kind == FILE_TITLES && g_strcmp0(parts[i], "f") == 0) extra |= W_FEMALE;
        else {
          if (name->len) g_string_append_c(name, ' ');
          g_string_append(name, parts[i]);
        }
      }
      g_strfreev(parts);
      in_section = TRUE;
      flags = extra;
      lemma = role = NULL;
      switch (kind) {
      case FILE_CUES:
        flags |= W_CUE;
        lemma = g_string_chunk_insert_const(lex->strings, name->str);
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
      g_string_free(name, TRUE);
      continue;
    }
    if (!in_section) {
      g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                  "%s:%u: words before the first [section]", path, ln + 1);
      ok = FALSE;
      break;
    }
    char **words = g_strsplit_set(line, " \t", -1);
    for (guint i = 0; words[i]; i++) {
      if (!*words[i]) continue;
      WordInfo *w = add_word(lex, words[i]);
      /* A name in both the male and the female list gets both flags: no gender. */
      w->flags |= flags;
      if (lemma && !w->lemma) w->lemma = lemma;
      if (w->lemma && strcmp(w->lemma, "according to") == 0) w->flags |= W_ACCORDING;
      if (role && !w->role) w->role = role;
    }
    g_strfreev(words);
  }
  g_strfreev(lines);
  g_free(contents);
  return ok;
}

Lexicon *lexicon_load(const char *cues, const char *titles, const char *names, const char *words,
                      GError **error) {
  Lexicon *lex = g_new0(Lexicon, 1);
  lex->mask = 1023;
  lex->slots = g_new0(WordInfo, lex->mask + 1);
  lex->hashes = g_new0(guint32, lex->mask + 1);
  lex->strings = g_string_chunk_new(4096);
  if (!load_file(lex, cues, FILE_CUES, error) || !load_file(lex, titles, FILE_TITLES, error) ||
      !load_file(lex, names, FILE_NAMES, error) || !load_file(lex, words, FILE_WORDS, error)) {
    lexicon_free(lex);
    return NULL;
  }
  return lex;
}

void lexicon_free(Lexicon *lex) {
  if (!lex) return;
  g_free(lex->slots);
  g_free(lex->hashes);
  g_string_chunk_free(lex->strings);
  g_free(lex);
}
