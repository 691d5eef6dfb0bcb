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
 * 3. Attribution.  A quote that opens its sentence takes the cue after the closing mark
 *    (“Q,” X said / said X / X, the minister, said / “Q” — X / “Q.” X said.), else the
 *    cue before it; a quote inside the writer's sentence takes the cue before it first.
 *    Before the quote the sentence's outermost attribution wins (PolNeAR's convention):
 *    a parenthetical ", he added,", else the leftmost cue with a subject ("Clinton says
 *    … what she calls “Q”" → Clinton); a participle ("…, saying “Q”") takes the
 *    sentence's subject (the first noun phrase a verb follows, past introductory and
 *    subordinate clauses), "what he calls" the subject too; a clause ending in a colon
 *    gives its subject.  "X said, according to CNN" and "According to CNN, X said" give
 *    CNN.  A relative pronoun ("McConnell, who said") is the speaker as written, named
 *    by its antecedent.  Without a cue, a quote inside a sentence takes the sentence's
 *    subject (its reason says so); then the quote before it in the same block (“A,” he
 *    said. “B.”), then the last speaker of the previous block (continuation).
 * 4. Speakers are resolved: names to their fullest form; a surname alone that speaks
 *    ("Warren said") is a person even when never given in full; he/she/they/it to the
 *    most recent compatible earlier speaker or sentence subject; "the senator", "a White
 *    House spokeswoman" to the person last introduced with that title (also a lowercase
 *    title before the name: "spokeswoman Jen Psaki"); "the company" to the last
 *    organisation (entity layer only).
 * 5. Indirect speech (option `indirect`): sentences that hold such a cue and no quote, of
 *    the shapes "X said (that) …", "…, X said." (the cue closing the sentence, or only a
 *    time, place or audience after it) and "according to X, …".
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
  const char *name;   /* fullest name; NULL until asked for (person_name) when it is the */
  gsize nfirst, nlast; /* ... tokens [nfirst, nlast] (no entity layer) */
  gsize name_len;     /* bytes of the fullest name; 0 until asked for (person_name_len) when
                       * it is the tokens [nfirst, nlast] */
  char *entity;       /* entity id from the entity layer, or NULL */
  gsize name_tokens;  /* words in the fullest name (no entity layer) */
  guint8 gender;
  gboolean org;
  gboolean place;     /* a LOC entity: "it" may stand for it, "they" not */
  gsize last_full;    /* position of the latest multi-word mention seen so far (+1) */
  const char *role;   /* title role last seen with this person */
  gint next_same;     /* the next person with the same surname, -1 none */
  gsize surname;      /* the slot of that surname in the pass's table (people of multi-word
                       * names only) */
} Person;

enum { SUBJECT_UNKNOWN = 0, SUBJECT_NO, SUBJECT_YES };

typedef struct {
  gsize first, last; /* tokens of the name (titles stripped) */
  gsize start, end;  /* bytes */
  gint person;       /* index into persons, -1 none */
  const char *role;  /* title role right before the name */
  guint8 subject;    /* SUBJECT_*: mention_is_subject(), worked out when first asked */
  gboolean poss;
  CopydeskSpan *span; /* the entity layer's span, or NULL */
} Mention;

typedef enum { NP_NONE = 0, NP_NAME, NP_PRON, NP_NOMINAL } NPType;

typedef struct {
  NPType type;
  gsize first, last; /* tokens */
  gint mention;      /* for names: the mention, -1 none */
  gsize rel1;        /* "McConnell, who said": the relative pronoun's token + 1 (0 none); the
                      * speaker as written, while FIRST..LAST is the one it stands for */
} NP;

typedef enum {
  A_NONE = 0,
  A_AFTER,     /* “Q,” X said */
  A_BEFORE,    /* X said: “Q” */
  A_COLON,     /* cue ending the previous block with a colon */
  A_INHERIT,   /* the quote before it in the block */
  A_CONTINUE,  /* the last speaker of the previous block */
  A_INDIRECT,  /* reported speech */
  A_SUBJECT,   /* no cue: the subject of the writer's sentence around a partial quote */
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

/* What the attribution of a quote sets (attrib_before(), attrib_after_loose() and what
 * they call): kept to undo an attempt that fails. */
typedef struct {
  NP np;
  AttrHow how;
  gssize cue_first, cue_last;
  const char *lemma;
} Attribution;

/* The attribution Q has now. */
static inline Attribution attribution_of(const Quote *q) {
  return (Attribution){.np = q->np, .how = q->how, .cue_first = q->cue_first, .cue_last = q->cue_last,
                       .lemma = q->lemma};
}

/* Gives Q back the attribution A (attribution_of()). */
static inline void attribution_restore(Quote *q, const Attribution *a) {
  q->np = a->np;
  q->how = a->how;
  q->cue_first = a->cue_first;
  q->cue_last = a->cue_last;
  q->lemma = a->lemma;
}

typedef struct {
  gsize pos;   /* token of the speaker mention */
  gint person;
  guint32 block;
} Event;

/* People by surname: the word (its scan_tok_key() and a token spelling it), and the first
 * and last person of its chain (Person.next_same), in the order they were met. */
typedef struct {
  guint64 key;
  gsize tok;
  gint head, tail;   /* HEAD -1: an empty slot */
  gint first_person; /* the first of the chain that is no organisation, or -1 */
  /* the person, and the person that is no organisation, whose name was met in full last
   * (find_names() goes through the names in text order), or -1 */
  gint recent, recent_person;
} SurnameSlot;

/* How many people of one surname a full name is compared with, the first met first: a
 * document that names more people of one surname (a long listing, or text made to be
 * hostile) costs no more than that a name, and gives a name past them a person of its own. */
#define SURNAME_PEOPLE 64

#define WORD_SET_SLOTS 64 /* a power of two; a list fills at most three quarters */

/* A word list hashed for tok_in(): open addressing on a word's lexicon_pack() key, then
 * its length and (words longer than eight bytes) the bytes after the eighth.  Each list
 * has its own, a static beside it, filled once for the process on its first use. */
typedef struct {
  gsize made; /* g_once_init_enter()'s flag */
  guint64 shapes[4]; /* the word_shape() values of the words, a bit each */
  guint64 key[WORD_SET_SLOTS];
  const char *word[WORD_SET_SLOTS]; /* NULL: an empty slot */
  gsize len[WORD_SET_SLOTS];
} WordSet;

/* A word's word_shape() and the low five bits of its second byte (0 for a one-byte
 * word), in 13 bits: two words spelt alike up to ASCII case have the same form. */
#define TITLE_FORMS (1u << 13)
static inline guint title_form(guint8 shape, const char *word, gsize len) {
  return (guint)shape << 5 | (len > 1 ? (guchar)word[1] & 0x1Fu : 0u);
}

struct AttrScratch {
  Items persons, mentions, quotes, events; /* Person, Mention, Quote, Event */
  Items runs; /* Run: set afresh each pass */
  /* SurnameSlot: every HEAD -1 between passes (a pass empties the slots it filled, listed
   * in SURNAMES_USED as gsize) */
  Items surnames, surnames_used;
  /* gint32 per token: the index + 1 of its mention, 0 none; all 0 between passes (a pass
   * clears the tokens of its mentions) */
  Items tok_mention;
  Items common_words;  /* mark_common(): CommonWord */
  Items common_starts; /* mark_common(): CommonStart, the capitalised sentence starts */
  Items common_index;  /* mark_common(): gint32, the candidates by spelling; all 0 */
  gint32 *common_shapes; /* mark_common(): COMMON_SHAPES entries, all -1 */
  Items order; /* Quote *: the quotes whose speakers are resolved, in text order */
  /* SpanSlot: write_layers()'s speaker and cue spans by start, every KEY 0 between passes
   * (write_layers() empties the slots it filled, listed in MADE_USED as gsize) */
  Items made_spans, made_used;
  Items quote_spans, speaker_spans, cue_spans;     /* write_layers(): CopydeskSpanInit */
  Items quote_outs;                                /* write_layers(): QuoteOut */
  GStringChunk *strings;
  /* the title_form() values of the lexicon's titles, a bit each (set on the first pass) */
  guint64 title_forms[TITLE_FORMS / 64];
  gboolean title_forms_set;
  void *merge; /* merge_runs()'s buffer, MERGE_SIZE bytes */
  gsize merge_size;
};

typedef struct {
  const QuotesConfig *config;
  const Lexicon *lex;
  CopydeskDocument *doc;
  Scan *scan;
  AttrScratch *scratch;
  const char *text;
  Tok *tok;
  gsize n_tok;
  Items *persons;  /* Person */
  Items *mentions; /* Mention, in text order */
  gint32 *tok_mention; /* per token: mention index + 1 or 0 (mention_at()); NULL until set */
  SurnameSlot *surnames; /* open addressing: a surname's people */
  gsize surname_mask;
  guint64 surname_shapes[4]; /* the word_shape() values of the surnames, a bit each */
  GHashTable *entity_ids; /* entity id → person index + 1 (entity layer only) */
  Items *quotes;   /* Quote */
  Items *events;   /* Event */
  const gsize *sent_first; /* first token of each sentence, indexed by tok.sent */
  gboolean have_entities;
  GStringChunk *strings;
} Ctx;

/* ---- Token helpers ----------------------------------------------------------------- */

/* winfo() of a token not looked up yet: looks it up and keeps the entry in the token. */
static G_NO_INLINE const WordInfo *winfo_lookup(const Ctx *c, gsize k) {
  return c->tok[k].info = scan_lookup(c->lex, c->scan, &c->tok[k]);
}
/* The lexicon entry of token K, looked up the first time it is asked for (the tokenizer
 * looks up only the words that may be cues). */
static inline const WordInfo *winfo(const Ctx *c, gsize k) {
  const WordInfo *w = c->tok[k].info;
  if (G_UNLIKELY(w == &lexicon_lazy)) w = winfo_lookup(c, k);
  return w;
}
static inline guint32 wf(const Ctx *c, gsize k) { return winfo(c, k)->flags; }
/* wf(c, k) & MASK for a MASK within LEXICON_EAGER: no lookup for a word not looked up yet
 * (the tokenizer looked up every word with such a flag; &lexicon_lazy, like &lexicon_none,
 * has no flags) */
static inline guint32 wf_eager(const Ctx *c, gsize k, guint32 mask) {
  return c->tok[k].info->flags & mask;
}
/* Whether word token K is a title (W_TITLE).  A word not looked up yet is looked up only
 * when a title has its title_form(): a title spells the word up to case, so has its form. */
static inline gboolean is_title(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (t->info == &lexicon_lazy) {
    guint form = title_form(t->shape, c->text + t->start, t->end - t->start);
    if (!((c->scratch->title_forms[form >> 6] >> (form & 63)) & 1)) return FALSE;
  }
  return (wf(c, k) & W_TITLE) != 0;
}
static inline gboolean is_cap_word(const Ctx *c, gsize k) {
  return c->tok[k].kind == T_WORD && (c->tok[k].flags & F_CAP);
}
/* The N bytes at A and at B alike up to ASCII case (g_ascii_strncasecmp(A, B, N) == 0 for
 * bytes with no NUL among them, as in words). */
static inline gboolean bytes_eq_fold(const char *a, const char *b, gsize n) {
  for (gsize i = 0; i < n; i++) {
    guchar x = (guchar)a[i], y = (guchar)b[i];
    x += (guchar)((guchar)(x - 'A') < 26) << 5; /* ASCII lowercase */
    y += (guchar)((guchar)(y - 'A') < 26) << 5;
    if (x != y) return FALSE;
  }
  return TRUE;
}
/* bytes_eq_fold(T, S, LEN) for a lowercase S (inlined, the bytes of a literal S are
 * constants): a byte against a letter of S is compared with its case bit set, against any
 * other byte as it is. */
static G_ALWAYS_INLINE inline gboolean eq_lower(const char *t, const char *s, gsize len) {
  for (gsize i = 0; i < len; i++) {
    guchar x = (guchar)t[i], y = (guchar)s[i];
    if ((y >= 'a' && y <= 'z' ? (x | 0x20) : x) != y) return FALSE;
  }
  return TRUE;
}
/* TRUE when token K is the lowercase word S, case-insensitively (inlined, the length of
 * a literal S is a constant). */
static G_ALWAYS_INLINE inline gboolean tok_is(const Ctx *c, gsize k, const char *s) {
  gsize len = strlen(s);
  return c->tok[k].end - c->tok[k].start == len && eq_lower(c->text + c->tok[k].start, s, len);
}
/* TRUE when token K ends in the lowercase SUFFIX, case-insensitively (inlined, the length of
 * a literal SUFFIX is a constant). */
static G_ALWAYS_INLINE inline gboolean tok_ends_with(const Ctx *c, gsize k, const char *suffix) {
  gsize n = strlen(suffix);
  return c->tok[k].end - c->tok[k].start >= n && eq_lower(c->text + c->tok[k].end - n, suffix, n);
}
/* The first slot to probe for the lexicon_pack() key KEY in a WordSet. */
static inline gsize word_set_slot(guint64 key) {
  return (gsize)((key * 0x9E3779B97F4A7C15ull) >> 40) & (WORD_SET_SLOTS - 1);
}

/* Hashes the N lowercase WORDS (at most three quarters of WORD_SET_SLOTS) into the empty SET. */
static void word_set_fill(WordSet *set, const char *const *words, gsize n) {
  g_assert(n <= WORD_SET_SLOTS / 4 * 3);
  for (gsize i = 0; i < n; i++) {
    gsize len = strlen(words[i]);
    guint64 key = lexicon_pack(words[i], len);
    gsize j = word_set_slot(key);
    while (set->word[j]) j = (j + 1) & (WORD_SET_SLOTS - 1);
    set->key[j] = key;
    set->word[j] = words[i];
    set->len[j] = len;
    guint8 shape = word_shape((guchar)words[i][0], len);
    set->shapes[shape >> 6] |= 1ull << (shape & 63);
  }
}

/* TRUE when token K is one of the N lowercase WORDS (case-insensitively), hashed in SET,
 * the list's own static WordSet (filled on the first call, by whichever thread comes). */
static gboolean tok_in(const Ctx *c, gsize k, WordSet *set, const char *const *words, gsize n) {
  if (g_once_init_enter(&set->made)) {
    word_set_fill(set, words, n);
    g_once_init_leave(&set->made, 1);
  }
  const Tok *t = &c->tok[k];
  /* a word spelt like one of the list has its shape: most words are passed by theirs */
  if (t->kind == T_WORD && !((set->shapes[t->shape >> 6] >> (t->shape & 63)) & 1)) return FALSE;
  gsize len = t->end - t->start;
  guint64 key = scan_tok_key(c->scan, t);
  for (gsize j = word_set_slot(key); set->word[j]; j = (j + 1) & (WORD_SET_SLOTS - 1))
    if (set->key[j] == key && set->len[j] == len &&
        (len <= 8 || bytes_eq_fold(c->text + t->start + 8, set->word[j] + 8, len - 8)))
      return TRUE;
  return FALSE;
}
/* A word that opens a subordinate clause before the main one ("When …, she said"). */
static gboolean subord_word(const Ctx *c, gsize k) {
  static const char *const subord[] = {"when", "as", "after", "before", "while", "if", "although", "though",
                                        "because", "since", "until", "once", "whenever", "whereas", "unless"};
  static WordSet subord_set;
  return tok_in(c, k, &subord_set, subord, G_N_ELEMENTS(subord));
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
         (l == 3 && memcmp(s, "\xe2\x80\x93", 3) == 0) || (l == 3 && memcmp(s, "\xe2\x80\x95", 3) == 0);
}
static inline gboolean is_final_punct(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (t->kind != T_PUNCT) return FALSE;
  char ch = c->text[t->start];
  /* (D-Wis.): the abbreviation's period, not the sentence's */
  if (ch == '.' && t->end < c->scan->len && (c->text[t->end] == ')' || c->text[t->end] == ',')) return FALSE;
  return (t->end - t->start == 1 && (ch == '.' || ch == '!' || ch == '?')) ||
         (t->end - t->start == 3 && memcmp(c->text + t->start, "\xe2\x80\xa6", 3) == 0);
}
/* An article or a determiner at K (a, the, his, their...). */
static inline gboolean is_article(const Ctx *c, gsize k) {
  const Tok *p = &c->tok[k];
  gsize l = p->end - p->start;
  if (p->kind != T_WORD || l > 5) return FALSE;
  /* most words are passed by the low six bits of their shape: a word whose bits are none of
   * those of the words below is no article (a set of 64 bits, made of constants) */
  const guint64 shapes = 1ull << (word_shape('a', 1) & 63) | 1ull << (word_shape('a', 2) & 63) |
                         1ull << (word_shape('t', 3) & 63) | 1ull << (word_shape('h', 3) & 63) |
                         1ull << (word_shape('i', 3) & 63) | 1ull << (word_shape('t', 4) & 63) |
                         1ull << (word_shape('t', 5) & 63);
  if (!((shapes >> (p->shape & 63)) & 1)) return FALSE;
  /* the word lowercased and packed (lexicon_pack), against the articles and determiners */
  guint64 key = scan_tok_key(c->scan, p);
  return key == 'a' || key == PACK2('a', 'n') || key == PACK3('t', 'h', 'e') || key == PACK3('h', 'i', 's') ||
         key == PACK3('i', 't', 's') || key == PACK3('h', 'e', 'r') || key == PACK4('t', 'h', 'i', 's') ||
         key == PACK5('t', 'h', 'e', 'i', 'r');
}

static G_NO_INLINE gboolean cue_in_context(const Ctx *c, gsize k);
/* A cue verb at K (for "according", only when "to" follows).  Most tokens are no cue:
 * they are passed inline, before any call. */
static G_ALWAYS_INLINE inline gboolean is_cue(const Ctx *c, gsize k) {
  return wf_eager(c, k, W_CUE) && cue_in_context(c, k);
}
/* is_cue() of a word that has a cue's flag: whether its place makes it a verb. */
static G_NO_INLINE gboolean cue_in_context(const Ctx *c, gsize k) {
  if (c->tok[k].flags & F_POSS) return FALSE;
  /* Secretary of State, the Post: a capital inside a sentence is a name, not a verb */
  if ((c->tok[k].flags & F_CAP) && !(c->tok[k].flags & F_SENT_START) && !(c->tok[k].flags & F_UPPER))
    return FALSE;
  if (k > 0) {
    /* Trump's remarks, the report, a statement: nouns, not verbs */
    const Tok *p = &c->tok[k - 1];
    if (p->flags & F_POSS) return FALSE;
    if (is_article(c, k - 1) && !tok_is(c, k - 1, "her")) return FALSE;
    /* secretary of state, the office of the press secretary: after "of", a noun */
    if (tok_is(c, k - 1, "of")) return FALSE;
    /* a fundraising call, a social media post: a base form after an article and a
     * modifier is a noun too (past forms stay verbs: "the senator said") */
    if (k > 1 && is_article(c, k - 2) && p->kind == T_WORD && !(p->flags & F_CAP) &&
        !(wf(c, k - 1) & (W_ADV | W_SPEAKER_NOUN | W_TITLE | W_ORG_NOUN)) && c->tok[k].end - c->tok[k].start >= 3) {
      const char *w = c->text + c->tok[k].start;
      gsize l = c->tok[k].end - c->tok[k].start;
      gboolean past = (l > 2 && w[l - 1] == 'd' && w[l - 2] == 'e') || w[l - 1] == 's' ||
                      !strcmp(winfo(c, k)->key, "said") || !strcmp(winfo(c, k)->key, "told") ||
                      !strcmp(winfo(c, k)->key, "wrote") || !strcmp(winfo(c, k)->key, "spoke") ||
                      !strcmp(winfo(c, k)->key, "thought") || !strcmp(winfo(c, k)->key, "found");
      if (!past && !(l > 3 && w[l - 1] == 'g' && w[l - 2] == 'n' && w[l - 3] == 'i')) return FALSE;
      /* the deadly attacks, the widely reported claims: an -ly modifier, so a noun */
      gsize pl = p->end - p->start;
      if (pl > 3 && c->text[p->end - 2] == 'l' && c->text[p->end - 1] == 'y') return FALSE;
    }
  }
  if ((winfo(c, k)->flags & W_ACCORDING))
    return k + 1 < c->n_tok && tok_is(c, k + 1, "to");
  return TRUE;
}
static inline gboolean is_pronoun(const Ctx *c, gsize k) {
  guint32 f = wf(c, k);
  if (!(f & W_PRONOUN)) return FALSE;
  /* him, her, them are objects; "her" as a determiner is handled by the caller (the
   * word lowercased and packed, against the subject pronouns) */
  guint64 key = scan_tok_key(c->scan, &c->tok[k]);
  return key == PACK2('h', 'e') || key == PACK3('s', 'h', 'e') || key == PACK4('t', 'h', 'e', 'y') ||
         key == PACK2('i', 't') || key == 'i' || key == PACK2('w', 'e');
}

/* name_part() of a capitalised word with token flags TF (F_*) and lexicon flags F (W_*). */
static inline gboolean cap_name_part(guint32 tf, guint32 f) {
  /* (most words have none of the three token flags asked about first) */
  if (G_UNLIKELY(tf & (F_IN_QUOTE | F_INITIAL | F_COMMON))) {
    if (tf & F_IN_QUOTE) return FALSE;
    if ((tf & (F_INITIAL | F_PERIOD)) == (F_INITIAL | F_PERIOD)) return TRUE; /* Julie A. Diaz */
    if (tf & F_COMMON) return FALSE;
  }
  if ((f & W_FUNC) && !(f & (W_GIVEN | W_TITLE))) return FALSE;
  if (f & (W_CUE)) return (tf & F_SENT_START) == 0 && !(f & W_CUE_INDIRECT);
  return TRUE;
}

/* Name-part: a capitalised word or an initial, not a sentence-start function word. */
static inline gboolean name_part(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (t->kind != T_WORD || !(t->flags & F_CAP)) return FALSE;
  return cap_name_part(t->flags, wf(c, k));
}

/* An F_COMMON word that can start a description ("Police", "Another"), not a participle
 * ("Holding signs, …", "Using a crude expression, …"). */
static gboolean common_noun(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (!(t->flags & F_COMMON)) return FALSE;
  return !(t->end - t->start > 5 && tok_ends_with(c, k, "ing"));
}

static void append_tokens(const Ctx *c, GString *out, gsize first, gsize last) {
  for (gsize k = first; k <= last; k++) {
    if (k > first && (c->tok[k].flags & F_SPACE)) g_string_append_c(out, ' ');
    g_string_append_len(out, c->text + c->tok[k].start, (gssize)(c->tok[k].end - c->tok[k].start));
  }
}

/* ---- People ----------------------------------------------------------------------- */

static inline guint8 gender_of_given(const Ctx *c, gsize k) {
  guint32 f = wf(c, k);
  if (!(f & W_GIVEN)) return G_UNKNOWN;
  guint8 g = ((f & W_MALE) ? G_MALE : 0) | ((f & W_FEMALE) ? G_FEMALE : 0);
  return g == G_BOTH ? G_UNKNOWN : g;
}

static inline Person *person(const Ctx *c, gint i) { return &ITEM(c->persons, Person, i); }

/* The index of the mention at token K, or -1. */
static inline gint mention_at(const Ctx *c, gsize k) { return c->tok_mention[k] - 1; }

/* A person named by the LEN bytes at NAME (copied). */
static gint new_person(Ctx *c, const char *name, gsize len, gboolean org) {
  Person p = {.name = g_string_chunk_insert_len(c->strings, name, (gssize)len), .name_len = len, .org = org,
              .next_same = -1};
  *(Person *)items_push(c->persons, sizeof(Person)) = p;
  return (gint)c->persons->n - 1;
}

/* Bytes of the tokens [first, last] joined as append_tokens() joins them. */
static gsize tokens_len(const Ctx *c, gsize first, gsize last) {
  gsize n = 0;
  for (gsize k = first; k <= last; k++)
    n += c->tok[k].end - c->tok[k].start + (k > first && (c->tok[k].flags & F_SPACE) ? 1 : 0);
  return n;
}

/* A person named by the tokens [first, last] (no copy until person_name, its bytes not
 * counted until person_name_len). */
static inline gint new_person_tokens(Ctx *c, gsize first, gsize last, gboolean org) {
  Person p = {.nfirst = first, .nlast = last, .org = org, .name_tokens = last - first + 1, .next_same = -1};
  *(Person *)items_push(c->persons, sizeof(Person)) = p;
  return (gint)c->persons->n - 1;
}

/* Writes the tokens [first, last] joined as append_tokens() joins them into BUF (room for
 * tokens_len() bytes, or for join_bound() bytes); returns the bytes written.  Tokens
 * whose text between is what the join puts there (one ' ' before a token with F_SPACE,
 * nothing before one without) are copied together, with one memcpy. */
static gsize join_tokens(const Ctx *c, gsize first, gsize last, char *buf) {
  gsize at = 0, from = c->tok[first].start; /* the text [FROM, the end of token K - 1) is still to copy */
  for (gsize k = first + 1; k <= last; k++) {
    gsize gap_at = c->tok[k - 1].end, gap = c->tok[k].start - gap_at;
    gboolean space = (c->tok[k].flags & F_SPACE) != 0;
    if (gap == (gsize)space && (!space || c->text[gap_at] == ' ')) continue;
    memcpy(buf + at, c->text + from, gap_at - from);
    at += gap_at - from;
    if (space) buf[at++] = ' ';
    from = c->tok[k].start;
  }
  memcpy(buf + at, c->text + from, c->tok[last].end - from);
  return at + c->tok[last].end - from;
}

/* At least the bytes join_tokens() writes for the tokens [first, last]: the text they
 * span (a space is written only for whitespace before a token). */
static inline gsize join_bound(const Ctx *c, gsize first, gsize last) {
  return c->tok[last].end - c->tok[first].start;
}

/* The tokens [first, last] joined as append_tokens() joins them, copied into the pass's
 * strings (cleared when the pass ends). */
static const char *tokens_text(const Ctx *c, gsize first, gsize last) {
  char small[256]; /* (not initialised: join_tokens() writes every byte used) */
  gsize bound = join_bound(c, first, last);
  char *buf = bound < sizeof small ? small : g_malloc(bound + 1);
  gsize at = join_tokens(c, first, last, buf);
  const char *text = g_string_chunk_insert_len(c->strings, buf, (gssize)at);
  if (buf != small) g_free(buf);
  return text;
}

/* Sets the string attribute KEY of SPAN to the tokens [first, last] joined as
 * append_tokens() joins them (the core keeps its own copy). */
static void set_tokens_string(CopydeskSpan *span, const char *key, const Ctx *c, gsize first, gsize last) {
  char small[256];
  gsize bound = join_bound(c, first, last);
  char *buf = bound < sizeof small ? small : g_malloc(bound + 1);
  buf[join_tokens(c, first, last, buf)] = '\0';
  copydesk_span_set_string(span, key, buf);
  if (buf != small) g_free(buf);
}

/* The fullest name of person I. */
static const char *person_name(const Ctx *c, gint i) {
  Person *p = person(c, i);
  /* the tokens joined as append_tokens() joins them, in place */
  if (!p->name) p->name = tokens_text(c, p->nfirst, p->nlast);
  return p->name;
}

static char *lower_tok(const Ctx *c, gsize k) {
  return g_ascii_strdown(c->text + c->tok[k].start, (gssize)(c->tok[k].end - c->tok[k].start));
}

/* The key word of a name: its last word, skipping Jr./Sr./II/III (told by their length,
 * then their lexicon_pack() keys). */
static gsize surname_tok(const Ctx *c, gsize first, gsize last) {
  while (last > first) {
    gsize l = c->tok[last].end - c->tok[last].start;
    if (l != 2 && l != 3) break;
    guint64 key = scan_tok_key(c->scan, &c->tok[last]);
    if (key != PACK3('j', 'r', '.') && key != PACK3('s', 'r', '.') && key != PACK2('j', 'r') &&
        key != PACK2('i', 'i') && key != PACK3('i', 'i', 'i'))
      break;
    last--;
  }
  return last;
}

/* The eight bytes at S, read little-endian. */
static inline guint64 load8(const char *s) {
  guint64 x;
  memcpy(&x, s, 8);
  return G_BYTE_ORDER == G_BIG_ENDIAN ? GUINT64_SWAP_LE_BE(x) : x;
}

/* The bytes of MASK (little-endian) of the eight at A and at B alike up to ASCII case (as
 * lexicon_fold8() folds): most pairs that differ differ in a bit other than the case bit,
 * and are told apart before any folding. */
static inline gboolean eq8_fold(const char *a, const char *b, guint64 mask) {
  guint64 d = (load8(a) ^ load8(b)) & mask;
  if (d == 0) return TRUE;
  if (d & ~0x2020202020202020ull) return FALSE;
  return ((lexicon_fold8(a) ^ lexicon_fold8(b)) & mask) == 0;
}

/* The bytes after the eighth of two words of LEN bytes each (more than eight) at A and B
 * alike up to ASCII case: eight bytes at once, the last round the words' last eight bytes
 * (which may overlap the round before), so only bytes of the words are read.  (Word tokens
 * hold no NUL, so this is g_ascii_strncasecmp(A + 8, B + 8, LEN - 8) == 0.) */
static inline gboolean tail_eq_fold(const char *a, const char *b, gsize len) {
  for (gsize i = 8; i + 8 < len; i += 8)
    if (!eq8_fold(a + i, b + i, ~0ull)) return FALSE;
  return eq8_fold(a + len - 8, b + len - 8, ~0ull);
}

/* tail_eq_fold(), out of line: for the callers whose words are mostly short */
static G_NO_INLINE gboolean tail_eq_fold_call(const char *a, const char *b, gsize len) {
  return tail_eq_fold(a, b, len);
}

/* Tokens A and B spelt alike up to ASCII case: their first eight bytes compared at once
 * (packed and folded near the end of the text), the rest only when both are longer. */
static inline gboolean tok_eq_fold(const Ctx *c, gsize a, gsize b) {
  gsize la = c->tok[a].end - c->tok[a].start;
  if (la != c->tok[b].end - c->tok[b].start) return FALSE;
  const char *sa = c->text + c->tok[a].start, *sb = c->text + c->tok[b].start;
  if (G_LIKELY(c->tok[a].start + 8 <= c->scan->len && c->tok[b].start + 8 <= c->scan->len)) {
    if (!eq8_fold(sa, sb, la >= 8 ? ~0ull : ~0ull >> (64 - 8 * la))) return FALSE;
  } else if (scan_tok_key(c->scan, &c->tok[a]) != scan_tok_key(c->scan, &c->tok[b])) {
    return FALSE;
  }
  return la <= 8 || tail_eq_fold(sa, sb, la);
}

/* Marks F_COMMON: a capitalised word opening a sentence, with no capitalised word after
 * it, that the document also writes in lowercase and never capitalises inside a sentence
 * ("Another holdout", "Embryonic stem cells", "Earlier this week") is no name.
 *
 * The candidates (one a sentence at most) are found by their spelling in a hash index,
 * so a long document with many of them costs no more a token than a short one; and a
 * table of the word_shape() values they have (two words spelt alike up to case have one
 * shape) passes most other words without reading their text. */
typedef struct {
  gsize tok;    /* its first occurrence */
  guint64 key;  /* common_key() of the word */
  gsize len;    /* its bytes */
  guint state;  /* 2: seen in lowercase, 4: capitalised inside a sentence */
  guint32 slot; /* its slot in the index */
} CommonWord;

/* A capitalised sentence start to mark, and its candidate when known. */
typedef struct {
  gsize tok;
  gint32 word; /* the CommonWord spelled like it; -1: none can be; -2: looked up at the end */
} CommonStart;

#define COMMON_SHAPES 256 /* one a word_shape() value */
/* the lengths a candidate may have */
#define COMMON_MIN_LEN 3
#define COMMON_MAX_LEN 63

/* The candidates of one pass: the words and their index by spelling. */
typedef struct {
  Items *words;  /* CommonWord */
  gint32 *slots; /* the index + 1 of a word, 0 empty; at most half full */
  gsize mask;
} CommonIndex;

/* Word token T's first eight bytes (those it has) with every 0x20 bit set: words spelt
 * alike up to ASCII case (tok_eq_fold()) have the same key. */
static inline guint64 common_key(const Ctx *c, const Tok *t, gsize len) {
  guint64 x = t->start + 8 <= c->scan->len ? load8(c->text + t->start) : scan_tok_key(c->scan, t);
  return (x | 0x2020202020202020ull) & (len >= 8 ? ~0ull : ~0ull >> (64 - 8 * len));
}

static inline gsize common_first_slot(const CommonIndex *ix, guint64 key, gsize len) {
  return (gsize)(((key ^ (guint64)len << 56) * 0x9E3779B97F4A7C15ull) >> 32) & ix->mask;
}

/* The candidate spelled like word token K (ASCII case folded; KEY its common_key(), LEN its
 * bytes), or -1; *SLOT receives the slot where it is, or the empty one where it would go. */
static inline gint32 common_find(const Ctx *c, const CommonIndex *ix, gsize k, guint64 key, gsize len, gsize *slot) {
  for (gsize i = common_first_slot(ix, key, len);; i = (i + 1) & ix->mask) {
    gint32 v = ix->slots[i];
    *slot = i;
    if (v == 0) return -1;
    const CommonWord *w = &ITEM(ix->words, CommonWord, v - 1);
    if (w->key == key && w->len == len && tok_eq_fold(c, w->tok, k)) return v - 1;
  }
}

/* common_find() of word token K, whatever its length. */
static inline gint32 common_find_tok(const Ctx *c, const CommonIndex *ix, gsize k) {
  const Tok *t = &c->tok[k];
  gsize len = t->end - t->start, slot;
  if (len < COMMON_MIN_LEN || len > COMMON_MAX_LEN) return -1;
  return common_find(c, ix, k, common_key(c, t, len), len, &slot);
}

static inline gboolean next_is_cap_word(const Ctx *c, gsize k) {
  return k + 1 < c->n_tok && c->tok[k + 1].kind == T_WORD && (c->tok[k + 1].flags & F_CAP);
}

/* Sentence start K: a capitalised word with no capitalised word after it is a candidate;
 * SHAPES gets the shape of each new one (0). */
static void mark_common_candidate(const Ctx *c, gsize k, CommonIndex *ix, Items *starts, gint32 *shapes) {
  const Tok *t = &c->tok[k];
  if (t->kind != T_WORD || !(t->flags & F_CAP) || (t->flags & F_UPPER)) return;
  if (next_is_cap_word(c, k)) return;
  CommonStart *start = items_push(starts, sizeof(CommonStart));
  start->tok = k;
  /* a word kept out by its own flags may be spelled like a candidate: looked up at the end */
  start->word = -2;
  gsize l = t->end - t->start;
  if (t->flags & (F_INITIAL | F_PERIOD | F_POSS)) return;
  /* no candidate is that long or short, nor (the lexicon ignores case) has those flags */
  start->word = -1;
  if (l < COMMON_MIN_LEN || l > COMMON_MAX_LEN) return;
  guchar ch = (guchar)c->text[t->start];
  if (ch < 'A' || ch > 'Z') {
    start->word = -2;
    return;
  }
  if (wf(c, k) & (W_GIVEN | W_TITLE | W_PRONOUN | W_FUNC | W_DET | W_ADV | W_CUE)) return;
  guint64 key = common_key(c, t, l);
  gsize slot;
  gint32 found = common_find(c, ix, k, key, l, &slot);
  if (found >= 0) {
    start->word = found;
    return;
  }
  start->word = (gint32)ix->words->n;
  ix->slots[slot] = start->word + 1;
  shapes[t->shape] = 0;
  *(CommonWord *)items_push(ix->words, sizeof(CommonWord)) =
      (CommonWord){.tok = k, .key = key, .len = l, .state = 0, .slot = (guint32)slot};
}

/* Token T, whose shape a candidate has: when it is a word seen in lowercase, or
 * capitalised inside a sentence, the candidate spelled like it takes the state bit for
 * that (2 or 4). */
static inline void common_seen(const Ctx *c, const CommonIndex *ix, const Tok *t) {
  if (t->kind != T_WORD) return;
  if ((t->flags & F_CAP) && (t->flags & (F_SENT_START | F_UPPER))) return;
  gint32 i = common_find_tok(c, ix, (gsize)(t - c->tok));
  if (i >= 0) ITEM(ix->words, CommonWord, i).state |= (t->flags & F_CAP) ? 4u : 2u;
}

static void mark_common(const Ctx *c) {
  /* kept between documents in the scratch: SHAPES is all -1 and the index all 0 between
   * calls */
  AttrScratch *scratch = c->scratch;
  Items *starts = &scratch->common_starts; /* CommonStart: capitalised sentence starts */
  gint32 *shapes = scratch->common_shapes; /* per shape: 0 when a candidate has it, else -1 */
  starts->n = 0;
  /* the tokens with F_SENT_START: the sentences' and the blocks' first tokens, merged */
  const gsize *ss = c->scan->sent_toks.v, *bs = c->scan->block_first.v;
  gsize ns = c->scan->sent_toks.n, nb = c->scan->block_first.n;
  /* at most one candidate a start: the index at most half full */
  gsize size = 64;
  while (size < 2 * (ns + nb)) size *= 2;
  Items *index = &scratch->common_index;
  if (index->cap < size) {
    g_free(index->v);
    index->v = g_new0(gint32, size);
    index->cap = size;
  }
  CommonIndex ix = {.words = &scratch->common_words, .slots = index->v, .mask = size - 1};
  ix.words->n = 0;
  for (gsize i = 0, j = 0; i < ns || j < nb;) {
    gsize k;
    if (j >= nb || (i < ns && ss[i] < bs[j])) k = ss[i++];
    else if (i >= ns || bs[j] < ss[i]) k = bs[j++];
    else k = ss[i++], j++;
    mark_common_candidate(c, k, &ix, starts, shapes);
  }
  if (ix.words->n == 0) return;
  const Tok *tok = c->tok;
  gsize n_tok = c->n_tok;
  /* four tokens a round: most are passed by one test of their shapes (all -1, so their
   * AND is negative, when no candidate has any of them) */
  const Tok *quads_end = tok + (n_tok & ~(gsize)3);
  for (const Tok *t = tok; t < quads_end; t += 4) {
    gint32 h0 = shapes[t[0].shape], h1 = shapes[t[1].shape], h2 = shapes[t[2].shape], h3 = shapes[t[3].shape];
    if (G_LIKELY((h0 & h1 & h2 & h3) < 0)) continue;
    if (h0 >= 0) common_seen(c, &ix, t);
    if (h1 >= 0) common_seen(c, &ix, t + 1);
    if (h2 >= 0) common_seen(c, &ix, t + 2);
    if (h3 >= 0) common_seen(c, &ix, t + 3);
  }
  for (const Tok *t = quads_end; t < tok + n_tok; t++)
    if (shapes[t->shape] >= 0) common_seen(c, &ix, t);
  for (gsize i = 0; i < starts->n; i++) {
    const CommonStart *start = &ITEM(starts, CommonStart, i);
    gint32 w = start->word == -2 ? common_find_tok(c, &ix, start->tok) : start->word;
    if (w >= 0 && ITEM(ix.words, CommonWord, w).state == 2u) c->tok[start->tok].flags |= F_COMMON;
  }
  for (gsize i = 0; i < ix.words->n; i++) { /* empty the shapes and the index again */
    const CommonWord *w = &ITEM(ix.words, CommonWord, i);
    shapes[c->tok[w->tok].shape] = -1;
    ix.slots[w->slot] = 0;
  }
}

/* The surname slot for word token K: the slot of the people with that last word, or the
 * empty slot where they go (its HEAD -1; KEY and TOK set to K's).  Words are told by their
 * length and first eight bytes folded (the key, hashed), the rest compared only for longer
 * words. */
static inline SurnameSlot *surname_slot(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  gsize len = t->end - t->start;
  guint64 key = scan_tok_key(c->scan, t);
  gsize i = (gsize)(((key ^ ((guint64)len << 56)) * 0x9E3779B97F4A7C15ull) >> 20) & c->surname_mask;
  for (;;) {
    SurnameSlot *s = &c->surnames[i];
    if (s->head < 0) {
      s->key = key;
      s->tok = k;
      return s;
    }
    if (s->key == key) {
      const Tok *u = &c->tok[s->tok];
      if (u->end - u->start == len && (len <= 8 || tail_eq_fold_call(c->text + u->start, c->text + t->start, len)))
        return s;
    }
    i = (i + 1) & c->surname_mask;
  }
}

static gboolean same_first(const Ctx *c, const Person *p, gsize first) {
  /* the first word of P's name against token FIRST: equal, or one is the other's initial. */
  const char *full = p->name ? p->name : c->text + c->tok[p->nfirst].start;
  gsize fl;
  if (p->name) {
    const char *sp = strchr(full, ' ');
    fl = sp ? (gsize)(sp - full) : strlen(full);
  } else {
    gsize k = p->nfirst;
    while (k < p->nlast && !(c->tok[k + 1].flags & F_SPACE)) k++;
    fl = c->tok[k].end - c->tok[p->nfirst].start;
  }
  const char *s = c->text + c->tok[first].start;
  gsize l = c->tok[first].end - c->tok[first].start;
  if (fl == l && bytes_eq_fold(full, s, l)) return TRUE;
  gboolean ini_a = fl == 1 || (fl == 2 && full[1] == '.');
  gboolean ini_b = l == 1 || (l == 2 && s[1] == '.');
  return (ini_a || ini_b) && g_ascii_tolower(full[0]) == g_ascii_tolower(s[0]);
}

/* Two names spelt alike (case folded), as the tokens [first, last] and person P. */
static gboolean same_name(const Ctx *c, const Person *p, gsize first, gsize last) {
  if (p->name) {
    GString *s = g_string_new(NULL);
    append_tokens(c, s, first, last);
    gboolean eq = g_ascii_strcasecmp(p->name, s->str) == 0;
    g_string_free(s, TRUE);
    return eq;
  }
  if (p->nlast - p->nfirst != last - first) return FALSE;
  for (gsize i = 0; i <= last - first; i++) {
    if (!tok_eq_fold(c, p->nfirst + i, first + i)) return FALSE;
    if (i > 0 && ((c->tok[p->nfirst + i].flags ^ c->tok[first + i].flags) & F_SPACE)) return FALSE;
  }
  return TRUE;
}

/* The bytes of P's fullest name, joined as append_tokens() joins them (counted the first
 * time they are asked for). */
static gsize person_name_len(const Ctx *c, Person *p) {
  if (!p->name_len) p->name_len = tokens_len(c, p->nfirst, p->nlast);
  return p->name_len;
}

/* Registers the multi-word name [first, last]; returns its person. */
static gint register_full(Ctx *c, gsize first, gsize last, gboolean org) {
  gsize sk = surname_tok(c, first, last);
  guint8 shape = c->tok[sk].shape;
  c->surname_shapes[shape >> 6] |= 1ull << (shape & 63);
  SurnameSlot *slot = surname_slot(c, sk);
  gsize words = last - first + 1;
  gint found = -1;
  guint asked = 0;
  for (gint pi = slot->head; pi >= 0 && found < 0 && asked < SURNAME_PEOPLE; pi = person(c, pi)->next_same, asked++) {
    Person *p = person(c, pi);
    if (p->org != org) continue;
    if (org ? same_name(c, p, first, last) : same_first(c, p, first)) found = pi;
  }
  if (found < 0) {
    found = new_person_tokens(c, first, last, org);
    person(c, found)->surname = (gsize)(slot - c->surnames);
    if (slot->head < 0) {
      *slot = (SurnameSlot){.key = slot->key, .tok = slot->tok, .head = found, .first_person = -1, .recent = -1,
                            .recent_person = -1};
      *(gsize *)items_push(&c->scratch->surnames_used, sizeof(gsize)) = (gsize)(slot - c->surnames);
    } else {
      person(c, slot->tail)->next_same = found;
    }
    slot->tail = found;
    if (!org && slot->first_person < 0) slot->first_person = found;
  } else {
    Person *p = person(c, found);
    gsize len = 0; /* the bytes of [first, last], counted only to compare names of as many words */
    if (words > p->name_tokens ||
        (words == p->name_tokens && (len = tokens_len(c, first, last)) > person_name_len(c, p))) {
      p->name = NULL;
      p->nfirst = first;
      p->nlast = last;
      p->name_len = len;
      p->name_tokens = words;
    }
  }
  return found;
}

/* The person a one-word name at token K stands for: the person with that last word
 * mentioned in full most recently before, else the first such person; -1 when none. */
static gint lookup_surname(const Ctx *c, gsize k, gboolean allow_org) {
  /* a word spelt like a surname has its shape: most words are passed by theirs alone */
  guint8 shape = c->tok[k].shape;
  if (!((c->surname_shapes[shape >> 6] >> (shape & 63)) & 1)) return -1;
  if (c->tok[k].end - c->tok[k].start >= 64) return -1;
  const SurnameSlot *slot = surname_slot(c, k);
  if (slot->head < 0) return -1;
  if (allow_org) return slot->recent >= 0 ? slot->recent : slot->head;
  return slot->recent_person >= 0 ? slot->recent_person : slot->first_person;
}

/* "Republican candidate Marco Rubio"-like runs: the first word after F that is a given
 * name, in the run [f, last] of three words or more (its last word left out), else F. */
static inline gsize start_at_given(const Ctx *c, gsize f, gsize last) {
  for (gsize k = f + 1; k < last; k++)
    if (wf(c, k) & W_GIVEN) return k;
  return f;
}

/* Strips function words, titles and descriptors from the front of the capitalised run
 * [*first, last]; returns the role and gender of the last title stripped. */
static const char *strip_titles_run(const Ctx *c, gsize *first, gsize last, guint8 *gender) {
  const char *role = NULL;
  gsize f = *first;
  while (f <= last) {
    guint32 fl = wf(c, f);
    gboolean strip = FALSE;
    if ((fl & W_FUNC) && !(fl & W_GIVEN)) strip = TRUE;
    else if ((fl & (W_TITLE | W_DESCRIPTOR)) && !(fl & W_GIVEN)) {
      strip = TRUE;
      if (fl & W_TITLE) {
        role = winfo(c, f)->role;
        if (gender) {
          if ((fl & W_MALE) && !(fl & W_FEMALE)) *gender = G_MALE;
          else if ((fl & W_FEMALE) && !(fl & W_MALE)) *gender = G_FEMALE;
        }
      }
    } else if (!(c->tok[f].flags & F_CAP)) strip = TRUE; /* a connector at the front */
    /* "Mr. King", "Ms. Bishop", "Mr. Major": after an honorific, the last word of the run is
     * a surname that looks like a title (not a form of address such as "Mr. President") */
    if (strip && f == last && f > *first && (c->tok[f].flags & F_CAP) && (fl & W_TITLE) &&
        (c->tok[f - 1].flags & F_PERIOD) && (wf(c, f - 1) & W_TITLE) &&
        (tok_is(c, f - 1, "mr.") || tok_is(c, f - 1, "mrs.") || tok_is(c, f - 1, "ms.") ||
         tok_is(c, f - 1, "dr."))) {
      const char *r = winfo(c, f)->role;
      if (r && (!strcmp(r, "king") || !strcmp(r, "queen") || !strcmp(r, "general") || !strcmp(r, "reverend") ||
                !strcmp(r, "judge")))
        strip = FALSE;
    }
    if (!strip) break;
    f++;
  }
  /* a long run starts at a given name */
  if (f <= last && last - f >= 2) f = start_at_given(c, f, last);
  *first = f;
  return role;
}

/* strip_titles_run(), passing inline the runs (most of them) that start with a
 * capitalised word that is no title, descriptor or function word: nothing is stripped
 * from their front, and only a long one moves its start (to a given name).  FLAGS: wf()
 * of the first word. */
static inline const char *strip_titles_flags(const Ctx *c, gsize *first, gsize last, guint32 flags,
                                             guint8 *gender) {
  if ((c->tok[*first].flags & F_CAP) && !(flags & (W_FUNC | W_TITLE | W_DESCRIPTOR))) {
    if (last - *first >= 2) *first = start_at_given(c, *first, last);
    return NULL;
  }
  return strip_titles_run(c, first, last, gender);
}

/* strip_titles_flags() with the first word's flags looked up. */
static inline const char *strip_titles(const Ctx *c, gsize *first, gsize last, guint8 *gender) {
  return strip_titles_flags(c, first, last, wf(c, *first), gender);
}

static gboolean run_is_org(const Ctx *c, gsize first, gsize last) {
  for (gsize k = first; k <= last; k++)
    if ((wf(c, k) & W_ORG_WORD) && (c->tok[k].flags & F_CAP)) return TRUE;
  return FALSE;
}

static inline void add_mention(Ctx *c, gsize first, gsize last, gint p, const char *role,
                        CopydeskSpan *span) {
  Mention m = {.first = first, .last = last, .start = c->tok[first].start,
               .end = c->tok[last].end, .person = p, .role = role, .span = span};
  m.poss = (c->tok[last].flags & F_POSS) != 0;
  gint idx = (gint)c->mentions->n;
  *(Mention *)items_push(c->mentions, sizeof(Mention)) = m;
  for (gsize k = first; k <= last; k++)
    if (c->tok_mention[k] == 0) c->tok_mention[k] = idx + 1;
  if (p >= 0 && role) person(c, p)->role = role;
}

/* Whether mention M is a subject: at the sentence start (after function words or a
 * title), after a comma, or followed by a cue; never a possessive.  Worked out the first
 * time a pronoun asks (most mentions are never asked about). */
static gboolean mention_is_subject(const Ctx *c, Mention *m) {
  if (m->subject != SUBJECT_UNKNOWN) return m->subject == SUBJECT_YES;
  if (m->poss) {
    m->subject = SUBJECT_NO;
    return FALSE;
  }
  gsize first = m->first, last = m->last, b = first;
  while (b > 0 && !(c->tok[b].flags & F_SENT_START) && c->tok[b - 1].kind == T_WORD &&
         ((wf(c, b - 1) & (W_FUNC | W_TITLE | W_DESCRIPTOR)) || (c->tok[b - 1].flags & F_CAP)) &&
         first - b < 6)
    b--;
  gboolean subject = (c->tok[b].flags & F_SENT_START) || (b > 0 && tok_char(c, b - 1, ','));
  gsize a = last + 1;
  while (a < c->n_tok && a < last + 4 && wf_eager(c, a, W_ADV)) a++;
  if (a < c->n_tok && is_cue(c, a)) subject = TRUE;
  m->subject = subject ? SUBJECT_YES : SUBJECT_NO;
  return subject;
}

/* A one-word name at K that is the subject of a cue ("Warren said", "said Warren"):
 * a person even when it is never given in full. */
static gboolean speaks(const Ctx *c, gsize k) {
  if (c->tok[k].flags & (F_POSS | F_UPPER)) return FALSE;
  gsize a = k + 1;
  while (a < c->n_tok && a < k + 3 && wf_eager(c, a, W_ADV) && !(wf(c, a) & W_DET)) a++;
  if (a < c->n_tok && is_cue(c, a) && !(wf(c, a) & W_ACCORDING)) return TRUE;
  return k > 0 && is_cue(c, k - 1) && !(wf(c, k - 1) & W_ACCORDING) && !(c->tok[k].flags & F_SENT_START) &&
         (k + 1 >= c->n_tok || c->tok[k + 1].kind != T_WORD);
}

typedef struct {
  gsize first, last; /* the name */
  const char *role;
  guint8 gender;
  gboolean org;
  gint person; /* multi-word names: registered in the first pass */
} Run;

/* The capitalised run [FIRST, LAST] as a name: into *R (FIRST and LAST, role, gender,
 * organisation) when it is one.  Returns whether it is.  FIRST_FLAGS: wf() of FIRST. */
static inline gboolean name_of_run(const Ctx *c, gsize first, gsize last, guint32 first_flags, Run *r) {
  const Tok *tok = c->tok;
  gsize f = first;
  guint32 ff = first_flags; /* the lexicon flags of token F */
  while ((ff & (W_FUNC | W_GIVEN)) == W_FUNC) {
    if (++f > last) return FALSE;
    ff = wf(c, f);
  }
  if (((ff & W_ORG_WORD) && (tok[f].flags & F_CAP)) || run_is_org(c, f + 1, last)) {
    *r = (Run){.first = f, .last = last, .org = TRUE, .person = -1};
    return TRUE;
  }
  guint8 gender = G_UNKNOWN;
  const char *role = strip_titles_flags(c, &f, last, ff, &gender);
  if (f > last) return FALSE;
  if (!role && first > 0 && tok[first - 1].kind == T_WORD && !(tok[first - 1].flags & F_CAP) &&
      is_title(c, first - 1)) {
    /* "White House spokeswoman Jen Psaki": a lowercase title right before the name */
    gsize t = first - 1;
    role = strip_titles(c, &t, t, &gender);
  }
  if (last - f > 3) return FALSE; /* too long for a name */
  if (f == last && (tok[f].flags & (F_UPPER | F_INITIAL))) {
    /* An all-caps single word (NATO, CBS) is no person unless a title precedes it. */
    if ((tok[f].flags & F_UPPER) && !role) return FALSE;
    if (tok[f].flags & F_INITIAL) return FALSE;
  }
  *r = (Run){.first = f, .last = last, .role = role, .gender = gender, .person = -1};
  return TRUE;
}

/* The names among the capitalised runs of the text, into RUN (room for one a capitalised
 * word), in text order; returns how many, and *N_MULTI how many of them have more than
 * one word. */
static gsize find_runs(const Ctx *c, Run *run, gsize *n_multi) {
  /* runs start at capitalised words (CAPS: the tokens of kind T_WORD with F_CAP) */
  const Tok *tok = c->tok;
  gsize next = 0, n_runs = 0;
  for (const gsize *cap = c->scan->caps.v, *caps_end = cap + c->scan->caps.n; cap < caps_end; cap++) {
    gsize k = *cap;
    if (k < next) continue;
    guint32 fk = wf(c, k);
    if (!cap_name_part(tok[k].flags, fk) && !(fk & W_TITLE)) continue;
    gsize first = k, last = k;
    while (last + 1 < c->n_tok && !(tok[last].flags & F_POSS)) {
      gsize n = last + 1;
      if (tok[n].flags & (F_SENT_START | F_BLOCK_START)) break;
      if (name_part(c, n) || (is_cap_word(c, n) && (wf(c, n) & W_TITLE))) {
        last = n;
        continue;
      }
      /* de, van, bin, of inside a run */
      if (wf_eager(c, n, W_CONNECT) && n + 1 < c->n_tok && name_part(c, n + 1)) {
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
    next = last + 1;
    if (name_of_run(c, first, last, fk, &run[n_runs])) {
      *n_multi += run[n_runs].last > run[n_runs].first;
      n_runs++;
    }
  }
  return n_runs;
}

/* Finds the capitalised runs of the text and registers names (no entity layer). */
static void find_names(Ctx *c, Items *runs) {
  Run *run = items_reserve(runs, c->scan->caps.n, sizeof(Run));
  gsize n_multi = 0;
  runs->n = find_runs(c, run, &n_multi);
  /* the surname table: at most one slot per multi-word run (the one-word names look
   * people up and add none), kept under half full */
  gsize size = 16;
  while (size < 2 * n_multi + 16) size *= 2;
  Items *table = &c->scratch->surnames; /* its first SIZE slots are the pass's */
  if (table->cap < size) {
    g_free(table->v);
    table->v = g_new(SurnameSlot, size);
    table->cap = size;
    memset(table->v, 0xff, size * sizeof(SurnameSlot)); /* every HEAD -1 */
  }
  c->surnames = table->v;
  c->surname_mask = size - 1;
  c->scratch->surnames_used.n = 0;
  if (runs->n == 0) return; /* (RUN may then be NULL) */
  /* Multi-word names first, so a one-word name finds its full form wherever it is. */
  for (Run *r = run, *end = run + runs->n; r < end; r++)
    if (r->last > r->first) r->person = register_full(c, r->first, r->last, r->org);
  for (Run *r = run, *end = run + runs->n; r < end; r++) {
    gint p;
    if (r->last > r->first) {
      p = r->person;
      Person *pp = person(c, p);
      pp->last_full = c->tok[r->first].start + 1;
      SurnameSlot *slot = &c->surnames[pp->surname];
      slot->recent = p;
      if (!pp->org) slot->recent_person = p;
    } else {
      p = lookup_surname(c, r->first, r->org);
      if (p < 0 && r->org) p = new_person_tokens(c, r->first, r->last, TRUE);
      if (p < 0 && !r->role) {
        if (speaks(c, r->first)) {
          /* "Warren said": a surname alone, whatever given name it looks like */
          p = new_person_tokens(c, r->first, r->last, FALSE);
          add_mention(c, r->first, r->last, p, NULL, NULL);
          continue;
        }
        if (!gender_of_given(c, r->first)) continue; /* no name known to be one */
      }
      if (p < 0) p = new_person_tokens(c, r->first, r->last, FALSE);
    }
    Person *pp = person(c, p);
    guint8 g = r->gender ? r->gender : gender_of_given(c, r->first);
    if (g && !pp->org) pp->gender = pp->gender ? (pp->gender == g ? g : G_BOTH) : g;
    add_mention(c, r->first, r->last, p, r->role, NULL);
  }
  /* empty the slots filled (every HEAD -1 again) */
  const gsize *used = c->scratch->surnames_used.v;
  for (gsize i = 0, n = c->scratch->surnames_used.n; i < n; i++) c->surnames[used[i]].head = -1;
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
  gboolean in_order = TRUE; /* as the entities plugin writes them: no sort needed */
  for (gsize i = 0; i < n; i++) {
    CopydeskSpan *s = copydesk_layer_span(layer, i);
    if (i > 0 && copydesk_span_start(s) < copydesk_span_start(spans->pdata[i - 1])) in_order = FALSE;
    g_ptr_array_add(spans, s);
  }
  if (!in_order) g_ptr_array_sort(spans, span_cmp);
  for (guint i = 0; i < spans->len; i++) {
    CopydeskSpan *s = spans->pdata[i];
    const char *label = copydesk_span_label(s);
    if (!label) continue;
    gboolean per = label[0] == 'P' && strcmp(label, "PERSON") == 0;
    gboolean loc = label[0] == 'L' && strcmp(label, "LOC") == 0;
    gboolean org = loc || (label[0] == 'O' && strcmp(label, "ORG") == 0);
    if (!per && !org) continue;
    gsize first = tok_at(c, copydesk_span_start(s));
    if (first >= c->n_tok || c->tok[first].start >= copydesk_span_end(s)) continue;
    gsize last = first;
    while (last + 1 < c->n_tok && c->tok[last + 1].start < copydesk_span_end(s)) last++;
    const char *id = copydesk_span_get_string(s, "entity");
    const char *name = copydesk_span_get_string(s, "name");
    /* the mention's own words (up to a NUL, as a C string of them would be) */
    gsize tl;
    const char *own = copydesk_span_text(s, &tl);
    gsize own_len = strnlen(own, tl);
    gint p = -1;
    if (id) p = GPOINTER_TO_INT(g_hash_table_lookup(c->entity_ids, id)) - 1;
    if (p < 0) {
      p = name ? new_person(c, name, strlen(name), org) : new_person(c, own, own_len, org);
      if (id) {
        person(c, p)->entity = g_string_chunk_insert(c->strings, id);
        g_hash_table_insert(c->entity_ids, person(c, p)->entity, GINT_TO_POINTER(p + 1));
      }
    } else if (!name && own_len > strlen(person(c, p)->name)) {
      person(c, p)->name = g_string_chunk_insert_len(c->strings, own, (gssize)own_len);
    } else if (name && strcmp(name, person(c, p)->name) != 0 && strlen(name) > strlen(person(c, p)->name)) {
      person(c, p)->name = g_string_chunk_insert(c->strings, name);
    }
    if (loc) person(c, p)->place = TRUE;
    /* Titles inside or just before the mention give a role and a gender. */
    gsize f = first;
    guint8 g = G_UNKNOWN;
    const char *role = NULL;
    gsize b = first;
    while (b > 0 && first - b < 4 && c->tok[b - 1].kind == T_WORD && (c->tok[b - 1].flags & F_CAP) &&
           (wf(c, b - 1) & (W_TITLE | W_DESCRIPTOR)))
      b--;
    if (b < first) role = strip_titles(c, &b, first, &g);
    else if (first > 0 && c->tok[first - 1].kind == T_WORD && !(c->tok[first - 1].flags & F_CAP) &&
             is_title(c, first - 1)) {
      /* "9/11 widow Terry Strada": a lowercase title right before gives a gender only (a
       * role from it would let "the Democratic nominee" find "Republican nominee X") */
      gsize t = first - 1;
      strip_titles(c, &t, t, &g);
    }
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

/* A preposition at K: a noun phrase after it is its object, never a subject. */
static gboolean is_prep(const Ctx *c, gsize k) {
  static const char *const preps[] = {"in", "on", "at", "for", "to", "from", "by", "with", "after", "before",
                                      "since", "during", "amid", "under", "over", "about", "against", "through",
                                      "throughout", "into", "inside", "outside", "within", "without", "behind",
                                      "near", "across", "following", "upon", "toward", "towards", "among",
                                      "despite", "of", "than", "ago"};
  static WordSet preps_set;
  if (c->tok[k].kind != T_WORD || c->tok[k].end - c->tok[k].start > 10) return FALSE;
  return tok_in(c, k, &preps_set, preps, G_N_ELEMENTS(preps));
}

static NP np_name(const Ctx *c, gsize first, gsize last) {
  NP np = {.type = NP_NAME, .first = first, .last = last, .mention = -1};
  for (gsize k = last + 1; k-- > first;)
    if (mention_at(c, k) >= 0) {
      np.mention = mention_at(c, k);
      const Mention *m = &ITEM(c->mentions, Mention, np.mention);
      np.first = m->first;
      np.last = m->last;
      break;
    }
  return np;
}

static gboolean verb_like(const Ctx *c, gsize k);

/* The noun phrase starting at K (before LIMIT): a pronoun, a name, or a description. */
static NP np_forward(const Ctx *c, gsize k, gsize limit) {
  NP none = {.mention = -1};
  if (k >= limit || (c->tok[k].flags & F_IN_QUOTE)) return none;
  if (c->tok[k].kind == T_NUM) {
    /* "9/11 widow Terry Strada" */
    for (gsize j = k + 1; j < limit && j < k + 4; j++) {
      if (c->tok[j].kind != T_WORD || ((wf(c, j) & (W_FUNC | W_CUE)) && !name_part(c, j))) break;
      if (name_part(c, j)) {
        NP np = np_forward(c, j, limit);
        return np.type == NP_NAME ? np : none;
      }
    }
    return none;
  }
  if (c->tok[k].kind != T_WORD) return none;
  guint32 f = wf(c, k);
  if (is_pronoun(c, k) && !(c->tok[k].flags & F_POSS))
    return (NP){.type = NP_PRON, .first = k, .last = k, .mention = -1};
  if (c->tok[k].flags & F_COMMON) {
    /* "Another said", "Police say", "Multiple news reports reveal": a description */
    if (!common_noun(c, k)) return none; /* "Holding signs, …": a participle */
    gsize j = k + 1, end = k;
    while (j < limit && j < k + 8 && (c->tok[j].kind == T_WORD || c->tok[j].kind == T_NUM) && !is_cue(c, j) &&
           !(c->tok[j].flags & F_IN_QUOTE) && !(wf(c, j) & (W_FUNC | W_ADV)) && !verb_like(c, j) &&
           !(c->tok[j].end - c->tok[j].start > 5 && tok_ends_with(c, j, "ing"))) {
      end = j;
      if (c->tok[j].flags & F_POSS) break;
      j++;
    }
    return (NP){.type = NP_NOMINAL, .first = k, .last = end, .mention = -1};
  }
  if (name_part(c, k) || (is_cap_word(c, k) && (f & W_TITLE))) {
    gsize last = k;
    while (last + 1 < limit && !(c->tok[last].flags & F_POSS) &&
           (name_part(c, last + 1) || (is_cap_word(c, last + 1) && (wf(c, last + 1) & W_TITLE)) ||
            (wf_eager(c, last + 1, W_CONNECT) && last + 2 < limit && name_part(c, last + 2))))
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
      /* "Republican party boss Reince Priebus": descriptors, a few lowercase words, a name */
      for (gsize j = last + 1; j < limit && j < last + 4; j++) {
        if (c->tok[j].kind != T_WORD || ((wf(c, j) & (W_FUNC | W_CUE)) && !name_part(c, j))) break;
        if (name_part(c, j)) {
          NP np = np_forward(c, j, limit);
          if (np.type == NP_NAME) return np;
          break;
        }
      }
      if (role) return (NP){.type = NP_NOMINAL, .first = k, .last = last, .mention = -1};
      return none;
    }
    return np_name(c, first, last);
  }
  if ((f & W_DET) && !(c->tok[k].flags & F_CAP && (f & W_PRONOUN) && tok_is(c, k, "it"))) {
    gsize j = k + 1, end = k;
    while (j < limit && j < k + 8 && (c->tok[j].kind == T_WORD || c->tok[j].kind == T_NUM) &&
           !is_cue(c, j) &&
           !(c->tok[j].flags & F_IN_QUOTE) && !tok_is(c, j, "who") && !tok_is(c, j, "that") &&
           !tok_is(c, j, "and") && !(wf_eager(c, j, W_ADV) && !(wf(c, j) & W_SPEAKER_NOUN))) {
      end = j;
      if (c->tok[j].flags & F_POSS && j + 1 < limit && c->tok[j + 1].kind != T_WORD) break;
      j++;
    }
    if (end > k) return (NP){.type = NP_NOMINAL, .first = k, .last = end, .mention = -1};
    return none;
  }
  if (!(c->tok[k].flags & F_CAP) && !(f & (W_FUNC | W_ADV | W_CUE))) {
    /* "said pollster Frank Luntz", "nuclear experts David Albright": descriptors before a name */
    for (gsize j = k + 1; j < limit && j < k + 4; j++) {
      if (c->tok[j].kind != T_WORD || ((wf(c, j) & (W_FUNC | W_CUE)) && !name_part(c, j))) break;
      if (name_part(c, j)) {
        NP np = np_forward(c, j, limit);
        if (np.type == NP_NAME) return np;
        break;
      }
    }
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
    NP np = np_backward(c, p, floor);
    if (np.type != NP_NONE && !np.rel1) np.rel1 = e + 1;
    return np;
  }
  if ((wf(c, e) & W_FUNC) && !(wf(c, e) & (W_PRONOUN | W_GIVEN)) && !name_part(c, e)) return none;
  if (is_pronoun(c, e)) return (NP){.type = NP_PRON, .first = e, .last = e, .mention = -1};
  if (common_noun(c, e)) return (NP){.type = NP_NOMINAL, .first = e, .last = e, .mention = -1};
  /* "Protesters marching through the streets chanted": the noun before its participle */
  if (e > floor && common_noun(c, e - 1) && !(c->tok[e].flags & F_CAP) && c->tok[e].end - c->tok[e].start > 5 &&
      tok_ends_with(c, e, "ing"))
    return (NP){.type = NP_NOMINAL, .first = e - 1, .last = e - 1, .mention = -1};
  if (name_part(c, e) || (c->tok[e].flags & F_PERIOD && c->tok[e].flags & F_CAP)) {
    gsize first = e;
    while (first > floor && !(c->tok[first].flags & F_SENT_START) && !(c->tok[first - 1].flags & F_POSS) &&
           (name_part(c, first - 1) || (is_cap_word(c, first - 1) && (wf(c, first - 1) & (W_TITLE | W_DESCRIPTOR))) ||
            (wf_eager(c, first - 1, W_CONNECT) && first - 1 > floor && name_part(c, first - 2))))
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
      if (((wf(c, p) & W_DET) && !is_pronoun(c, p)) || common_noun(c, p)) {
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
  while (e > floor && wf_eager(c, e, W_ADV) && !(wf(c, e) & W_SPEAKER_NOUN) && k - e < 4) e--;
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
      if (mention_at(c, j) >= 0 || name_part(c, j)) return np_backward(c, j, floor);
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
    NP np = np_backward(c, j - 1, floor);
    /* "Clinton, during a town hall meeting in Columbus, Ohio, said": the name before the
     * comma is a place inside the appositive (after a preposition); the subject is
     * before the appositive's first comma */
    for (guint tries = 0; tries < 2 && (np.type == NP_NAME || np.type == NP_NOMINAL) && np.first > floor + 1;
         tries++) {
      gsize p = np.first - 1;
      if (is_article(c, p) && p > floor + 1) p--;
      if (!is_prep(c, p)) break;
      gsize comma = p;
      while (comma > floor && p - comma < 16 && !tok_char(c, comma, ',') &&
             !(c->tok[comma].flags & F_IN_QUOTE))
        comma--;
      if (comma <= floor || !tok_char(c, comma, ',')) break;
      NP before = np_backward(c, comma - 1, floor);
      /* "Cory James, 22, of Flint, Mich., said": an age between commas */
      if (before.type == NP_NONE && comma > floor + 3 && c->tok[comma - 1].kind == T_NUM &&
          tok_char(c, comma - 2, ','))
        before = np_backward(c, comma - 3, floor);
      if (before.type == NP_NONE) break;
      np = before;
    }
    return np;
  }
  NP np = np_backward(c, e, floor);
  /* "Trump in his announcement speech called …": a prepositional phrase between the
   * subject and its verb; the subject is the noun phrase before it */
  if ((np.type == NP_NOMINAL || np.type == NP_NAME) && !np.rel1 && np.last == e && np.first > floor + 1 &&
      is_prep(c, np.first - 1) && !tok_is(c, np.first - 1, "of") && !tok_is(c, np.first - 1, "before") &&
      !tok_is(c, np.first - 1, "after") && !tok_is(c, np.first - 1, "since") && !tok_is(c, np.first - 1, "than")) {
    NP before = np_backward(c, np.first - 2, floor);
    if (before.type == NP_NAME || before.type == NP_PRON || before.type == NP_NOMINAL) return before;
  }
  return np;
}

/* ---- Attribution ------------------------------------------------------------------ */

static gsize sent_first(const Ctx *c, gsize k) {
  return c->sent_first[c->tok[k].sent];
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
    if (mention_at(c, k) >= 0 || name_part(c, k)) {
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

/* A quotation mark at K that can open a quote: “, ‘, «, „, `` or a straight mark after a
 * space ("― Jane Doe “Next quote…”": the next quote of a list begins). */
static gboolean opening_mark(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (t->kind != T_QUOTE) return FALSE;
  switch (t->qchar) {
  case Q_LDQ: case Q_LSQ: case Q_LGUIL: case Q_LOW_D: case Q_BACKTICK2: return TRUE;
  case Q_STRAIGHT_D: return (t->flags & F_SPACE) != 0;
  default: return FALSE;
  }
}

/* Q's cue is the tokens [FIRST, LAST], its lemma FIRST's. */
static void set_cue(const Ctx *c, Quote *q, gsize first, gsize last) {
  q->cue_first = (gssize)first;
  q->cue_last = (gssize)last;
  q->lemma = winfo(c, first)->lemma;
}

static gboolean participle_cue(const Ctx *c, gsize j, gsize floor);

/* “Q,” X said / said X / according to X, right after the closing mark at CLOSE. */
static gboolean attrib_after(const Ctx *c, Quote *q, gsize close) {
  gsize i = close + 1, n = c->n_tok;
  if (i >= n || (c->tok[i].flags & F_BLOCK_START)) return FALSE;
  gboolean dash = is_dash(c, i);
  if (tok_char(c, i, ',') || dash) i++;
  if (i >= n || (c->tok[i].flags & F_BLOCK_START)) return FALSE;
  gsize limit = MIN(n, i + 30);
  for (gsize j = i; j < limit; j++)
    if (c->tok[j].flags & F_BLOCK_START || c->tok[j].kind == T_QUOTE || is_final_punct(c, j)) {
      limit = j;
      break;
    }
  if (dash) {
    /* “Q” — Jane Doe: a name alone after a dash, closing the paragraph or sentence */
    NP np = np_forward(c, i, limit);
    if (np.type == NP_NAME && np.last + 1 >= limit &&
        (limit >= n || (c->tok[limit].flags & F_BLOCK_START) || is_final_punct(c, limit) ||
         c->tok[limit].nl > 0 || opening_mark(c, limit))) {
      q->np = np;
      q->how = A_AFTER;
      return TRUE;
    }
  }
  /* Skip a short adverb: “Q,” later said X */
  gsize a = i;
  while (a < limit && a < i + 2 && wf_eager(c, a, W_ADV) && !is_pronoun(c, a) && !(wf(c, a) & W_DET)) a++;
  if (a < limit && is_cue(c, a)) {
    gboolean according = (winfo(c, a)->flags & W_ACCORDING);
    if (!according && participle_cue(c, a, i)) {
      /* "Trump defended “New York values,” saying the city …": what follows a participle
       * is no speaker; the subject of the writer's sentence before the quote is */
      gsize floor = sent_first(c, q->open_tok);
      if (q->open_tok <= floor) return FALSE;
      NP np = sentence_subject(c, floor, q->open_tok);
      if (np.type == NP_NONE) return FALSE;
      set_cue(c, q, a, a);
      q->np = np;
      q->how = A_AFTER;
      return TRUE;
    }
    gsize s = according ? a + 2 : a + 1;
    NP np = np_forward(c, s, limit);
    set_cue(c, q, a, according ? a + 1 : a);
    q->np = np;
    q->how = A_AFTER;
    return TRUE;
  }
  /* The first token must be able to start a subject. */
  const Tok *t0 = &c->tok[i];
  if (t0->kind != T_WORD) return FALSE;
  /* lowercase starts: a pronoun, an article, "former Gov. …", "pollster Frank Luntz" */
  gboolean lower_ok = !(wf(c, i) & (W_FUNC | W_ADV)) || (wf(c, i) & (W_DET | W_PRONOUN));
  if (!(t0->flags & F_CAP) && !is_pronoun(c, i) && !(wf(c, i) & (W_DET | W_SPEAKER_NOUN)) && !lower_ok)
    return FALSE;
  /* A cue within a dozen words (two dozen across an appositive). */
  guint commas = 0;
  for (gsize j = i + 1; j < limit; j++) {
    if (tok_char(c, j, ',') || is_dash(c, j)) {
      if (++commas > 3) return FALSE;
      continue;
    }
    if (c->tok[j].kind != T_WORD && c->tok[j].kind != T_NUM && !tok_char(c, j, '(') && !tok_char(c, j, ')') &&
        !(tok_char(c, j, '.') && j + 1 < limit && (tok_char(c, j + 1, ')') || tok_char(c, j + 1, ','))))
      return FALSE;
    if (j - i > (commas ? 26u : 10u)) return FALSE;
    if (!is_cue(c, j) || (winfo(c, j)->flags & W_ACCORDING)) continue;
    if (tok_is(c, j - 1, "to") || tok_is(c, j - 1, "who") || tok_is(c, j - 1, "that")) continue;
    gsize e = j;
    while (e > i + 1 && wf_eager(c, e - 1, W_ADV) && !(wf(c, e - 1) & (W_DET | W_SPEAKER_NOUN))) e--;
    if (e > i && (tok_char(c, e - 1, ',') || is_dash(c, e - 1))) e--;
    NP np = subject_between(c, i, e);
    if (np.type == NP_NONE) return FALSE;
    set_cue(c, q, j, j);
    q->np = np;
    q->how = A_AFTER;
    return TRUE;
  }
  return FALSE;
}

static gboolean circumstance(const Ctx *c, gsize from, gsize limit, gboolean audience);

/* “Q.” Trump said. — the sentence after the closing mark at CLOSE is only an
 * attribution: a speaker and a cue and at most a few words more (no clause of its own). */
static gboolean attribution_sentence(const Ctx *c, gsize close) {
  Quote tmp = {.cue_first = -1, .cue_last = -1, .np = {.mention = -1}};
  if (!attrib_after(c, &tmp, close) || tmp.cue_last < 0 || tmp.np.type == NP_NONE) return FALSE;
  /* the speaker right before or right after the cue, and nothing else before them */
  gsize cue = (gsize)tmp.cue_first;
  if (tmp.np.first > cue) {
    if (tmp.np.first != cue + 1 || cue != close + 1) return FALSE;
  } else {
    if (tmp.np.first != close + 1 || (c->tok[tmp.np.last].flags & F_POSS)) return FALSE;
    for (gsize k = tmp.np.last + 1; k < cue; k++)
      if (!wf_eager(c, k, W_ADV)) return FALSE;
  }
  gsize from = MAX((gsize)tmp.cue_last, tmp.np.last) + 1;
  if (from >= c->n_tok || is_final_punct(c, from) || (c->tok[from].flags & F_BLOCK_START)) return TRUE;
  gboolean audience = tmp.lemma && strcmp(tmp.lemma, "tell") == 0 && name_part(c, from);
  return circumstance(c, from, c->n_tok, audience);
}

/* The tokens from FROM to the end of the sentence (before LIMIT) are only a time, a place
 * or an audience ("in a statement", "on Monday", "to CNN"; AUDIENCE: any start), never a
 * clause of their own. */
static gboolean circumstance(const Ctx *c, gsize from, gsize limit, gboolean audience) {
  static const char *const preps[] = {"in", "on", "at", "during", "to", "after", "before", "via", "from",
                                      "for", "with", "of", "by", "later", "earlier", "then", "again",
                                      "afterward", "afterwards", "recently", "yesterday", "today", "tonight",
                                      "last", "this", "monday", "tuesday", "wednesday", "thursday", "friday",
                                      "saturday", "sunday", "as", "while", "when"};
  static WordSet preps_set;
  if (from >= limit || is_final_punct(c, from) || (c->tok[from].flags & F_BLOCK_START)) return TRUE;
  if (!audience && !tok_in(c, from, &preps_set, preps, G_N_ELEMENTS(preps))) return FALSE;
  guint words = 0;
  for (gsize k = from; k < limit && k < from + 14; k++) {
    if (is_final_punct(c, k) || (c->tok[k].flags & F_BLOCK_START)) return words <= 8;
    if (c->tok[k].kind == T_QUOTE || tok_is(c, k, "that")) return FALSE;
    if (c->tok[k].kind == T_WORD) words++;
  }
  return limit <= from + 14 && words <= 8;
}

static gboolean ed_verb(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  gsize l = t->end - t->start;
  return t->kind == T_WORD && !(t->flags & F_CAP) && l >= 5 && winfo(c, k) == &lexicon_none &&
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
    if (is_cue(c, a) && (wf(c, a) & W_CUE_INDIRECT) && !(winfo(c, a)->flags & W_ACCORDING)) {
      NP sp = np_forward(c, a + 1, limit);
      if (sp.type != NP_NONE && limit - sp.last <= 6) {
        set_cue(c, q, a, a);
        q->np = sp;
        q->how = A_AFTER;
        return TRUE;
      }
    }
    NP sp = np_forward(c, a, limit);
    if (sp.type == NP_NONE) continue;
    gsize m = sp.last + 1;
    while (m < limit && wf_eager(c, m, W_ADV) && !(wf(c, m) & W_DET)) m++;
    /* the cue closes the sentence, or only a participle clause follows (", referencing …") */
    gboolean closes = limit - m <= 6 || (m + 2 < limit && tok_char(c, m + 1, ','));
    if (m < limit && is_cue(c, m) && (wf(c, m) & W_CUE_INDIRECT) && closes &&
        !(winfo(c, m)->flags & W_ACCORDING)) {
      set_cue(c, q, m, m);
      q->np = sp;
      q->how = A_AFTER;
      return TRUE;
    }
  }
  return FALSE;
}

/* A word that reads as a finite verb or an auxiliary after a subject. */
static gboolean verb_like(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  if (t->kind != T_WORD || (t->flags & F_CAP)) return FALSE;
  static const char *const aux[] = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "did",
                                     "does", "do", "can", "could", "should", "may", "might", "must"};
  static WordSet aux_set;
  if (tok_in(c, k, &aux_set, aux, G_N_ELEMENTS(aux))) return TRUE;
  if (is_cue(c, k)) return TRUE;
  if (wf(c, k) & (W_FUNC | W_DET | W_PRONOUN | W_SPEAKER_NOUN | W_ORG_NOUN)) return FALSE;
  gsize l = t->end - t->start;
  const char *w = c->text + t->start;
  if (l >= 4 && ((w[l - 1] == 'd' && w[l - 2] == 'e') || (w[l - 1] == 's' && w[l - 2] != 's'))) return TRUE;
  static const char *const irregular[] = {
      "went", "came", "took", "made", "gave", "got", "saw", "knew", "felt", "left", "began", "kept", "held",
      "brought", "ran", "sent", "stood", "won", "lost", "met", "paid", "sat", "led", "heard", "became", "fell",
      "grew", "drew", "chose", "threw", "broke", "rose", "sought", "fought", "taught", "caught", "bought",
      "spent", "built", "meant", "struck", "hit", "cut", "quit", "set", "put", "let", "took", "wore", "hid",
      "shook", "woke", "swore", "spoke", "wrote", "told", "said", "thought", "found", "gets", "goes", "has",
      "cast", "dealt", "fled", "laid", "lent", "sold", "slid", "swept", "withdrew", "forgot", "shot", "slept",
      "fed", "hung", "understood", "oversaw", "upheld", "withheld", "overtook", "undertook", "forgave", "sank",
      "sang", "rang", "bent", "spun", "sprang", "stole", "froze", "drove", "flew", "rode", "wound"};
  for (guint i = 0; i < G_N_ELEMENTS(irregular); i++)
    if (tok_is(c, k, irregular[i])) return TRUE;
  return FALSE;
}

static NP first_np(const Ctx *c, gsize floor, gsize end);

/* The subject of the sentence starting at FLOOR, before END: the first noun phrase
 * (at the start, or after an introductory phrase's comma) that a verb follows; else the
 * first noun phrase. */
/* Past a dateline at FLOOR ("NEW YORK -", "MANCHESTER, N.H. —"): capitals up to a dash. */
static gsize skip_dateline(const Ctx *c, gsize floor, gsize end) {
  gsize k = floor;
  while (k < end && k < floor + 8 &&
         ((c->tok[k].kind == T_WORD && (c->tok[k].flags & (F_UPPER | F_INITIAL))) || tok_char(c, k, ',')))
    k++;
  if (k > floor && k + 1 < end && is_dash(c, k) && (c->tok[floor].flags & F_UPPER)) return k + 1;
  return floor;
}

/* A lowercase word of five letters or more in -ly (routinely, repeatedly): an adverb. */
static gboolean ly_adverb(const Ctx *c, gsize k) {
  const Tok *t = &c->tok[k];
  gsize l = t->end - t->start;
  return t->kind == T_WORD && !(t->flags & F_CAP) && l >= 5 && c->text[t->end - 1] == 'y' &&
         c->text[t->end - 2] == 'l';
}

/* The subject of the sentence starting at FLOOR, before token END: the first noun phrase
 * after leading function words or an introductory phrase ending in a comma. */
static NP sentence_subject(const Ctx *c, gsize floor, gsize end) {
  floor = skip_dateline(c, floor, end);
  gsize k = floor;
  if (k < end) {
    /* "When Sanders accused her, she said": a subordinate clause first, then the subject */
    if (subord_word(c, k)) {
      gsize j = k + 1;
      while (j < end && j < k + 30 && !tok_char(c, j, ',')) j++;
      if (j < end && tok_char(c, j, ',')) k = j + 1;
    }
  }
  for (guint pass = 0; pass < 4 && k < end; pass++) {
    while (k < end && c->tok[k].kind == T_WORD && (wf(c, k) & W_FUNC) && !(wf(c, k) & (W_DET | W_PRONOUN)) &&
           !name_part(c, k))
      k++;
    NP np = np_forward(c, k, end);
    if (np.type != NP_NONE && !(c->tok[np.last].flags & F_POSS)) {
      gsize a = np.last + 1;
      if (a < end && tok_char(c, a, ',') && a + 1 < end &&
          (!(c->tok[a + 1].flags & F_CAP) || (wf(c, a + 1) & W_DET))) {
        /* an appositive: "Trump, the nominee, said" */
        gsize b = a + 1;
        while (b < end && b < a + 16 && !tok_char(c, b, ',')) b++;
        if (b < end && tok_char(c, b, ',')) a = b + 1;
      }
      /* adverbs between: "Trump also said", "he then called", "Fiorina routinely
       * characterizes" */
      while (a < end && a < np.last + 4 && (wf_eager(c, a, W_ADV) || ly_adverb(c, a)) && !verb_like(c, a)) a++;
      if (a < end && verb_like(c, a)) return np;
    }
    gsize j = k;
    while (j < end && j < k + 12 && !tok_char(c, j, ',') && !is_dash(c, j)) j++;
    if (j >= end || !(tok_char(c, j, ',') || is_dash(c, j))) break;
    k = j + 1;
  }
  return first_np(c, floor, end);
}

/* The first noun phrase of the sentence at FLOOR, after leading function words or an
 * introductory phrase ending in a comma. */
static NP first_np(const Ctx *c, gsize floor, gsize end) {
  NP object = {.mention = -1}; /* the object of a leading preposition, the last resort */
  gsize k = skip_dateline(c, floor, end);
  for (guint pass = 0; pass < 4 && k < end; pass++) {
    gboolean prep = FALSE;
    while (k < end && c->tok[k].kind == T_WORD && (wf(c, k) & W_FUNC) && !(wf(c, k) & (W_DET | W_PRONOUN)) &&
           !name_part(c, k)) {
      prep |= is_prep(c, k);
      k++;
    }
    NP np = np_forward(c, k, end);
    /* "At a Trump rally in Birmingham, Alabama, …": the object of an introductory phrase,
     * and a place name after it between commas */
    if (np.type == NP_NAME && !prep && object.type != NP_NONE && np.last + 1 < end && tok_char(c, np.last + 1, ',') &&
        np.last - np.first < 2 && tok_char(c, k - 1, ','))
      prep = TRUE;
    if (np.type != NP_NONE && !prep) return np;
    if (np.type != NP_NONE && object.type == NP_NONE) object = np;
    if (pass >= 1 && !prep && object.type != NP_NONE) return object;
    /* skip an introductory phrase up to its comma */
    gsize j = k;
    while (j < end && j < k + 10 && !tok_char(c, j, ',')) j++;
    if (j >= end || !tok_char(c, j, ',')) return object;
    k = j + 1;
  }
  return object;
}

/* "…, with Trump reportedly yelling: “Q”": the noun phrase between "with" and the
 * participle at J (not before FLOOR) is the participle's own subject. */
static NP absolute_subject(const Ctx *c, gsize j, gsize floor) {
  NP none = {.mention = -1};
  gsize l = c->tok[j].end - c->tok[j].start;
  if (l < 5 || !tok_ends_with(c, j, "ing")) return none;
  gsize e = j;
  while (e > floor + 1 && j - e < 3 && (wf_eager(c, e - 1, W_ADV) || ly_adverb(c, e - 1))) e--;
  if (e <= floor + 1) return none;
  NP np = np_backward(c, e - 1, floor);
  if (np.type == NP_NONE || np.rel1 || np.first <= floor || !tok_is(c, np.first - 1, "with")) return none;
  return np;
}

/* X said: “Q” / X called it “Q” — a cue earlier in the sentence, from E back to FLOOR. */
static gboolean participle_cue(const Ctx *c, gsize j, gsize floor) {
  gsize l = c->tok[j].end - c->tok[j].start;
  if (l < 4 || !tok_ends_with(c, j, "ing")) return FALSE;
  /* after a comma, also one inside the quote before it: “… values,” saying */
  if (j == floor || tok_char(c, j - 1, ',') || (c->tok[j - 1].kind == T_QUOTE && j > 1 && tok_char(c, j - 2, ',')) ||
      tok_is(c, j - 1, "while") || tok_is(c, j - 1, "before") ||
      tok_is(c, j - 1, "after") || tok_is(c, j - 1, "by") || tok_is(c, j - 1, "when") || is_dash(c, j - 1))
    return TRUE;
  /* "Trump issued a statement saying …", "started out their debate saying": after the
   * verb's object, not after an auxiliary ("is saying") or a subject ("she saying") */
  const Tok *p = &c->tok[j - 1];
  if (p->kind != T_WORD || (p->flags & (F_CAP | F_POSS)) || is_pronoun(c, j - 1) || is_cue(c, j - 1)) return FALSE;
  static const char *const aux[] = {"is", "are", "was", "were", "be", "been", "am", "being", "that", "who",
                                    "which", "and", "or", "not", "also", "keep", "keeps", "kept", "start",
                                    "started", "stop", "stopped", "began", "begin", "continue", "continued"};
  static WordSet aux_set;
  if (tok_in(c, j - 1, &aux_set, aux, G_N_ELEMENTS(aux))) return FALSE;
  if (wf(c, j - 1) & (W_FUNC | W_ADV)) return FALSE;
  /* an object before it: a determiner within a few words back */
  for (gsize k = j - 1; k > floor && j - k < 6; k--)
    if (is_article(c, k - 1) || (wf(c, k - 1) & W_DET)) {
      /* "with one of her ads asking": the noun phrase is the participle's own subject */
      for (gsize w = k - 1; w > floor && k - w < 4; w--)
        if (tok_is(c, w - 1, "with")) return FALSE;
      return TRUE;
    }
  return FALSE;
}

static gboolean attrib_before_inner(const Ctx *c, Quote *q, gsize e, gsize floor);

/* A preposition that opens an introductory phrase ("In a statement, …"). */
static gboolean intro_word(const Ctx *c, gsize k) {
  static const char *const preps[] = {"in", "on", "at", "during", "after", "before", "following", "from",
                                      "with", "for", "under", "amid", "through", "throughout", "since"};
  static WordSet preps_set;
  return tok_in(c, k, &preps_set, preps, G_N_ELEMENTS(preps));
}

/* X said: “Q” / X called it “Q” — a cue earlier in the sentence, from E back to FLOOR.
 * "Cruz railed against what he calls the “Washington cartel”": a relative "what X
 * calls" names its source again; the quote belongs to the sentence's subject. */
static gboolean attrib_before(const Ctx *c, Quote *q, gsize e, gsize floor) {
  if (!attrib_before_inner(c, q, e, floor)) return FALSE;
  if (q->np.type != NP_NONE && q->cue_first >= 0 && q->np.first > floor &&
      (gsize)q->cue_first > q->np.last &&
      tok_is(c, q->np.first - 1, "what") && (q->np.type == NP_PRON)) {
    gsize lo = q->np.first - 1;
    while (lo > floor && !(c->tok[lo - 1].flags & F_IN_QUOTE) && !(c->tok[lo].flags & F_SENT_START)) lo--;
    NP np = sentence_subject(c, lo, q->np.first - 1);
    if (np.type != NP_NONE && np.first < q->np.first - 1) q->np = np;
  }
  return TRUE;
}

/* "Graham, who says allies should send troops, tweeted that the strategy “Q”": the cue at
 * FROM is inside a relative clause set off by commas; when the main clause goes on after
 * the closing comma with a cue of its own before the quote at E, the quote is the main
 * clause's, and its speaker the relative's antecedent (Q->np without the relative). */
static gboolean main_after_relative(const Ctx *c, Quote *q, gsize from, gsize e) {
  if (q->np.rel1 < 2 || !tok_char(c, q->np.rel1 - 2, ',')) return FALSE;
  for (gsize k = from + 1; k < e; k++) {
    if (c->tok[k].flags & F_IN_QUOTE) return FALSE;
    if (!tok_char(c, k, ',')) continue;
    gsize a = k + 1;
    while (a < e && a < k + 4 && wf_eager(c, a, W_ADV) && !verb_like(c, a)) a++;
    if (a > e || !verb_like(c, a)) continue;
    for (gsize m = a; m <= e; m++) {
      if (c->tok[m].flags & F_IN_QUOTE) return FALSE;
      if (!is_cue(c, m) || (winfo(c, m)->flags & W_ACCORDING)) continue;
      set_cue(c, q, m, m);
      q->np.rel1 = 0;
      return TRUE;
    }
    return FALSE;
  }
  return FALSE;
}

/* A word that opens a clause of its own after a comma or dash ("…, although he tweeted"). */
static gboolean clause_word(const Ctx *c, gsize k) {
  static const char *const words[] = {"although", "though", "but", "when", "which", "while", "where",
                                      "whereas", "because", "as", "and", "since", "who", "whom"};
  static WordSet words_set;
  if (c->tok[k].kind != T_WORD) return FALSE;
  return tok_in(c, k, &words_set, words, G_N_ELEMENTS(words));
}

/* "Netanyahu said he would go ahead, although he tweeted that he “Q”": after the
 * sentence's leftmost attribution (cue FROM) a clause of its own (a comma, dash or
 * semicolon and a word such as although, but, when, which) with a cue and a subject of its
 * own, before the quote at E, is the attribution of record; Q takes it when there is one. */
static void later_clause(const Ctx *c, Quote *q, gsize from, gsize e) {
  for (gsize k = e; k > from + 1; k--) {
    gsize p = k - 1; /* the punctuation; K the first word of the clause */
    if (c->tok[p].flags & F_IN_QUOTE) return;
    if (!((tok_char(c, p, ',') || is_dash(c, p)) && clause_word(c, k)) && !tok_char(c, p, ';')) continue;
    /* "went on to say that, because …": inside the complement of the cue */
    if (p > 0 && tok_is(c, p - 1, "that")) continue;
    /* "- as Rubio has said -": a parenthesis closed before the quote */
    gboolean closed = FALSE;
    if (is_dash(c, p))
      for (gsize j = k; j < e && !closed; j++) closed = is_dash(c, j);
    if (closed) continue;
    for (gsize j = k; j <= e; j++) {
      if (c->tok[j].flags & F_IN_QUOTE) break;
      if (!is_cue(c, j) || (winfo(c, j)->flags & W_ACCORDING) || participle_cue(c, j, k)) continue;
      NP np = subject_of(c, j, k);
      if (np.type == NP_NONE || np.first < k) continue;
      set_cue(c, q, j, j);
      q->np = np;
      return;
    }
  }
}

static gboolean attrib_before_inner(const Ctx *c, Quote *q, gsize e, gsize floor) {
  gssize fallback = -1;
  if (tok_char(c, e, ':') && e > floor) {
    /* "…, Rubio fired back forcefully: “Q”": the clause before the colon ("A HEADLINE -
     * Jane Doe: “Q”": after the dash) */
    gsize from = e;
    while (from > floor && !tok_char(c, from - 1, ',') && !is_dash(c, from - 1) &&
           !(c->tok[from - 1].flags & F_IN_QUOTE) && e - from < 20)
      from--;
    gboolean has_cue = FALSE;
    for (gsize j = from; j < e; j++) has_cue |= is_cue(c, j);
    if (!has_cue) {
      NP np = sentence_subject(c, from, e);
      if (np.type == NP_NAME || np.type == NP_PRON) {
        q->np = np;
        q->how = A_BEFORE;
        return TRUE;
      }
    }
  }
  guint tries = 0;
  gsize stop = e > WINDOW ? e - WINDOW : 0;
  if (floor < stop) floor = stop;
  if (!(c->tok[q->open_tok].flags & F_SENT_START) && c->tok[e].kind == T_WORD) {
    /* the outermost attribution: the leftmost cue of the sentence with a subject */
    gsize lo = e + 1;
    while (lo > floor && !(c->tok[lo - 1].flags & F_IN_QUOTE)) lo--;
    /* but a parenthetical one comes first: "Cost estimates, he added, were “Q”" */
    for (gsize j = lo + 2; j < e; j++) {
      if (!tok_char(c, j + 1, ',') || !is_cue(c, j) || (wf(c, j) & W_ACCORDING)) continue;
      NP np = np_backward(c, j - 1, lo);
      if (np.type == NP_NONE || np.first == 0 || np.first <= lo || !tok_char(c, np.first - 1, ',')) continue;
      set_cue(c, q, j, j);
      q->np = np;
      q->how = A_BEFORE;
      return TRUE;
    }
    /* "In a Facebook message posted Friday, Cruz said …": not a cue of the sentence */
    gsize intro_end = lo;
    if (lo <= e && c->tok[lo].kind == T_WORD && intro_word(c, lo)) {
      gsize j = lo + 1;
      while (j <= e && j < lo + 16 && !tok_char(c, j, ',')) j++;
      if (j <= e && tok_char(c, j, ',')) intro_end = j + 1;
    } else if (lo <= e && c->tok[lo].kind == T_WORD && subord_word(c, lo)) {
      /* "While not everything Trump says is true, Jamieson said …": a subordinate clause
       * first; its cue is not the sentence's, when the main clause has one */
      gsize j = lo + 1;
      while (j <= e && j < lo + 30 && !tok_char(c, j, ',')) j++;
      gboolean main_cue = FALSE;
      for (gsize k = j + 1; k <= e && !main_cue; k++) main_cue = is_cue(c, k) && !(wf(c, k) & W_ACCORDING);
      if (j <= e && tok_char(c, j, ',') && main_cue) intro_end = j + 1;
    }
    for (gsize j = intro_end; j <= e; j++) {
      if (!is_cue(c, j) || (winfo(c, j)->flags & W_ACCORDING)) continue;
      if (participle_cue(c, j, lo)) {
        NP np = absolute_subject(c, j, lo);
        if (np.type == NP_NONE) np = sentence_subject(c, lo, j);
        if (np.type != NP_NONE) {
          set_cue(c, q, j, j);
          q->np = np;
          q->how = A_BEFORE;
          later_clause(c, q, j, e);
          return TRUE;
        }
        continue;
      }
      NP np = subject_of(c, j, lo);
      if (np.type != NP_NONE) {
        set_cue(c, q, j, j);
        q->np = np;
        q->how = A_BEFORE;
        if (np.rel1 && main_after_relative(c, q, j, e)) return TRUE;
        later_clause(c, q, j, e);
        return TRUE;
      }
    }
  }
  for (gsize j = e + 1; j-- > floor;) {
    if (c->tok[j].flags & F_IN_QUOTE) break;
    if (!is_cue(c, j)) continue;
    if ((winfo(c, j)->flags & W_ACCORDING)) {
      NP np = np_forward(c, j + 2, e + 1);
      if (np.type != NP_NONE) {
        set_cue(c, q, j, j + 1);
        q->np = np;
        q->how = A_BEFORE;
        return TRUE;
      }
      continue;
    }
    gboolean participle = participle_cue(c, j, floor);
    NP np = absolute_subject(c, j, floor);
    if (np.type != NP_NONE) {
      /* with X V-ing */
    } else if (participle) {
      /* "“A,” Sanders said, suggesting questions, including, “B”": the subject of the
       * clause after the last quote before the participle */
      gsize lo = j;
      while (lo > floor && !(c->tok[lo - 1].flags & F_IN_QUOTE)) lo--;
      if (lo > floor && c->tok[lo].kind == T_QUOTE) lo++;
      np = sentence_subject(c, lo, j);
      if (np.type == NP_NONE && lo > floor) np = sentence_subject(c, floor, j);
    } else {
      np = subject_of(c, j, floor);
    }
    /* “A,” said X, “B” — the speaker follows the cue (not after a participle: “A,”
     * saying the city …) */
    if (np.type == NP_NONE && !participle && j > floor &&
        (c->tok[j - 1].kind == T_QUOTE || (tok_char(c, j - 1, ',') && j - 1 > floor && c->tok[j - 2].kind == T_QUOTE)))
      np = np_forward(c, j + 1, e + 1);
    /* "Said Dorothy Poynter: “Q”", "…, explained Rosenberg, “Q”": the speaker between the
     * cue and the quote */
    if (np.type == NP_NONE && !participle && (j == floor || tok_char(c, j - 1, ',')) &&
        (tok_char(c, e, ',') || tok_char(c, e, ':'))) {
      NP after = np_forward(c, j + 1, e + 1);
      if (after.type == NP_NAME || after.type == NP_NOMINAL) {
        gsize k = after.last + 1;
        /* up to the punctuation before the quote, maybe across an appositive */
        if (k == e || (tok_char(c, k, ',') && e - k < 20)) np = after;
      }
    }
    if (np.type != NP_NONE) {
      gsize cue = fallback >= 0 ? (gsize)fallback : j;
      set_cue(c, q, cue, cue);
      q->np = np;
      q->how = A_BEFORE;
      return TRUE;
    }
    if (fallback < 0) fallback = (gssize)j;
    if (++tries >= 3) break;
  }
  if (fallback >= 0) {
    set_cue(c, q, (gsize)fallback, (gsize)fallback);
    q->how = A_BEFORE;
    /* "Putin veered close to an admission, saying, “Q”": the sentence's subject */
    q->np = sentence_subject(c, floor, (gsize)fallback);
    return TRUE;
  }
  /* "From the report: “Q”" — a noun phrase and a colon, no verb */
  if (tok_char(c, e, ':') && e > floor) {
    NP np = np_backward(c, e - 1, floor);
    if (np.type == NP_NAME || np.type == NP_NOMINAL) {
      /* "Hoff's letter makes a libertarian-style case: “Q”": the noun phrase before the
       * colon is an object when a subject and its verb come before it */
      NP sn = sentence_subject(c, floor, np.first);
      if (sn.type != NP_NONE && sn.last + 1 < np.first && !(c->tok[sn.last].flags & F_POSS) &&
          !tok_is(c, np.first - 1, "by") && !is_dash(c, np.first - 1)) {
        gsize a = sn.last + 1;
        while (a < np.first && wf_eager(c, a, W_ADV) && !verb_like(c, a)) a++;
        if (a < np.first && verb_like(c, a)) np = sn;
      }
      q->np = np;
      q->how = A_BEFORE;
      return TRUE;
    }
    /* "Kasich resisted: “Q”" — a short clause and a colon: its subject */
    if (e - floor <= 14) {
      np = sentence_subject(c, floor, e);
      if (np.type == NP_NAME || np.type == NP_PRON || (np.type == NP_NOMINAL && common_noun(c, np.first))) {
        q->np = np;
        q->how = A_BEFORE;
        return TRUE;
      }
    }
  }
  return FALSE;
}

/* "“Q,” Sanders said, according to CNN" / "According to pool reports, Obama said “Q”": the
 * source the writer cites for the attribution is the speaker of record. */
static void according_override(const Ctx *c, Quote *q) {
  gsize at = q->cue_first >= 0 ? (gsize)q->cue_first : q->np.type != NP_NONE ? q->np.first : q->open_tok;
  gsize s0 = sent_first(c, at);
  guint32 sent = c->tok[at].sent;
  if (!(ITEM(&c->scan->sent_flags, guint8, sent) & SF_ACCORDING)) return;
  for (gsize j = s0; j + 2 < c->n_tok && c->tok[j].sent == sent && j < s0 + 80; j++) {
    if ((c->text[c->tok[j].start] | 0x20) != 'a' || c->tok[j].end - c->tok[j].start != 9) continue;
    if ((c->tok[j].flags & F_IN_QUOTE) || !is_cue(c, j) || !(wf(c, j) & W_ACCORDING)) continue;
    if ((gssize)j == q->cue_first) return;
    gsize end = j + 2;
    while (end < c->n_tok && c->tok[end].sent == sent && end < j + 24) end++;
    NP np = np_forward(c, j + 2, end);
    if (np.type == NP_NONE && j + 2 < end && c->tok[j + 2].kind == T_WORD && !(wf(c, j + 2) & (W_FUNC | W_CUE)))
      /* "according to excerpts of his speech": a bare noun */
      np = (NP){.type = NP_NOMINAL, .first = j + 2, .last = j + 2, .mention = -1};
    if (np.type == NP_NONE) return;
    q->np = np;
    set_cue(c, q, j, j + 1);
    return;
  }
}

/* "Fundraising was “stagnant for about a month” as donors waited, he said.": a quote inside
 * the writer's sentence with no cue before it, and the sentence closing with ", X said." */
static void closing_attribution(const Ctx *c, Quote *q) {
  guint32 sent = c->tok[q->close_tok].sent;
  gsize z = q->close_tok + 1;
  while (z < c->n_tok && c->tok[z].sent == sent && !(c->tok[z].flags & F_BLOCK_START) && z < q->close_tok + 60 &&
         !is_final_punct(c, z))
    z++;
  if (z >= c->n_tok || !is_final_punct(c, z) || z < q->close_tok + 3 || (c->tok[z].flags & F_IN_QUOTE)) return;
  gsize k = z - 1;
  if (!is_cue(c, k) || (wf(c, k) & W_ACCORDING)) return;
  NP np = subject_of(c, k, q->close_tok + 1);
  if (np.type == NP_NONE || np.first == 0 || !tok_char(c, np.first - 1, ',')) return;
  q->np = np;
  set_cue(c, q, k, k);
  q->how = A_AFTER;
}

/* "Trump welcomed the news, saying Kasich was “doing the right thing,” CNN reported.": a
 * source and "reported" closing the sentence after the quote is the speaker of record. */
static void reported_override(const Ctx *c, Quote *q) {
  guint32 sent = c->tok[q->close_tok].sent;
  gsize k = q->close_tok + 1;
  while (k < c->n_tok && c->tok[k].sent == sent && !(c->tok[k].flags & F_BLOCK_START) && k < q->close_tok + 60) {
    if (c->tok[k].kind == T_QUOTE) return;
    if (is_cue(c, k) && winfo(c, k)->lemma && strcmp(winfo(c, k)->lemma, "report") == 0 &&
        k + 1 < c->n_tok && (is_final_punct(c, k + 1) || (c->tok[k + 1].flags & F_BLOCK_START))) {
      NP np = np_backward(c, k - 1, q->close_tok + 1);
      if (np.type == NP_NONE || np.first == 0 || !(tok_char(c, np.first - 1, ',') || np.first - 1 == q->close_tok))
        return;
      q->np = np;
      set_cue(c, q, k, k);
      return;
    }
    k++;
  }
}

/* ---- Classification --------------------------------------------------------------- */

/* The words and numbers among the tokens [first, last], counted up to MAX (the callers
 * only compare the count with small numbers: a long quote is not counted through). */
static guint count_words(const Ctx *c, gsize first, gsize last, guint max) {
  guint n = 0;
  gsize end = MIN(last, c->n_tok - 1);
  for (gsize k = first; k <= end; k++)
    if (c->tok[k].kind <= T_NUM && ++n >= max) break; /* T_WORD or T_NUM */
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
  guint nw = count_words(c, first, last, 9); /* compared with 8 at most */
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
  /* a title right after a possessive, "of", "titled" or a title word ("CBS’s “Face the
   * Nation,”", "episode of “…”"), whatever attribution follows */
  gboolean title_before = has_before && (c->tok[before - 1].flags & F_POSS || tok_is(c, before - 1, "of") ||
                                         (wf(c, before - 1) & (W_TITLE_CTX | W_SCARE)));
  if (title_before && !sent_break && nw <= 8 && title_case(c, first, last)) {
    q->keep = FALSE;
    q->reason = "title: after a possessive, of, or a word such as show or book";
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
  if (q->how == A_SUBJECT) {
    q->confidence = MIN(q->confidence, 0.55);
    q->reason = "no cue: the subject of the sentence around the quote";
  }
}

/* ---- Resolving speakers ----------------------------------------------------------- */

static gboolean compatible(const Person *p, guint32 pron) {
  if (pron & W_PRON_M) return !p->org && p->gender != G_FEMALE;
  if (pron & W_PRON_F) return !p->org && p->gender != G_MALE;
  if (pron & W_PRON_IT) return p->org;
  if (pron & W_PRON_PL) return p->org && !p->place;
  return FALSE;
}

static gint mention_before(const Ctx *c, gsize pos) {
  /* last mention starting before token POS */
  gint lo = 0, hi = (gint)c->mentions->n;
  while (lo < hi) {
    gint mid = (lo + hi) / 2;
    if (ITEM(c->mentions, Mention, mid).first < pos) lo = mid + 1;
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
  for (guint i = c->events->n, seen = 0; i-- > 0 && seen < 20; seen++) {
    const Event *e = &ITEM(c->events, Event, i);
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
    Mention *m = &ITEM(c->mentions, Mention, mi);
    if (block - c->tok[m->first].block > BLOCKS_BACK) break;
    if (m->person < 0 || m->poss) continue;
    if (m->first <= k && k <= m->last) continue;
    if (!compatible(person(c, m->person), pron)) continue;
    if (any < 0) any = m->person;
    if (mention_is_subject(c, m)) {
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

/* Whether the organisation P fits the description NP: a capitalised word inside it ("the
 * Clinton campaign", "the Trump team") must be in P's name, and so must a head that names
 * someone's own organisation ("the campaign" is no newspaper or agency named before). */
static gboolean org_fits(const Ctx *c, const NP *np, const Person *p) {
  const char *name = person_name(c, (gint)(p - person(c, 0)));
  if (!name) return FALSE;
  for (gsize k = np->first + 1; k <= np->last; k++) {
    gboolean head = k == np->last && (tok_is(c, k, "campaign") || tok_is(c, k, "team"));
    if (!head && !(k < np->last && (c->tok[k].flags & F_CAP) && c->tok[k].kind == T_WORD)) continue;
    gsize l = c->tok[k].end - c->tok[k].start;
    gboolean found = FALSE;
    for (const char *h = name; *h && !found; h++)
      found = g_ascii_strncasecmp(h, c->text + c->tok[k].start, l) == 0;
    if (!found) return FALSE;
  }
  return TRUE;
}

/* The person a description such as "the senator" or "the company" stands for, or -1. */
static gint resolve_nominal(Ctx *c, const NP *np) {
  gsize head = np->last;
  /* "the Chicago Police Department": the organisation the description itself names */
  if (mention_at(c, head) >= 0) {
    const Mention *m = &ITEM(c->mentions, Mention, mention_at(c, head));
    gboolean plain = m->first >= np->first && m->first - np->first <= 3;
    for (gsize k = np->first; plain && k < m->first; k++)
      plain = c->tok[k].kind == T_WORD && !is_prep(c, k) && !(c->tok[k].flags & F_POSS) && !verb_like(c, k) &&
              (k == np->first || !(c->tok[k].flags & F_CAP));
    if (plain && m->person >= 0 && person(c, m->person)->org) return m->person;
  }
  const WordInfo *info = winfo(c, head);
  gboolean org = info && (info->flags & W_ORG_NOUN) && !(info->flags & (W_TITLE));
  const char *role = info && (info->flags & W_TITLE) ? info->role : NULL;
  if (!role && !(org && c->have_entities)) return -1;
  /* "the senator", "the Florida senator", "a White House spokeswoman" (when the article
   * named a spokeswoman before) */
  gboolean indefinite = tok_is(c, np->first, "a") || tok_is(c, np->first, "an");
  if (!(tok_is(c, np->first, "the") || indefinite || (np->first == np->last))) return -1;
  if (indefinite && !role) return -1;
  if (np->last - np->first > 3) return -1;
  guint32 block = c->tok[np->first].block;
  gint mi = mention_before(c, np->first);
  for (guint seen = 0; mi >= 0 && seen < MAX_BACK; mi--, seen++) {
    const Mention *m = &ITEM(c->mentions, Mention, mi);
    if (block - c->tok[m->first].block > BLOCKS_BACK + 2) break;
    if (m->person < 0) continue;
    const Person *p = person(c, m->person);
    if (role && !p->org && (m->role == role || p->role == role)) return m->person;
    if (!role && org && p->org && m->span && g_strcmp0(copydesk_span_label(m->span), "ORG") == 0 &&
        org_fits(c, np, p))
      return m->person;
  }
  return -1;
}

static gint resolve_np(Ctx *c, const NP *np) {
  switch (np->type) {
  case NP_NAME:
    if (np->mention >= 0) return ITEM(c->mentions, Mention, np->mention).person;
    return -1;
  case NP_PRON: return resolve_pronoun(c, np->first);
  case NP_NOMINAL: return resolve_nominal(c, np);
  default: return -1;
  }
}

/* ---- Indirect speech ---------------------------------------------------------------- */

/* A finite form of a cue (said, says, argued), not a base form, participle or noun. */
static gboolean finite_cue(const Ctx *c, gsize k) {
  if (tok_ends_with(c, k, "ing")) return FALSE;
  if (tok_ends_with(c, k, "ed")) return TRUE;
  static const char *const irregular[] = {"said", "says", "told", "tells", "wrote", "writes", "adds",
                                          "argues", "insists", "warns", "notes", "claims", "explains",
                                          "thought", "stresses", "suggests", "denies", "admits"};
  static WordSet irregular_set;
  return tok_in(c, k, &irregular_set, irregular, G_N_ELEMENTS(irregular));
}

/* Looks for reported speech in the sentence [s, e] (tokens); appends a Quote. */
static void find_indirect(Ctx *c, gsize s, gsize e, gboolean emit) {
  gsize last = e;
  while (last > s && (c->tok[last].kind == T_PUNCT || c->tok[last].kind == T_QUOTE)) last--;
  if (last <= s + 3) return;
  /* the quote found: its words, speaker and cue (the rest is set when it is pushed) */
  Quote q;
  /* according to X, … */
  gsize b = s;
  while (b < last && c->tok[b].kind == T_WORD && (wf(c, b) & W_FUNC) && !is_cue(c, b) && b < s + 2) b++;
  if (is_cue(c, b) && (winfo(c, b)->flags & W_ACCORDING)) {
    NP np = np_forward(c, b + 2, last + 1);
    gsize j = np.type ? np.last + 1 : b + 2;
    while (j <= last && !tok_char(c, j, ',') && j < b + 14) j++;
    if (np.type != NP_NONE && j < last && tok_char(c, j, ',')) {
      q.first = j + 1;
      q.last = last;
      q.np = np;
      q.cue_first = (gssize)b;
      q.cue_last = (gssize)b + 1;
      q.lemma = winfo(c, b)->lemma;
      q.reason = "reported speech: according to";
      goto found;
    }
  }
  /* X said (that) … : the first cue within a dozen words of the sentence start (most words
   * are passed by their W_CUE_INDIRECT, which the tokenizer looks up) */
  for (gsize j = s, end = MIN(last, s + 13); j <= end; j++) {
    if (!wf_eager(c, j, W_CUE_INDIRECT) || !is_cue(c, j)) continue;
    if ((winfo(c, j)->flags & W_ACCORDING)) {
      /* …, according to X. */
      NP np = np_forward(c, j + 2, last + 1);
      if (np.type != NP_NONE && j > s + 3 && tok_char(c, j - 1, ',') && np.last + 3 >= last) {
        q.first = s;
        q.last = j - 2;
        q.np = np;
        q.cue_first = (gssize)j;
        q.cue_last = (gssize)j + 1;
        q.lemma = winfo(c, j)->lemma;
        q.reason = "reported speech: according to";
        goto found;
      }
      continue;
    }
    if (!finite_cue(c, j)) continue;
    NP np = subject_of(c, j, s);
    if (np.type == NP_NONE) break;
    const char *lemma = winfo(c, j)->lemma;
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
    if (count_words(c, k, last, 4) < 4) break;
    q.first = k;
    q.last = last;
    q.np = np;
    q.cue_first = q.cue_last = (gssize)j;
    q.lemma = winfo(c, j)->lemma;
    q.reason = "reported speech: speaker and cue";
    goto found;
  }
  /* …, X said. / …, said X.: a comma among the last ten tokens, after the fourth */
  for (gsize j = last, lo = MAX(s + 3, last >= 10 ? last - 10 : 0); j > lo; j--) {
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
        while (m <= last && wf_eager(c, m, W_ADV) && !(wf(c, m) & W_DET)) m++;
        if (m <= last && is_cue(c, m) && (wf(c, m) & W_CUE_INDIRECT)) cue = (gssize)m;
      }
    }
    if (cue < 0 || np.type == NP_NONE) continue;
    if ((winfo(c, cue)->flags & W_ACCORDING)) continue;
    /* "In her book, Clinton noted the clot": the cue has an object, it closes nothing */
    if (!circumstance(c, MAX((gsize)cue, np.last) + 1, last + 1, FALSE)) continue;
    if (count_words(c, s, j - 1, 4) < 4) break;
    q.first = s;
    q.last = j - 1;
    q.np = np;
    q.cue_first = q.cue_last = cue;
    q.lemma = winfo(c, cue)->lemma;
    q.reason = "reported speech: speaker and cue after it";
    goto found;
  }
  return;
found:
  while (q.last > q.first && (c->tok[q.last].kind == T_PUNCT || c->tok[q.last].kind == T_QUOTE)) q.last--;
  if (q.first > q.last) return;
  *(Quote *)items_push(c->quotes, sizeof(Quote)) =
      (Quote){.cstart = c->tok[q.first].start, .cend = c->tok[q.last].end, .open_tok = s, .close_tok = e,
              .first = q.first, .last = q.last, .kind = "indirect", .keep = emit, .reason = q.reason,
              .confidence = 0.6, .how = A_INDIRECT, .np = q.np, .cue_first = q.cue_first,
              .cue_last = q.cue_last, .lemma = q.lemma, .person = -1, .from = -1, .block = c->tok[s].block};
}

/* ---- Writing ------------------------------------------------------------------------ */

/* "- Jane Doe, Philadelphia." — a block that opens with a dash and a name, right after
 * the block that quote Q closes: its speaker. */
static NP signature_after(const Ctx *c, const Quote *q) {
  NP none = {.mention = -1};
  gsize k = q->close_tok + 1;
  if ((q->cflags & C_UNCLOSED) || k + 1 >= c->n_tok || !(c->tok[k].flags & F_BLOCK_START) || !is_dash(c, k))
    return none;
  guint32 b = c->tok[k].block;
  gsize limit = k + 1;
  while (limit < c->n_tok && c->tok[limit].block == b && limit < k + 16) limit++;
  NP np = np_forward(c, k + 1, limit);
  if (np.type != NP_NAME) return none;
  gsize a = np.last + 1;
  if (a < c->n_tok && c->tok[a].block == b && !tok_char(c, a, ',') && !is_final_punct(c, a)) return none;
  return np;
}

/* The subject of the last sentence of the block before the one token OPEN starts, when
 * it is a name or a pronoun and that block holds no quotation mark. */
static NP previous_subject(const Ctx *c, gsize open) {
  NP none = {.mention = -1};
  if (open == 0) return none;
  gsize end = open; /* the block before ends at OPEN - 1 */
  gsize floor = sent_first(c, open - 1);
  guint32 b = c->tok[open - 1].block;
  if (c->tok[floor].block != b) return none;
  for (gsize k = floor; k < end; k++)
    if (c->tok[k].kind == T_QUOTE || tok_char(c, k, ':')) return none;
  NP np = sentence_subject(c, floor, end);
  if (np.type != NP_NAME && np.type != NP_PRON) return none;
  return np;
}

static gint quote_cmp(gconstpointer a, gconstpointer b, gpointer unused) {
  (void)unused;
  const Quote *x = a, *y = b;
  return x->cstart < y->cstart ? -1 : x->cstart > y->cstart;
}

static gint quote_cmp_plain(gconstpointer a, gconstpointer b) { return quote_cmp(a, b, NULL); }

/* Puts the N records of SIZE bytes at V in the order a stable sort by CMP gives them when
 * they are in order already or two runs in order (most documents: the candidates in text
 * order, then the reported speech found after them), merged through SCRATCH's buffer;
 * FALSE, and V untouched, otherwise.  Inlined: each caller's CMP and SIZE are constants,
 * so the compares and copies are made inline. */
static G_ALWAYS_INLINE inline gboolean merge_runs(void *v, gsize n, gsize size, GCompareFunc cmp,
                                                  AttrScratch *scratch) {
  char *a = v;
  gsize m = 1;
  while (m < n && cmp(a + (m - 1) * size, a + m * size) <= 0) m++;
  if (m >= n) return TRUE;
  for (gsize i = m + 1; i < n; i++)
    if (cmp(a + (i - 1) * size, a + i * size) > 0) return FALSE;
  if (scratch->merge_size < n * size) {
    scratch->merge_size = n * size;
    scratch->merge = g_realloc(scratch->merge, scratch->merge_size);
  }
  char *out = scratch->merge;
  gsize i = 0, j = m;
  while (i < m && j < n) {
    /* the first run's record first when they compare equal: stable */
    const char *from = cmp(a + j * size, a + i * size) < 0 ? a + size * j++ : a + size * i++;
    memcpy(out, from, size);
    out += size;
  }
  memcpy(out, a + i * size, (m - i) * size);
  out += (m - i) * size;
  memcpy(out, a + j * size, (n - j) * size);
  memcpy(a, scratch->merge, n * size);
  return TRUE;
}

static gint quote_np_cmp(gconstpointer a, gconstpointer b) {
  const Quote *const *x = a, *const *y = b;
  gsize px = (*x)->np.type ? (*x)->np.first : (*x)->open_tok;
  gsize py = (*y)->np.type ? (*y)->np.first : (*y)->open_tok;
  return px < py ? -1 : px > py;
}
static gint quote_np_cmp_data(gconstpointer a, gconstpointer b, gpointer unused) {
  (void)unused;
  return quote_np_cmp(a, b);
}

/* A span write_layers() adds, by the layer (0 speaker, 1 cue) and start byte + 1 it has;
 * KEY 0: an empty slot. */
typedef struct {
  gsize key;
  guint layer;
  gsize index; /* among the spans added to that layer */
} SpanSlot;

/* The slot of (LAYER, START) in TABLE (MASK + 1 slots, a power of two): the span's, or the
 * empty one where it goes. */
static SpanSlot *made_span(SpanSlot *table, gsize mask, guint layer, gsize start) {
  gsize key = start + 1;
  for (gsize i = ((key * 0x9E3779B97F4A7C15ull) >> 20 ^ layer) & mask;; i = (i + 1) & mask)
    if (table[i].key == 0 || (table[i].key == key && table[i].layer == layer)) return &table[i];
}

/* What write_layers() writes of a kept quote besides its span. */
typedef struct {
  const Quote *q;
  CopydeskSpan *speaker; /* the entity layer's span of the speaker, or NULL */
  gssize speaker_i;      /* else the speaker span among those added, -1 none */
  gssize cue_i;          /* the cue span among those added, -1 none */
} QuoteOut;

/* The names of the layers this stage makes, in the order it makes them. */
static const char *const my_layers[] = {COPYDESK_LAYER_QUOTE, "speaker", "cue"};

/* Empties LAYER when it has spans (a rerun replaces what the stage made before). */
static void empty_layer(CopydeskLayer *layer) {
  if (layer && copydesk_layer_n_spans(layer) > 0) copydesk_layer_clear(layer);
}

static gboolean write_layers(Ctx *c, GError **error) {
  CopydeskLayer *ql = copydesk_document_ensure_layer(c->doc, my_layers[0]);
  CopydeskLayer *sl = copydesk_document_ensure_layer(c->doc, my_layers[1]);
  CopydeskLayer *cl = copydesk_document_ensure_layer(c->doc, my_layers[2]);
  empty_layer(ql);
  empty_layer(sl);
  empty_layer(cl);
  AttrScratch *scratch = c->scratch;
  /* spans already made, by start byte + 1 (kept between documents, emptied here): at
   * most a speaker and a cue a kept quote, at most half full */
  gsize kept = 0;
  for (gsize i = 0; i < c->quotes->n; i++) kept += ITEM(c->quotes, Quote, i).keep != 0;
  gsize size = 16;
  while (size < 4 * kept) size *= 2;
  Items *table = &scratch->made_spans; /* its first SIZE slots are this pass's */
  if (table->cap < size) {
    g_free(table->v);
    table->v = g_new0(SpanSlot, size);
    table->cap = size;
  }
  SpanSlot *made = table->v;
  Items *used = &scratch->made_used;
  used->n = 0;
  /* The spans of the three layers, in the order one quote after the other adds them, go
   * in with one call a layer; then the quotes' attributes are set, in the same order. */
  Items *qspans = &scratch->quote_spans, *sspans = &scratch->speaker_spans, *cspans = &scratch->cue_spans;
  qspans->n = sspans->n = cspans->n = 0;
  Items *outs = &scratch->quote_outs;
  outs->n = 0;
  for (guint i = 0; i < c->quotes->n; i++) {
    const Quote *q = &ITEM(c->quotes, Quote, i);
    if (!q->keep) continue;
    QuoteOut *out = items_push(outs, sizeof(QuoteOut));
    *out = (QuoteOut){.q = q, .speaker_i = -1, .cue_i = -1};
    *(CopydeskSpanInit *)items_push(qspans, sizeof(CopydeskSpanInit)) =
        (CopydeskSpanInit){.start = q->cstart, .end = q->cend, .label = q->kind};
    if (q->np.type != NP_NONE) {
      const Mention *m = q->np.mention >= 0 ? &ITEM(c->mentions, Mention, q->np.mention) : NULL;
      if (m && m->span && !q->np.rel1) out->speaker = m->span;
      else {
        gsize sf = q->np.rel1 ? q->np.rel1 - 1 : q->np.first, sl_ = q->np.rel1 ? q->np.rel1 - 1 : q->np.last;
        gsize st = c->tok[sf].start, en = c->tok[sl_].end;
        SpanSlot *slot = made_span(made, size - 1, 0, st);
        if (!slot->key) {
          const char *label = q->np.type == NP_PRON || q->np.rel1 ? "pronoun"
                              : q->np.type == NP_NOMINAL      ? "nominal"
                                                               : "name";
          *(CopydeskSpanInit *)items_push(sspans, sizeof(CopydeskSpanInit)) =
              (CopydeskSpanInit){.start = st, .end = en, .label = label};
          *slot = (SpanSlot){.key = st + 1, .layer = 0, .index = sspans->n - 1};
          *(gsize *)items_push(used, sizeof(gsize)) = (gsize)(slot - made);
        }
        out->speaker_i = (gssize)slot->index;
      }
    }
    if (q->cue_first >= 0) {
      gsize st = c->tok[q->cue_first].start, en = c->tok[q->cue_last].end;
      SpanSlot *slot = made_span(made, size - 1, 1, st);
      if (!slot->key) {
        *(CopydeskSpanInit *)items_push(cspans, sizeof(CopydeskSpanInit)) =
            (CopydeskSpanInit){.start = st, .end = en, .label = q->lemma};
        *slot = (SpanSlot){.key = st + 1, .layer = 1, .index = cspans->n - 1};
        *(gsize *)items_push(used, sizeof(gsize)) = (gsize)(slot - made);
      }
      out->cue_i = (gssize)slot->index;
    }
  }
  for (gsize i = 0; i < used->n; i++) made[ITEM(used, gsize, i)].key = 0; /* every KEY 0 again */
  if (outs->n == 0) return TRUE; /* no quote: the layers stay empty */
  if (!copydesk_layer_add_spans(ql, qspans->v, qspans->n, error) ||
      !copydesk_layer_add_spans(sl, sspans->v, sspans->n, error) ||
      !copydesk_layer_add_spans(cl, cspans->v, cspans->n, error))
    return FALSE;
  for (gsize i = 0; i < outs->n; i++) {
    const QuoteOut *out = &ITEM(outs, QuoteOut, i);
    const Quote *q = out->q;
    CopydeskSpan *span = copydesk_layer_span(ql, i);
    if (q->np.type != NP_NONE) {
      copydesk_span_set_link(span, "speaker", out->speaker ? out->speaker : copydesk_layer_span(sl, (gsize)out->speaker_i));
      if (q->person >= 0) {
        const Person *p = person(c, q->person);
        /* the fullest name; tokens of the text joined straight into the core's copy */
        if (p->name) copydesk_span_set_string(span, "speaker_name", p->name);
        else set_tokens_string(span, "speaker_name", c, p->nfirst, p->nlast);
        if (p->entity) copydesk_span_set_string(span, "speaker_entity", p->entity);
      } else if (q->np.type != NP_PRON && !q->np.rel1) {
        /* a name or description the article ties to no one ("a spokeswoman for the
         * hotels", "PolitiFact"): its own words are the fullest form it has */
        set_tokens_string(span, "speaker_name", c, q->np.first, q->np.last);
      }
    }
    if (out->cue_i >= 0) copydesk_span_set_link(span, "cue", copydesk_layer_span(cl, (gsize)out->cue_i));
    copydesk_span_set_double(span, "confidence", q->confidence);
    if (q->reason) copydesk_span_set_string(span, "reason", q->reason);
  }
  return TRUE;
}

/* ---- The pass ------------------------------------------------------------------------- */

AttrScratch *attr_scratch_new(void) {
  AttrScratch *s = g_new0(AttrScratch, 1);
  s->common_shapes = g_new(gint32, COMMON_SHAPES);
  memset(s->common_shapes, 0xff, COMMON_SHAPES * sizeof(gint32)); /* -1 */
  s->strings = g_string_chunk_new(256);
  return s;
}

void attr_scratch_free(AttrScratch *s) {
  if (!s) return;
  Items *items[] = {&s->persons, &s->mentions, &s->quotes, &s->events, &s->common_words,
                    &s->quote_outs, &s->quote_spans, &s->speaker_spans, &s->cue_spans,
                    &s->tok_mention, &s->runs, &s->surnames, &s->surnames_used, &s->made_spans, &s->made_used, &s->order,
                    &s->common_starts, &s->common_index};
  for (guint i = 0; i < G_N_ELEMENTS(items); i++) g_free(items[i]->v);
  g_free(s->common_shapes);
  g_string_chunk_free(s->strings);
  g_free(s->merge);
  g_free(s);
}

/* Sets F_IN_QUOTE on the tokens [first, last] (none when FIRST > LAST), four a round. */
static void mark_in_quote(Tok *tok, gsize first, gsize last) {
  if (first > last) return;
  gsize k = first;
  for (; k + 3 <= last; k += 4) {
    tok[k].flags |= F_IN_QUOTE;
    tok[k + 1].flags |= F_IN_QUOTE;
    tok[k + 2].flags |= F_IN_QUOTE;
    tok[k + 3].flags |= F_IN_QUOTE;
  }
  for (; k <= last; k++) tok[k].flags |= F_IN_QUOTE;
}

/* TRUE when a sentence of SCAN holds a reported-speech cue (SF_CUE). */
static gboolean any_cue_sentence(const Scan *scan) {
  const guint8 *flags = scan->sent_flags.v;
  for (guint i = 0; i < scan->sent_flags.n; i++)
    if (flags[i] & SF_CUE) return TRUE;
  return FALSE;
}

gboolean attribute_run(const QuotesConfig *config, CopydeskDocument *doc, Scan *scan,
                       AttrScratch *scratch, GError **error) {
  scratch->persons.n = scratch->mentions.n = scratch->quotes.n = scratch->events.n = 0;
  scratch->runs.n = 0;
  Ctx c = {
      .config = config,
      .lex = config->lex,
      .doc = doc,
      .scan = scan,
      .scratch = scratch,
      .text = scan->text,
      .tok = scan->toks.v,
      .n_tok = scan->toks.n,
      .persons = &scratch->persons,
      .mentions = &scratch->mentions,
      .quotes = &scratch->quotes,
      .events = &scratch->events,
      .sent_first = scan->sent_first.v,
      .strings = scratch->strings,
  };
  gboolean ok = TRUE;
  if (c.n_tok == 0) {
    /* no layers are made, and those of a run before go */
    for (guint i = 0; i < G_N_ELEMENTS(my_layers); i++) empty_layer(copydesk_document_layer(doc, my_layers[i]));
    goto done;
  }
  if (!scratch->title_forms_set) {
    /* the scratch is kept with one lexicon's configuration */
    for (gsize i = 0; i < c.lex->n; i++) {
      const WordInfo *w = &c.lex->words[i];
      if (!(w->flags & W_TITLE)) continue;
      guint form = title_form(word_shape((guchar)w->key[0], w->len), w->key, w->len);
      scratch->title_forms[form >> 6] |= 1ull << (form & 63);
    }
    scratch->title_forms_set = TRUE;
  }

  /* Candidates → quotes; mark their tokens so names inside quotes are not speakers. */
  for (guint i = 0; i < scan->cands.n; i++) {
    const Cand *cd = &ITEM(&scan->cands, Cand, i);
    *(Quote *)items_push(c.quotes, sizeof(Quote)) =
        (Quote){.cstart = cd->cstart, .cend = cd->cend, .open_tok = cd->open_tok,
                .close_tok = cd->close_tok, .first = cd->first, .last = cd->last,
                .cflags = cd->flags, .cue_first = -1, .cue_last = -1, .person = -1, .from = -1,
                .np = {.mention = -1}, .block = c.tok[cd->open_tok].block};
    mark_in_quote(c.tok, cd->first, cd->last);
  }
  /* Quotes come from quotation marks and from sentences with a reported-speech cue: a
   * document with neither has none, and needs no names (its layers are made, empty). */
  if (c.quotes->n == 0 && !any_cue_sentence(scan)) {
    ok = write_layers(&c, error);
    goto done;
  }

  Items *tm = &scratch->tok_mention;
  if (c.n_tok > tm->cap) { /* all 0, as the pass finds them */
    g_free(tm->v);
    tm->cap = c.n_tok;
    tm->v = g_new0(gint32, tm->cap);
  }
  c.tok_mention = tm->v;
  mark_common(&c);
  CopydeskLayer *entities = copydesk_document_layer(doc, COPYDESK_LAYER_ENTITY);
  c.have_entities = entities != NULL && copydesk_layer_n_spans(entities) > 0;
  if (c.have_entities) {
    c.entity_ids = g_hash_table_new(g_str_hash, g_str_equal);
    read_entities(&c, entities);
  } else {
    find_names(&c, &scratch->runs);
  }

  /* Attribute and classify every candidate. */
  guint n_cands = c.quotes->n;
  for (guint i = 0; i < n_cands; i++) {
    Quote *q = &ITEM(c.quotes, Quote, i);
    gboolean closed = !(q->cflags & C_UNCLOSED);
    gboolean after_ok = closed;
    if (closed) {
      /* “Q.” Clinton said … is a new sentence, not an attribution, unless lowercase follows */
      gsize lp = q->last;
      while (lp > q->first && c.tok[lp].kind == T_QUOTE) lp--;
      if (tok_char(&c, lp, '.') && q->close_tok + 1 < c.n_tok &&
          (c.tok[q->close_tok + 1].flags & F_CAP) && !attribution_sentence(&c, q->close_tok))
        after_ok = FALSE;
    }
    /* A quote inside the writer's sentence ("Holm said the ad “Q” suggests …") belongs to
     * a cue before it when there is one; one that opens its sentence, to the cue after. */
    gsize o0 = q->open_tok;
    gboolean mid = !(q->cflags & C_NO_OPEN) && o0 > 0 && !(c.tok[o0].flags & (F_SENT_START | F_BLOCK_START)) &&
                   c.tok[o0 - 1].kind == T_WORD;
    gboolean found = FALSE;
    /* what attrib_before() gives a mid quote, when it gives one (BEFORE_OK) */
    gboolean before_ok = FALSE;
    Attribution before = {.np = {.mention = -1}};
    if (mid) {
      Attribution saved = attribution_of(q);
      before_ok = attrib_before(&c, q, o0 - 1, sent_first(&c, o0));
      found = before_ok && q->np.type != NP_NONE;
      if (!found) {
        before = attribution_of(q);
        attribution_restore(q, &saved);
      }
    }
    if (!found) found = after_ok && attrib_after(&c, q, q->close_tok);
    if (!found && !(q->cflags & C_NO_OPEN)) {
      gsize o = q->open_tok;
      if (o > 0 && !(c.tok[o].flags & F_BLOCK_START)) {
        /* a sentence split between an introduction and its quote: "He said. “Q”" is not one.
         * A mid quote asked this already (attrib_after() changed nothing, as it found
         * nothing): the same answer */
        if (mid) {
          if (before_ok) attribution_restore(q, &before);
        } else {
          attrib_before(&c, q, o - 1, sent_first(&c, o));
        }
      } else if (o > 0 && (c.tok[o].flags & F_BLOCK_START) && tok_char(&c, o - 1, ':')) {
        /* He added:\n\n“Q” (a colon that opens the text has nothing before it) */
        if (o >= 2 && attrib_before(&c, q, o - 2, sent_first(&c, o - 1))) q->how = A_COLON;
        else {
          /* "Clinton released the following statement:\n\n“Q”": the sentence's subject */
          NP np = sentence_subject(&c, sent_first(&c, o - 1), o - 1);
          if (np.type != NP_NONE) {
            q->np = np;
            q->how = A_COLON;
          }
        }
      }
    }
    if ((q->how == A_NONE || (q->np.type == NP_NONE && q->how == A_BEFORE)) && after_ok) {
      Attribution saved = attribution_of(q);
      if (!attrib_after_loose(&c, q, q->close_tok)) attribution_restore(q, &saved);
    }
    if (q->how == A_AFTER || q->how == A_BEFORE) according_override(&c, q);
    if (q->how == A_BEFORE) reported_override(&c, q);
    if (mid && q->how == A_NONE) closing_attribution(&c, q);
    if (mid && q->how == A_NONE) {
      /* "He offered “my thoughts and prayers”": no cue, the sentence's subject */
      NP np = sentence_subject(&c, sent_first(&c, o0), o0);
      if (np.type != NP_NONE) {
        q->np = np;
        q->how = A_SUBJECT;
      }
    }
    classify(&c, q);
    if (!q->keep)
      for (gsize k = q->first; k <= q->last; k++) c.tok[k].flags &= ~(guint32)F_IN_QUOTE;
  }

  /* Sentences with a cue and without kept quotes: indirect speech (also recorded as
   * speech events). */
  {
    guint8 *sflags = scan->sent_flags.v;
    for (guint i = 0; i < n_cands; i++) {
      const Quote *q = &ITEM(c.quotes, Quote, i);
      if (!q->keep) continue;
      for (guint32 st = c.tok[q->first].sent; st <= c.tok[q->last].sent; st++) sflags[st] |= SF_QUOTED;
    }
    const gsize *starts = scan->sent_toks.v;
    gsize ns = scan->sent_toks.n;
    /* when every sentence has tokens (the common case), the I-th start is sentence I's */
    gboolean every = ns == scan->n_sents;
    for (gsize i = 0; i < ns; i++) {
      gsize k = starts[i];
      if ((sflags[every ? i : c.tok[k].sent] & (SF_CUE | SF_QUOTED)) != SF_CUE) continue;
      gsize e = i + 1 < ns ? starts[i + 1] - 1 : c.n_tok - 1;
      find_indirect(&c, k, e, config->indirect);
    }
  }

  /* Resolve speakers in text order, recording speech events for later pronouns. */
  {
    Items *order = &scratch->order;
    order->n = 0;
    for (guint i = 0; i < c.quotes->n; i++) {
      Quote *q = &ITEM(c.quotes, Quote, i);
      if (q->np.type != NP_NONE && (q->keep || q->how == A_INDIRECT)) *(Quote **)items_push(order, sizeof(Quote *)) = q;
    }
    if (!merge_runs(order->v, order->n, sizeof(Quote *), quote_np_cmp, scratch))
      g_qsort_with_data(order->v, (gint)order->n, sizeof(Quote *), quote_np_cmp_data, NULL); /* stable */
    for (gsize i = 0; i < order->n; i++) {
      Quote *q = ITEM(order, Quote *, i);
      q->person = resolve_np(&c, &q->np);
      Event ev = {.pos = q->np.first, .person = q->person, .block = c.tok[q->np.first].block};
      if (q->person >= 0) {
        /* keep events in order (quotes after their speaker may come out of order) */
        gsize at = c.events->n;
        while (at > 0 && ITEM(c.events, Event, at - 1).pos > ev.pos) at--;
        items_push(c.events, sizeof(Event));
        memmove(&ITEM(c.events, Event, at + 1), &ITEM(c.events, Event, at), (c.events->n - 1 - at) * sizeof(Event));
        ITEM(c.events, Event, at) = ev;
      }
    }
  }

  /* Sort the quotes, then fill in continuations and interrupted quotes. */
  if (!merge_runs(c.quotes->v, c.quotes->n, sizeof(Quote), quote_cmp_plain, scratch))
    g_qsort_with_data(c.quotes->v, (gint)c.quotes->n, sizeof(Quote), quote_cmp, NULL); /* stable */
  {
    gint last_in_block = -1;     /* last attributed kept quote in the current block */
    gint last_prev_block = -1;   /* ... in the block before */
    guint32 cur_block = G_MAXUINT32;
    for (guint i = 0; i < c.quotes->n; i++) {
      Quote *q = &ITEM(c.quotes, Quote, i);
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
      gboolean open_q = q->keep && (q->how == A_NONE || (q->np.type == NP_NONE && q->how != A_INDIRECT && q->cue_first < 0));
      if (open_q && last_in_block < 0) {
        /* “Q.”\n\n- Jane Doe, Philadelphia. — a signature line after the quote */
        NP np = signature_after(&c, q);
        if (np.type != NP_NONE) {
          q->np = np;
          q->person = resolve_np(&c, &q->np);
          q->how = A_AFTER;
          q->reason = "speaker on the line after the quote";
          q->confidence = 0.7;
          open_q = FALSE;
        }
      }
      if (open_q) {
        gint from = last_in_block >= 0 ? last_in_block : last_prev_block;
        if (last_in_block < 0 && !(q->cflags & C_NO_OPEN) && q->open_tok > 0 &&
            !(c.tok[q->open_tok].flags & F_BLOCK_START)) {
          /* "Sam Lau said in a statement. “Q.”": the subject of the sentence before, in the
           * same paragraph; "Trump also embraced waterboarding -- “Q.”": the subject of the
           * writer's sentence the quote ends.  Nearer than a speaker of the paragraph before. */
          gboolean starts = (c.tok[q->open_tok].flags & F_SENT_START) != 0;
          gsize end = q->open_tok, floor = sent_first(&c, starts ? end - 1 : end);
          NP np = sentence_subject(&c, floor, end);
          gboolean quoted = FALSE;
          for (gsize k = floor; k < end && !quoted; k++) quoted = c.tok[k].kind == T_QUOTE;
          if (!quoted && (np.type == NP_NAME || np.type == NP_PRON)) {
            gint person = resolve_np(&c, &np);
            if (person >= 0) {
              q->np = np;
              q->person = person;
              q->how = A_CONTINUE;
              q->reason = starts ? "no cue: the subject of the sentence before"
                                 : "no cue: the subject of the sentence around the quote";
              q->confidence = 0.5;
              from = -1;
            }
          }
        }
        if (from < 0 && (c.tok[q->open_tok].flags & F_BLOCK_START) && !(q->cflags & C_NO_OPEN)) {
          /* "Valastro praised Christie's leadership.\n\n“Q.”": a quote paragraph with no
           * attribution after a paragraph of the writer's takes that paragraph's subject */
          NP np = previous_subject(&c, q->open_tok);
          if (np.type != NP_NONE) {
            gint person = resolve_np(&c, &np);
            if (person >= 0) {
              q->np = np;
              q->person = person;
              q->how = A_CONTINUE;
              q->reason = "no cue: the subject of the paragraph before";
              q->confidence = 0.5;
            }
          }
        }
        if (from >= 0) {
          Quote *src = &ITEM(c.quotes, Quote, from);
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
  if (c.tok_mention) /* every entry 0 again */
    for (gsize i = 0; i < c.mentions->n; i++) {
      const Mention *m = &ITEM(c.mentions, Mention, i);
      for (gsize k = m->first; k <= m->last; k++) c.tok_mention[k] = 0;
    }
  if (c.entity_ids) g_hash_table_destroy(c.entity_ids);
  /* the strings written went into the document's own attributes */
  g_string_chunk_clear(c.strings);
  return ok;
}
