/* copydesk — the clean plugin's internal interface.
 *
 * clean runs a few linear passes over the current text, each one a single
 * CopydeskEdit (so the offset map keeps every later span pointing at the user's
 * bytes): mojibake repair, entities, then control and zero-width characters, then
 * Unicode normalisation, then whitespace and line joining, then wire boilerplate, then
 * quote marks.  Each pass reads the text the previous one left, so their effects
 * compose (an entity that decodes to NBSP becomes a space; one that decodes to a
 * combining accent is normalised with its base letter; a dateline is found once the
 * spaces around it are tidy).
 */
#pragma once

#include <copydesk/copydesk.h>
#include <string.h>

typedef enum {
  CLEAN_NORMALIZE_NONE,
  CLEAN_NORMALIZE_NFC,
  CLEAN_NORMALIZE_NFKC,
} CleanNormalize;

typedef enum {
  CLEAN_QUOTES_KEEP,
  CLEAN_QUOTES_STRAIGHT,
  CLEAN_QUOTES_CURLY,
} CleanQuotes;

/* Compiled wire-boilerplate patterns (boilerplate.c). */
typedef struct _CleanBoilerplate CleanBoilerplate;

/* The instance: read-only after create (but for the spare survey below and the
 * boilerplate's spare match data, see clean_boilerplate()), shared by every worker thread. */
typedef struct {
  gboolean mojibake;
  gboolean strip_tags;
  gboolean report_invalid;
  CleanBoilerplate *boilerplate; /* NULL: off */
  CleanNormalize normalize;
  CleanQuotes quotes;
  gboolean html_entities;
  gboolean control;
  gboolean zero_width;
  gboolean whitespace;
  gboolean join_lines;
  /* A CleanSurvey (allocated) that no document is using, kept with its list for the next one;
   * NULL when a document has it.  The worker threads swap it atomically. */
  gpointer spare_survey;
} CleanConfig;

/* How many distinct non-ASCII characters of a text a survey keeps (see clean_survey_chars()). */
#define CLEAN_SURVEY_CHARS 16

/* Where a text is not plain (survey.c): in increasing order, the position of every byte that
 * is not printable ASCII (0x21-0x7E) but for a space followed by printable ASCII (a space at
 * the start of the text is always listed). */
typedef struct {
  gsize *stops;
  gsize n_stops, size;
  gboolean any_high; /* the text has a byte >= 0x80 */
  gboolean valid;    /* describes the document's current text (no edit since) */
  gsize first_high;  /* the index of the first stop that is a byte >= 0x80, or n_stops */
  guint64 low_bits;  /* bit C % 64 for each byte C < 0x80 among the stops before it */
  /* What clean_survey_chars() finds, once for the text the survey describes (when CHARS_KNOWN):
   * the text's distinct non-ASCII characters when it has at most CLEAN_SURVEY_CHARS of them
   * (else MANY_CHARS, and the rest is not known), and whether it has a C0 control other than
   * tab and the line breaks LF, VT, FF and CR, or DEL. */
  gboolean chars_known, many_chars, any_control;
  guint n_chars;
  gunichar chars[CLEAN_SURVEY_CHARS];
} CleanSurvey;

/* Surveys the LEN bytes of the NUL-terminated TEXT; SURVEY becomes valid. */
void clean_survey_take(CleanSurvey *survey, const char *text, gsize len);
/* Surveys DOC's current text again when SURVEY is out of date. */
void clean_survey_ensure(CleanSurvey *survey, CopydeskDocument *doc);
/* Finds the distinct non-ASCII characters and the controls of TEXT, which the valid SURVEY
 * describes, unless they are known already; returns SURVEY.  The passes up to whitespace ask
 * whether any of them is one they change, and pass over a text of which none is. */
const CleanSurvey *clean_survey_chars(CleanSurvey *survey, const char *text);
/* Frees the survey's stops. */
void clean_survey_clear(CleanSurvey *survey);
/* Index of the first of the survey's stops at or after POS (n_stops when there is none). */
gsize clean_survey_stop_at(const CleanSurvey *survey, gsize pos);

/* Length of the UTF-8 sequence that starts with lead byte C (1 for ASCII and, defensively,
 * for stray continuation bytes, which valid text never has at a character start). */
static inline gsize clean_utf8_len(guchar c) {
  if (c < 0xC0) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

/* The position of the first byte >= 0x80 in [I, END) of T, the text SURVEY describes, or END
 * (every byte >= 0x80 is a stop, so only the stops are read, not the text between them).  *K is
 * an index into the stops at or before that byte's; it moves past the stops of the character
 * found (its lead byte's and then its continuation bytes', the text being valid UTF-8), or up
 * to the first at or after END.  The next call's I is past the character found. */
static inline gsize clean_survey_next_high(const CleanSurvey *survey, const guchar *t, gsize *k,
                                           gsize i, gsize end) {
  const gsize *stops = survey->stops;
  gsize j = *k, n = survey->n_stops;
  while (j < n && (stops[j] < i || t[stops[j]] < 0x80)) j++;
  if (j < n && stops[j] < end) {
    gsize found = stops[j];
    *k = j + clean_utf8_len(t[found]);
    return found;
  }
  *k = j;
  return end;
}

/* One pass: a CopydeskEdit begun at the first real change, so a pass that finds
 * nothing to do costs only its scan. */
typedef struct {
  CopydeskDocument *doc;
  CleanSurvey *survey; /* marked out of date when the edit is committed; may be NULL */
  const char *text; /* the current text when the pass began */
  gsize len;
  CopydeskEdit *edit;               /* NULL until the first replacement */
  gsize pending_start, pending_end; /* a deletion not yet handed to the edit */
  gboolean failed;
} CleanPass;

/* Starts a pass over DOC's current text; SURVEY (may be NULL) is the document's survey. */
void clean_pass_init(CleanPass *pass, CopydeskDocument *doc, CleanSurvey *survey);
/* Replaces [START, END) of the pass's text with the LEN bytes at TEXT.  Replacements come in
 * increasing order.  Bytes the old and new text share at either end (whole characters) are
 * kept out of the edit, so unchanged characters stay mapped one to one. */
gboolean clean_pass_replace(CleanPass *pass, gsize start, gsize end, const char *text, gsize len,
                            GError **error);
/* Deletes [START, END); adjacent deletions are merged into one replacement. */
gboolean clean_pass_delete(CleanPass *pass, gsize start, gsize end, GError **error);
/* Commits the pass (or aborts it when OK is FALSE), marking the survey out of date when
 * the text changed; returns OK. */
gboolean clean_pass_finish(CleanPass *pass, gboolean ok, GError **error);

/* Decoded code point of the HTML 4 named reference NAME (LEN bytes, no '&' or ';'), or 0. */
gunichar clean_entity_lookup(const char *name, gsize len);

/* The passes, in the order clean runs them.  Each takes the document's survey, to use it
 * when it is valid and to mark it out of date when the pass changes the text. */
gboolean clean_mojibake(CopydeskDocument *doc, CleanSurvey *survey, GError **error);
/* Builds mojibake repair's tables; called (once is enough) before the first document. */
void clean_mojibake_init(void);
gboolean clean_tags(CopydeskDocument *doc, CleanSurvey *survey, GError **error);
gboolean clean_entities(CopydeskDocument *doc, CleanSurvey *survey, GError **error);
gboolean clean_characters(CopydeskDocument *doc, CleanSurvey *survey, gboolean control,
                          gboolean zero_width, GError **error);
gboolean clean_normalize(CopydeskDocument *doc, CleanSurvey *survey, CleanNormalize mode,
                         GError **error);
gboolean clean_whitespace(CopydeskDocument *doc, CleanSurvey *survey, gboolean whitespace,
                          gboolean join_lines, GError **error);
gboolean clean_quotes(CopydeskDocument *doc, CleanQuotes mode, GError **error);
/* Moves DOC's wire boilerplate into its fields.  BP is shared by the worker threads: only its
 * spare PCRE2 match data changes, swapped atomically. */
gboolean clean_boilerplate(CopydeskDocument *doc, CleanBoilerplate *bp, GError **error);

/* Compiles the boilerplate patterns in the LEN bytes at TEXT (ORIGIN names them in errors). */
CleanBoilerplate *clean_boilerplate_parse(const char *text, gsize len, const char *origin,
                                          GError **error);
/* Reads and compiles the boilerplate patterns file PATH. */
CleanBoilerplate *clean_boilerplate_load(const char *path, GError **error);
void clean_boilerplate_free(CleanBoilerplate *bp);

/* Spares: an object a document has finished with (a survey, a PCRE2 match data), kept in a
 * slot of the instance for the next document; the worker threads swap it atomically. */

/* The object in *SLOT, taken out (so no other thread gets it), or when there is none a new one
 * from MAKE (which may return NULL). */
static inline gpointer clean_spare_take(gpointer *slot, gpointer (*make)(void)) {
  gpointer object = g_atomic_pointer_exchange(slot, NULL);
  return object != NULL ? object : make();
}

/* Puts OBJECT (NULL: nothing) back into *SLOT for the next document when KEEP and the slot is
 * empty; frees it with FREE_OBJECT otherwise (when another document's is there already). */
static inline void clean_spare_give(gpointer *slot, gpointer object, gboolean keep,
                                    GDestroyNotify free_object) {
  if (object != NULL && (!keep || !g_atomic_pointer_compare_and_exchange(slot, NULL, object)))
    free_object(object);
}

/* Encodes C as UTF-8 into BUF (at least 6 bytes); returns the length. */
static inline gsize clean_put_utf8(gunichar c, char *buf) {
  return (gsize)g_unichar_to_utf8(c, buf);
}

/* The code point of the UTF-8 sequence at P, which must be valid (a pass's text always is):
 * g_utf8_get_char() without the call, for the scans that decode each non-ASCII character. */
static inline gunichar clean_utf8_char(const char *p) {
  const guchar *u = (const guchar *)p;
  if (u[0] < 0x80) return u[0];
  if (u[0] < 0xE0) return (gunichar)(u[0] & 0x1F) << 6 | (u[1] & 0x3Fu);
  if (u[0] < 0xF0)
    return (gunichar)(u[0] & 0x0F) << 12 | (gunichar)(u[1] & 0x3F) << 6 | (u[2] & 0x3Fu);
  return (gunichar)(u[0] & 0x07) << 18 | (gunichar)(u[1] & 0x3F) << 12 |
         (gunichar)(u[2] & 0x3F) << 6 | (u[3] & 0x3Fu);
}

/* Index of the first byte >= 0x80 in [I, N) of T, or N: 32 bytes at a time, then the word
 * that holds it (the bytes of a word loaded from memory are little-endian: the first is the
 * lowest). */
static inline gsize clean_next_high(const guchar *t, gsize i, gsize n) {
  const guint64 highs = G_GUINT64_CONSTANT(0x8080808080808080);
  while (i + 32 <= n) {
    guint64 w[4];
    memcpy(w, t + i, 32);
    if ((w[0] | w[1] | w[2] | w[3]) & highs) break;
    i += 32;
  }
  for (; i + 8 <= n; i += 8) {
    guint64 w;
    memcpy(&w, t + i, 8);
    if (w & highs) return i + ((gsize)__builtin_ctzll(w & highs) >> 3);
  }
  while (i < n && t[i] < 0x80) i++;
  return i;
}
