/* copydesk — clean: the survey, one scan that lists where a text is not plain.
 *
 * Most of a news text is printable ASCII words with one space between them, which no pass
 * changes.  The survey lists every other byte, its "stops": a byte that is not printable
 * ASCII (0x21-0x7E) — a control, a line break, DEL, a byte of a non-ASCII character — and a
 * space that starts the text or is not followed by printable ASCII (so it is the first of a
 * run of white space).  The whitespace and control-character passes visit the stops instead
 * of scanning the text each, and mojibake repair and normalisation skip a text without a
 * byte >= 0x80 at once and find the non-ASCII characters of any other among the stops.  From
 * the stops, clean_survey_chars() also finds, once, a text's few distinct non-ASCII characters
 * and whether it has controls: the control pass, mojibake repair and normalisation pass over a
 * text when none of them is one they change.  The survey is taken once per document and stays
 * true until a pass commits an edit (clean_pass_finish() marks it out of date; the next user
 * takes it again).
 *
 * The scan reads 32 bytes at a time as two GCC/Clang generic vectors of sixteen (portable C
 * that the compiler turns into SSE2 on x86-64 and NEON on arm64): a few compares give 0xFF in
 * each byte that is kept, and a stop needs the class of the byte after it, read from the
 * sixteen bytes one further on.  The compares become a 32-bit mask, a bit a byte (SSE2's
 * PMOVMSKB, or a multiplication elsewhere), whose set bits are the stops; two such masks make
 * one test for 64 bytes.
 */
#include <string.h>

#include "../common/sorted.h"
#include "v16.h"
#include "clean.h"

/* How many bytes scan_block() reads at most: the survey makes room for a stop at each (32 KB of
 * list), so that it checks for room once every 4 KB of text. */
#define BLOCK_BYTES 4096

/* Whether C is printable ASCII (0x21-0x7E): a byte no pass changes on its own. */
static inline gboolean is_plain(guchar c) { return (guchar)(c - 0x21) < 0x5E; }

/* 0xFF in each byte of V that is printable ASCII, 0 in the others: one more than each byte,
 * read as signed, is above 0x21 just for 0x21-0x7E (0x7F becomes -128; bytes from 0x80 become
 * negative or 0). */
static inline V16 plain_bytes(V16Unsigned v) {
  return (V16)((V16)(v + 1) > 0x21);
}

/* Grows the survey's list to hold MORE stops after its own (doubling it, and to at least two
 * blocks' worth). */
static G_NO_INLINE void grow_stops(CleanSurvey *survey, gsize more) {
  survey->size = MAX(MAX(2 * BLOCK_BYTES, survey->size * 2), survey->n_stops + more);
  survey->stops = g_renew(gsize, survey->stops, survey->size);
}

/* Makes room for MORE stops after the survey's. */
static inline void reserve_stops(CleanSurvey *survey, gsize more) {
  if (survey->n_stops + more > survey->size) grow_stops(survey, more);
}

/* A bit for each of the sixteen bytes at P that does not stop (P[16] is there). */
static inline guint32 kept_bits(const guchar *p) {
  V16Unsigned v, after;
  memcpy(&v, p, 16);
  memcpy(&after, p + 1, 16); /* the byte after each of V's */
  /* A byte that is not plain stops, unless it is a space before a plain byte. */
  return v16_bits(plain_bytes(v) | ((V16)(v == ' ') & plain_bytes(after)));
}

/* A bit for each of the 32 bytes at P that stops (P[32] is there). */
static inline guint32 stop_bits(const guchar *p) {
  return ~(kept_bits(p) | kept_bits(p + 16) << 16);
}

/* Writes the stops in the LEN bytes at T + I (a multiple of 32, at most BLOCK_BYTES; the byte
 * after them is there) to STOPS and returns how many.  Most runs of 64 bytes have no stop, and
 * cost one test. */
static gsize scan_block(const guchar *t, gsize i, gsize len, gsize *stops) {
  gsize n = 0;
  for (gsize end = i + len; i < end; i += 64) {
    guint64 bits = stop_bits(t + i);
    if (i + 32 < end) bits |= (guint64)stop_bits(t + i + 32) << 32;
    for (; bits != 0; bits &= bits - 1) stops[n++] = i + (gsize)__builtin_ctzll(bits);
  }
  return n;
}

void clean_survey_take(CleanSurvey *survey, const char *text, gsize n) {
  const guchar *t = (const guchar *)text;
  survey->n_stops = 0;
  survey->valid = TRUE;
  survey->chars_known = FALSE;
  gsize i = 0;
  if (n > 0 && t[0] == ' ') {
    reserve_stops(survey, 1);
    survey->stops[survey->n_stops++] = 0; /* white space at the start of the text */
    i = 1;
  }
  /* 32 bytes at a time (the byte after the last is there: the text is NUL-terminated). */
  while (i + 32 <= n) {
    gsize len = MIN(BLOCK_BYTES, (n - i) / 32 * 32);
    reserve_stops(survey, len); /* room for a stop at each byte */
    survey->n_stops += scan_block(t, i, len, survey->stops + survey->n_stops);
    i += len;
  }
  /* The last bytes one at a time. */
  reserve_stops(survey, n - i);
  for (; i < n; i++) {
    if (!is_plain(t[i]) && !(t[i] == ' ' && is_plain(t[i + 1])))
      survey->stops[survey->n_stops++] = i;
  }
  /* Every byte >= 0x80 is a stop: the first such stop tells (a text that has one usually has
   * it early; the stops of an ASCII text are few).  The bytes below 0x80 that are stops are
   * the controls, the space and DEL, which bit C % 64 of LOW_BITS tells apart. */
  const gsize *stops = survey->stops, n_stops = survey->n_stops;
  guint64 low_bits = 0;
  gsize k = 0;
  for (; k < n_stops && t[stops[k]] < 0x80; k++)
    low_bits |= G_GUINT64_CONSTANT(1) << (t[stops[k]] % 64);
  survey->any_high = k < n_stops;
  survey->first_high = k;
  survey->low_bits = low_bits;
}

/* The bits of LOW_BITS (see clean_survey_take()) of the C0 controls but tab and the line
 * breaks LF, VT, FF and CR (0x09-0x0D), and of DEL (0x7F, bit 63). */
#define CONTROL_BITS (G_GUINT64_CONSTANT(0xFFFFC1FF) | G_GUINT64_CONSTANT(1) << 63)

/* The bytes of the UTF-8 character at P as one number, the first byte lowest. */
static inline guint32 char_key(const guchar *p) {
  guint32 key = p[0] | (guint32)p[1] << 8;
  if (p[0] >= 0xE0) key |= (guint32)p[2] << 16;
  if (p[0] >= 0xF0) key |= (guint32)p[3] << 24;
  return key;
}

/* The slots of clean_survey_chars()'s hash table of keys: twice as many as it keeps keys, so a
 * free slot is always there. */
#define KEY_SLOTS (2 * CLEAN_SURVEY_CHARS)

/* The slot where a look for KEY starts: its bytes mixed by a multiplication, the top bits. */
static inline guint key_slot(guint32 key) {
  return (guint)((key * 0x9E3779B1u) >> 27) % KEY_SLOTS;
}

const CleanSurvey *clean_survey_chars(CleanSurvey *survey, const char *text) {
  if (survey->chars_known) return survey;
  const guchar *t = (const guchar *)text;
  const gsize *stops = survey->stops, n_stops = survey->n_stops;
  guint32 keys[CLEAN_SURVEY_CHARS];
  guint n_keys = 0;
  /* The keys met, also in a small hash table (0: an empty slot, which no key is: a lead byte is
   * never 0), which tells at about one look whether a key is one of them. */
  guint32 seen[KEY_SLOTS] = {0};
  guint64 low_bits = survey->low_bits;
  gboolean many = FALSE;
  /* From the first byte >= 0x80 on (the stops before it are in LOW_BITS already).  Each byte
   * of a non-ASCII character is a stop, its continuation bytes the stops after its lead byte
   * (the text is valid UTF-8).  A text's characters are mostly a few (curly quotes, dashes), met
   * early and again and again. */
  for (gsize k = survey->first_high; k < n_stops;) {
    const guchar *p = t + stops[k];
    if (p[0] < 0x80) {
      low_bits |= G_GUINT64_CONSTANT(1) << (p[0] % 64);
      k++;
      continue;
    }
    k += clean_utf8_len(p[0]);
    guint32 key = char_key(p);
    guint slot = key_slot(key);
    while (seen[slot] != 0 && seen[slot] != key) slot = (slot + 1) % KEY_SLOTS;
    if (seen[slot] == key) continue;
    if (n_keys == CLEAN_SURVEY_CHARS) {
      many = TRUE;
      break;
    }
    seen[slot] = key;
    keys[n_keys++] = key;
  }
  for (guint j = 0; j < n_keys; j++) {
    const char bytes[4] = {(char)keys[j], (char)(keys[j] >> 8), (char)(keys[j] >> 16),
                           (char)(keys[j] >> 24)};
    survey->chars[j] = clean_utf8_char(bytes);
  }
  survey->n_chars = n_keys;
  survey->many_chars = many;
  survey->any_control = (low_bits & CONTROL_BITS) != 0;
  survey->chars_known = TRUE;
  return survey;
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
  return sorted_first_at_least(survey->stops, survey->n_stops, pos);
}
