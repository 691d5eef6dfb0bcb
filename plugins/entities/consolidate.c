/* copydesk — entities: grouping the mentions of one thing in a document.
 *
 * 1. Mentions with the same name (case-insensitive) and type form a group; a known alias
 *    counts as its full name (U.S., US, America → United States; U.N. → United Nations), and
 *    the full name joins its aliases whatever the type each mention got.
 * 2. A person named in part — the surname ("Rubio"), the last words of the name, or the
 *    given name alone — joins the person whose longer name ends (or starts) with it: the
 *    nearest one mentioned before, else the first one after (headlines often say "Rubio"
 *    before the story says "Marco Rubio").  A one-word ORG or MISC mention that is such a
 *    surname is relabelled PERSON.
 * 3. An acronym (NATO, C.B.S.) joins the organisation whose capitalised words it spells
 *    ("North Atlantic Treaty Organization").
 * 4. Every group becomes an entity, numbered in order of first mention; its name is its
 *    fullest form (most words, then most bytes), and every mention takes the entity's type
 *    (an ORG for the few buildings news copy names for the body inside: the White House).
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

/* Lower-case alias or full name → the full name ("u.s." and "united states" → "United
 * States"); the first entry of the list wins, an alias before its full name. */
static gpointer build_alias_table(gpointer unused) {
  (void)unused;
  GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (gsize a = 0; a < G_N_ELEMENTS(aliases); a++) {
    char *keys[2] = {g_ascii_strdown(aliases[a].alias, -1), g_ascii_strdown(aliases[a].name, -1)};
    for (guint k = 0; k < 2; k++) {
      if (g_hash_table_contains(t, keys[k])) g_free(keys[k]);
      else g_hash_table_insert(t, keys[k], (gpointer)aliases[a].name);
    }
  }
  return t;
}

/* Buildings that news copy names for the body inside ("the White House said"): their
 * entity is an organisation, whatever the tagger called a mention (CoNLL's 1996 copy
 * labels them places; today's annotation, ours included, organisations). */
static const char *const seats_of_power[] = {"white house"};

static gboolean is_seat_of_power(const char *name) {
  for (gsize i = 0; i < G_N_ELEMENTS(seats_of_power); i++)
    if (g_ascii_strcasecmp(name, seats_of_power[i]) == 0) return TRUE;
  return FALSE;
}

/* The full name of which LOWER (a lower-cased mention) is an alias or the full name itself;
 * NULL when none.  The table is built once and never freed (a constant). */
static const char *alias_lookup(const char *lower) {
  static GOnce once = G_ONCE_INIT;
  GHashTable *t = g_once(&once, build_alias_table, NULL);
  return g_hash_table_lookup(t, lower);
}

typedef struct {
  char *name;      /* the mention's text, words joined by single spaces */
  char *key;       /* lower-cased name, or alias's full name lower-cased */
  const char *alias_name;
  guint n_words;
  guint group;     /* union-find parent */
} MentionInfo;

static char *mention_text(const NerToken *tok, const NerMention *m) {
  gsize len = 0;
  for (gsize i = m->first; i <= m->last; i++) len += tok[i].len + 1;
  char *out = g_malloc(len + 1), *p = out;
  for (gsize i = m->first; i <= m->last; i++) {
    if (i > m->first && tok[i].text != tok[i - 1].text + tok[i - 1].len) *p++ = ' ';
    /* typographic apostrophes as plain ones, so O’Brien and O'Brien agree */
    for (guint32 k = 0; k < tok[i].len; k++) {
      if (k + 2 < tok[i].len && memcmp(tok[i].text + k, "\xE2\x80\x99", 3) == 0) {
        *p++ = '\'';
        k += 2;
      } else {
        *p++ = tok[i].text[k];
      }
    }
  }
  *p = '\0';
  return out;
}

/* NAME in lower case (a new string): ASCII names quickly, others as g_utf8_strdown(). */
static char *lower_case(const char *name) {
  for (const char *p = name; *p; p++)
    if ((guchar)*p >= 0x80) return g_utf8_strdown(name, -1);
  return g_ascii_strdown(name, -1);
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

/* The letters of ACRONYM (capitals, maybe with periods: NATO, C.B.S.) into LETTERS; FALSE
 * when it is not one (fewer than 2 or more than 15 letters, or anything else). */
static gboolean acronym_letters(const char *acronym, char letters[16]) {
  guint n = 0;
  for (const char *p = acronym; *p; p++) {
    if (*p == '.') continue;
    if (!g_ascii_isupper(*p) || n == 15) return FALSE;
    letters[n++] = *p;
  }
  letters[n] = '\0';
  return n >= 2;
}

/* The initials of the capitalised words of NAME (of, the, and … skipped, and a leading
 * "The": The Democratic National Committee → DNC), when it has two words or more and they
 * make an acronym; NULL otherwise. */
static char *initials(const char *name) {
  const char *w[16];
  gsize l[16];
  guint nw = split_words(name, w, l, 16), n = 0;
  if (nw < 2) return NULL;
  char letters[16];
  for (guint i = 0; i < nw; i++) {
    if (!g_ascii_isupper(w[i][0])) continue;
    if (i == 0 && nw > 2 && l[0] == 3 && memcmp(w[0], "The", 3) == 0) continue;
    if (n == 15) return NULL;
    letters[n++] = w[i][0];
  }
  if (n < 2) return NULL;
  return g_strndup(letters, n);
}

static void free_array(gpointer a) { g_array_free(a, TRUE); }

/* Word indexes: lower-cased words → the mentions (GArray of guint, in order) they key. */
static void index_add(GHashTable *index, const char *word, gsize len, guint mention) {
  char *key = g_ascii_strdown(word, (gssize)len);
  GArray *list = g_hash_table_lookup(index, key);
  if (list == NULL) {
    list = g_array_new(FALSE, FALSE, sizeof(guint));
    g_hash_table_insert(index, key, list);
  } else {
    g_free(key);
  }
  g_array_append_val(list, mention);
}

/* The mentions WORD (LEN bytes: one word, or words with a space between) keys; NULL none. */
static GArray *index_get(GHashTable *index, const char *word, gsize len) {
  if (g_hash_table_size(index) == 0) return NULL;
  char buf[128];
  char *key = len < sizeof buf ? buf : g_malloc(len + 1);
  for (gsize k = 0; k < len; k++) key[k] = g_ascii_tolower(word[k]);
  key[len] = '\0';
  GArray *list = g_hash_table_lookup(index, key);
  if (key != buf) g_free(key);
  return list;
}

/* In LIST (mentions in order), the last before I and the first after I that have more
 * words than I and are not in I's group (I is its group's first mention) into *BEFORE and
 * *AFTER, where they are nearer than those already there (-1: none yet). */
static void nearest_in(MentionInfo *mi, const GArray *list, guint i, gssize *before, gssize *after) {
  if (!list) return;
  const guint *v = (const guint *)(const void *)list->data;
  guint lo = 0, hi = list->len; /* the first entry past I */
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (v[mid] <= i) lo = mid + 1;
    else hi = mid;
  }
  for (guint k = lo; k > 0; k--) {
    guint j = v[k - 1];
    if ((gssize)j <= *before) break;
    if (j == i || mi[j].n_words <= mi[i].n_words || find(mi, j) == i) continue;
    *before = j;
    break;
  }
  for (guint k = lo; k < list->len; k++) {
    guint j = v[k];
    if (*after >= 0 && (gssize)j >= *after) break;
    if (mi[j].n_words <= mi[i].n_words || find(mi, j) == i) continue;
    *after = j;
    break;
  }
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
    char *lower = lower_case(mi[i].name);
    const char *full = mentions[i].type != NER_PER ? alias_lookup(lower) : NULL;
    if (full) {
      mi[i].alias_name = full;
      g_free(lower);
      lower = g_ascii_strdown(full, -1);
    }
    mi[i].key = lower;
  }

  /* 1. the same name and type (or the same alias): a table per type, and one for aliases */
  GHashTable *by_key[NER_N_TYPES + 1] = {NULL};
  for (gsize i = 0; i < n; i++) {
    guint t = mi[i].alias_name ? NER_N_TYPES : (guint)mentions[i].type;
    if (by_key[t] == NULL) by_key[t] = g_hash_table_new(g_str_hash, g_str_equal);
    gpointer first;
    if (g_hash_table_lookup_extended(by_key[t], mi[i].key, NULL, &first))
      join(mi, GPOINTER_TO_UINT(first), (guint)i);
    else
      g_hash_table_insert(by_key[t], mi[i].key, GUINT_TO_POINTER(i));
  }
  for (guint t = 0; t <= NER_N_TYPES; t++)
    if (by_key[t]) g_hash_table_destroy(by_key[t]);

  /* 2. part of a person's name: the fuller names come from indexes of the people's last
   * words (one, two, … all but the first) and first words, and the nearest is found by
   * bisection, so a document with thousands of names, even of one surname, is not a
   * quadratic affair.  (At most the first 16 words of a name count, and 8 of a part.) */
  GHashTable *by_last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_array);
  GHashTable *by_first = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_array);
  for (gsize j = 0; j < n; j++) {
    if (mentions[j].type != NER_PER || mi[j].n_words < 2) continue;
    const char *w[16];
    gsize l[16];
    guint nw = split_words(mi[j].name, w, l, 16);
    if (nw < 2) continue;
    const char *end = w[nw - 1] + l[nw - 1];
    for (guint k = 1; k < nw; k++) index_add(by_last, w[k], (gsize)(end - w[k]), (guint)j);
    index_add(by_first, w[0], l[0], (guint)j);
  }
  for (gsize i = 0; i < n; i++) {
    if (find(mi, (guint)i) != i) continue; /* handle each group once, by its first mention */
    gboolean person = mentions[i].type == NER_PER;
    gboolean relabel = !person && mi[i].n_words == 1 && !mi[i].alias_name &&
                       (mentions[i].type == NER_ORG || mentions[i].type == NER_MISC);
    if (!person && !relabel) continue;
    const char *w[8];
    gsize l[8];
    guint nw = split_words(mi[i].name, w, l, 8);
    if (nw == 0) continue;
    /* the fuller names that end with its words, or (a person named in one word) start
     * with it: the nearest before; else the first one after (a token holds no space, so a
     * one-word mention has one word) */
    gssize before = -1, after = -1;
    nearest_in(mi, index_get(by_last, w[0], (gsize)(w[nw - 1] + l[nw - 1] - w[0])), (guint)i, &before, &after);
    if (person && mi[i].n_words == 1 && nw == 1)
      nearest_in(mi, index_get(by_first, w[0], l[0]), (guint)i, &before, &after);
    gssize best = before >= 0 ? before : after;
    if (best >= 0) join(mi, (guint)best, (guint)i); /* every mention of the group follows */
  }
  g_hash_table_destroy(by_last);
  g_hash_table_destroy(by_first);

  /* 3. acronyms of organisations: the first organisation of two or more words whose
   * capitalised words' initials the acronym spells */
  GHashTable *by_acronym = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (gsize j = 0; j < n; j++) {
    if (mentions[j].type != NER_ORG || mi[j].n_words < 2) continue;
    char *acronym = initials(mi[j].name);
    if (acronym && !g_hash_table_contains(by_acronym, acronym))
      g_hash_table_insert(by_acronym, acronym, GUINT_TO_POINTER(j));
    else
      g_free(acronym);
  }
  for (gsize i = 0; i < n; i++) {
    if (find(mi, (guint)i) != i || mi[i].n_words != 1 || mi[i].alias_name) continue;
    if (mentions[i].type == NER_PER) continue;
    char letters[16];
    if (!acronym_letters(mi[i].name, letters)) continue;
    gpointer j;
    if (g_hash_table_lookup_extended(by_acronym, letters, NULL, &j))
      join(mi, GPOINTER_TO_UINT(j), (guint)i);
  }
  g_hash_table_destroy(by_acronym);

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
  for (guint k = 0; k < entities->len; k++) {
    NerEntity *e = entities->pdata[k];
    if (e->type != NER_PER && is_seat_of_power(e->name)) e->type = NER_ORG;
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
