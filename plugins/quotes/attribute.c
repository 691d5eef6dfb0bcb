/* copydesk — quotes: telling quotes from titles, and finding who said them.
 *
 * 1. People and organisations.  With an `entity` layer, its PERSON/ORG/LOC mentions and
 *    their ids and canonical names are used.  Without one, capitalised runs are read as
 *    names: titles and descriptors stripped from the front ("U.S. Secretary of State
 *    Marco Rubio" → "Marco Rubio", role secretary), organisation words make an
 *    organisation ("Fox News"), and a one-word name ("Rubio") is linked to the full
 *    name with the same last word (the one mentioned most recently before it, else the
 *    first), so every mention knows the fullest name of its person.  Gender comes from
 *    titles (Mr., Mrs.), given names (conf/lexicons/given-names.txt) and from the
 *    pronouns resolved to the person so far.
 * 2. Candidates (scan.c) are classified: titles of shows and books (title case, no
 *    final punctuation, or a following "show"/"book"), nicknames and scare quotes (after
 *    "so-called", "dubbed"; one to three words with no cue) are dropped; the rest are
 *    `direct` (a sentence or more, or introduced by a cue and a colon or comma) or
 *    `partial` (a fragment inside the writer's sentence).
 * 3. Attribution, in order of strength: right after the closing mark (“Q,” X said /
 *    said X / X, the minister, said / according to X), then in the sentence before the
 *    opening mark (X said: “Q” / X called it “Q”), then a cue ending the previous block
 *    with a colon, then the quote before it in the same block (“A,” he said. “B.”), then
 *    the last speaker of the previous block (continuation).
 * 4. Speakers are resolved: names to their fullest form; he/she/they/it to the most
 *    recent compatible earlier speaker or sentence subject; "the senator" to the person
 *    last introduced with that title; "the company" to the last organisation (entity
 *    layer only).
 * 5. Indirect speech (option `indirect`): sentences without quotation marks of the shapes
 *    "X said (that) …", "…, X said." and "according to X, …".
 *
 * Every search looks at a bounded window, so the whole pass is linear in the text.
 */
#include <string.h>

#include "quotes.h"

#define WINDOW 40        /* tokens searched before a quote for its cue */
#define MAX_BACK 60      /* mentions looked at when resolving a pronoun */
#define BLOCKS_BACK 4    /* ... and how many blocks back */

enum { G_UNKNOWN = 0, G_MALE = 1, G_FEMALE = 2, G_BOTH = 3 };

typedef struct {
  char *name;         /* fullest name */
  char *entity;       /* entity id from the entity layer, or NULL */
  gsize name_tokens;  /* words in the fullest name (no entity layer) */
  guint8 gender;
  gboolean org;
  gsize last_full;    /* position of the latest multi-word mention seen so far (+1) */
  const char *role;   /* title role last seen with this person */
} Person;

typedef struct {
  gsize first, last; /* tokens of the name (titles stripped) */
  gsize start, end;  /* bytes */
  gint person;       /* index into persons, -1 none */
  const char *role;  /* title role right before the name */
  gboolean subject;
  gboolean poss;
  CopydeskSpan *span; /* the entity layer's span, or NULL */
} Mention;

typedef enum { NP_NONE = 0, NP_NAME, NP_PRON, NP_NOMINAL } NPType;

typedef struct {
  NPType type;
  gsize first, last; /* tokens */
  gint mention;      /* for names: the mention, -1 none */
} NP;

typedef enum {
  A_NONE = 0,
  A_AFTER,     /* “Q,” X said */
  A_BEFORE,    /* X said: “Q” */
  A_COLON,     /* cue ending the previous block with a colon */
  A_INHERIT,   /* the quote before it in the block */
  A_CONTINUE,  /* the last speaker of the previous block */
  A_INDIRECT,  /* reported speech */
} AttrHow;

typedef struct {
  gsize cstart, cend;    /* content bytes */
  gsize open_tok, close_tok, first, last;
  guint32 cflags;
  const char *kind;      /* "direct", "partial", "indirect" */
  gboolean keep;
  const char *reason;
  double confidence;
  AttrHow how;
  NP np;                 /* the speaker as written */
  gssize cue_first, cue_last; /* cue tokens, -1 none */
  const char *lemma;
  gint person;           /* resolved person, -1 none */
  gint from;             /* A_INHERIT / A_CONTINUE: index of the quote it copies */
  guint32 block;
} Quote;

typedef struct {
  gsize pos;   /* token of the speaker mention */
  gint person;
  guint32 block;
} Event;

typedef struct {
  const QuotesConfig *config;
  const Lexicon *lex;
  CopydeskDocument *doc;
  Scan *scan;
  const char *text;
  Tok *tok;
  gsize n_tok;
  GArray *persons;  /* Person */
  GArray *mentions; /* Mention, in text order */
  gint32 *tok_mention; /* per token: mention index or -1 */
  GHashTable *surnames; /* lowercase last word → GArray of person indices */
  GHashTable *entity_ids; /* entity id → person index + 1 */
  GArray *quotes;   /* Quote */
  GArray *events;   /* Event */
  GArray *sent_first; /* first token of each sentence (gsize), indexed by tok.sent */
  gboolean have_entities;
  GStringChunk *strings;
} Ctx;

/* ---- Token helpers ----------------------------------------------------------------- */

static inline const Tok *T(const Ctx *c, gsize k) { return &c->tok[k]; }
static inline guint32 wf(const Ctx *c, gsize k) {
  return c->tok[k].info ? c->tok[k].info->flags : 0;
}
static inline gboolean is_word(const Ctx *c, gsize k) { return c->tok[k].kind == T_WORD; }
static inline gboolean is_cap_word(const Ctx *c, gsize k) {
  return c->tok[k].kind == T_WORD && (c->tok[k].flags & F_CAP);
}
static inline gboolean tok_is(const Ctx *c, gsize k, const char *s) {
  gsize len = strlen(s);
  return c->tok[k].end - c->tok[k].start == len &&
         g_ascii_strncasecmp(c->text + c->tok[k].start, s, len) == 0;
}
static inline gboolean tok_char(const Ctx *c, gsize k, char ch) {
  return c->tok[k].kind == T_PUNCT && c->tok[k].end - c->tok[k].start == 1 &&
         c->text[c->tok[k].start] == ch;
}
static inline gboolean is_dash(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (t->kind != T_PUNCT) return FALSE;
  const char *s = c->text + t->start;
  gsize l = t->end - t->start;
  return (l == 1 && s[0] == '-') || (l == 3 && memcmp(s, "\xe2\x80\x94", 3) == 0) ||
         (l == 3 && memcmp(s, "\xe2\x80\x93", 3) == 0);
}
static inline gboolean is_final_punct(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (t->kind != T_PUNCT) return FALSE;
  char ch = c->text[t->start];
  return (t->end - t->start == 1 && (ch == '.' || ch == '!' || ch == '?')) ||
         (t->end - t->start == 3 && memcmp(c->text + t->start, "\xe2\x80\xa6", 3) == 0);
}
/* A cue verb at K (for "according", only when "to" follows). */
static inline gboolean is_cue(const Ctx *c, gsize k) {
  if (!(wf(c, k) & W_CUE)) return FALSE;
  if (c->tok[k].flags & F_POSS) return FALSE;
  /* Secretary of State, the Post: a capital inside a sentence is a name, not a verb */
  if ((c->tok[k].flags & F_CAP) && !(c->tok[k].flags & F_SENT_START) && !(c->tok[k].flags & F_UPPER))
    return FALSE;
  if (k > 0) {
    /* Trump's remarks, the report, a statement: nouns, not verbs */
    const Tok *p = &c->tok[k - 1];
    if (p->flags & F_POSS) return FALSE;
    gsize l = p->end - p->start;
    const char *s = c->text + p->start;
    if (p->kind == T_WORD && l <= 5 &&
        ((l == 3 && g_ascii_strncasecmp(s, "the", 3) == 0) || (l == 1 && (s[0] == 'a' || s[0] == 'A')) ||
         (l == 2 && g_ascii_strncasecmp(s, "an", 2) == 0) || (l == 3 && g_ascii_strncasecmp(s, "his", 3) == 0) ||
         (l == 3 && g_ascii_strncasecmp(s, "its", 3) == 0) || (l == 5 && g_ascii_strncasecmp(s, "their", 5) == 0) ||
         (l == 4 && g_ascii_strncasecmp(s, "this", 4) == 0)))
      return FALSE;
  }
  if ((c->tok[k].info->flags & W_ACCORDING))
    return k + 1 < c->n_tok && tok_is(c, k + 1, "to");
  return TRUE;
}
static inline gboolean is_pronoun(const Ctx *c, gsize k) {
  guint32 f = wf(c, k);
  if (!(f & W_PRONOUN)) return FALSE;
  /* him, her, them are objects; "her" as a determiner is handled by the caller */
  return tok_is(c, k, "he") || tok_is(c, k, "she") || tok_is(c, k, "they") || tok_is(c, k, "it") ||
         tok_is(c, k, "i") || tok_is(c, k, "we");
}

/* Name-part: a capitalised word or an initial, not a sentence-start function word. */
static gboolean name_part(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (t->kind != T_WORD || !(t->flags & F_CAP)) return FALSE;
  if (t->flags & F_IN_QUOTE) return FALSE;
  guint32 f = wf(c, k);
  if ((f & W_FUNC) && !(f & (W_GIVEN | W_TITLE))) return FALSE;
  if (f & (W_CUE)) return (t->flags & F_SENT_START) == 0 && !(f & W_CUE_INDIRECT);
  return TRUE;
}

static void append_tokens(const Ctx *c, GString *out, gsize first, gsize last) {
  for (gsize k = first; k <= last; k++) {
    if (k > first && (c->tok[k].flags & F_SPACE)) g_string_append_c(out, ' ');
    g_string_append_len(out, c->text + c->tok[k].start, (gssize)(c->tok[k].end - c->tok[k].start));
  }
}

/* ---- People ----------------------------------------------------------------------- */

static guint8 gender_of_given(const Ctx *c, gsize k) {
  guint32 f = wf(c, k);
  if (!(f & W_GIVEN)) return G_UNKNOWN;
  guint8 g = ((f & W_MALE) ? G_MALE : 0) | ((f & W_FEMALE) ? G_FEMALE : 0);
  return g == G_BOTH ? G_UNKNOWN : g;
}

static gint new_person(Ctx *c, const char *name, gboolean org) {
  Person p = {.name = g_string_chunk_insert(c->strings, name), .org = org};
  g_array_append_val(c->persons, p);
  return (gint)c->persons->len - 1;
}

static inline Person *person(const Ctx *c, gint i) { return &g_array_index(c->persons, Person, i); }

/* The key word of a name: its last word, skipping Jr./Sr./II/III. */
static gsize surname_tok(const Ctx *c, gsize first, gsize last) {
  while (last > first && (tok_is(c, last, "jr.") || tok_is(c, last, "sr.") || tok_is(c, last, "jr") ||
                          tok_is(c, last, "ii") || tok_is(c, last, "iii")))
    last--;
  return last;
}

static char *lower_tok(const Ctx *c, gsize k) {
  return g_ascii_strdown(c->text + c->tok[k].start, (gssize)(c->tok[k].end - c->tok[k].start));
}

static gboolean same_first(const Ctx *c, const char *full, gsize first) {
  /* FULL's first word against token FIRST: equal, or one is the other's initial. */
  const char *sp = strchr(full, ' ');
  gsize fl = sp ? (gsize)(sp - full) : strlen(full);
  const char *s = c->text + c->tok[first].start;
  gsize l = c->tok[first].end - c->tok[first].start;
  if (fl == l && g_ascii_strncasecmp(full, s, l) == 0) return TRUE;
  gboolean ini_a = fl == 1 || (fl == 2 && full[1] == '.');
  gboolean ini_b = l == 1 || (l == 2 && s[1] == '.');
  return (ini_a || ini_b) && g_ascii_tolower(full[0]) == g_ascii_tolower(s[0]);
}

/* Registers the multi-word name [first, last]; returns its person. */
static gint register_full(Ctx *c, gsize first, gsize last, gboolean org) {
  gsize key_tok = surname_tok(c, first, last);
  char *key = lower_tok(c, key_tok);
  GArray *list = g_hash_table_lookup(c->surnames, key);
  GString *name = g_string_new(NULL);
  append_tokens(c, name, first, last);
  gsize words = last - first + 1;
  gint found = -1;
  if (list) {
    for (guint i = 0; i < list->len && found < 0; i++) {
      gint pi = g_array_index(list, gint, i);
      Person *p = person(c, pi);
      if (p->org != org) continue;
      if (org ? g_ascii_strcasecmp(p->name, name->str) == 0 : same_first(c, p->name, first))
        found = pi;
    }
  }
  if (found < 0) {
    found = new_person(c, name->str, org);
    person(c, found)->name_tokens = words;
    if (!list) {
      list = g_array_new(FALSE, FALSE, sizeof(gint));
      g_hash_table_insert(c->surnames, key, list);
      key = NULL;
    }
    g_array_append_val(list, found);
  } else if (words > person(c, found)->name_tokens ||
             (words == person(c, found)->name_tokens && name->len > strlen(person(c, found)->name))) {
    person(c, found)->name = g_string_chunk_insert(c->strings, name->str);
    person(c, found)->name_tokens = words;
  }
  g_free(key);
  g_string_free(name, TRUE);
  return found;
}

/* The person a one-word name at token K stands for: the person with that last word
 * mentioned in full most recently before, else the first such person; -1 when none. */
static gint lookup_surname(const Ctx *c, gsize k, gboolean allow_org) {
  char key[64];
  gsize l = c->tok[k].end - c->tok[k].start;
  if (l >= sizeof key) return -1;
  for (gsize i = 0; i < l; i++) key[i] = g_ascii_tolower(c->text[c->tok[k].start + i]);
  key[l] = '\0';
  GArray *list = g_hash_table_lookup(c->surnames, key);
  if (!list) return -1;
  gint best = -1;
  gsize best_pos = 0;
  for (guint i = 0; i < list->len; i++) {
    gint pi = g_array_index(list, gint, i);
    const Person *p = person(c, pi);
    if (p->org && !allow_org) continue;
    if (best < 0) best = pi;
    if (p->last_full > best_pos) {
      best_pos = p->last_full;
      best = pi;
    }
  }
  return best;
}

/* Strips function words, titles and descriptors from the front of the capitalised run
 * [*first, last]; returns the role and gender of the last title stripped. */
static const char *strip_titles(const Ctx *c, gsize *first, gsize last, guint8 *gender) {
  const char *role = NULL;
  gsize f = *first;
  while (f <= last) {
    guint32 fl = wf(c, f);
    gboolean strip = FALSE;
    if ((fl & W_FUNC) && !(fl & W_GIVEN)) strip = TRUE;
    else if ((fl & (W_TITLE | W_DESCRIPTOR)) && !(fl & W_GIVEN)) {
      strip = TRUE;
      if (fl & W_TITLE) {
        role = c->tok[f].info->role;
        if (gender) {
          if ((fl & W_MALE) && !(fl & W_FEMALE)) *gender = G_MALE;
          else if ((fl & W_FEMALE) && !(fl & W_MALE)) *gender = G_FEMALE;
        }
      }
    } else if (!(c->tok[f].flags & F_CAP)) strip = TRUE; /* a connector at the front */
    if (!strip) break;
    f++;
  }
  /* "Republican candidate Marco Rubio"-like runs: start at a given name when the run is long. */
  if (f <= last && last - f >= 2) {
    for (gsize k = f + 1; k < last; k++)
      if (wf(c, k) & W_GIVEN) {
        f = k;
        break;
      }
  }
  *first = f;
  return role;
}

static gboolean run_is_org(const Ctx *c, gsize first, gsize last) {
  for (gsize k = first; k <= last; k++)
    if ((wf(c, k) & W_ORG_WORD) && (c->tok[k].flags & F_CAP)) return TRUE;
  return FALSE;
}

static void add_mention(Ctx *c, gsize first, gsize last, gint p, const char *role,
                        CopydeskSpan *span) {
  Mention m = {.first = first, .last = last, .start = c->tok[first].start,
               .end = c->tok[last].end, .person = p, .role = role, .span = span};
  m.poss = (c->tok[last].flags & F_POSS) != 0;
  /* A subject: at the sentence start (after function words or a title), after a comma,
   * or followed by a cue. */
  gsize b = first;
  while (b > 0 && !(c->tok[b].flags & F_SENT_START) && c->tok[b - 1].kind == T_WORD &&
         ((wf(c, b - 1) & (W_FUNC | W_TITLE | W_DESCRIPTOR)) || (c->tok[b - 1].flags & F_CAP)) &&
         first - b < 6)
    b--;
  m.subject = (c->tok[b].flags & F_SENT_START) || (b > 0 && tok_char(c, b - 1, ','));
  gsize a = last + 1;
  while (a < c->n_tok && a < last + 4 && (wf(c, a) & W_ADV)) a++;
  if (a < c->n_tok && is_cue(c, a)) m.subject = TRUE;
  if (m.poss) m.subject = FALSE;
  gint idx = (gint)c->mentions->len;
  g_array_append_val(c->mentions, m);
  for (gsize k = first; k <= last; k++)
    if (c->tok_mention[k] < 0) c->tok_mention[k] = idx;
  if (p >= 0 && role) person(c, p)->role = role;
}

typedef struct {
  gsize first, last; /* the name */
  const char *role;
  guint8 gender;
  gboolean org;
} Run;

/* Finds the capitalised runs of the text and registers names (no entity layer). */
static void find_names(Ctx *c) {
  GArray *runs = g_array_new(FALSE, FALSE, sizeof(Run));
  for (gsize k = 0; k < c->n_tok;) {
    if (!name_part(c, k) && !((wf(c, k) & W_TITLE) && is_cap_word(c, k))) {
      k++;
      continue;
    }
    gsize first = k, last = k;
    while (last + 1 < c->n_tok && !(c->tok[last].flags & F_POSS)) {
      gsize n = last + 1;
      if (c->tok[n].flags & (F_SENT_START | F_BLOCK_START)) break;
      if (name_part(c, n) || (is_cap_word(c, n) && (wf(c, n) & W_TITLE))) {
        last = n;
        continue;
      }
      /* de, van, bin, of inside a run */
      if ((wf(c, n) & (W_CONNECT)) && n + 1 < c->n_tok && name_part(c, n + 1)) {
        last = n + 1;
        continue;
      }
      if (tok_is(c, n, "of") && n + 1 < c->n_tok && name_part(c, n + 1) &&
          (wf(c, last) & (W_TITLE | W_DESCRIPTOR | W_ORG_WORD))) {
        last = n + 1;
        continue;
      }
      break;
    }
    k = last + 1;
    Run r = {.first = first, .last = last};
    gsize f = first;
    while (f <= last && (wf(c, f) & W_FUNC) && !(wf(c, f) & W_GIVEN)) f++;
    if (f > last) continue;
    if (run_is_org(c, f, last)) {
      r.first = f;
      r.org = TRUE;
      g_array_append_val(runs, r);
      continue;
    }
    r.role = strip_titles(c, &f, last, &r.gender);
    if (f > last) continue;
    r.first = f;
    if (last - f > 3) continue; /* too long for a name */
    /* An all-caps single word (NATO, CBS) is no person unless a title precedes it. */
    if (f == last && (c->tok[f].flags & F_UPPER) && !r.role) continue;
    if (f == last && (c->tok[f].flags & F_INITIAL)) continue;
    g_array_append_val(runs, r);
  }
  /* Multi-word names first, so a one-word name finds its full form wherever it is. */
  for (guint i = 0; i < runs->len; i++) {
    Run *r = &g_array_index(runs, Run, i);
    if (r->last > r->first) register_full(c, r->first, r->last, r->org);
  }
  for (guint i = 0; i < runs->len; i++) {
    Run *r = &g_array_index(runs, Run, i);
    gint p;
    if (r->last > r->first) {
      p = register_full(c, r->first, r->last, r->org);
      person(c, p)->last_full = c->tok[r->first].start + 1;
    } else {
      p = lookup_surname(c, r->first, r->org);
      if (p < 0 && r->org) {
        GString *s = g_string_new(NULL);
        append_tokens(c, s, r->first, r->last);
        p = new_person(c, s->str, TRUE);
        g_string_free(s, TRUE);
      }
      if (p < 0 && !r->role && !(gender_of_given(c, r->first))) continue;
      if (p < 0) {
        GString *s = g_string_new(NULL);
        append_tokens(c, s, r->first, r->last);
        p = new_person(c, s->str, FALSE);
        g_string_free(s, TRUE);
      }
    }
    Person *pp = person(c, p);
    guint8 g = r->gender ? r->gender : gender_of_given(c, r->first);
    if (g && !pp->org) pp->gender = pp->gender ? (pp->gender == g ? g : G_BOTH) : g;
    add_mention(c, r->first, r->last, p, r->role, NULL);
  }
  g_array_free(runs, TRUE);
}

static gint span_cmp(gconstpointer a, gconstpointer b) {
  const CopydeskSpan *x = *(CopydeskSpan *const *)a, *y = *(CopydeskSpan *const *)b;
  gsize xs = copydesk_span_start(x), ys = copydesk_span_start(y);
  return xs < ys ? -1 : xs > ys;
}

/* First token starting at or after POS. */
static gsize tok_at(const Ctx *c, gsize pos) {
  gsize lo = 0, hi = c->n_tok;
  while (lo < hi) {
    gsize mid = (lo + hi) / 2;
    if (c->tok[mid].end <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Reads the entity layer's PERSON, ORG and LOC mentions. */
static void read_entities(Ctx *c, CopydeskLayer *layer) {
  gsize n = copydesk_layer_n_spans(layer);
  GPtrArray *spans = g_ptr_array_sized_new((guint)n);
  for (gsize i = 0; i < n; i++) g_ptr_array_add(spans, copydesk_layer_span(layer, i));
  g_ptr_array_sort(spans, span_cmp);
  for (guint i = 0; i < spans->len; i++) {
    CopydeskSpan *s = spans->pdata[i];
    const char *label = copydesk_span_label(s);
    gboolean per = g_strcmp0(label, "PERSON") == 0;
    gboolean org = g_strcmp0(label, "ORG") == 0 || g_strcmp0(label, "LOC") == 0;
    if (!per && !org) continue;
    gsize first = tok_at(c, copydesk_span_start(s));
    if (first >= c->n_tok || c->tok[first].start >= copydesk_span_end(s)) continue;
    gsize last = first;
    while (last + 1 < c->n_tok && c->tok[last + 1].start < copydesk_span_end(s)) last++;
    const char *id = copydesk_span_get_string(s, "entity");
    const char *name = copydesk_span_get_string(s, "name");
    gsize tl;
    const char *st = copydesk_span_text(s, &tl);
    char *own = g_strndup(st, tl);
    gint p = -1;
    if (id) p = GPOINTER_TO_INT(g_hash_table_lookup(c->entity_ids, id)) - 1;
    if (p < 0) {
      p = new_person(c, name ? name : own, org);
      if (id) {
        person(c, p)->entity = g_string_chunk_insert(c->strings, id);
        g_hash_table_insert(c->entity_ids, person(c, p)->entity, GINT_TO_POINTER(p + 1));
      }
    } else if (!name && strlen(own) > strlen(person(c, p)->name)) {
      person(c, p)->name = g_string_chunk_insert(c->strings, own);
    } else if (name && strcmp(name, person(c, p)->name) != 0 && strlen(name) > strlen(person(c, p)->name)) {
      person(c, p)->name = g_string_chunk_insert(c->strings, name);
    }
    g_free(own);
    /* Titles inside or just before the mention give a role and a gender. */
    gsize f = first;
    guint8 g = G_UNKNOWN;
    const char *role = NULL;
    gsize b = first;
    while (b > 0 && first - b < 4 && c->tok[b - 1].kind == T_WORD &&
           (wf(c, b - 1) & (W_TITLE | W_DESCRIPTOR)) && (c->tok[b - 1].flags & F_CAP))
      b--;
    if (b < first) role = strip_titles(c, &b, first, &g);
    const char *inner = strip_titles(c, &f, last, &g);
    if (inner) role = inner;
    if (f > last) f = first;
    if (per) {
      if (!g) g = gender_of_given(c, f);
      Person *pp = person(c, p);
      if (g) pp->gender = pp->gender ? (pp->gender == g ? g : G_BOTH) : g;
    }
    add_mention(c, first, last, p, role, s);
  }
  g_ptr_array_free(spans, TRUE);
}

/* ---- Noun phrases ----------------------------------------------------------------- */

static NP np_name(const Ctx *c, gsize first, gsize last) {
  NP np = {.type = NP_NAME, .first = first, .last = last, .mention = -1};
  for (gsize k = last + 1; k-- > first;)
    if (c->tok_mention[k] >= 0) {
      np.mention = c->tok_mention[k];
      const Mention *m = &g_array_index(c->mentions, Mention, np.mention);
      np.first = m->first;
      np.last = m->last;
      break;
    }
  return np;
}

/* The noun phrase starting at K (before LIMIT): a pronoun, a name, or a description. */
static NP np_forward(const Ctx *c, gsize k, gsize limit) {
  NP none = {.mention = -1};
  if (k >= limit || c->tok[k].kind != T_WORD || (c->tok[k].flags & F_IN_QUOTE)) return none;
  guint32 f = wf(c, k);
  if (is_pronoun(c, k) && !(c->tok[k].flags & F_POSS))
    return (NP){.type = NP_PRON, .first = k, .last = k, .mention = -1};
  if (name_part(c, k) || (is_cap_word(c, k) && (f & W_TITLE))) {
    gsize last = k;
    while (last + 1 < limit && !(c->tok[last].flags & F_POSS) &&
           (name_part(c, last + 1) || (is_cap_word(c, last + 1) && (wf(c, last + 1) & W_TITLE)) ||
            ((wf(c, last + 1) & W_CONNECT) && last + 2 < limit && name_part(c, last + 2))))
      last++;
    gsize first = k;
    if (c->tok[last].flags & F_POSS) {
      /* Trump's spokeswoman Hope Hicks said / Trump's campaign said */
      gsize j = last + 1;
      while (j < limit && j < last + 6 && c->tok[j].kind == T_WORD && !is_cue(c, j) &&
             !name_part(c, j))
        j++;
      if (j < limit && name_part(c, j) && j > last + 1) return np_forward(c, j, limit);
      if (j > last + 1) return (NP){.type = NP_NOMINAL, .first = k, .last = j - 1, .mention = -1};
      return none;
    }
    /* A capitalised description: "White House spokeswoman", "U.S. officials" */
    if (last + 1 < limit && c->tok[last + 1].kind == T_WORD && !(c->tok[last + 1].flags & F_CAP) &&
        (wf(c, last + 1) & W_SPEAKER_NOUN)) {
      gsize j = last + 1;
      while (j + 1 < limit && c->tok[j + 1].kind == T_WORD && !(c->tok[j + 1].flags & F_CAP) &&
             (wf(c, j + 1) & W_SPEAKER_NOUN))
        j++;
      return (NP){.type = NP_NOMINAL, .first = k, .last = j, .mention = -1};
    }
    const char *role = strip_titles(c, &first, last, NULL);
    if (first > last) {
      if (role) return (NP){.type = NP_NOMINAL, .first = k, .last = last, .mention = -1};
      return none;
    }
    return np_name(c, first, last);
  }
  if ((f & W_DET) && !(c->tok[k].flags & F_CAP && (f & W_PRONOUN) && tok_is(c, k, "it"))) {
    gsize j = k + 1, end = k;
    while (j < limit && j < k + 8 && c->tok[j].kind == T_WORD && !is_cue(c, j) &&
           !(c->tok[j].flags & F_IN_QUOTE) && !tok_is(c, j, "who") && !tok_is(c, j, "that") &&
           !tok_is(c, j, "and") && !(wf(c, j) & W_ADV && !(wf(c, j) & W_SPEAKER_NOUN))) {
      end = j;
      if (c->tok[j].flags & F_POSS && j + 1 < limit && c->tok[j + 1].kind != T_WORD) break;
      j++;
    }
    if (end > k) return (NP){.type = NP_NOMINAL, .first = k, .last = end, .mention = -1};
    return none;
  }
  if ((f & W_SPEAKER_NOUN) && !(c->tok[k].flags & F_CAP))
    return (NP){.type = NP_NOMINAL, .first = k, .last = k, .mention = -1};
  return none;
}

/* The noun phrase ending at E (not before FLOOR). */
static NP np_backward(const Ctx *c, gsize e, gsize floor) {
  NP none = {.mention = -1};
  if (e < floor || c->tok[e].kind != T_WORD || (c->tok[e].flags & F_IN_QUOTE)) return none;
  /* "a marketing video that said", "Mr. Ekovich, who noted": the noun before the relative */
  if ((tok_is(c, e, "that") || tok_is(c, e, "who") || tok_is(c, e, "which")) && e > floor) {
    gsize p = e - 1;
    if (tok_char(c, p, ',') && p > floor) p--;
    return np_backward(c, p, floor);
  }
  if ((wf(c, e) & W_FUNC) && !(wf(c, e) & (W_PRONOUN | W_GIVEN)) && !name_part(c, e)) return none;
  if (is_pronoun(c, e)) return (NP){.type = NP_PRON, .first = e, .last = e, .mention = -1};
  if (name_part(c, e) || (c->tok[e].flags & F_PERIOD && c->tok[e].flags & F_CAP)) {
    gsize first = e;
    while (first > floor && !(c->tok[first].flags & F_SENT_START) && !(c->tok[first - 1].flags & F_POSS) &&
           (name_part(c, first - 1) || (is_cap_word(c, first - 1) && (wf(c, first - 1) & (W_TITLE | W_DESCRIPTOR))) ||
            ((wf(c, first - 1) & W_CONNECT) && first - 1 > floor && name_part(c, first - 2))))
      first--;
    /* "the Trump campaign" is handled below as a description; a run after "the" is too. */
    if (first > floor && (wf(c, first - 1) & W_DET) && !is_pronoun(c, first - 1) &&
        !(c->tok[first - 1].flags & F_CAP)) {
      return (NP){.type = NP_NOMINAL, .first = first - 1, .last = e, .mention = -1};
    }
    gsize f = first;
    const char *role = strip_titles(c, &f, e, NULL);
    if (f > e) {
      if (role) return (NP){.type = NP_NOMINAL, .first = first, .last = e, .mention = -1};
      return none;
    }
    return np_name(c, f, e);
  }
  if (!(c->tok[e].flags & F_CAP)) {
    gsize d = e;
    gboolean found = FALSE;
    while (d > floor && e - d < 10) {
      gsize p = d - 1;
      if (c->tok[p].kind != T_WORD || is_cue(c, p) || (c->tok[p].flags & F_IN_QUOTE)) break;
      if ((wf(c, p) & W_DET) && !is_pronoun(c, p)) {
        d = p;
        found = TRUE;
        break;
      }
      if ((wf(c, p) & W_FUNC) && !(wf(c, p) & W_DET)) {
        /* "another source familiar with Cruz's thinking": a short prepositional phrase */
        if (!(tok_is(c, p, "of") || tok_is(c, p, "with") || tok_is(c, p, "from") || tok_is(c, p, "at") ||
              tok_is(c, p, "for")) || e - p > 8)
          break;
      }
      d = p;
    }
    if (found) return (NP){.type = NP_NOMINAL, .first = d, .last = e, .mention = -1};
    if (wf(c, e) & W_SPEAKER_NOUN) {
      gsize s = e;
      while (s > floor && e - s < 3 && c->tok[s - 1].kind == T_WORD && !is_cue(c, s - 1) &&
             !(wf(c, s - 1) & (W_FUNC | W_ADV)))
        s--;
      return (NP){.type = NP_NOMINAL, .first = s, .last = e, .mention = -1};
    }
  }
  return none;
}

static NP sentence_subject(const Ctx *c, gsize floor, gsize end);

/* The subject of the cue at K: skips adverbs and an appositive (", the minister,"). */
static NP subject_of(const Ctx *c, gsize k, gsize floor) {
  NP none = {.mention = -1};
  if (k == 0 || k <= floor) return none;
  gsize e = k - 1;
  while (e > floor && (wf(c, e) & W_ADV) && !(wf(c, e) & W_SPEAKER_NOUN) && k - e < 4) e--;
  if (tok_char(c, e, ')')) {
    /* Rep. Paul Ryan (R-Wis.) said */
    gsize j = e;
    while (j > floor && e - j < 8 && !tok_char(c, j, '(')) j--;
    if (tok_char(c, j, '(') && j > floor) e = j - 1;
  }
  if (tok_is(c, e, "and") && e > floor) {
    /* "Bush thought for a moment and said": the subject of the first verb */
    return sentence_subject(c, floor, e);
  }
  if (tok_is(c, e, "to")) {
    /* X was quick to add, X went on to say: the nearest name or pronoun before */
    for (gsize j = e; j > floor && e - j < 6;) {
      j--;
      if (c->tok[j].kind != T_WORD) break;
      if (is_pronoun(c, j)) return (NP){.type = NP_PRON, .first = j, .last = j, .mention = -1};
      if (c->tok_mention[j] >= 0 || name_part(c, j)) return np_backward(c, j, floor);
    }
    return none;
  }
  if (tok_char(c, e, ',') || is_dash(c, e)) {
    /* an appositive between two commas */
    gsize j = e;
    while (j > floor && e - j < 20) {
      j--;
      if ((tok_char(c, j, ',') || is_dash(c, j)) && !(j + 1 < e && c->tok[j + 1].kind == T_QUOTE)) break;
      if (c->tok[j].flags & F_IN_QUOTE && e - j > 12) return none;
    }
    if (j == e || j <= floor || !(tok_char(c, j, ',') || is_dash(c, j))) return none;
    return np_backward(c, j - 1, floor);
  }
  return np_backward(c, e, floor);
}

/* ---- Attribution ------------------------------------------------------------------ */

static gsize sent_first(const Ctx *c, gsize k) {
  return g_array_index(c->sent_first, gsize, c->tok[k].sent);
}

/* The speaker in the tokens [i, e) between a closing mark and its cue: the noun phrase
 * before an appositive comma ("Miller, a retired worker, said"), else the last name in
 * it ("Snyder spokesman Dave Murray told"), else a pronoun or description. */
static NP subject_between(const Ctx *c, gsize i, gsize e) {
  NP none = {.mention = -1};
  if (i >= e) return none;
  for (gsize k = i; k < e; k++)
    if (tok_char(c, k, ',') || is_dash(c, k)) {
      if (k == i) return none;
      NP np = np_forward(c, i, k);
      if (np.type != NP_NONE) return np;
      return np_backward(c, k - 1, i);
    }
  /* the last name run before the cue */
  for (gsize k = e; k-- > i;) {
    if (c->tok_mention[k] >= 0 || name_part(c, k)) {
      NP np = np_backward(c, k, i);
      if (np.type == NP_NAME) return np;
      break;
    }
    if (c->tok[k].kind != T_WORD) break;
  }
  NP np = np_forward(c, i, e);
  if (np.type != NP_NONE) return np;
  return np_backward(c, e - 1, i);
}

/* “Q,” X said / said X / according to X, right after the closing mark at CLOSE. */
static gboolean attrib_after(const Ctx *c, Quote *q, gsize close) {
  gsize i = close + 1, n = c->n_tok;
  if (i >= n || (c->tok[i].flags & F_BLOCK_START)) return FALSE;
  if (tok_char(c, i, ',') || is_dash(c, i)) i++;
  if (i >= n || (c->tok[i].flags & F_BLOCK_START)) return FALSE;
  gsize limit = MIN(n, i + 30);
  for (gsize j = i; j < limit; j++)
    if (c->tok[j].flags & F_BLOCK_START || c->tok[j].kind == T_QUOTE || is_final_punct(c, j)) {
      limit = j;
      break;
    }
  /* Skip a short adverb: “Q,” later said X */
  gsize a = i;
  while (a < limit && a < i + 2 && (wf(c, a) & W_ADV) && !is_pronoun(c, a) && !(wf(c, a) & W_DET)) a++;
  if (a < limit && is_cue(c, a)) {
    gboolean according = (c->tok[a].info->flags & W_ACCORDING);
    gsize s = according ? a + 2 : a + 1;
    NP np = np_forward(c, s, limit);
    q->cue_first = (gssize)a;
    q->cue_last = (gssize)(according ? a + 1 : a);
    q->lemma = c->tok[a].info->lemma;
    q->np = np;
    q->how = A_AFTER;
    return TRUE;
  }
  /* The first token must be able to start a subject. */
  const Tok *t0 = &c->tok[i];
  if (t0->kind != T_WORD) return FALSE;
  if (!(t0->flags & F_CAP) && !is_pronoun(c, i) && !(wf(c, i) & (W_DET | W_SPEAKER_NOUN))) return FALSE;
  /* A cue within a dozen words (two dozen across an appositive). */
  guint commas = 0;
  for (gsize j = i + 1; j < limit; j++) {
    if (tok_char(c, j, ',') || is_dash(c, j)) {
      if (++commas > 2) return FALSE;
      continue;
    }
    if (c->tok[j].kind != T_WORD && c->tok[j].kind != T_NUM && !tok_char(c, j, '(') && !tok_char(c, j, ')'))
      return FALSE;
    if (j - i > (commas ? 26u : 10u)) return FALSE;
    if (!is_cue(c, j) || (c->tok[j].info->flags & W_ACCORDING)) continue;
    if (tok_is(c, j - 1, "to") || tok_is(c, j - 1, "who") || tok_is(c, j - 1, "that")) continue;
    gsize e = j;
    while (e > i + 1 && (wf(c, e - 1) & W_ADV) && !(wf(c, e - 1) & (W_DET | W_SPEAKER_NOUN))) e--;
    if (e > i && (tok_char(c, e - 1, ',') || is_dash(c, e - 1))) e--;
    NP np = subject_between(c, i, e);
    if (np.type == NP_NONE) return FALSE;
    q->cue_first = q->cue_last = (gssize)j;
    q->lemma = c->tok[j].info->lemma;
    q->np = np;
    q->how = A_AFTER;
    return TRUE;
  }
  return FALSE;
}

static gboolean ed_verb(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  gsize l = t->end - t->start;
  return t->kind == T_WORD && !(t->flags & F_CAP) && l >= 5 && !t->info &&
         memcmp(c->text + t->end - 2, "ed", 2) == 0;
}

/* Weaker shapes after a closing mark: a verb not in the lexicon (“Q!” beamed X, “Q,” X
 * beamed) and a cue closing the sentence (“Q” because …, he said). */
static gboolean attrib_after_loose(Ctx *c, Quote *q, gsize close) {
  gsize i = close + 1, n = c->n_tok;
  if (i >= n || (c->tok[i].flags & F_BLOCK_START)) return FALSE;
  if (tok_char(c, i, ',') || is_dash(c, i)) i++;
  gsize limit = MIN(n, i + 40);
  for (gsize j = i; j < limit; j++)
    if (c->tok[j].flags & F_BLOCK_START || c->tok[j].kind == T_QUOTE || is_final_punct(c, j)) {
      limit = j;
      break;
    }
  if (i >= limit) return FALSE;
  if (ed_verb(c, i)) {
    NP np = np_forward(c, i + 1, limit);
    if (np.type == NP_NAME || np.type == NP_NOMINAL) {
      q->cue_first = q->cue_last = (gssize)i;
      char *w = lower_tok(c, i);
      q->lemma = g_string_chunk_insert_const(c->strings, w);
      g_free(w);
      q->np = np;
      q->how = A_AFTER;
      return TRUE;
    }
  }
  NP np = np_forward(c, i, limit);
  if ((np.type == NP_NAME || np.type == NP_PRON) && np.last + 1 < limit && ed_verb(c, np.last + 1) &&
      (np.last + 2 >= limit || tok_char(c, np.last + 2, ',') || (wf(c, np.last + 2) & W_FUNC))) {
    q->cue_first = q->cue_last = (gssize)(np.last + 1);
    char *w = lower_tok(c, np.last + 1);
    q->lemma = g_string_chunk_insert_const(c->strings, w);
    g_free(w);
    q->np = np;
    q->how = A_AFTER;
    return TRUE;
  }
  /* …, he said. at the end of the sentence */
  for (gsize j = i; j + 2 < limit + 1 && j < limit; j++) {
    if (!tok_char(c, j, ',')) continue;
    gsize a = j + 1;
    if (a >= limit) break;
    if (is_cue(c, a) && (wf(c, a) & W_CUE_INDIRECT) && !(c->tok[a].info->flags & W_ACCORDING)) {
      NP sp = np_forward(c, a + 1, limit);
      if (sp.type != NP_NONE && limit - sp.last <= 6) {
        q->cue_first = q->cue_last = (gssize)a;
        q->lemma = c->tok[a].info->lemma;
        q->np = sp;
        q->how = A_AFTER;
        return TRUE;
      }
    }
    NP sp = np_forward(c, a, limit);
    if (sp.type == NP_NONE) continue;
    gsize m = sp.last + 1;
    while (m < limit && (wf(c, m) & W_ADV) && !(wf(c, m) & W_DET)) m++;
    if (m < limit && is_cue(c, m) && (wf(c, m) & W_CUE_INDIRECT) && limit - m <= 6 &&
        !(c->tok[m].info->flags & W_ACCORDING)) {
      q->cue_first = q->cue_last = (gssize)m;
      q->lemma = c->tok[m].info->lemma;
      q->np = sp;
      q->how = A_AFTER;
      return TRUE;
    }
  }
  return FALSE;
}

/* The subject of the sentence starting at FLOOR, before token END: the first noun phrase
 * after leading function words or an introductory phrase ending in a comma. */
static NP sentence_subject(const Ctx *c, gsize floor, gsize end) {
  NP none = {.mention = -1};
  gsize k = floor;
  for (guint pass = 0; pass < 2 && k < end; pass++) {
    while (k < end && c->tok[k].kind == T_WORD && (wf(c, k) & W_FUNC) && !(wf(c, k) & (W_DET | W_PRONOUN)) &&
           !name_part(c, k))
      k++;
    NP np = np_forward(c, k, end);
    if (np.type != NP_NONE) return np;
    /* skip an introductory phrase up to its comma */
    gsize j = k;
    while (j < end && j < k + 10 && !tok_char(c, j, ',')) j++;
    if (j >= end || !tok_char(c, j, ',')) return none;
    k = j + 1;
  }
  return none;
}

/* X said: “Q” / X called it “Q” — a cue earlier in the sentence, from E back to FLOOR. */
static gboolean attrib_before(const Ctx *c, Quote *q, gsize e, gsize floor) {
  gssize fallback = -1;
  guint tries = 0;
  gsize stop = e > WINDOW ? e - WINDOW : 0;
  if (floor < stop) floor = stop;
  for (gsize j = e + 1; j-- > floor;) {
    if (c->tok[j].flags & F_IN_QUOTE) break;
    if (!is_cue(c, j)) continue;
    if ((c->tok[j].info->flags & W_ACCORDING)) {
      NP np = np_forward(c, j + 2, e + 1);
      if (np.type != NP_NONE) {
        q->cue_first = (gssize)j;
        q->cue_last = (gssize)j + 1;
        q->lemma = c->tok[j].info->lemma;
        q->np = np;
        q->how = A_BEFORE;
        return TRUE;
      }
      continue;
    }
    NP np = subject_of(c, j, floor);
    /* “A,” said X, “B” — the speaker follows the cue */
    if (np.type == NP_NONE && j > floor &&
        (c->tok[j - 1].kind == T_QUOTE || (tok_char(c, j - 1, ',') && j - 1 > floor && c->tok[j - 2].kind == T_QUOTE)))
      np = np_forward(c, j + 1, e + 1);
    if (np.type != NP_NONE) {
      gsize cue = fallback >= 0 ? (gsize)fallback : j;
      q->cue_first = q->cue_last = (gssize)cue;
      q->lemma = c->tok[cue].info->lemma;
      q->np = np;
      q->how = A_BEFORE;
      return TRUE;
    }
    if (fallback < 0) fallback = (gssize)j;
    if (++tries >= 3) break;
  }
  if (fallback >= 0) {
    q->cue_first = q->cue_last = fallback;
    q->lemma = c->tok[fallback].info->lemma;
    q->how = A_BEFORE;
    /* "Putin veered close to an admission, saying, “Q”": the sentence's subject */
    q->np = sentence_subject(c, floor, (gsize)fallback);
    return TRUE;
  }
  /* "From the report: “Q”" — a noun phrase and a colon, no verb */
  if (tok_char(c, e, ':') && e > floor) {
    NP np = np_backward(c, e - 1, floor);
    if (np.type == NP_NAME || np.type == NP_NOMINAL) {
      q->np = np;
      q->how = A_BEFORE;
      return TRUE;
    }
  }
  return FALSE;
}

/* ---- Classification --------------------------------------------------------------- */

static guint count_words(const Ctx *c, gsize first, gsize last) {
  guint n = 0;
  for (gsize k = first; k <= last && k < c->n_tok; k++) n += c->tok[k].kind == T_WORD || c->tok[k].kind == T_NUM;
  return n;
}

/* Title case: every word of four letters or more capitalised, and the first word too. */
static gboolean title_case(const Ctx *c, gsize first, gsize last) {
  gboolean any = FALSE;
  while (last > first && (c->tok[last].kind == T_PUNCT || c->tok[last].kind == T_QUOTE)) last--;
  for (gsize k = first; k <= last; k++) {
    const Tok *t = &c->tok[k];
    if (t->kind == T_PUNCT || t->kind == T_QUOTE) {
      char ch = c->text[t->start];
      if (ch == '.' || ch == ',' || ch == '!' || ch == '?' || ch == ';') return FALSE;
      continue;
    }
    if (t->kind != T_WORD) continue;
    if (!any && !(t->flags & F_CAP)) return FALSE;
    any = TRUE;
    if (t->end - t->start >= 4 && !(t->flags & F_CAP)) return FALSE;
  }
  return any;
}

/* Classifies candidate Q: sets keep, kind, reason, confidence. */
static void classify(Ctx *c, Quote *q) {
  gsize first = q->first, last = q->last;
  guint nw = count_words(c, first, last);
  gboolean end_punct = FALSE, sent_break = FALSE;
  gsize lp = last;
  while (lp > first && c->tok[lp].kind == T_QUOTE) lp--;
  if (c->tok[lp].kind == T_PUNCT) {
    char ch = c->text[c->tok[lp].start];
    end_punct = ch == ',' || ch == '.' || ch == '!' || ch == '?' || is_final_punct(c, lp) || is_dash(c, lp);
  }
  for (gsize k = first; k < last; k++)
    if (is_final_punct(c, k) && (c->tok[k + 1].flags & F_CAP)) {
      sent_break = TRUE;
      break;
    }
  gboolean open_mark = !(q->cflags & C_NO_OPEN);
  gsize before = q->open_tok; /* the token before the opening mark */
  gboolean has_before = open_mark && before > 0 && !(c->tok[before].flags & F_BLOCK_START);
  gboolean sent_start = !open_mark || (c->tok[q->open_tok].flags & (F_SENT_START | F_BLOCK_START));
  if (has_before && !sent_start) {
    /* an opening mark right after a dash or bracket that starts the sentence */
    gsize b = before - 1;
    if ((c->tok[b].flags & F_SENT_START) && c->tok[b].kind == T_PUNCT && !tok_char(c, b, ',')) sent_start = TRUE;
  }
  gsize after = q->close_tok + 1;
  gboolean attributed = q->how == A_AFTER || q->how == A_BEFORE;
  gboolean has_speaker = q->np.type != NP_NONE;

  /* Kind */
  gboolean direct = sent_break || sent_start;
  if (!direct && has_before) {
    gsize b = before - 1;
    if (tok_char(c, b, ':')) direct = TRUE;
    else if (is_cue(c, b) && (c->tok[first].flags & F_CAP) && q->how == A_BEFORE)
      direct = TRUE;
    else if (tok_char(c, b, ',') && q->how == A_BEFORE && q->cue_last >= 0 && (gsize)q->cue_last + 4 >= b)
      direct = TRUE;
  }
  q->kind = direct ? "direct" : "partial";

  /* Titles, nicknames and scare quotes */
  q->keep = TRUE;
  if (after < c->n_tok && !(c->tok[after].flags & F_BLOCK_START) && (wf(c, after) & W_TITLE_CTX) &&
      !end_punct && !(c->tok[after].flags & F_CAP)) {
    q->keep = FALSE;
    q->reason = "title: followed by a word such as show or book";
    return;
  }
  if (has_before && (wf(c, before - 1) & W_SCARE) && !end_punct && nw <= 6) {
    q->keep = FALSE;
    q->reason = "scare quote or nickname after so-called/dubbed";
    return;
  }
  if (has_before && c->text[c->tok[q->open_tok].start - (c->tok[q->open_tok].flags & F_SPACE ? 0 : 1)] == '=') {
    q->keep = FALSE;
    q->reason = "markup attribute value";
    return;
  }
  if ((!end_punct || !direct) && !sent_break && nw <= 8 && title_case(c, first, last) && q->how != A_AFTER) {
    q->keep = FALSE;
    q->reason = "title or name in title case";
    return;
  }
  if (q->cflags & C_NO_OPEN) {
    if (q->how != A_AFTER || nw < 3) {
      q->keep = FALSE;
      q->reason = "closing mark without an opening one and no attribution";
      return;
    }
    q->confidence = 0.6;
    q->reason = "opening mark missing: quote taken from the paragraph start";
    return;
  }
  if (!direct && nw <= 3 && !attributed) {
    q->keep = FALSE;
    q->reason = "short fragment without a cue (scare quote)";
    return;
  }
  if ((q->cflags & C_SINGLE) && nw <= 3 && !attributed) {
    q->keep = FALSE;
    q->reason = "short single-quoted fragment without a cue";
    return;
  }
  if (q->cflags & C_UNCLOSED) {
    if (nw < 3) {
      q->keep = FALSE;
      q->reason = "unbalanced mark";
      return;
    }
    q->confidence = 0.55;
    q->reason = "unbalanced: closed at the paragraph end";
    return;
  }
  if (direct) {
    q->confidence = attributed ? (has_speaker ? 0.95 : 0.85) : 0.75;
    q->reason = attributed ? (q->how == A_AFTER ? "speaker after the quote" : "speaker and cue before the quote")
                           : "complete sentence in quotation marks";
  } else if (nw <= 3) {
    q->confidence = 0.6;
    q->reason = "short fragment kept: a cue attributes it";
  } else {
    q->confidence = attributed ? 0.85 : 0.6;
    q->reason = attributed ? "fragment attributed by a cue" : "fragment in quotation marks without a cue";
  }
}

/* ---- Resolving speakers ----------------------------------------------------------- */

static gboolean compatible(const Person *p, guint32 pron) {
  if (pron & W_PRON_M) return !p->org && p->gender != G_FEMALE;
  if (pron & W_PRON_F) return !p->org && p->gender != G_MALE;
  if (pron & W_PRON_IT) return p->org;
  if (pron & W_PRON_PL) return p->org;
  return FALSE;
}

static gint mention_before(const Ctx *c, gsize pos) {
  /* last mention starting before token POS */
  gint lo = 0, hi = (gint)c->mentions->len;
  while (lo < hi) {
    gint mid = (lo + hi) / 2;
    if (g_array_index(c->mentions, Mention, mid).first < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/* The person the pronoun at K stands for, or -1. */
static gint resolve_pronoun(Ctx *c, gsize k) {
  guint32 pron = wf(c, k) & W_PRONOUN;
  if (pron & W_PRON_1) return -1;
  guint32 block = c->tok[k].block;
  /* The nearest earlier speaker that fits. */
  gint ev_person = -1;
  gsize ev_pos = 0;
  for (guint i = c->events->len, seen = 0; i-- > 0 && seen < 20; seen++) {
    const Event *e = &g_array_index(c->events, Event, i);
    if (e->pos >= k) continue;
    if (block - e->block > 2) break;
    if (e->person >= 0 && compatible(person(c, e->person), pron)) {
      ev_person = e->person;
      ev_pos = e->pos;
      break;
    }
  }
  /* The nearest earlier subject that fits, else the nearest mention. */
  gint subj = -1, any = -1;
  gsize subj_pos = 0;
  gint mi = mention_before(c, k);
  for (guint seen = 0; mi >= 0 && seen < MAX_BACK; mi--, seen++) {
    const Mention *m = &g_array_index(c->mentions, Mention, mi);
    if (block - c->tok[m->first].block > BLOCKS_BACK) break;
    if (m->person < 0 || m->poss) continue;
    if (m->first <= k && k <= m->last) continue;
    if (!compatible(person(c, m->person), pron)) continue;
    if (any < 0) any = m->person;
    if (m->subject) {
      subj = m->person;
      subj_pos = m->first;
      break;
    }
  }
  gint r;
  if (ev_person >= 0 && subj >= 0) r = subj_pos > ev_pos ? subj : ev_person;
  else if (ev_person >= 0) r = ev_person;
  else if (subj >= 0) r = subj;
  else r = any;
  if (r >= 0 && !person(c, r)->org && !person(c, r)->gender) {
    /* he/she agreement: the person keeps the gender used for them */
    if (pron & W_PRON_M) person(c, r)->gender = G_MALE;
    if (pron & W_PRON_F) person(c, r)->gender = G_FEMALE;
  }
  return r;
}

/* The person a description such as "the senator" or "the company" stands for, or -1. */
static gint resolve_nominal(Ctx *c, const NP *np) {
  gsize head = np->last;
  const WordInfo *info = c->tok[head].info;
  gboolean org = info && (info->flags & W_ORG_NOUN) && !(info->flags & (W_TITLE));
  const char *role = info && (info->flags & W_TITLE) ? info->role : NULL;
  if (!role && !(org && c->have_entities)) return -1;
  if (!(tok_is(c, np->first, "the") || (np->first == np->last))) return -1;
  if (np->last - np->first > 2) return -1;
  guint32 block = c->tok[np->first].block;
  gint mi = mention_before(c, np->first);
  for (guint seen = 0; mi >= 0 && seen < MAX_BACK; mi--, seen++) {
    const Mention *m = &g_array_index(c->mentions, Mention, mi);
    if (block - c->tok[m->first].block > BLOCKS_BACK + 2) break;
    if (m->person < 0) continue;
    const Person *p = person(c, m->person);
    if (role && !p->org && (m->role == role || p->role == role)) return m->person;
    if (!role && org && p->org && m->span && g_strcmp0(copydesk_span_label(m->span), "ORG") == 0)
      return m->person;
  }
  return -1;
}

static gint resolve_np(Ctx *c, const NP *np) {
  switch (np->type) {
  case NP_NAME:
    if (np->mention >= 0) return g_array_index(c->mentions, Mention, np->mention).person;
    return -1;
  case NP_PRON: return resolve_pronoun(c, np->first);
  case NP_NOMINAL: return resolve_nominal(c, np);
  default: return -1;
  }
}

/* ---- Indirect speech ---------------------------------------------------------------- */

/* A finite form of a cue (said, says, argued), not a base form, participle or noun. */
static gboolean finite_cue(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  gsize l = t->end - t->start;
  const char *w = c->text + t->start;
  if (l >= 3 && g_ascii_strncasecmp(w + l - 3, "ing", 3) == 0) return FALSE;
  if (l >= 2 && g_ascii_strncasecmp(w + l - 2, "ed", 2) == 0) return TRUE;
  static const char *const irregular[] = {"said", "says", "told", "tells", "wrote", "writes", "adds",
                                          "argues", "insists", "warns", "notes", "claims", "explains",
                                          "thought", "stresses", "suggests", "denies", "admits"};
  for (guint i = 0; i < G_N_ELEMENTS(irregular); i++)
    if (strlen(irregular[i]) == l && g_ascii_strncasecmp(irregular[i], w, l) == 0) return TRUE;
  return FALSE;
}

/* Looks for reported speech in the sentence [s, e] (tokens); appends a Quote. */
static void find_indirect(Ctx *c, gsize s, gsize e, gboolean emit) {
  gsize last = e;
  while (last > s && (c->tok[last].kind == T_PUNCT || c->tok[last].kind == T_QUOTE)) last--;
  if (last <= s + 3) return;
  Quote q = {.open_tok = s, .close_tok = e, .cue_first = -1, .cue_last = -1, .person = -1, .from = -1,
             .kind = "indirect", .keep = TRUE, .how = A_INDIRECT, .confidence = 0.6,
             .block = c->tok[s].block};
  /* according to X, … */
  gsize b = s;
  while (b < last && c->tok[b].kind == T_WORD && (wf(c, b) & W_FUNC) && !is_cue(c, b) && b < s + 2) b++;
  if (is_cue(c, b) && (c->tok[b].info->flags & W_ACCORDING)) {
    NP np = np_forward(c, b + 2, last + 1);
    gsize j = np.type ? np.last + 1 : b + 2;
    while (j <= last && !tok_char(c, j, ',') && j < b + 14) j++;
    if (np.type != NP_NONE && j < last && tok_char(c, j, ',')) {
      q.first = j + 1;
      q.last = last;
      q.np = np;
      q.cue_first = (gssize)b;
      q.cue_last = (gssize)b + 1;
      q.lemma = c->tok[b].info->lemma;
      q.reason = "reported speech: according to";
      goto found;
    }
  }
  /* X said (that) … : the first cue within a dozen words of the sentence start */
  for (gsize j = s; j <= last && j < s + 14; j++) {
    if (!is_cue(c, j) || !(wf(c, j) & W_CUE_INDIRECT)) continue;
    if ((c->tok[j].info->flags & W_ACCORDING)) {
      /* …, according to X. */
      NP np = np_forward(c, j + 2, last + 1);
      if (np.type != NP_NONE && j > s + 3 && tok_char(c, j - 1, ',') && np.last + 3 >= last) {
        q.first = s;
        q.last = j - 2;
        q.np = np;
        q.cue_first = (gssize)j;
        q.cue_last = (gssize)j + 1;
        q.lemma = c->tok[j].info->lemma;
        q.reason = "reported speech: according to";
        goto found;
      }
      continue;
    }
    if (!finite_cue(c, j)) continue;
    NP np = subject_of(c, j, s);
    if (np.type == NP_NONE) break;
    const char *lemma = c->tok[j].info->lemma;
    gboolean loose = strcmp(lemma, "say") == 0 || strcmp(lemma, "tell") == 0 || strcmp(lemma, "add") == 0;
    gsize k = j + 1;
    if (strcmp(lemma, "tell") == 0) {
      NP obj = np_forward(c, k, last + 1);
      if (obj.type != NP_NONE) k = obj.last + 1;
      else if (k <= last && c->tok[k].kind == T_WORD) k++;
    }
    gboolean that = FALSE;
    for (gsize m = k; m <= last && m < k + (loose ? 8 : 1); m++) {
      if (tok_char(c, m, ',')) break;
      if (tok_is(c, m, "that")) {
        k = m + 1;
        that = TRUE;
        break;
      }
    }
    if (!loose && !that) break;
    if (k <= last && tok_char(c, k, ',')) break; /* "X said, …" without quotation marks */
    if (count_words(c, k, last) < 4) break;
    q.first = k;
    q.last = last;
    q.np = np;
    q.cue_first = q.cue_last = (gssize)j;
    q.lemma = c->tok[j].info->lemma;
    q.reason = "reported speech: speaker and cue";
    goto found;
  }
  /* …, X said. / …, said X. */
  for (gsize j = last; j > s + 3 && last - j < 10; j--) {
    if (!tok_char(c, j, ',')) continue;
    gsize a = j + 1;
    NP np = {.mention = -1};
    gssize cue = -1;
    if (a <= last && is_cue(c, a) && (wf(c, a) & W_CUE_INDIRECT)) {
      np = np_forward(c, a + 1, last + 1);
      cue = (gssize)a;
    } else {
      np = np_forward(c, a, last + 1);
      if (np.type != NP_NONE) {
        gsize m = np.last + 1;
        while (m <= last && (wf(c, m) & W_ADV) && !(wf(c, m) & W_DET)) m++;
        if (m <= last && is_cue(c, m) && (wf(c, m) & W_CUE_INDIRECT)) cue = (gssize)m;
      }
    }
    if (cue < 0 || np.type == NP_NONE) continue;
    if ((c->tok[cue].info->flags & W_ACCORDING)) continue;
    if (count_words(c, s, j - 1) < 4) break;
    q.first = s;
    q.last = j - 1;
    q.np = np;
    q.cue_first = q.cue_last = cue;
    q.lemma = c->tok[cue].info->lemma;
    q.reason = "reported speech: speaker and cue after it";
    goto found;
  }
  return;
found:
  while (q.last > q.first && (c->tok[q.last].kind == T_PUNCT || c->tok[q.last].kind == T_QUOTE)) q.last--;
  if (q.first > q.last) return;
  q.cstart = c->tok[q.first].start;
  q.cend = c->tok[q.last].end;
  q.keep = emit;
  g_array_append_val(c->quotes, q);
}

/* ---- Writing ------------------------------------------------------------------------ */

static gint quote_cmp(gconstpointer a, gconstpointer b) {
  const Quote *x = a, *y = b;
  return x->cstart < y->cstart ? -1 : x->cstart > y->cstart;
}

static gint quote_np_cmp(gconstpointer a, gconstpointer b) {
  const Quote *const *x = a, *const *y = b;
  gsize px = (*x)->np.type ? (*x)->np.first : (*x)->open_tok;
  gsize py = (*y)->np.type ? (*y)->np.first : (*y)->open_tok;
  return px < py ? -1 : px > py;
}

static gboolean write_layers(Ctx *c, GError **error) {
  CopydeskLayer *ql = copydesk_document_ensure_layer(c->doc, COPYDESK_LAYER_QUOTE);
  CopydeskLayer *sl = copydesk_document_ensure_layer(c->doc, "speaker");
  CopydeskLayer *cl = copydesk_document_ensure_layer(c->doc, "cue");
  GHashTable *speaker_spans = g_hash_table_new(g_direct_hash, g_direct_equal);
  GHashTable *cue_spans = g_hash_table_new(g_direct_hash, g_direct_equal);
  gboolean ok = TRUE;
  for (guint i = 0; i < c->quotes->len && ok; i++) {
    Quote *q = &g_array_index(c->quotes, Quote, i);
    if (!q->keep) continue;
    CopydeskSpan *span = copydesk_layer_add(ql, q->cstart, q->cend, q->kind, error);
    if (!span) {
      ok = FALSE;
      break;
    }
    if (q->np.type != NP_NONE) {
      CopydeskSpan *sp = NULL;
      const Mention *m = q->np.mention >= 0 ? &g_array_index(c->mentions, Mention, q->np.mention) : NULL;
      if (m && m->span) sp = m->span;
      else {
        gsize st = c->tok[q->np.first].start, en = c->tok[q->np.last].end;
        sp = g_hash_table_lookup(speaker_spans, GSIZE_TO_POINTER(st + 1));
        if (!sp) {
          const char *label = q->np.type == NP_PRON ? "pronoun" : q->np.type == NP_NOMINAL ? "nominal" : "name";
          sp = copydesk_layer_add(sl, st, en, label, error);
          if (!sp) {
            ok = FALSE;
            break;
          }
          g_hash_table_insert(speaker_spans, GSIZE_TO_POINTER(st + 1), sp);
        }
      }
      copydesk_span_set_link(span, "speaker", sp);
      if (q->person >= 0) {
        const Person *p = person(c, q->person);
        copydesk_span_set_string(span, "speaker_name", p->name);
        if (p->entity) copydesk_span_set_string(span, "speaker_entity", p->entity);
      }
    }
    if (q->cue_first >= 0) {
      gsize st = c->tok[q->cue_first].start, en = c->tok[q->cue_last].end;
      CopydeskSpan *cs = g_hash_table_lookup(cue_spans, GSIZE_TO_POINTER(st + 1));
      if (!cs) {
        cs = copydesk_layer_add(cl, st, en, q->lemma, error);
        if (!cs) {
          ok = FALSE;
          break;
        }
        g_hash_table_insert(cue_spans, GSIZE_TO_POINTER(st + 1), cs);
      }
      copydesk_span_set_link(span, "cue", cs);
    }
    copydesk_span_set_double(span, "confidence", q->confidence);
    if (q->reason) copydesk_span_set_string(span, "reason", q->reason);
  }
  g_hash_table_destroy(speaker_spans);
  g_hash_table_destroy(cue_spans);
  return ok;
}

/* ---- The pass ------------------------------------------------------------------------- */

static void free_list(gpointer p) { g_array_free(p, TRUE); }

gboolean attribute_run(const QuotesConfig *config, CopydeskDocument *doc, Scan *scan,
                       GError **error) {
  Ctx c = {
      .config = config,
      .lex = config->lex,
      .doc = doc,
      .scan = scan,
      .text = scan->text,
      .tok = (Tok *)(void *)scan->toks->data,
      .n_tok = scan->toks->len,
      .persons = g_array_new(FALSE, FALSE, sizeof(Person)),
      .mentions = g_array_new(FALSE, FALSE, sizeof(Mention)),
      .surnames = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_list),
      .entity_ids = g_hash_table_new(g_str_hash, g_str_equal),
      .quotes = g_array_new(FALSE, TRUE, sizeof(Quote)),
      .events = g_array_new(FALSE, FALSE, sizeof(Event)),
      .sent_first = g_array_new(FALSE, FALSE, sizeof(gsize)),
      .strings = g_string_chunk_new(1024),
  };
  gboolean ok = TRUE;
  if (c.n_tok == 0) goto done;
  c.tok_mention = g_new(gint32, c.n_tok);
  for (gsize k = 0; k < c.n_tok; k++) c.tok_mention[k] = -1;
  g_array_set_size(c.sent_first, scan->n_sents + 1);
  for (gsize k = c.n_tok; k-- > 0;) g_array_index(c.sent_first, gsize, c.tok[k].sent) = k;

  /* Candidates → quotes; mark their tokens so names inside quotes are not speakers. */
  for (guint i = 0; i < scan->cands->len; i++) {
    const Cand *cd = &g_array_index(scan->cands, Cand, i);
    Quote q = {.cstart = cd->cstart, .cend = cd->cend, .open_tok = cd->open_tok,
               .close_tok = cd->close_tok, .first = cd->first, .last = cd->last,
               .cflags = cd->flags, .cue_first = -1, .cue_last = -1, .person = -1, .from = -1,
               .np = {.mention = -1}, .block = c.tok[cd->open_tok].block};
    for (gsize k = cd->first; k <= cd->last; k++) c.tok[k].flags |= F_IN_QUOTE;
    g_array_append_val(c.quotes, q);
  }

  CopydeskLayer *entities = copydesk_document_layer(doc, COPYDESK_LAYER_ENTITY);
  c.have_entities = entities != NULL && copydesk_layer_n_spans(entities) > 0;
  if (c.have_entities) read_entities(&c, entities);
  else find_names(&c);

  /* Attribute and classify every candidate. */
  guint n_cands = c.quotes->len;
  for (guint i = 0; i < n_cands; i++) {
    Quote *q = &g_array_index(c.quotes, Quote, i);
    gboolean closed = !(q->cflags & C_UNCLOSED);
    gboolean after_ok = closed;
    if (closed) {
      /* “Q.” Clinton said … is a new sentence, not an attribution, unless lowercase follows */
      gsize lp = q->last;
      while (lp > q->first && c.tok[lp].kind == T_QUOTE) lp--;
      if (tok_char(&c, lp, '.') && q->close_tok + 1 < c.n_tok &&
          (c.tok[q->close_tok + 1].flags & F_CAP))
        after_ok = FALSE;
    }
    gboolean found = after_ok && attrib_after(&c, q, q->close_tok);
    if (!found && !(q->cflags & C_NO_OPEN)) {
      gsize o = q->open_tok;
      if (o > 0 && !(c.tok[o].flags & F_BLOCK_START)) {
        gsize floor = sent_first(&c, o);
        /* a sentence split between an introduction and its quote: "He said. “Q”" is not one */
        attrib_before(&c, q, o - 1, floor);
      } else if (o > 0 && (c.tok[o].flags & F_BLOCK_START) && tok_char(&c, o - 1, ':')) {
        /* He added:\n\n“Q” */
        if (attrib_before(&c, q, o - 2, sent_first(&c, o - 1))) q->how = A_COLON;
      }
    }
    if ((q->how == A_NONE || (q->np.type == NP_NONE && q->how == A_BEFORE)) && after_ok) {
      Quote saved = *q;
      if (!attrib_after_loose(&c, q, q->close_tok)) *q = saved;
    }
    classify(&c, q);
    if (!q->keep)
      for (gsize k = q->first; k <= q->last; k++) c.tok[k].flags &= ~(guint32)F_IN_QUOTE;
  }

  /* Sentences without kept quotes: indirect speech (also recorded as speech events). */
  {
    gsize k = 0;
    while (k < c.n_tok) {
      gsize e = k;
      while (e + 1 < c.n_tok && c.tok[e + 1].sent == c.tok[k].sent) e++;
      gboolean quoted = FALSE;
      for (gsize j = k; j <= e; j++)
        if (c.tok[j].flags & F_IN_QUOTE) {
          quoted = TRUE;
          break;
        }
      if (!quoted) find_indirect(&c, k, e, config->indirect);
      k = e + 1;
    }
  }

  /* Resolve speakers in text order, recording speech events for later pronouns. */
  {
    GPtrArray *order = g_ptr_array_sized_new(c.quotes->len);
    for (guint i = 0; i < c.quotes->len; i++) {
      Quote *q = &g_array_index(c.quotes, Quote, i);
      if (q->np.type != NP_NONE && (q->keep || q->how == A_INDIRECT)) g_ptr_array_add(order, q);
    }
    g_ptr_array_sort(order, quote_np_cmp);
    for (guint i = 0; i < order->len; i++) {
      Quote *q = order->pdata[i];
      q->person = resolve_np(&c, &q->np);
      Event ev = {.pos = q->np.first, .person = q->person, .block = c.tok[q->np.first].block};
      if (q->person >= 0) {
        /* keep events in order (quotes after their speaker may come out of order) */
        guint at = c.events->len;
        while (at > 0 && g_array_index(c.events, Event, at - 1).pos > ev.pos) at--;
        g_array_insert_val(c.events, at, ev);
      }
    }
    g_ptr_array_free(order, TRUE);
  }

  /* Sort the quotes, then fill in continuations and interrupted quotes. */
  g_array_sort(c.quotes, quote_cmp);
  {
    gint last_in_block = -1;     /* last attributed kept quote in the current block */
    gint last_prev_block = -1;   /* ... in the block before */
    guint32 cur_block = G_MAXUINT32;
    for (guint i = 0; i < c.quotes->len; i++) {
      Quote *q = &g_array_index(c.quotes, Quote, i);
      /* reported speech not written (indirect: false) still names the last speaker */
      if (!q->keep && q->how != A_INDIRECT) continue;
      guint32 b = c.tok[q->first].block;
      if (q->how == A_INDIRECT) b = q->block;
      if (b != cur_block) {
        last_prev_block = (cur_block != G_MAXUINT32 && b == cur_block + 1) ? last_in_block : -1;
        if (cur_block != G_MAXUINT32 && b != cur_block + 1) last_prev_block = -1;
        last_in_block = -1;
        cur_block = b;
      }
      if (q->keep && (q->how == A_NONE || (q->np.type == NP_NONE && q->how != A_INDIRECT && q->cue_first < 0))) {
        gint from = last_in_block >= 0 ? last_in_block : last_prev_block;
        if (from >= 0) {
          Quote *src = &g_array_index(c.quotes, Quote, from);
          q->np = src->np;
          q->person = src->person;
          q->how = last_in_block >= 0 ? A_INHERIT : A_CONTINUE;
          q->reason = last_in_block >= 0 ? "continues the attributed quote before it in the paragraph"
                                         : "continues the quote of the previous paragraph (no cue)";
          q->confidence = last_in_block >= 0 ? 0.85 : 0.75;
        }
      }
      if (q->np.type != NP_NONE) last_in_block = (gint)i;
    }
  }
  ok = write_layers(&c, error);

done:
  g_free(c.tok_mention);
  g_array_free(c.persons, TRUE);
  g_array_free(c.mentions, TRUE);
  g_hash_table_destroy(c.surnames);
  g_hash_table_destroy(c.entity_ids);
  g_array_free(c.quotes, TRUE);
  g_array_free(c.events, TRUE);
  g_array_free(c.sent_first, TRUE);
  g_string_chunk_free(c.strings);
  return ok;
}
