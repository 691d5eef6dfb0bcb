/* copydesk — clean: control and zero-width characters, and Unicode normalisation.
 *
 * Printable ASCII is already NFC and has nothing to remove: the control pass visits only
 * the survey's stops (see survey.c), and normalisation only those of its stops that are
 * bytes >= 0x80, or none when the survey found no such byte.  Both pass over a text at once
 * when none of its few distinct non-ASCII characters (clean_survey_chars()) is one they
 * change, nor, for the control pass, any of its controls.
 *
 * Normalisation only touches the non-ASCII runs that change.  A run is cut into
 * pieces at "boundaries": characters that are starters (combining class 0), do not
 * compose with a character before them (Hangul vowels and trailing consonants, and
 * the few such vowel signs of Indic and other scripts) and whose decomposition does
 * not begin with a non-starter.  Normalising each piece alone gives the same result
 * as normalising the whole text, so each replacement is as small as it can be: an
 * "e" followed by U+0301 becomes one "é" mapped back to those two characters, and
 * the words around it keep their one-to-one mapping.
 */
#include <string.h>

#include "clean.h"

/* ---- Control and zero-width characters ------------------------------------ */

enum {
  DROP_CONTROL = 1 << 0, /* the byte is, or may start, a control character */
  DROP_ZERO_WIDTH = 1 << 1, /* the byte may start a zero-width character */
};

/* What each byte may start that the pass removes: C0 controls but tab and the line breaks
 * (LF, VT, FF, CR: whitespace's), DEL, 0xC2 (C1 controls, soft hyphen), 0xE2 (U+200B, U+2060)
 * and 0xEF (U+FEFF).  No continuation byte (0x80-0xBF) is in it, so a stop inside a character
 * never looks like the start of one. */
static const guint8 drop_lead[256] = {
    [0x00] = DROP_CONTROL, [0x01] = DROP_CONTROL, [0x02] = DROP_CONTROL,
    [0x03] = DROP_CONTROL, [0x04] = DROP_CONTROL, [0x05] = DROP_CONTROL,
    [0x06] = DROP_CONTROL, [0x07] = DROP_CONTROL, [0x08] = DROP_CONTROL,
    [0x0E] = DROP_CONTROL, [0x0F] = DROP_CONTROL, [0x10] = DROP_CONTROL,
    [0x11] = DROP_CONTROL, [0x12] = DROP_CONTROL, [0x13] = DROP_CONTROL,
    [0x14] = DROP_CONTROL, [0x15] = DROP_CONTROL, [0x16] = DROP_CONTROL,
    [0x17] = DROP_CONTROL, [0x18] = DROP_CONTROL, [0x19] = DROP_CONTROL,
    [0x1A] = DROP_CONTROL, [0x1B] = DROP_CONTROL, [0x1C] = DROP_CONTROL,
    [0x1D] = DROP_CONTROL, [0x1E] = DROP_CONTROL, [0x1F] = DROP_CONTROL,
    [0x7F] = DROP_CONTROL, [0xC2] = DROP_CONTROL | DROP_ZERO_WIDTH,
    [0xE2] = DROP_ZERO_WIDTH, [0xEF] = DROP_ZERO_WIDTH,
};

/* Whether the pass removes the non-ASCII character C: with CONTROL a C1 control but NEL
 * (U+0085, a line break), with ZERO_WIDTH the soft hyphen U+00AD, U+200B zero-width space,
 * U+2060 word joiner and U+FEFF byte-order mark. */
static gboolean removed_char(gunichar c, gboolean control, gboolean zero_width) {
  if (c >= 0x80 && c <= 0x9F && c != 0x85) return control;
  return zero_width && (c == 0xAD || c == 0x200B || c == 0x2060 || c == 0xFEFF);
}

/* Whether the survey's text, whose characters are known, has a character the pass removes (or
 * may have: too many distinct ones to know). */
static gboolean any_removed(const CleanSurvey *survey, gboolean control, gboolean zero_width) {
  if (survey->many_chars || (control && survey->any_control)) return TRUE;
  for (guint j = 0; j < survey->n_chars; j++)
    if (removed_char(survey->chars[j], control, zero_width)) return TRUE;
  return FALSE;
}

gboolean clean_characters(CopydeskDocument *doc, CleanSurvey *survey, gboolean control,
                          gboolean zero_width, GError **error) {
  clean_survey_ensure(survey, doc);
  if (!any_removed(clean_survey_chars(survey, copydesk_document_text(doc, NULL)), control,
                   zero_width))
    return TRUE;
  CleanPass pass;
  clean_pass_init(&pass, doc, survey);
  const guchar *t = (const guchar *)pass.text;
  gboolean ok = TRUE;
  /* Only the survey's stops can be controls or invisible characters: the rest is printable
   * ASCII.  Most stops are line breaks, spaces and the bytes of curly quotes and dashes,
   * which one look at drop_lead[] passes over. */
  const guint8 wanted = (control ? DROP_CONTROL : 0) | (zero_width ? DROP_ZERO_WIDTH : 0);
  const gsize *stops = survey->stops, n_stops = survey->n_stops;
  for (gsize k = 0; k < n_stops;) {
    gsize i = stops[k];
    guchar c = t[i];
    /* The continuation bytes of a character are the stops after its lead byte (the text is
     * valid UTF-8): stepped over. */
    k += clean_utf8_len(c);
    if ((drop_lead[c] & wanted) == 0) continue;
    if (c < 0x80) { /* a C0 control or DEL */
      if (!(ok = clean_pass_delete(&pass, i, i + 1, error))) break;
      continue;
    }
    if (removed_char(clean_utf8_char(pass.text + i), control, zero_width) &&
        !(ok = clean_pass_delete(&pass, i, i + clean_utf8_len(c), error)))
      break;
  }
  return clean_pass_finish(&pass, ok, error);
}

/* ---- Normalisation -------------------------------------------------------- */

/* Starters that compose with the character before them (the second half of a primary
 * composite), outside the Hangul jamo ranges.  Sorted. */
static const gunichar backward_combining[] = {
    0x09BE,  0x09D7,  0x0B3E,  0x0B56,  0x0B57,  0x0BBE,  0x0BD7,  0x0CC2,
    0x0CD5,  0x0CD6,  0x0D3E,  0x0D57,  0x0DCF,  0x0DDF,  0x102E,  0x1B35,
    0x11127, 0x1133E, 0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930,
};

static gboolean combines_backward(gunichar c) {
  if (c < 0x0900) return FALSE;
  if ((c >= 0x1161 && c <= 0x1175) || (c >= 0x11A8 && c <= 0x11C2)) return TRUE; /* jamo V, T */
  gsize lo = 0, hi = G_N_ELEMENTS(backward_combining);
  while (lo < hi) {
    gsize mid = (lo + hi) / 2;
    if (backward_combining[mid] == c) return TRUE;
    if (backward_combining[mid] < c)
      lo = mid + 1;
    else
      hi = mid;
  }
  return FALSE;
}

/* Classifies the non-ASCII character C: whether a piece may start at it (*BOUNDARY) and
 * whether it is certainly unchanged by normalisation when it stands at a boundary with
 * another boundary after it (*INERT: no decomposition at all). */
static void classify(gunichar c, gboolean compat, gboolean *boundary, gboolean *inert) {
  if (g_unichar_combining_class(c) != 0 || combines_backward(c)) {
    *boundary = FALSE;
    *inert = FALSE;
    return;
  }
  gunichar decomposition[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
  gsize n = g_unichar_fully_decompose(c, compat, decomposition, G_N_ELEMENTS(decomposition));
  if (n == 1 && decomposition[0] == c) {
    *boundary = TRUE;
    *inert = TRUE;
    return;
  }
  *inert = FALSE;
  *boundary = n > 0 && g_unichar_combining_class(decomposition[0]) == 0 &&
              !combines_backward(decomposition[0]);
}

/* classify() of the non-ASCII characters news text is made of (Latin-1's letters and signs;
 * the spaces, dashes and quotes of General Punctuation), for NFC and NFKC, each worked out once:
 * a table lookup instead of GLib's decomposition tables for each of them.  Bit 1: boundary,
 * bit 2: inert. */
#define LATIN1_FIRST 0x80
#define LATIN1_END 0x100
#define PUNCT_FIRST 0x2000
#define PUNCT_END 0x2070
static guint8 latin1_classes[2][LATIN1_END - LATIN1_FIRST];
static guint8 punct_classes[2][PUNCT_END - PUNCT_FIRST];

/* Fills the tables of one mode: DATA is compat (0 for NFC, 1 for NFKC), made when a text first
 * needs that mode. */
static gpointer fill_classes(gpointer data) {
  gboolean compat = GPOINTER_TO_INT(data);
  gboolean boundary, inert;
  for (gunichar c = LATIN1_FIRST; c < LATIN1_END; c++) {
    classify(c, compat, &boundary, &inert);
    latin1_classes[compat][c - LATIN1_FIRST] = (guint8)(boundary | inert << 1);
  }
  for (gunichar c = PUNCT_FIRST; c < PUNCT_END; c++) {
    classify(c, compat, &boundary, &inert);
    punct_classes[compat][c - PUNCT_FIRST] = (guint8)(boundary | inert << 1);
  }
  return NULL;
}

/* The table entry of the non-ASCII character C into *BITS; FALSE when the tables do not have
 * it. */
static inline gboolean table_bits(gunichar c, gboolean compat, guint8 *bits) {
  if (c < LATIN1_END)
    *bits = latin1_classes[compat][c - LATIN1_FIRST];
  else if (c >= PUNCT_FIRST && c < PUNCT_END)
    *bits = punct_classes[compat][c - PUNCT_FIRST];
  else
    return FALSE;
  return TRUE;
}

/* classify(), from the tables where they have C. */
static inline void classify_fast(gunichar c, gboolean compat, gboolean *boundary,
                                 gboolean *inert) {
  guint8 bits;
  if (!table_bits(c, compat, &bits)) {
    classify(c, compat, boundary, inert);
    return;
  }
  *boundary = (bits & 1) != 0;
  *inert = (bits & 2) != 0;
}

/* Whether the tables say each of the distinct non-ASCII characters of the survey's text, which
 * are known, is inert (not when there are too many to know).  Then no chunk of the text changes:
 * a character of a chunk of one is passed over as inert, a longer chunk is inert as a whole,
 * and there is no combining character for an ASCII letter to take. */
static gboolean all_inert(const CleanSurvey *survey, gboolean compat) {
  if (survey->many_chars) return FALSE;
  for (guint j = 0; j < survey->n_chars; j++) {
    guint8 bits;
    if (!table_bits(survey->chars[j], compat, &bits) || !(bits & 2)) return FALSE;
  }
  return TRUE;
}

/* Pieces longer than this many code points are left alone: no real text has them, and
 * canonical reordering of an unbounded run of marks is not linear.  (Unicode's
 * stream-safe format allows 30 non-starters in a row.) */
#define MAX_PIECE_CHARS 32
/* A run is cut at the first boundary past this many bytes, to bound each normalisation. */
#define MAX_CHUNK_BYTES 4096

/* Normalises the piece [S, E) of T and replaces it when it changes. */
static gboolean normalize_piece(CleanPass *pass, const char *t, gsize s, gsize e,
                                GNormalizeMode mode, GError **error) {
  gchar *normal = g_utf8_normalize(t + s, (gssize)(e - s), mode);
  gboolean ok = TRUE;
  if (normal != NULL) {
    gsize len = strlen(normal);
    if (len != e - s || memcmp(normal, t + s, len) != 0)
      ok = clean_pass_replace(pass, s, e, normal, len, error);
    g_free(normal);
  }
  return ok;
}

gboolean clean_normalize(CopydeskDocument *doc, CleanSurvey *survey, CleanNormalize which,
                         GError **error) {
  if (which == CLEAN_NORMALIZE_NONE) return TRUE;
  clean_survey_ensure(survey, doc);
  if (!survey->any_high) return TRUE; /* ASCII is normalised already */
  gboolean compat = which == CLEAN_NORMALIZE_NFKC;
  static GOnce once[2] = {G_ONCE_INIT, G_ONCE_INIT};
  g_once(&once[compat], fill_classes, GINT_TO_POINTER(compat));
  CleanPass pass;
  clean_pass_init(&pass, doc, survey);
  if (all_inert(clean_survey_chars(survey, pass.text), compat)) return TRUE;
  GNormalizeMode mode = compat ? G_NORMALIZE_NFKC : G_NORMALIZE_NFC;
  const char *t = pass.text;
  const guchar *u = (const guchar *)t;
  gsize n = pass.len;
  gboolean ok = TRUE;
  GArray *bounds = NULL; /* where the pieces of a chunk that changes start */
  gsize i = 0, stop = 0;
  while (ok && i < n) {
    /* ASCII characters are boundaries and never change: the next non-ASCII one is the
     * survey's next stop with a byte >= 0x80. */
    i = clean_survey_next_high(survey, u, &stop, i, n);
    if (i >= n) break;
    /* Most non-ASCII characters of news text stand alone between ASCII ones, and the tables
     * say they are inert (curly quotes, dashes): such a chunk of one is passed over at once.
     * (The byte after the character is there: the text is valid UTF-8 and NUL-terminated.) */
    gsize len = clean_utf8_len(u[i]);
    guint8 bits;
    if (u[i + len] < 0x80 && table_bits(clean_utf8_char(t + i), compat, &bits) && (bits & 2)) {
      i += len;
      continue;
    }
    /* The chunk starts at the boundary before the first non-ASCII character: the ASCII
     * character before it (which may take an accent), or I itself after a cut. */
    gsize chunk_start = (i > 0 && u[i - 1] < 0x80) ? i - 1 : i, first = i;
    gboolean inert = TRUE, long_piece = FALSE;
    guint piece_chars = 1;
    gsize j = i;
    while (j < n && u[j] >= 0x80) {
      gunichar c = clean_utf8_char(t + j);
      gboolean boundary, char_inert;
      classify_fast(c, compat, &boundary, &char_inert);
      if (boundary) {
        if (j - chunk_start > MAX_CHUNK_BYTES) break;
        piece_chars = 1;
      } else if (++piece_chars > MAX_PIECE_CHARS) {
        long_piece = TRUE;
      }
      if (!char_inert) inert = FALSE;
      j += clean_utf8_len(u[j]);
    }
    gsize chunk_end = j;
    i = j;
    if (inert) continue;
    if (!long_piece) {
      /* Usually the whole chunk is already normal: one call tells. */
      gchar *normal = g_utf8_normalize(t + chunk_start, (gssize)(chunk_end - chunk_start), mode);
      gboolean same = normal == NULL || (strlen(normal) == chunk_end - chunk_start &&
                                         memcmp(normal, t + chunk_start, strlen(normal)) == 0);
      g_free(normal);
      if (same) continue;
    }
    /* The chunk changes (rare): its pieces start at its start and at each boundary in it. */
    if (bounds == NULL) bounds = g_array_new(FALSE, FALSE, sizeof(gsize));
    g_array_set_size(bounds, 0);
    g_array_append_val(bounds, chunk_start);
    for (gsize k = first; k < chunk_end; k += clean_utf8_len(u[k])) {
      gboolean boundary, char_inert;
      classify_fast(clean_utf8_char(t + k), compat, &boundary, &char_inert);
      if (boundary && k > chunk_start) g_array_append_val(bounds, k);
    }
    g_array_append_val(bounds, chunk_end);
    for (guint b = 0; ok && b + 1 < bounds->len; b++) {
      gsize s = g_array_index(bounds, gsize, b), e = g_array_index(bounds, gsize, b + 1);
      if (e - s == 1) continue; /* one ASCII character */
      if (long_piece && g_utf8_strlen(t + s, (gssize)(e - s)) > MAX_PIECE_CHARS) continue;
      ok = normalize_piece(&pass, t, s, e, mode, error);
    }
  }
  if (bounds != NULL) g_array_free(bounds, TRUE);
  return clean_pass_finish(&pass, ok, error);
}
