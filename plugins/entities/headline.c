/* copydesk — entities: headlines in Title Case are shown to the tagger in sentence case.
 *
 * Many papers capitalise every word of a headline ("Trump Creepily Singles Out Reporter At
 * Florida Rally").  There a capital letter says nothing about a name, and the tagger, which
 * learned capitals as the mark of names from text in sentence case, joins the common words
 * into long false mentions ("Trump Creepily Singles Out Reporter At Florida Rally", ORG).
 * So the words of a Title Case line are shown to it as sentence case would write them: a
 * word keeps its capital when the article capitalises it inside a sentence elsewhere
 * (Trump, Florida), when it has capitals inside (WikiLeaks, McCaul), or when it is a given
 * name followed by a word that keeps its capital (Hillary Clinton); the first word keeps
 * its capital as any sentence's does; every other word is shown in lower case.
 *
 * A sentence is in Title Case when it has at least three words, no word in lower case but
 * the short ones style guides leave so (a, of, in, at …), at most one number (a table line
 * has several), at least three words capitalised but not in capitals, and some sign that
 * the capitals are the style rather than names: a capitalised function word after the
 * first word ("In", "At", "The"); two capitalised words the article writes in lower case
 * elsewhere; or, in the article's first sentence (where a headline stands), one of those
 * short words in lower case ("Markets Watch Closely as U.S. Elections Near").  A name
 * alone on its line ("The National Bank of Poland") has none of these signs. */
#include <string.h>

#include "ner.h"

/* Words style guides write in lower case inside a Title Case headline, between spaces. */
static const char minor_words[] = " a an the and but or nor for of in on at to by up as vs via "
                                  "from with into over per than off out ";
/* Function words: capitalised after the first word, only Title Case explains them. */
static const char function_words[] = " is are was were be been can will not its his her their "
                                     "it we he she they that this after before about says "
                                     "said how why what who when ";

/* Is token T (any case) one of the words of LIST? */
static gboolean in_list(const char *list, const NerToken *t) {
  char key[10];
  if (t->len == 0 || t->len > 6) return FALSE;
  key[0] = ' ';
  for (guint i = 0; i < t->len; i++) key[1 + i] = g_ascii_tolower(t->text[i]);
  key[1 + t->len] = ' ';
  key[2 + t->len] = '\0';
  return strstr(list, key) != NULL;
}

static gboolean small_word(const NerToken *t) {
  return in_list(minor_words, t) || in_list(function_words, t);
}

typedef enum { W_NONE, W_LOWER, W_TITLE, W_CAMEL, W_CAPITALS, W_NUMBER } WordCase;

/* How token T is written: a number, or a word (with a letter, no apostrophe) in lower case,
 * capitalised, capitalised with capitals inside (WikiLeaks), or in capitals; W_NONE for
 * punctuation and contractions. */
static WordCase word_case(const NerToken *t) {
  if (t->len > 0 && g_ascii_islower(t->text[0])) /* most words: lower case, unless a contraction */
    return memchr(t->text, '\'', t->len) || memchr(t->text, 0xE2, t->len) ? W_NONE : W_LOWER;
  gboolean letter = FALSE, digit = FALSE, upper_only = TRUE, upper_inside = FALSE;
  gboolean first_upper = FALSE, after_letter = FALSE;
  for (const char *p = t->text, *end = t->text + t->len; p < end;) {
    gboolean alpha, upper;
    guchar b = (guchar)*p;
    if (b < 0x80) { /* most words: no decoding */
      if (b == '\'') return W_NONE;
      digit |= g_ascii_isdigit(b);
      alpha = g_ascii_isalpha(b);
      upper = g_ascii_isupper(b);
      p++;
    } else {
      gunichar c = g_utf8_get_char(p);
      if (c == 0x2019) return W_NONE;
      digit |= g_unichar_isdigit(c);
      alpha = g_unichar_isalpha(c);
      upper = g_unichar_isupper(c);
      if (alpha && !letter && !upper && !g_unichar_islower(c)) return W_NONE; /* caseless */
      p = g_utf8_next_char(p);
    }
    if (alpha) {
      if (!letter) first_upper = upper;
      else if (upper && after_letter) upper_inside = TRUE; /* "WikiLeaks", not "Two-Word" */
      if (!upper) upper_only = FALSE;
      letter = TRUE;
    }
    after_letter = alpha;
  }
  if (!letter) return digit ? W_NUMBER : W_NONE;
  if (!first_upper) return W_LOWER;
  return upper_only ? W_CAPITALS : upper_inside ? W_CAMEL : W_TITLE;
}

static gsize sentence_end(const gsize *sent_start, gsize n_sent, gsize si, gsize n) {
  return si + 1 < n_sent ? sent_start[si + 1] : n;
}

/* Is token T's lower-case form in SET (ner_gaz_word_hash keys)? */
static gboolean written(const NerKeySet *set, const NerToken *t) {
  return ner_keyset_has(set, ner_gaz_word_hash(t->text, t->len));
}

/* Makes SET (in the per-thread buffer NER_BUF_HEADLINE) the document's words written in
 * lower case (WANT W_LOWER) or capitalised inside a sentence (W_TITLE), leaving out the
 * sentences marked in SKIP. */
static void words_written(const NerToken *tok, gsize n, const gsize *sent_start, gsize n_sent,
                          const gboolean *skip, WordCase want, NerKeySet *set) {
  ner_keyset_init(set, n, NER_BUF_HEADLINE);
  for (gsize si = 0; si < n_sent; si++) {
    if (skip && skip[si]) continue;
    gsize e = sentence_end(sent_start, n_sent, si, n);
    for (gsize i = sent_start[si] + (want == W_TITLE); i < e; i++) {
      if (want == W_TITLE && g_ascii_islower(tok[i].text[0])) continue; /* no case to work out */
      if (word_case(&tok[i]) == want) ner_keyset_add(set, ner_gaz_word_hash(tok[i].text, tok[i].len));
    }
  }
}

/* Is sentence [S, E), the document's first when FIRST, in Title Case?  LOWER (made on first
 * need: *HAVE_LOWER) holds the document's words in lower case. */
static gboolean title_case(const NerToken *tok, gsize n, const gsize *sent_start, gsize n_sent,
                           gsize s, gsize e, gboolean first, NerKeySet *lower,
                           gboolean *have_lower) {
  guint words = 0, titled = 0, numbers = 0, minor_lower = 0, function_titled = 0;
  for (gsize i = s; i < e; i++) {
    WordCase c = word_case(&tok[i]);
    if (c == W_NUMBER && ++numbers > 1) return FALSE;
    if (c == W_NONE || c == W_NUMBER) continue;
    words++;
    if (c == W_LOWER) {
      if (!in_list(minor_words, &tok[i])) return FALSE;
      minor_lower++;
    } else if (c == W_TITLE) {
      titled++;
      if (words > 1 && small_word(&tok[i])) function_titled++;
    }
  }
  if (words < 3 || titled < 3) return FALSE;
  if (function_titled > 0) return TRUE;
  if (!first) return FALSE;
  if (minor_lower > 0) return TRUE;
  /* only capitalised words: Title Case if the article writes two of them in lower case */
  if (!*have_lower) words_written(tok, n, sent_start, n_sent, NULL, W_LOWER, lower);
  *have_lower = TRUE;
  guint seen = 0;
  for (gsize i = s + 1; i < e; i++)
    seen += word_case(&tok[i]) == W_TITLE && written(lower, &tok[i]);
  return seen >= 2;
}

/* Should word I of Title Case sentence [S, E) keep its capital?  CAPS: the words the
 * article capitalises inside its other sentences. */
static gboolean keeps_capital(const NerToken *tok, gsize s, gsize e, gsize i, const NerKeySet *caps,
                              const NerGazetteer *gaz) {
  if (i == s || word_case(&tok[i]) != W_TITLE) return TRUE;
  if (small_word(&tok[i])) return FALSE;
  if (written(caps, &tok[i])) return TRUE;
  /* a given name before a name: "Hillary Clinton" where the article says "Clinton" */
  if (gaz == NULL || i + 1 >= e || word_case(&tok[i + 1]) != W_TITLE || small_word(&tok[i + 1]) ||
      !written(caps, &tok[i + 1]))
    return FALSE;
  guint64 key = ner_gaz_word_hash(tok[i].text, tok[i].len);
  return (ner_gazetteer_lookup(gaz, &key, 1) & (1u << NER_GAZ_GIVEN_NAME)) != 0;
}

NerToken *ner_headline_truecase(const NerToken *tok, gsize n, const gsize *sent_start,
                                gsize n_sent, const NerGazetteer *gaz, GString *buf) {
  NerKeySet words; /* the lower-case words while sentences are judged, then the capitalised */
  gboolean have_lower = FALSE, *title = NULL;
  for (gsize si = 0; si < n_sent; si++) {
    gsize s = sent_start[si], e = sentence_end(sent_start, n_sent, si, n);
    if (s >= e || !title_case(tok, n, sent_start, n_sent, s, e, si == 0, &words, &have_lower))
      continue;
    if (title == NULL) title = g_new0(gboolean, n_sent);
    title[si] = TRUE;
  }
  if (title == NULL) return NULL;

  NerKeySet *caps = &words;
  words_written(tok, n, sent_start, n_sent, title, W_TITLE, caps);
  NerToken *out = g_memdup2(tok, n * sizeof *tok);
  typedef struct {
    gsize tok, at; /* a token written again in lower case, at this offset of BUF */
  } Moved;
  GArray *moved = g_array_new(FALSE, FALSE, sizeof(Moved)); /* offsets: BUF may move */
  g_string_truncate(buf, 0);
  for (gsize si = 0; si < n_sent; si++) {
    if (!title[si]) continue;
    gsize s = sent_start[si], e = sentence_end(sent_start, n_sent, si, n);
    for (gsize i = s; i < e; i++) {
      if (keeps_capital(tok, s, e, i, caps, gaz)) continue;
      char *low = g_utf8_strdown(tok[i].text, (gssize)tok[i].len);
      Moved m = {.tok = i, .at = buf->len};
      g_string_append(buf, low);
      out[i].len = (guint32)(buf->len - m.at);
      g_array_append_val(moved, m);
      g_free(low);
    }
  }
  for (guint k = 0; k < moved->len; k++) {
    const Moved *m = &g_array_index(moved, Moved, k);
    out[m->tok].text = buf->str + m->at;
  }
  g_array_free(moved, TRUE);
  g_free(title);
  return out;
}
