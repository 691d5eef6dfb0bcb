/* copydesk — entities: grouping the mentions of one thing in a document.
 *
 * 1. Mentions with the same name (case-insensitive) and type form a group; a known alias
 *    counts as its full name (U.S., US, America → United States; U.N. → United Nations).
 * 2. A person named in part — the surname ("Rubio"), the last words of the name, or the
 *    given name alone — joins the person whose longer name ends (or starts) with it: the
 *    nearest one mentioned before, else the first one after (headlines often say "Rubio"
 *    before the story says "Marco Rubio").  A one-word ORG or MISC mention that is such a
 *    surname is relabelled PERSON.
 * 3. An acronym (NATO, C.B.S.) joins the organisation whose capitalised words it spells
 *    ("North Atlantic Treaty Organization").
 * 4. Every group becomes an entity, numbered in order of first mention; its name is its
 *    fullest form (most words, then most bytes), and every mention takes the entity's type.
 */
#include <string.h>

#include "ner.h"

typedef struct {
  const char *alias;
  const char *name;
} Alias;

/* Lower-case aliases, as written in news copy, of places and bodies named often. */
static const Alias aliases[] = {
    {"u.s.", "United States"},       {"us", "United States"},
    {"u.s.a.", "United States"},     {"usa", "United States"},
    {"america", "United States"},    {"united states of america", "United States"},
    {"u.k.", "United Kingdom"},      {"uk", "United Kingdom"},
    {"britain", "United Kingdom"},   {"great britain", "United Kingdom"},
    {"u.n.", "United Nations"},      {"un", "United Nations"},
    {"e.u.", "European Union"},      {"eu", "European Union"},
    {"uae", "United Arab Emirates"}, {"u.a.e.", "United Arab Emirates"},
    {"drc", "Democratic Republic of the Congo"},
    {"prc", "China"},                {"people's republic of china", "China"},
    {"russian federation", "Russia"},
    {"holland", "Netherlands"},      {"the netherlands", "Netherlands"},
    {"south korea", "South Korea"},  {"republic of korea", "South Korea"},
    {"north korea", "North Korea"},  {"dprk", "North Korea"},
    {"d.c.", "Washington"},          {"washington d.c.", "Washington"},
    {"washington , d.c.", "Washington"},
    {"nyc", "New York City"},        {"l.a.", "Los Angeles"},
    {"fbi", "Federal Bureau of Investigation"},
    {"f.b.i.", "Federal Bureau of Investigation"},
    {"cia", "Central Intelligence Agency"},
    {"c.i.a.", "Central Intelligence Agency"},
    {"who", "World Health Organization"},
    {"imf", "International Monetary Fund"},
    {"wto", "World Trade Organization"},
};

typedef struct {
  char *name;      /* the mention's text, words joined by single spaces */
  char *key;       /* lower-cased name, or alias's full name lower-cased */
  const char *alias_name;
  guint n_words;
  guint group;     /* union-find parent */
} MentionInfo;

static char *mention_text(const NerToken *tok, const NerMention *m) {
  GString *s = g_string_new(NULL);
  for (gsize i = m->first; i <= m->last; i++) {
    if (i > m->first && tok[i].text != tok[i - 1].text + tok[i - 1].len) g_string_append_c(s, ' ');
    g_string_append_len(s, tok[i].text, tok[i].len);
  }
  /* typographic apostrophes as plain ones, so O’Brien and O'Brien agree */
  char *out = g_string_free(s, FALSE);
  char *p;
  while ((p = strstr(out, "\xE2\x80\x99")) != NULL) {
    *p = '\'';
    memmove(p + 1, p + 3, strlen(p + 3) + 1);
  }
  return out;
}

static guint find(MentionInfo *mi, guint i) {
  while (mi[i].group != i) {
    mi[i].group = mi[mi[i].group].group;
    i = mi[i].group;
  }
  return i;
}

static void join(MentionInfo *mi, guint a, guint b) {
  a = find(mi, a);
  b = find(mi, b);
  if (a == b) return;
  if (a < b) mi[b].group = a;
  else mi[a].group = b;
}

/* The words of NAME (split at spaces) in WORDS; returns how many (at most MAX). */
static guint split_words(const char *name, const char **words, gsize *lens, guint max) {
  guint n = 0;
  const char *p = name;
  while (*p && n < max) {
    while (*p == ' ') p++;
    if (!*p) break;
    const char *s = p;
    while (*p && *p != ' ') p++;
    words[n] = s;
    lens[n] = (gsize)(p - s);
    n++;
  }
  return n;
}

/* Whether the words of SHORT are the last (or, when FIRST, the first) words of LONG. */
static gboolean words_part_of(const char *short_name, const char *long_name, gboolean first) {
  const char *sw[8], *lw[16];
  gsize sl[8], ll[16];
  guint ns = split_words(short_name, sw, sl, 8), nl = split_words(long_name, lw, ll, 16);
  if (ns == 0 || ns >= nl) return FALSE;
  guint off = first ? 0 : nl - ns;
  for (guint k = 0; k < ns; k++)
    if (sl[k] != ll[off + k] || g_ascii_strncasecmp(sw[k], lw[off + k], sl[k]) != 0)
      return FALSE;
  return TRUE;
}

/* Whether ACRONYM (letters, maybe with periods) spells the capitalised words of NAME. */
static gboolean is_acronym_of(const char *acronym, const char *name) {
  char letters[16];
  guint n = 0;
  for (const char *p = acronym; *p; p++) {
    if (*p == '.') continue;
    if (!g_ascii_isupper(*p) || n == sizeof letters - 1) return FALSE;
    letters[n++] = *p;
  }
  if (n < 2) return FALSE;
  const char *w[16];
  gsize l[16];
  guint nw = split_words(name, w, l, 16), k = 0;
  if (nw < 2) return FALSE;
  for (guint i = 0; i < nw; i++) {
    if (!g_ascii_isupper(w[i][0])) continue; /* of, the, and, for */
    if (k == n || w[i][0] != letters[k]) return FALSE;
    k++;
  }
  return k == n;
}

void ner_entity_free(gpointer p) {
  NerEntity *e = p;
  g_free(e->name);
  g_free(e);
}

GPtrArray *ner_consolidate(const NerToken *tok, NerMention *mentions, gsize n) {
  GPtrArray *entities = g_ptr_array_new_with_free_func(ner_entity_free);
  if (n == 0) return entities;
  MentionInfo *mi = g_new0(MentionInfo, n);
  for (gsize i = 0; i < n; i++) {
    mi[i].name = mention_text(tok, &mentions[i]);
    mi[i].group = (guint)i;
    mi[i].n_words = (guint)(mentions[i].last - mentions[i].first + 1);
    char *lower = g_utf8_strdown(mi[i].name, -1);
    if (mentions[i].type != NER_PER)
      for (gsize a = 0; a < G_N_ELEMENTS(aliases); a++)
        if (strcmp(lower, aliases[a].alias) == 0) {
          mi[i].alias_name = aliases[a].name;
          g_free(lower);
          lower = g_utf8_strdown(aliases[a].name, -1);
          break;
        }
    mi[i].key = lower;
  }

  /* 1. the same name and type (or the same alias) */
  GHashTable *by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (gsize i = 0; i < n; i++) {
    char *key = g_strdup_printf("%d|%s", mi[i].alias_name ? -1 : (int)mentions[i].type,
                                mi[i].key);
    gpointer first;
    if (g_hash_table_lookup_extended(by_key, key, NULL, &first)) {
      join(mi, GPOINTER_TO_UINT(first), (guint)i);
      g_free(key);
    } else {
      g_hash_table_insert(by_key, key, GUINT_TO_POINTER(i));
    }
  }
  g_hash_table_destroy(by_key);

  /* 2. part of a person's name */
  for (gsize i = 0; i < n; i++) {
    if (find(mi, (guint)i) != i) continue; /* handle each group once, by its first mention */
    gboolean person = mentions[i].type == NER_PER;
    gboolean relabel = !person && mi[i].n_words == 1 && !mi[i].alias_name &&
                       (mentions[i].type == NER_ORG || mentions[i].type == NER_MISC);
    if (!person && !relabel) continue;
    gssize best = -1;
    for (gsize j = 0; j < n; j++) {
      if (mentions[j].type != NER_PER || mi[j].n_words <= mi[i].n_words) continue;
      if (find(mi, (guint)j) == find(mi, (guint)i)) continue;
      gboolean part = words_part_of(mi[i].name, mi[j].name, FALSE) ||
                      (person && mi[i].n_words == 1 && words_part_of(mi[i].name, mi[j].name, TRUE));
      if (!part) continue;
      /* the nearest fuller name before; else the first one after */
      if (j < i) {
        best = (gssize)j;
      } else if (best < 0) {
        best = (gssize)j;
        break;
      }
    }
    if (best >= 0) {
      /* every mention of the group follows */
      join(mi, (guint)best, (guint)i);
    }
  }

  /* 3. acronyms of organisations */
  for (gsize i = 0; i < n; i++) {
    if (find(mi, (guint)i) != i || mi[i].n_words != 1 || mi[i].alias_name) continue;
    if (mentions[i].type == NER_PER) continue;
    for (gsize j = 0; j < n; j++) {
      if (mentions[j].type != NER_ORG || mi[j].n_words < 2) continue;
      if (is_acronym_of(mi[i].name, mi[j].name)) {
        join(mi, (guint)j, (guint)i);
        break;
      }
    }
  }

  /* 4. entities in order of first mention */
  guint *entity_of_root = g_new(guint, n);
  for (gsize i = 0; i < n; i++) entity_of_root[i] = G_MAXUINT;
  for (gsize i = 0; i < n; i++) {
    guint root = find(mi, (guint)i);
    if (entity_of_root[root] == G_MAXUINT) {
      entity_of_root[root] = entities->len;
      NerEntity *e = g_new0(NerEntity, 1);
      e->type = mentions[i].type;
      g_ptr_array_add(entities, e);
    }
    mentions[i].entity = entity_of_root[root];
  }
  /* the fullest name of each entity, and its type */
  guint *best_words = g_new0(guint, entities->len);
  for (gsize i = 0; i < n; i++) {
    NerEntity *e = entities->pdata[mentions[i].entity];
    e->n_mentions++;
    const char *name = mi[i].alias_name ? mi[i].alias_name : mi[i].name;
    guint words = mi[i].n_words;
    if (mi[i].alias_name) { /* an alias's full name: count its words */
      const char *w[16];
      gsize l[16];
      words = split_words(name, w, l, 16);
    }
    gboolean better = e->name == NULL || words > best_words[mentions[i].entity] ||
                      (words == best_words[mentions[i].entity] && strlen(name) > strlen(e->name));
    if (better) {
      g_free(e->name);
      e->name = g_strdup(name);
      best_words[mentions[i].entity] = words;
      e->type = mentions[i].type;
    }
  }
  for (gsize i = 0; i < n; i++) {
    NerEntity *e = entities->pdata[mentions[i].entity];
    mentions[i].type = e->type;
  }
  g_free(best_words);
  g_free(entity_of_root);
  for (gsize i = 0; i < n; i++) {
    g_free(mi[i].name);
    g_free(mi[i].key);
  }
  g_free(mi);
  return entities;
}
