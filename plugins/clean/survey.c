/* copydesk — clean: the survey, one scan that lists where a text is not plain.
 *
 * Most of a news text is printable ASCII words with one space between them, which no pass
 * changes.  The survey lists every other byte, its "stops": a byte that is not printable
 * ASCII (0x21-0x7E) — a control, a line break, DEL, a byte of a non-ASCII character — and a
 * space that starts the text or is not followed by printable ASCII (so it is the first of a
 * run of white space).  The whitespace and control-character passes visit the stops instead
 * of scanning the text each, and mojibake repair and normalisation skip a text without a
 * byte >= 0x80 at once.  It is taken once per document and stays true until a pass commits
 * an edit (clean_pass_finish() marks it out of date; the next user takes it again).
 *
 * The scan reads eight bytes at a time: the bytes' classes are worked out in bit 7 of each
 * byte of a few sums (no sum carries into the next byte), and a stop needs the class of the
 * byte after it, read from the eight bytes one further on.
 */
#include <string.h>

#include "clean.h"

#define ONES G_GUINT64_CONSTANT(0x0101010101010101)
#define HIGHS (ONES * 0x80)
#define LOWS (ONES * 0x7F)

/* Whether C is printable ASCII (0x21-0x7E): a byte no pass changes on its own. */
static inline gboolean is_plain(guchar c) { return (guchar)(c - 0x21) < 0x5E; }

/* Classifies the eight bytes of W (bit 7 of each byte of the masks): *ODD receives those that
 * are not printable ASCII (space, controls, DEL, bytes >= 0x80), *BAD those of them that are
 * not a space either. */
static inline void classify_word(guint64 w, guint64 *odd, guint64 *bad) {
  guint64 low7 = w & LOWS;
  guint64 above = w | (low7 + ONES); /* >= 0x80, or DEL */
  guint64 from_20 = low7 + ONES * 0x60, from_21 = low7 + ONES * 0x5F;
  *odd = (above | ~from_21) & HIGHS;
  *bad = (above | ~from_20) & HIGHS;
}

/* Appends the N stops at STOPS. */
static void add_stops(CleanSurvey *survey, const gsize *stops, gsize n) {
  if (survey->n_stops + n > survey->size) {
    survey->size = MAX(MAX(64, survey->size * 2), survey->n_stops + n);
    survey->stops = g_renew(gsize, survey->stops, survey->size);
  }
  memcpy(survey->stops + survey->n_stops, stops, n * sizeof *stops);
  survey->n_stops += n;
}

/* How many bytes scan_block() reads at most: it has room for a stop at each. */
#define BLOCK_BYTES 256

/* Writes the stops in the LEN bytes at T + I (a multiple of 8, at most BLOCK_BYTES; the byte
 * after them is there) to STOPS, ORs the bytes into *HIGHS, and returns how many.  Nothing in
 * the loop calls out, so its constants stay in registers. */
static gsize scan_block(const guchar *t, gsize i, gsize len, gsize *stops, guint64 *highs) {
  gsize n = 0;
  guint64 seen = 0;
  for (gsize end = i + len; i < end; i += 8) {
    guint64 w, after;
    memcpy(&w, t + i, 8);
    memcpy(&after, t + i + 1, 8); /* the byte after each of W's */
    seen |= w;
    guint64 odd, bad, after_odd, after_bad;
    classify_word(w, &odd, &bad);
    classify_word(after, &after_odd, &after_bad);
    /* Every bad byte stops, and so does a space before a byte that is not plain. */
    guint64 found = bad | (odd & after_odd);
    while (found != 0) {
      stops[n++] = i + ((gsize)__builtin_ctzll(found) >> 3); /* the first byte is lowest */
      found &= found - 1;
    }
  }
  *highs |= seen;
  return n;
}

void clean_survey_take(CleanSurvey *survey, const char *text, gsize n) {
  const guchar *t = (const guchar *)text;
  survey->n_stops = 0;
  survey->any_high = FALSE;
  survey->valid = TRUE;
  guint64 highs = 0;
  gsize block[BLOCK_BYTES];
  gsize i = 0;
  if (n > 0 && t[0] == ' ') {
    block[0] = 0; /* white space at the start of the text */
    add_stops(survey, block, 1);
    i = 1;
  }
  /* Eight bytes at a time (the byte after the last is there: the text is NUL-terminated). */
  while (i + 8 <= n) {
    gsize len = MIN(BLOCK_BYTES, (n - i) / 8 * 8);
    add_stops(survey, block, scan_block(t, i, len, block, &highs));
    i += len;
  }
  /* The last bytes one at a time. */
  for (; i < n; i++) {
    highs |= t[i];
    if (!is_plain(t[i]) && !(t[i] == ' ' && is_plain(t[i + 1]))) {
      block[0] = i;
      add_stops(survey, block, 1);
    }
  }
  survey->any_high = (highs & HIGHS) != 0;
}

void clean_survey_ensure(CleanSurvey *survey, CopydeskDocument *doc) {
  if (survey->valid) return;
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  clean_survey_take(survey, text, len);
}

void clean_survey_clear(CleanSurvey *survey) {
  g_free(survey->stops);
  memset(survey, 0, sizeof *survey);
}
