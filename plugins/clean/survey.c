/* copydesk — clean: the survey, one scan that lists where a text is not plain.
 *
 * Most of a news text is printable ASCII words with one space between them, which no pass
 * changes.  The survey lists every other byte, its "stops": a byte that is not printable
 * ASCII (0x21-0x7E) — a control, a line break, DEL, a byte of a non-ASCII character — and a
 * space that starts the text or is not followed by printable ASCII (so it is the first of a
 * run of white space).  The whitespace and control-character passes visit the stops instead
 * of scanning the text each, and mojibake repair and normalisation skip a text without a
 * byte >= 0x80 at once and find the non-ASCII characters of any other among the stops.  It is taken once per document and stays true until a pass commits
 * an edit (clean_pass_finish() marks it out of date; the next user takes it again).
 *
 * The scan reads 32 bytes at a time as two GCC/Clang generic vectors of sixteen (portable C
 * that the compiler turns into SSE2 on x86-64 and NEON on arm64): a few compares give 0xFF in
 * each byte that stops, and a stop needs the class of the byte after it, read from the
 * sixteen bytes one further on.  The stops are read from the vectors' 64-bit halves.
 */
#include <string.h>

#include "clean.h"

/* Sixteen bytes, and the result of comparing them (0xFF where true, 0 where false). */
typedef guchar CleanV16 __attribute__((vector_size(16)));
typedef gint8 CleanV16Mask __attribute__((vector_size(16)));
/* The same sixteen bytes as two 64-bit words, the first byte lowest in the first. */
typedef guint64 CleanV2x64 __attribute__((vector_size(16)));

#define HIGHS G_GUINT64_CONSTANT(0x8080808080808080)

/* Whether C is printable ASCII (0x21-0x7E): a byte no pass changes on its own. */
static inline gboolean is_plain(guchar c) { return (guchar)(c - 0x21) < 0x5E; }

/* 0xFF in each byte of V that is printable ASCII, 0 in the others. */
static inline CleanV16Mask plain_bytes(CleanV16 v) { return (CleanV16Mask)(v - 0x21 < 0x5E); }

/* Appends the N stops at STOPS. */
static void add_stops(CleanSurvey *survey, const gsize *stops, gsize n) {
  if (n == 0) return; /* STOPS may be NULL then, which memcpy() must not be given */
  if (survey->n_stops + n > survey->size) {
    survey->size = MAX(MAX(64, survey->size * 2), survey->n_stops + n);
    survey->stops = g_renew(gsize, survey->stops, survey->size);
  }
  memcpy(survey->stops + survey->n_stops, stops, n * sizeof *stops);
  survey->n_stops += n;
}

/* Writes to STOPS the position (from AT) of each byte whose bit 7 is set in MASK; returns
 * how many. */
static inline gsize list_stops(guint64 mask, gsize at, gsize *stops) {
  gsize n = 0;
  for (; mask != 0; mask &= mask - 1)
    stops[n++] = at + ((gsize)__builtin_ctzll(mask) >> 3); /* the first byte is lowest */
  return n;
}

/* 0xFF in each of the sixteen bytes at P that stops (P[16] is there), 0 in the others; ORs
 * the bytes into *SEEN. */
static inline CleanV2x64 stop_bytes(const guchar *p, CleanV16 *seen) {
  CleanV16 v, after;
  memcpy(&v, p, 16);
  memcpy(&after, p + 1, 16); /* the byte after each of V's */
  *seen |= v;
  /* A byte that is not plain stops, unless it is a space before a plain byte. */
  CleanV16Mask keep = plain_bytes(v) | ((CleanV16Mask)(v == ' ') & plain_bytes(after));
  return (CleanV2x64)~keep;
}

/* How many bytes scan_block() reads at most: it has room for a stop at each. */
#define BLOCK_BYTES 256

/* Writes the stops in the LEN bytes at T + I (a multiple of 32, at most BLOCK_BYTES; the byte
 * after them is there) to STOPS, ORs the bytes into *SEEN, and returns how many.  Most runs of
 * 32 bytes have no stop, and cost one test. */
static gsize scan_block(const guchar *t, gsize i, gsize len, gsize *stops, CleanV16 *seen) {
  gsize n = 0;
  for (gsize end = i + len; i < end; i += 32) {
    CleanV2x64 a = stop_bytes(t + i, seen), b = stop_bytes(t + i + 16, seen);
    CleanV2x64 any = a | b;
    if ((any[0] | any[1]) == 0) continue;
    n += list_stops(a[0] & HIGHS, i, stops + n);
    n += list_stops(a[1] & HIGHS, i + 8, stops + n);
    n += list_stops(b[0] & HIGHS, i + 16, stops + n);
    n += list_stops(b[1] & HIGHS, i + 24, stops + n);
  }
  return n;
}

void clean_survey_take(CleanSurvey *survey, const char *text, gsize n) {
  const guchar *t = (const guchar *)text;
  survey->n_stops = 0;
  survey->any_high = FALSE;
  survey->valid = TRUE;
  CleanV16 seen = {0};
  gsize block[BLOCK_BYTES];
  gsize i = 0;
  if (n > 0 && t[0] == ' ') {
    block[0] = 0; /* white space at the start of the text */
    add_stops(survey, block, 1);
    i = 1;
  }
  /* 32 bytes at a time (the byte after the last is there: the text is NUL-terminated). */
  while (i + 32 <= n) {
    gsize len = MIN(BLOCK_BYTES, (n - i) / 32 * 32);
    add_stops(survey, block, scan_block(t, i, len, block, &seen));
    i += len;
  }
  CleanV2x64 seen64 = (CleanV2x64)seen;
  guint64 highs = seen64[0] | seen64[1];
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

gsize clean_survey_stop_at(const CleanSurvey *survey, gsize pos) {
  gsize lo = 0, hi = survey->n_stops;
  while (lo < hi) {
    gsize mid = lo + (hi - lo) / 2;
    if (survey->stops[mid] < pos)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}
