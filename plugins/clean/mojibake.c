/* copydesk — clean: mojibake repair.
 *
 * Mojibake is UTF-8 that some program decoded with a single-byte code page: "é" (bytes
 * C3 A9) read as Windows-1252 becomes "Ã©", "’" (E2 80 99) becomes "â€™", and text
 * that went through that twice becomes "Ã¢â‚¬â„¢".  The repair encodes the suspect
 * characters back to bytes with the code page and decodes the bytes as UTF-8 again.
 *
 * Correct text must never be touched, so a line is only repaired when it is
 * *implausible*: when it has a sequence of characters that real text almost never
 * has but mojibake usually does — a C1 control character, an accented capital right
 * after a lowercase accented letter, "Ã" before a symbol, a currency sign glued to a
 * letter, box-drawing characters beside letters, "вЂ", and so on (is_bad() lists
 * them; the classes and rules follow the published design of ftfy's badness
 * heuristic, re-implemented here as a table of character classes).  A "line" is the
 * text between line breaks, also cut at the spaces and invisible characters no code
 * page has (an em space, a byte-order mark), which can be no part of mojibake.  An
 * implausible line is then repaired in steps, each step one of, in order:
 *
 *  1. the whole line is encodable in one of the code pages (Latin-1, Windows-1252,
 *     -1251, -1250, -1253, -1254, -1257, ISO-8859-2, MacRoman, CP437, tried in that
 *     order) and its bytes are UTF-8 — or CESU-8, whose surrogate pairs are joined —
 *     once two well-known kinds of damage are undone: a 0xA0 byte that became a plain
 *     space ("Ã " for "à "; not in MacRoman, where "– " would look the same), and bytes
 *     lost to U+FFFD or "?" (a UTF-8 sequence missing a byte becomes one U+FFFD, as a
 *     decoder would have made it) — unless the result glues a letter of a far script,
 *     made from several characters, to an ASCII letter ("café\u00A0½" is valid UTF-8
 *     read as Latin-1, "caf頽", but a correct word);
 *  2. otherwise, each stretch that looks like UTF-8 read as a code page (a lead
 *     character such as "Ã" or "â" followed by the right number of continuation
 *     characters), is implausible on its own, and is not in the middle of a longer
 *     garble, is repaired alone, by the same steps;
 *  3. otherwise, C1 control characters in Latin-1 text are read as the Windows-1252
 *     characters they almost always were (0x93 → “), unless the line also fits
 *     Windows-1252 as it is.
 *
 * Steps repeat while they change something, which undoes double (and triple)
 * encodings.  Each repaired character remembers which characters of the line it came
 * from, so the edit replaces exactly those: "Ã©" → "é" is a two-character edit and the
 * words around it keep their one-to-one offsets.
 *
 * Cost: text without a byte >= 0x80 is passed over at once (the survey says so), and so is
 * text whose few distinct non-ASCII characters (clean_survey_chars()) are all harmless on their
 * own, the curly quotes and dashes of English news.  Elsewhere only a few characters around
 * each stretch of non-ASCII text are judged (first_bad(), which
 * finds the stretches in the survey's list, not by reading the ASCII between them); a line
 * is read whole only once it has proved implausible.
 */
#include <string.h>

#include "clean.h"
#include "mojibake.h"

/* ---- Working text: characters that remember their source ------------------- */

/* A character of the text being repaired and the characters [s, e) of the line it
 * stands for. */
typedef struct {
  gunichar c;
  guint32 s, e;
} MjChar;

/* A byte of an encoded text and the characters it stands for. */
typedef struct {
  guint8 b;
  guint32 s, e;
} MjByte;

typedef struct {
  MjChar *v;
  gsize n, cap;
} MjText;

typedef struct {
  MjByte *v;
  gsize n, cap;
} MjBytes;

/* Room for more: out of the way of the pushes, which the repair makes one a character. */
static G_NO_INLINE void text_grow(MjText *t) {
  t->cap = t->cap ? t->cap * 2 : 64;
  t->v = g_renew(MjChar, t->v, t->cap);
}

static G_NO_INLINE void bytes_grow(MjBytes *b) {
  b->cap = b->cap ? b->cap * 2 : 64;
  b->v = g_renew(MjByte, b->v, b->cap);
}

static inline void text_push(MjText *t, gunichar c, guint32 s, guint32 e) {
  if (t->n == t->cap) text_grow(t);
  t->v[t->n++] = (MjChar){c, s, e};
}

static inline void bytes_push(MjBytes *b, guint8 byte, guint32 s, guint32 e) {
  if (b->n == b->cap) bytes_grow(b);
  b->v[b->n++] = (MjByte){byte, s, e};
}

/* Room for N characters in all (the repair's texts are about as long as the line). */
static void text_reserve(MjText *t, gsize n) {
  if (t->cap >= n) return;
  t->cap = n;
  t->v = g_renew(MjChar, t->v, t->cap);
}

static void bytes_reserve(MjBytes *b, gsize n) {
  if (b->cap >= n) return;
  b->cap = n;
  b->v = g_renew(MjByte, b->v, b->cap);
}

static void text_clear(MjText *t) {
  g_free(t->v);
  memset(t, 0, sizeof *t);
}

static void bytes_clear(MjBytes *b) {
  g_free(b->v);
  memset(b, 0, sizeof *b);
}

static gboolean text_same_chars(const MjText *a, const MjText *b) {
  if (a->n != b->n) return FALSE;
  for (gsize i = 0; i < a->n; i++)
    if (a->v[i].c != b->v[i].c) return FALSE;
  return TRUE;
}

/* ---- Code pages ------------------------------------------------------------- */

enum {
  CP_LATIN1 = 0,
  CP_WINDOWS_1252 = 1,
  CP_MACROMAN = 8,
};

static const CleanCodepageChar *codepage_char(gunichar c) {
  gsize lo = 0, hi = clean_codepage_n_chars;
  while (lo < hi) {
    gsize mid = (lo + hi) / 2;
    gunichar m = clean_codepage_chars[mid].c;
    if (m == c) return &clean_codepage_chars[mid];
    if (m < c)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* The byte of the non-ASCII character C in code page CP, or -1. */
static G_NO_INLINE int encode_high(gunichar c, guint cp) {
  if (c == 0xFFFD && clean_codepages[cp].sloppy) return 0x1A;
  const CleanCodepageChar *r = codepage_char(c);
  return r != NULL && r->bytes[cp] != 0 ? r->bytes[cp] : -1;
}

/* The byte of C in code page CP, or -1: inline for ASCII, most of a line. */
static inline int encode_char(gunichar c, guint cp) {
  if (c < 0x80) return c == 0x1A && clean_codepages[cp].sloppy ? -1 : (int)c;
  return encode_high(c, cp);
}

/* The code pages in which every character of T is encodable, bit CP for code page CP: where
 * encode_char() answers a byte for each, found for all the pages at once, one look-up a
 * non-ASCII character. */
static guint encodable_pages(const MjText *t) {
  guint sloppy = 0;
  for (guint cp = 0; cp < CLEAN_N_CODEPAGES; cp++)
    sloppy |= (guint)clean_codepages[cp].sloppy << cp;
  guint pages = (1u << CLEAN_N_CODEPAGES) - 1;
  for (gsize i = 0; i < t->n && pages != 0; i++) {
    gunichar c = t->v[i].c;
    if (c < 0x80) {
      if (c == 0x1A) pages &= ~sloppy;
      continue;
    }
    guint here = c == 0xFFFD ? sloppy : 0;
    const CleanCodepageChar *r = codepage_char(c);
    for (guint cp = 0; r != NULL && cp < CLEAN_N_CODEPAGES; cp++)
      here |= (guint)(r->bytes[cp] != 0) << cp;
    pages &= here;
  }
  return pages;
}

static guint8 clues(gunichar c) {
  if (c == ' ') return CLEAN_CLUE_CONT;
  if (c < 0x80) return 0;
  const CleanCodepageChar *r = codepage_char(c);
  return r ? r->clues : 0;
}

/* A continuation character that does not usually stand for itself next to mojibake
 * (spaces, no-break spaces, dashes, bullets, quotation marks and ellipses often do). */
static gboolean strict_continuation(gunichar c) {
  switch (c) {
    case ' ':
    case 0x00A0:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2022:
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x2026:
      return FALSE;
    default:
      return (clues(c) & CLEAN_CLUE_CONT) != 0;
  }
}

/* ---- How implausible a text is ---------------------------------------------- */

/* Character classes of the few hundred characters that appear in mojibake. */
enum {
  K_C1 = 1 << 0,      /* C1 controls U+0080-U+009F */
  K_BAD = 1 << 1,     /* characters nearly only seen in mojibake: ¦ ¤ ¨ ¬ ¯ ¸ ƒ ˆ ˇ … */
  K_LAW = 1 << 2,     /* ¶ § */
  K_CUR = 1 << 3,     /* ¢ £ ¥ ₧ € */
  K_OPEN = 1 << 4,    /* opening punctuation: ¡ « ¿ © ‘ ‚ “ „ • ‹ … */
  K_CLOSE = 1 << 5,   /* closing punctuation: ® » ˝ ” › ™ */
  K_NUM = 1 << 6,     /* numeric symbols: ² ³ ¹ ± ¼ ½ ¾ × µ ÷ √ ∞ ≤ ≥ № … */
  K_FACE = 1 << 7,    /* letters used in emoticons: Ò-Ö Ù-Ü ò-ö ø-ü Ő Ō Ū Ų ° */
  K_UPPER = 1 << 8,   /* accented Latin capitals */
  K_LOWER = 1 << 9,   /* accented Latin lowercase letters, ß, ﬁ, ﬂ */
  K_UPPER_C = 1 << 10, /* Greek and Cyrillic capitals, Þ */
  K_LOWER_C = 1 << 11, /* Greek and Cyrillic lowercase letters */
  K_BOX = 1 << 12,    /* box drawing and block characters */
  K_COMMON = 1 << 13, /* characters common in real text too: NBSP, SHY, ·, ´, – — ― … ’ */
};

typedef struct {
  gunichar c;
  guint16 k;
} MjClass;

/* Single characters (the ranges are in class_ranges[]).  Sorted. */
static const MjClass class_table[] = {
    {0x00A0, K_COMMON}, {0x00A1, K_OPEN},   {0x00A2, K_CUR},    {0x00A3, K_CUR},
    {0x00A4, K_BAD},    {0x00A5, K_CUR},    {0x00A6, K_BAD},    {0x00A7, K_LAW},
    {0x00A8, K_BAD},    {0x00A9, K_OPEN},   {0x00AA, K_BAD},    {0x00AB, K_OPEN},
    {0x00AC, K_BAD},    {0x00AD, K_COMMON}, {0x00AE, K_CLOSE},  {0x00AF, K_BAD},
    {0x00B0, K_FACE},   {0x00B1, K_NUM},    {0x00B2, K_NUM},    {0x00B3, K_NUM},
    {0x00B4, K_COMMON}, {0x00B5, K_NUM},    {0x00B6, K_LAW},    {0x00B7, K_COMMON},
    {0x00B8, K_BAD},    {0x00B9, K_NUM},    {0x00BA, K_BAD},    {0x00BB, K_CLOSE},
    {0x00BC, K_NUM},    {0x00BD, K_NUM},    {0x00BE, K_NUM},    {0x00BF, K_OPEN},
    {0x00D7, K_NUM},    {0x00D8, K_UPPER},  {0x00DC, K_UPPER},  {0x00DD, K_UPPER},
    {0x00DE, K_UPPER_C}, {0x00DF, K_LOWER}, {0x00F7, K_NUM},    {0x00FC, K_LOWER},
    {0x0100, K_UPPER},  {0x0101, K_LOWER},  {0x0102, K_UPPER},  {0x0103, K_LOWER},
    {0x0104, K_UPPER},  {0x0105, K_LOWER},  {0x0106, K_UPPER},  {0x0107, K_LOWER},
    {0x010C, K_UPPER},  {0x010D, K_LOWER},  {0x010E, K_UPPER},  {0x010F, K_LOWER},
    {0x0110, K_UPPER},  {0x0111, K_LOWER},  {0x0112, K_UPPER},  {0x0113, K_LOWER},
    {0x0116, K_UPPER},  {0x0117, K_LOWER},  {0x0118, K_UPPER},  {0x0119, K_LOWER},
    {0x011A, K_UPPER},  {0x011B, K_LOWER},  {0x011E, K_UPPER},  {0x011F, K_LOWER},
    {0x0122, K_UPPER},  {0x0123, K_LOWER},  {0x012A, K_UPPER},  {0x012B, K_LOWER},
    {0x012F, K_LOWER},  {0x0130, K_UPPER},  {0x0136, K_UPPER},  {0x0137, K_LOWER},
    {0x0139, K_UPPER},  {0x013A, K_LOWER},  {0x013B, K_UPPER},  {0x013C, K_LOWER},
    {0x013D, K_UPPER},  {0x013E, K_LOWER},  {0x0141, K_UPPER},  {0x0142, K_LOWER},
    {0x0143, K_UPPER},  {0x0145, K_UPPER},  {0x0147, K_UPPER},  {0x014C, K_FACE},
    {0x0150, K_FACE},   {0x0152, K_UPPER},  {0x0153, K_LOWER},  {0x0155, K_LOWER},
    {0x0158, K_UPPER},  {0x015A, K_UPPER},  {0x015B, K_LOWER},  {0x015E, K_UPPER},
    {0x015F, K_LOWER},  {0x0160, K_UPPER},  {0x0161, K_LOWER},  {0x0162, K_UPPER},
    {0x0164, K_UPPER},  {0x0165, K_LOWER},  {0x016A, K_FACE},   {0x016E, K_UPPER},
    {0x0170, K_UPPER},  {0x0172, K_FACE},   {0x0178, K_UPPER},  {0x0179, K_UPPER},
    {0x017A, K_LOWER},  {0x017B, K_UPPER},  {0x017C, K_LOWER},  {0x017D, K_UPPER},
    {0x017E, K_LOWER},  {0x0192, K_BAD},    {0x02C6, K_BAD},    {0x02C7, K_BAD},
    {0x02D8, K_BAD},    {0x02DB, K_BAD},    {0x02DC, K_BAD},    {0x02DD, K_CLOSE},
    {0x0384, K_OPEN},   {0x0385, K_OPEN},   {0x0386, K_UPPER_C}, {0x0388, K_UPPER_C},
    {0x0389, K_UPPER_C}, {0x038A, K_UPPER_C}, {0x038C, K_UPPER_C}, {0x038E, K_UPPER_C},
    {0x038F, K_UPPER_C}, {0x03AA, K_UPPER_C}, {0x03AB, K_UPPER_C}, {0x03AC, K_LOWER_C},
    {0x03AD, K_LOWER_C}, {0x03AE, K_LOWER_C}, {0x03AF, K_LOWER_C}, {0x03B0, K_LOWER_C},
    {0x0490, K_UPPER},  {0x0491, K_LOWER},  {0x2013, K_COMMON}, {0x2014, K_COMMON},
    {0x2015, K_COMMON}, {0x2018, K_OPEN},   {0x2019, K_COMMON}, {0x201A, K_OPEN},
    {0x201C, K_OPEN},   {0x201D, K_CLOSE},  {0x201E, K_OPEN},   {0x2020, K_BAD},
    {0x2021, K_BAD},    {0x2022, K_OPEN},   {0x2026, K_COMMON}, {0x2030, K_BAD},
    {0x2039, K_OPEN},   {0x203A, K_CLOSE},  {0x2044, K_NUM},    {0x20A7, K_CUR},
    {0x20AC, K_CUR},    {0x2116, K_NUM},    {0x2122, K_CLOSE},  {0x2202, K_NUM},
    {0x2206, K_NUM},    {0x220F, K_NUM},    {0x2211, K_NUM},    {0x221A, K_NUM},
    {0x221E, K_NUM},    {0x2229, K_NUM},    {0x222B, K_NUM},    {0x2248, K_NUM},
    {0x2260, K_NUM},    {0x2261, K_NUM},    {0x2264, K_NUM},    {0x2265, K_NUM},
    {0x2310, K_BAD},    {0x2502, K_BOX},    {0x250C, K_BOX},    {0x2510, K_BOX},
    {0x2518, K_BOX},    {0x251C, K_BOX},    {0x2524, K_BOX},    {0x252C, K_BOX},
    {0x253C, K_BOX},    {0x2580, K_BOX},    {0x2584, K_BOX},    {0x2588, K_BOX},
    {0x258C, K_BOX},    {0x2590, K_BOX},    {0x2591, K_BOX},    {0x2592, K_BOX},
    {0x2593, K_BOX},    {0x25CA, K_BAD},    {0xF8FF, K_OPEN},   {0xFB01, K_LOWER},
    {0xFB02, K_LOWER},  {0xFFFD, K_BAD},
};

/* Ranges of characters of one class, all below U+2600.  A character's class is those of the
 * ranges it is in and of its entry in class_table[]. */
static const struct {
  gunichar first, last;
  guint16 k;
} class_ranges[] = {
    {0x0080, 0x009F, K_C1},      {0x00C0, 0x00D1, K_UPPER},   {0x00E0, 0x00F1, K_LOWER},
    {0x00D2, 0x00D6, K_FACE},    {0x00D9, 0x00DC, K_FACE},    {0x00F2, 0x00F6, K_FACE},
    {0x00F8, 0x00FC, K_FACE},    {0x0391, 0x03A9, K_UPPER_C}, {0x0401, 0x042F, K_UPPER_C},
    {0x03B1, 0x03C9, K_LOWER_C}, {0x0430, 0x045F, K_LOWER_C}, {0x2550, 0x256C, K_BOX},
};

/* The classes of U+0000-U+04FF and U+2000-U+25FF (where every range and nearly all of
 * class_table[] are), made once; the few others are looked up in class_table[]. */
static guint16 class_low[0x500], class_punct[0x600];

/* ORs class K into the table entry of C, which must be in one of the tables (char_class()
 * answers 0 between and above them without looking at class_table[]). */
static void add_class(gunichar c, guint16 k) {
  if (c < G_N_ELEMENTS(class_low)) {
    class_low[c] |= k;
  } else {
    g_assert(c >= 0x2000 && c < 0x2000 + G_N_ELEMENTS(class_punct));
    class_punct[c - 0x2000] |= k;
  }
}

static gpointer fill_classes(gpointer data) {
  (void)data;
  for (gsize r = 0; r < G_N_ELEMENTS(class_ranges); r++)
    for (gunichar c = class_ranges[r].first; c <= class_ranges[r].last; c++)
      add_class(c, class_ranges[r].k);
  for (gsize i = 0; i < G_N_ELEMENTS(class_table) && class_table[i].c < 0x2600; i++)
    add_class(class_table[i].c, class_table[i].k);
  return NULL;
}

void clean_mojibake_init(void) {
  static GOnce once = G_ONCE_INIT;
  g_once(&once, fill_classes, NULL);
}

/* The class of C: from the tables, or for the few characters past them, class_table[]. */
static inline guint16 char_class(gunichar c) {
  if (c < G_N_ELEMENTS(class_low)) return class_low[c];
  if (c >= 0x2000 && c < 0x2000 + G_N_ELEMENTS(class_punct)) return class_punct[c - 0x2000];
  if (c < 0xF8FF) return 0;
  gsize lo = 0, hi = G_N_ELEMENTS(class_table);
  while (lo < hi) {
    gsize mid = (lo + hi) / 2;
    if (class_table[mid].c == c) return class_table[mid].k;
    if (class_table[mid].c < c)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

static inline gboolean in_list(gunichar c, const gunichar *list, gsize n) {
  for (gsize i = 0; i < n; i++)
    if (list[i] == c) return TRUE;
  return FALSE;
}

#define IN(c, ...) in_list((c), (const gunichar[]){__VA_ARGS__}, \
                           sizeof((const gunichar[]){__VA_ARGS__}) / sizeof(gunichar))

static inline gboolean ascii_lower(gunichar c) { return c >= 'a' && c <= 'z'; }
static inline gboolean ascii_alpha(gunichar c) { return ascii_lower(c | 0x20); }
static inline gboolean word_char(gunichar c) { return c == '_' || g_unichar_isalnum(c); }

/* Second characters after Â Ã Î Ð that make the pair Windows-1252 mojibake. */
static gboolean after_a_hat(gunichar c, guint16 k) {
  return (k & (K_OPEN | K_CLOSE)) ||
         IN(c, 0x20AC, 0x0153, 0x0160, 0x0161, 0x00A2, 0x00A3, 0x0178, 0x017E, 0x00A0, 0x00AD,
            0x00AE, 0x00A9, 0x00B0, 0x00B7, 0x00BB, 0x2013, 0x2014, 0x00B4);
}

/* The second character of an Arabic-as-Windows-1252 pair (Ø¹ Ù…). */
static gboolean arabic_second(gunichar c, guint16 k) {
  return (k & (K_COMMON | K_CUR | K_BAD | K_NUM | K_OPEN)) ||
         IN(c, 0x0178, 0x0160, 0x00AE, 0x00B0, 0x00B5, 0x00BB);
}

/* TRUE when the N characters at V contain a sequence that real text almost never has.
 * AT_START: V starts the text (some sequences only count there). */
static gboolean is_bad_at(const MjChar *v, gsize n, gboolean at_start) {
  guint16 small[256];
  guint16 *k = n <= G_N_ELEMENTS(small) ? small : g_new(guint16, n);
  gboolean any = FALSE;
  for (gsize i = 0; i < n; i++) {
    k[i] = char_class(v[i].c);
    any |= k[i] != 0;
  }
  gboolean bad = FALSE;
  for (gsize i = 0; any && i < n && !bad; i++) {
    /* Every rule starts at a classed character or has one among the next two (or at a
     * space before "Â "/"Ã ", whose capitals are classed): the characters more than two
     * before the next classed one are passed over. */
    if (k[i] == 0) {
      gsize next = i + 1;
      while (next < n && k[next] == 0) next++;
      if (next == n) break;
      if (next > i + 2) i = next - 2;
    }
    gunichar c = v[i].c, c1 = i + 1 < n ? v[i + 1].c : 0, c2 = i + 2 < n ? v[i + 2].c : 0;
    guint16 a = k[i], b = i + 1 < n ? k[i + 1] : 0, d = i + 2 < n ? k[i + 2] : 0;
    if (a & K_C1) {
      bad = TRUE;
      break;
    }
    if (i + 1 < n) {
      const guint16 symbolic = K_BAD | K_LOWER | K_UPPER | K_BOX | K_OPEN | K_CLOSE | K_CUR |
                               K_NUM | K_LAW;
      bad = ((a & symbolic) && (b & K_BAD)) || ((a & K_BAD) && (b & (symbolic & ~K_BAD))) ||
            ((a & (K_LOWER | K_LOWER_C | K_BOX | K_CLOSE | K_CUR | K_NUM)) && (b & K_UPPER)) ||
            ((a & (K_BOX | K_CLOSE | K_CUR | K_NUM)) && (b & K_LOWER)) ||
            ((a & (K_LOWER | K_BOX | K_CLOSE)) && (b & K_CUR)) ||
            ((a & (K_UPPER | K_BOX)) && (b & (K_NUM | K_LAW))) ||
            ((a & (K_CUR | K_NUM | K_BOX)) && (b & K_OPEN)) ||
            ((a & K_BOX) && (b & (K_FACE | K_CLOSE))) ||
            ((a & (K_LOWER | K_UPPER | K_CUR | K_NUM | K_OPEN | K_CLOSE | K_LAW)) &&
             (b & K_BOX)) ||
            ((c == 0x152 || c == 0x153) && !ascii_alpha(c1)) ||   /* Œ œ not before a letter */
            ((a & K_UPPER) && c1 == 0xB0) ||                       /* capital and ° */
            (IN(c, 0xC2, 0xC3, 0xCE, 0xD0) && after_a_hat(c1, b)) || /* Ã© Â® Ð° */
            (c == 0xD7 && (c1 == 0xB2 || c1 == 0xB3)) ||           /* ×² */
            (c == 0xE0 && IN(c1, 0xB2, 0xB5, 0xB9, 0xBC, 0xBD, 0xBE)) || /* South Asian */
            (c == 0x221A && IN(c1, 0xB1, 0x2202, 0x2020, 0x2260, 0xAE, 0x2122, 0xB4, 0x2264,
                               0x2265, 0xA5, 0xB5, 0xF8)) || /* MacRoman √± √∂ */
            (c == 0x2248 && (c1 == 0xB0 || c1 == 0xA2)) ||
            (c == 0x432 && c1 == 0x402) ||                  /* вЂ: Windows-1251 of U+20xx */
            (c == 0xC3 && (c1 == 0xA0 || c1 == 0xA1)) ||    /* Ã + NBSP, Ã¡ */
            (c == 0x101 && c1 == 0x20AC) ||                 /* ā€: Windows-1257 */
            (i == 0 && at_start && (c == 0xC3 || c == 0xC2) && c1 == ' '); /* "Ã " first */
      if (bad) break;
    }
    if (i + 2 < n) {
      const gunichar cyr[] = {0x412, 0x413, 0x420, 0x421}; /* В Г Р С */
      const gunichar greek[] = {0x392, 0x393, 0x39E, 0x39F}; /* Β Γ Ξ Ο */
      bad = (ascii_alpha(c) && (b & (K_LOWER_C | K_UPPER_C)) && (d & K_BAD)) ||
            (g_unichar_isspace(c) && (b & K_UPPER) && (d & K_CUR)) ||
            ((a & (K_LOWER | K_UPPER | K_BOX | K_CUR | K_CLOSE)) && (b & K_OPEN) && (d & K_NUM)) ||
            ((a & (K_LOWER | K_UPPER | K_CUR | K_NUM | K_BOX | K_LAW)) && (b & K_CLOSE) &&
             (d & K_OPEN)) ||
            (ascii_lower(c) && (b & K_UPPER) && (d & (K_OPEN | K_CUR))) ||
            ((a & (K_LOWER | K_UPPER)) && (b & (K_OPEN | K_CLOSE)) && word_char(c2)) ||
            (c == 0x201A && c1 == 0xC4 &&
             IN(c2, 0xEC, 0xEE, 0xEF, 0xF2, 0xF4, 0xFA, 0xF9, 0xFB, 0x2020, 0xB0, 0xA2, 0x3C0)) ||
            (c == 0x201A && (c1 == 0xE2 || c1 == 0xF3) && IN(c2, 0xE0, 0xE4, 0xB0, 0xEA)) ||
            (in_list(c, cyr, 4) && ((b & (K_C1 | K_BAD | K_OPEN | K_CLOSE | K_CUR)) ||
                                    c1 == 0xB0 || c1 == 0xB5) &&
             in_list(c2, cyr, 4)) ||
            ((ascii_lower(c) || IN(c, '.', ',', '?', '!') || (a & K_CLOSE)) && c1 == 0xC2 &&
             (c2 == ' ' || (d & (K_OPEN | K_CLOSE)))) ||
            (c == 0x3B2 && c1 == 0x20AC && IN(c2, 0x2122, 0xA0, 0x386, 0xAD, 0xAE, 0xB0)) ||
            (in_list(c, greek, 4) && ((b & (K_C1 | K_BAD | K_OPEN | K_CLOSE | K_CUR)) ||
                                      c1 == 0xB0) &&
             in_list(c2, greek, 4));
      if (bad) break;
      /* a lowercase letter, maybe a space, then "Ã " or "Â " */
      if (ascii_lower(c)) {
        gsize j = i + 1;
        if (j < n && g_unichar_isspace(v[j].c) && j + 2 < n && (v[j + 1].c == 0xC3 ||
                                                                v[j + 1].c == 0xC2) &&
            v[j + 2].c == ' ')
          bad = TRUE;
        else if ((c1 == 0xC3 || c1 == 0xC2) && c2 == ' ')
          bad = TRUE;
        if (bad) break;
      }
    }
    if (i + 3 < n && (c == 0xD8 || c == 0xD9) && arabic_second(c1, b) &&
        (c2 == 0xD8 || c2 == 0xD9) && arabic_second(v[i + 3].c, k[i + 3]))
      bad = TRUE; /* Ø¹Ù… : Arabic as Windows-1252 */
    if (i + 6 < n && c == 0x413 && c1 == 0x45E && c2 == 0x412 && v[i + 3].c == 0x402 &&
        v[i + 4].c == 0x412 && v[i + 5].c != '\n' &&
        (ascii_alpha(v[i + 6].c) || v[i + 6].c == ' '))
      bad = TRUE; /* ГўВЂВ: Windows-1251 over Windows-1252 */
  }
  if (k != small) g_free(k);
  return bad;
}

static gboolean is_bad(const MjChar *v, gsize n) { return is_bad_at(v, n, TRUE); }

/* Every sequence is_bad() looks for has a character >= U+0080 in it, at most two characters
 * after its start and at most six before its end. */
#define BAD_BEFORE 2
#define BAD_AFTER 6

/* Lines end at LF, CR, VT and FF (NEL, U+0085, is a C1 control to mojibake repair). */
static inline gboolean is_line_break(guchar c) {
  return c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Where the ASCII text at T[I] stops: at the first byte >= 0x80 or line break of the next
 * nine bytes, or after them (or at END).  Eight bytes at a time when they are there. */
static inline gsize next_in_stretch(const guchar *t, gsize i, gsize end) {
  if (i + 10 <= end) {
    const guint64 ones = G_GUINT64_CONSTANT(0x0101010101010101);
    const guint64 highs = ones * 0x80, lows = ones * 0x7F;
    guint64 w;
    memcpy(&w, t + i, 8);
    /* Bit 7 of each byte of the sums: low seven bits >= 0x0A, >= 0x0E (no carries). */
    guint64 low7 = w & lows;
    guint64 line_breaks = (low7 + ones * 0x76) & ~(low7 + ones * 0x72) & ~w & highs;
    guint64 stops = (w & highs) | line_breaks;
    if (stops) return i + ((gsize)__builtin_ctzll(stops) >> 3);
    return is_line_break(t[i + 8]) || t[i + 8] >= 0x80 ? i + 8 : i + 9;
  }
  gsize gap = i;
  while (gap < end && t[gap] < 0x80 && gap - i < 9 && !is_line_break(t[gap])) gap++;
  return gap;
}

/* The classes of the characters English news is full of: curly quotes, dashes, ellipses, the
 * no-break space, ©, ®, ™, « ».  No rule of is_bad_at() fires on a text whose characters all
 * have classes within these (each rule needs a character of another class: a capital or
 * lowercase accented letter, a symbol, a currency sign, a C1 control…), so a stretch made of
 * them is passed over without being judged. */
#define HARMLESS_CLASSES (K_COMMON | K_OPEN | K_CLOSE)

/* Looks for is_bad() sequences in [START, END) of T (START at a line start) without reading
 * all of it: only around its non-ASCII characters, each stretch of them (merged when fewer
 * than nine ASCII bytes apart on one line) with BAD_BEFORE characters before and BAD_AFTER
 * after, on the same line.  SURVEY, the survey of T, lists where those characters are.
 * Returns the start of the first implausible stretch, or END.  Linear in the non-ASCII
 * text. */
static gsize first_bad(const char *t, gsize start, gsize end, const CleanSurvey *survey) {
  const guchar *u = (const guchar *)t;
  MjChar window[64];
  gsize i = start, stop = clean_survey_stop_at(survey, start);
  while (i < end) {
    i = clean_survey_next_high(survey, u, &stop, i, end);
    if (i >= end) break;
    gsize first = i, last = i;
    guint16 classes = 0; /* of the stretch's non-ASCII characters */
    while (i < end) {
      if (u[i] >= 0x80) {
        last = i;
        classes |= char_class(clean_utf8_char(t + i));
        i += clean_utf8_len(u[i]);
        continue;
      }
      gsize gap = next_in_stretch(u, i, end);
      if (gap >= end || u[gap] < 0x80) break;
      i = gap;
    }
    /* The window below holds no other non-ASCII character: the ones before the stretch are
     * more than nine ASCII bytes back or on another line, and so are the ones after it. */
    if ((classes & ~HARMLESS_CLASSES) == 0) continue;
    /* A lone non-ASCII character can only make a sequence of is_bad() alone (with ASCII
     * around it) when it is a C1 control, Œ, œ, Â or Ã: the usual curly quote or accented
     * letter of English news is passed over here. */
    if (first == last) {
      gunichar c = clean_utf8_char(t + first);
      if (!(c >= 0x80 && c <= 0x9F) && c != 0x152 && c != 0x153 && c != 0xC2 && c != 0xC3)
        continue;
    }
    /* Back BAD_BEFORE characters and forward BAD_AFTER past the last one, on the line. */
    gsize ws = first;
    for (int k = 0; k < BAD_BEFORE && ws > start && !is_line_break(u[ws - 1]); k++)
      ws = (gsize)(g_utf8_prev_char(t + ws) - t);
    gboolean at_start = ws == start || is_line_break(u[ws - 1]);
    gsize we = last + clean_utf8_len(u[last]);
    for (int k = 0; k < BAD_AFTER && we < end && !is_line_break(u[we]); k++)
      we += clean_utf8_len(u[we]);
    /* Judge the window, in pieces of at most 64 characters that overlap by 8. */
    gsize p = ws;
    while (p < we) {
      gsize n = 0, q = p, resume = we;
      while (q < we && n < G_N_ELEMENTS(window)) {
        if (n == G_N_ELEMENTS(window) - 8) resume = q;
        window[n].c = clean_utf8_char(t + q);
        window[n].s = window[n].e = 0;
        n++;
        q += clean_utf8_len(u[q]);
      }
      if (is_bad_at(window, n, p == ws && at_start)) return first;
      p = q >= we ? we : resume;
    }
    i = MAX(i, we);
  }
  return end;
}

/* Where first_bad() over the whole text T (N bytes, SURVEY its survey) may find something: the
 * start of the line of the first non-ASCII character whose class is not within
 * HARMLESS_CLASSES, or N when there is none.  Only a stretch with such a character is judged,
 * and stretches and their windows end at line breaks, so first_bad() from that line's start
 * finds what it finds from the text's start.  Reads only the survey's stops (one a byte of a
 * non-ASCII character) and the characters they start. */
static gsize first_suspect_line(const guchar *t, gsize n, const CleanSurvey *survey) {
  const gsize *stops = survey->stops;
  gsize n_stops = survey->n_stops;
  for (gsize k = 0; k < n_stops;) {
    gsize i = stops[k];
    if (t[i] < 0x80) {
      k++;
      continue;
    }
    if ((char_class(clean_utf8_char((const char *)t + i)) & ~HARMLESS_CLASSES) != 0) {
      while (i > 0 && !is_line_break(t[i - 1])) i--;
      return i;
    }
    k += clean_utf8_len(t[i]); /* its continuation bytes are the next stops */
  }
  return n;
}

/* ---- Bytes back to text ------------------------------------------------------- */

static inline gboolean is_cont(guint8 b) { return (b & 0xC0) == 0x80; }

/* A continuation byte that a space may have replaced in a 3-byte sequence (not 0x85, whose
 * character is "…", nor 0xA0 itself). */
static inline gboolean spaced_cont(guint8 b) {
  return (b >= 0x80 && b <= 0x84) || (b >= 0x86 && b <= 0x9F) || (b >= 0xA1 && b <= 0xBF);
}

/* Length of a sequence at B[I] where a 0xA0 byte became a space, or 0. */
static gsize altered_sequence_at(const MjBytes *bytes, gsize i) {
  const MjByte *v = bytes->v;
  gsize n = bytes->n;
  guint8 b = v[i].b;
#define AT(k) (i + (k) < n ? v[i + (k)].b : 0)
  if ((b == 0xC2 || b == 0xC3 || b == 0xC5 || b == 0xCE || b == 0xD0 || b == 0xD9) &&
      AT(1) == ' ')
    return 2;
  if ((b == 0xE2 || b == 0xE3) && AT(1) == ' ' && spaced_cont(AT(2))) return 3;
  if (b >= 0xE0 && b <= 0xE3 && spaced_cont(AT(1)) && AT(2) == ' ') return 3;
  if (b == 0xF0) {
    guint8 x = AT(1), y = AT(2), z = AT(3);
    if ((x == ' ' && is_cont(y) && is_cont(z)) || (is_cont(x) && y == ' ' && is_cont(z)) ||
        (is_cont(x) && is_cont(y) && z == ' '))
      return 4;
  }
  return 0;
#undef AT
}

/* altered_sequence_at(), inline for the bytes below 0xC2 (most of a line), which start no such
 * sequence. */
static inline gsize altered_at(const MjBytes *bytes, gsize i) {
  return bytes->v[i].b < 0xC2 ? 0 : altered_sequence_at(bytes, i);
}

/* Undoes a 0xA0 byte turned into a space.  "\xC3 " (à) followed by a word gets back its
 * 0xA0 and keeps the space (the usual "à " of French and Portuguese), except before the
 * words of Portuguese crasis ("às", "àquele"); elsewhere the space itself was 0xA0. */
static void restore_a0(MjBytes *bytes) {
  gboolean found = FALSE;
  for (gsize i = 0; i < bytes->n && !found; i++) found = altered_at(bytes, i) != 0;
  if (!found) return;
  MjBytes out = {0};
  bytes_reserve(&out, bytes->n + 1);
  const MjByte *v = bytes->v;
  gsize n = bytes->n;
  for (gsize i = 0; i < n; i++) {
    if (v[i].b == 0xC3 && i + 1 < n && v[i + 1].b == ' ') {
      char after[6] = {0};
      for (gsize k = 0; k < 5 && i + 2 + k < n; k++) after[k] = (char)v[i + 2 + k].b;
      gboolean excluded = after[0] == ' ' || strncmp(after, "quele", 5) == 0 ||
                          strncmp(after, "quela", 5) == 0 || strncmp(after, "quilo", 5) == 0 ||
                          (after[0] == 's' && after[1] == ' ');
      if (!excluded) {
        bytes_push(&out, 0xC3, v[i].s, v[i].e);
        bytes_push(&out, 0xA0, v[i].s, v[i].e);
        bytes_push(&out, ' ', v[i + 1].s, v[i + 1].e);
        i++;
        continue;
      }
    }
    bytes_push(&out, v[i].b, v[i].s, v[i].e);
  }
  /* Then the spaces standing for 0xA0 inside sequences. */
  for (gsize i = 0; i < out.n;) {
    gsize len = altered_at(&out, i);
    if (len == 0) {
      i++;
      continue;
    }
    for (gsize k = i; k < i + len; k++)
      if (out.v[k].b == ' ') out.v[k].b = 0xA0;
    i += len;
  }
  bytes_clear(bytes);
  *bytes = out;
}

static gsize lossy_match(const MjBytes *bytes, gsize i);

/* Length of a UTF-8 (or CESU-8) sequence at B[I] that lost bytes to U+FFFD (0x1A in the
 * sloppy code pages) or, once, to "?"; 0 when there is none.  A "?" followed by a no-break
 * space is punctuation (French spacing: "allé?\u00A0"), not a lost byte. */
static inline gsize lossy_at(const MjBytes *bytes, gsize i) {
  guint8 b = bytes->v[i].b;
  if (b < 0xC2 && b != 0x1A) return 0; /* starts no such sequence (most bytes) */
  gsize len = lossy_match(bytes, i);
  for (gsize k = i; k + 1 < i + len; k++)
    if (bytes->v[k].b == '?' && bytes->v[k + 1].b == 0xA0) return 0;
  return len;
}

static gsize lossy_match(const MjBytes *bytes, gsize i) {
  const MjByte *v = bytes->v;
  gsize n = bytes->n;
#define AT(k) (i + (k) < n ? v[i + (k)].b : 0)
#define LOST(x) ((x) == 0x1A || (x) == '?')
#define CONT_OR_SUB(x) ((x) == 0x1A || is_cont(x))
  guint8 b = v[i].b, x = AT(1), y = AT(2), z = AT(3);
  if (b >= 0xC2 && b <= 0xDF && x == 0x1A) return 2;
  if ((b == 0xC2 || b == 0xC3) && x == '?') return 2;
  if (b == 0xED && x >= 0xA0 && x <= 0xAF && z == 0xED) {
    guint8 u = AT(4), w = AT(5);
    if (u >= 0xB0 && u <= 0xBF &&
        ((LOST(y) && (LOST(w) || is_cont(w))) || ((LOST(y) || is_cont(y)) && LOST(w))))
      return 6;
  }
  if (b >= 0xE0 && b <= 0xEF &&
      ((LOST(x) && CONT_OR_SUB(y)) || (CONT_OR_SUB(x) && LOST(y))))
    return 3;
  if (b >= 0xF0 && b <= 0xF4 &&
      ((LOST(x) && CONT_OR_SUB(y) && CONT_OR_SUB(z)) ||
       (CONT_OR_SUB(x) && LOST(y) && CONT_OR_SUB(z)) ||
       (CONT_OR_SUB(x) && CONT_OR_SUB(y) && LOST(z))))
    return 4;
  if (b == 0x1A) return 1;
  return 0;
#undef AT
#undef LOST
#undef CONT_OR_SUB
}

/* Replaces each sequence that lost bytes with the UTF-8 of U+FFFD (BYTES stay as they are
 * when none starts anywhere). */
static void replace_lossy(MjBytes *bytes) {
  gboolean found = FALSE;
  for (gsize i = 0; i < bytes->n && !found; i++) found = lossy_at(bytes, i) != 0;
  if (!found) return;
  MjBytes out = {0};
  bytes_reserve(&out, bytes->n);
  for (gsize i = 0; i < bytes->n;) {
    gsize len = lossy_at(bytes, i);
    if (len == 0) {
      bytes_push(&out, bytes->v[i].b, bytes->v[i].s, bytes->v[i].e);
      i++;
      continue;
    }
    guint32 s = bytes->v[i].s, e = bytes->v[i + len - 1].e;
    bytes_push(&out, 0xEF, s, e);
    bytes_push(&out, 0xBF, s, e);
    bytes_push(&out, 0xBD, s, e);
    i += len;
  }
  bytes_clear(bytes);
  *bytes = out;
}

/* Decodes BYTES as UTF-8 into OUT; with VARIANTS, CESU-8 surrogate pairs too.  FALSE on any
 * invalid sequence. */
static gboolean decode_utf8(const MjBytes *bytes, gboolean variants, MjText *out) {
  const MjByte *v = bytes->v;
  gsize n = bytes->n;
  for (gsize i = 0; i < n;) {
    guint8 b = v[i].b;
    gunichar c;
    gsize len;
    if (b < 0x80) {
      c = b;
      len = 1;
    } else if (b >= 0xC2 && b <= 0xDF && i + 1 < n && is_cont(v[i + 1].b)) {
      c = ((gunichar)(b & 0x1F) << 6) | (v[i + 1].b & 0x3F);
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF && i + 2 < n && is_cont(v[i + 1].b) &&
               is_cont(v[i + 2].b)) {
      c = ((gunichar)(b & 0x0F) << 12) | ((gunichar)(v[i + 1].b & 0x3F) << 6) |
          (v[i + 2].b & 0x3F);
      len = 3;
      if (c < 0x800) return FALSE; /* overlong */
      if (c >= 0xD800 && c <= 0xDFFF) {
        /* CESU-8: a high surrogate, then a low one */
        if (!variants || c > 0xDBFF || i + 5 >= n || v[i + 3].b != 0xED ||
            !is_cont(v[i + 4].b) || !is_cont(v[i + 5].b))
          return FALSE;
        gunichar low = ((gunichar)(v[i + 4].b & 0x3F) << 6) | (v[i + 5].b & 0x3F) | 0xD000;
        if (low < 0xDC00 || low > 0xDFFF) return FALSE;
        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        len = 6;
      }
    } else if (b >= 0xF0 && b <= 0xF4 && i + 3 < n && is_cont(v[i + 1].b) &&
               is_cont(v[i + 2].b) && is_cont(v[i + 3].b)) {
      c = ((gunichar)(b & 0x07) << 18) | ((gunichar)(v[i + 1].b & 0x3F) << 12) |
          ((gunichar)(v[i + 2].b & 0x3F) << 6) | (v[i + 3].b & 0x3F);
      len = 4;
      if (c < 0x10000 || c > 0x10FFFF) return FALSE;
    } else {
      return FALSE; /* including Java's C0 80 for U+0000: no NUL in a document */
    }
    text_push(out, c, v[i].s, v[i + len - 1].e);
    i += len;
  }
  return TRUE;
}

/* ---- The repair steps ----------------------------------------------------------- */

static void fix_encoding(const MjText *in, MjText *out, guint depth);

/* TRUE when T has a letter made from several characters, of a script other than Latin,
 * Greek and Cyrillic, right next to an ASCII letter: "café\u00A0½" decodes as "caf頽", a
 * correct word that happens to be valid UTF-8, not mojibake. */
static gboolean far_letter_in_latin(const MjText *t) {
  for (gsize i = 0; i < t->n; i++) {
    const MjChar *c = &t->v[i];
    if (c->c < 0x250 || c->e - c->s < 2 || !g_unichar_isalpha(c->c)) continue;
    GUnicodeScript script = g_unichar_get_script(c->c);
    if (script == G_UNICODE_SCRIPT_LATIN || script == G_UNICODE_SCRIPT_GREEK ||
        script == G_UNICODE_SCRIPT_CYRILLIC || script == G_UNICODE_SCRIPT_COMMON ||
        script == G_UNICODE_SCRIPT_INHERITED)
      continue;
    if ((i > 0 && ascii_alpha(t->v[i - 1].c)) || (i + 1 < t->n && ascii_alpha(t->v[i + 1].c)))
      return TRUE;
  }
  return FALSE;
}

/* Re-decodes IN as UTF-8 read as code page CP, into OUT.  FALSE when it does not decode. */
static gboolean try_codepage(const MjText *in, guint cp, MjText *out) {
  MjBytes bytes = {0};
  bytes_reserve(&bytes, in->n);
  gboolean lead_ed_c0 = FALSE; /* a non-ASCII character became 0xED or 0xC0 */
  for (gsize i = 0; i < in->n; i++) {
    gunichar c = in->v[i].c;
    guint8 b = (guint8)encode_char(c, cp);
    if (c >= 0x80) lead_ed_c0 |= b == 0xED || b == 0xC0;
    bytes_push(&bytes, b, in->v[i].s, in->v[i].e);
  }
  /* Not in MacRoman, where "– " (an en dash and a space) would look like it. */
  if (cp != CP_MACROMAN) restore_a0(&bytes);
  if (clean_codepages[cp].sloppy) replace_lossy(&bytes);
  /* Variants only when a byte 0xED or 0xC0 is left; neither step above makes one (they write
   * 0xA0, and EF BF BD), so the bytes are read again only when a character became one. */
  gboolean variants = FALSE;
  for (gsize i = 0; lead_ed_c0 && i < bytes.n && !variants; i++)
    variants = bytes.v[i].b == 0xED || bytes.v[i].b == 0xC0;
  out->n = 0;
  gboolean ok = decode_utf8(&bytes, variants, out) && !far_letter_in_latin(out);
  bytes_clear(&bytes);
  return ok;
}

/* Length of the stretch at I that looks like UTF-8 read as a code page ("Ã©", "â€™",
 * several of them in a row), or 0. */
static gsize utf8_clue_at(const MjText *t, gsize i) {
  gsize j = i, n = t->n;
  for (;;) {
    if (j >= n) break;
    guint8 lead = clues(t->v[j].c);
#define CONT(k) (j + (k) < n && (clues(t->v[j + (k)].c) & CLEAN_CLUE_CONT))
    if ((lead & CLEAN_CLUE_LEAD2) && CONT(1))
      j += 2;
    else if ((lead & CLEAN_CLUE_LEAD3) && CONT(1) && CONT(2))
      j += 3;
    else if ((lead & CLEAN_CLUE_LEAD4) && CONT(1) && CONT(2) && CONT(3))
      j += 4;
    else
      break;
#undef CONT
  }
  return j - i;
}

/* Repairs, one by one, the stretches of IN that look like UTF-8 read as a code page and are
 * implausible on their own; a stretch right after a continuation character is left alone (a
 * few characters fixed inside a long garble would make it worse). */
static void fix_inconsistent(const MjText *in, MjText *out, guint depth) {
  out->n = 0;
  MjText piece = {0}, fixed = {0};
  for (gsize i = 0; i < in->n;) {
    gsize len = 0;
    if (in->v[i].c >= 0x80 && !(i > 0 && strict_continuation(in->v[i - 1].c)))
      len = utf8_clue_at(in, i);
    if (len == 0) {
      text_push(out, in->v[i].c, in->v[i].s, in->v[i].e);
      i++;
      continue;
    }
    piece.n = 0;
    for (gsize k = i; k < i + len; k++) text_push(&piece, in->v[k].c, in->v[k].s, in->v[k].e);
    const MjText *use = &piece;
    if (len < in->n && is_bad(piece.v, piece.n)) {
      fix_encoding(&piece, &fixed, depth + 1);
      use = &fixed;
    }
    for (gsize k = 0; k < use->n; k++) text_push(out, use->v[k].c, use->v[k].s, use->v[k].e);
    i += len;
  }
  text_clear(&piece);
  text_clear(&fixed);
}

/* Windows-1252's character for byte B (the byte's own C1 control where it has none). */
static gunichar windows_1252(guint8 b) {
  return b >= 0x80 ? clean_codepages[CP_WINDOWS_1252].high[b - 0x80] : b;
}

/* One repair step of IN into OUT; FALSE when it changes nothing (OUT is then undefined). */
static gboolean fix_step(const MjText *in, MjText *out, guint depth) {
  gboolean ascii = TRUE;
  for (gsize i = 0; i < in->n && ascii; i++) ascii = in->v[i].c < 0x80;
  if (ascii || !is_bad(in->v, in->n)) return FALSE;
  guint possible = encodable_pages(in);
  for (guint cp = 0; cp < CLEAN_N_CODEPAGES; cp++) {
    if ((possible & 1u << cp) && try_codepage(in, cp, out)) return !text_same_chars(in, out);
  }
  if (depth < 4) {
    gboolean clue = FALSE;
    for (gsize i = 0; i < in->n && !clue; i++) clue = in->v[i].c >= 0x80 && utf8_clue_at(in, i);
    if (clue) {
      fix_inconsistent(in, out, depth);
      if (!text_same_chars(in, out)) return TRUE;
    }
  }
  gboolean c1 = FALSE;
  for (gsize i = 0; i < in->n && !c1; i++) c1 = in->v[i].c >= 0x80 && in->v[i].c <= 0x9F;
  if (possible & 1u << CP_LATIN1) {
    /* Latin-1 text: if it is Windows-1252 text too, it is probably fine as it is.  Otherwise it
     * has C1 controls Windows-1252 has characters for; read it as Windows-1252 if it can. */
    if (possible & 1u << CP_WINDOWS_1252) return FALSE;
    gboolean defined = TRUE;
    for (gsize i = 0; i < in->n && defined; i++) {
      gunichar c = in->v[i].c;
      defined = !(c >= 0x80 && c <= 0x9F && windows_1252((guint8)c) == c);
    }
    if (defined && c1) {
      out->n = 0;
      for (gsize i = 0; i < in->n; i++) {
        gunichar c = in->v[i].c;
        text_push(out, c >= 0x80 && c <= 0x9F ? windows_1252((guint8)c) : c, in->v[i].s,
                  in->v[i].e);
      }
      return !text_same_chars(in, out);
    }
  }
  if (c1) {
    out->n = 0;
    for (gsize i = 0; i < in->n; i++) {
      gunichar c = in->v[i].c;
      text_push(out, c >= 0x80 && c <= 0x9F ? windows_1252((guint8)c) : c, in->v[i].s,
                in->v[i].e);
    }
    return !text_same_chars(in, out);
  }
  return FALSE;
}

/* Repairs IN into OUT, step after step while they change it.  The steps write into OUT and a
 * spare text by turns, each reading the last one's result (the first reads IN), so that only
 * a text no step changes is copied. */
static void fix_encoding(const MjText *in, MjText *out, guint depth) {
  MjText spare = {0};
  MjText *texts[2] = {out, &spare};
  const MjText *cur = in;
  text_reserve(out, in->n);
  for (guint round = 0; round < 8; round++) {
    MjText *next = texts[round % 2];
    text_reserve(next, in->n);
    if (!fix_step(cur, next, depth)) break;
    cur = next;
  }
  if (cur == in) {
    out->n = 0;
    for (gsize i = 0; i < in->n; i++) text_push(out, in->v[i].c, in->v[i].s, in->v[i].e);
  } else if (cur == &spare) {
    MjText t = *out;
    *out = spare;
    spare = t;
  }
  text_clear(&spare);
}

/* ---- The pass --------------------------------------------------------------- */

/* Lines longer than this are repaired in pieces cut at spaces. */
#define MAX_PIECE_BYTES 65536

typedef struct {
  MjText line, fixed;
  gsize *offsets; /* the byte offset of each character of the line, and of its end */
  gsize offsets_size;
} MjScratch;

/* Repairs the bytes [START, END) of the pass's text (no line break inside). */
static gboolean repair_piece(CleanPass *pass, MjScratch *sc, gsize start, gsize end,
                             GError **error) {
  const char *t = pass->text;
  if (first_bad(t, start, end, pass->survey) == end) return TRUE;
  sc->line.n = 0;
  if (sc->offsets_size < end - start + 1) { /* room for a character at each byte */
    sc->offsets_size = end - start + 1;
    g_free(sc->offsets);
    sc->offsets = g_new(gsize, sc->offsets_size);
  }
  for (gsize i = start; i < end; i += clean_utf8_len((guchar)t[i])) {
    guint32 k = (guint32)sc->line.n;
    sc->offsets[k] = i;
    text_push(&sc->line, clean_utf8_char(t + i), k, k + 1);
  }
  sc->offsets[sc->line.n] = end;
  fix_encoding(&sc->line, &sc->fixed, 0);
  const gsize *off = sc->offsets;
  const MjChar *v = sc->fixed.v;
  gsize n = sc->fixed.n;
  GString *buf = g_string_new(NULL);
  gboolean ok = TRUE;
  for (gsize k = 0; ok && k < n;) {
    guint32 s = v[k].s, e = v[k].e;
    gsize m = k + 1;
    while (m < n && v[m].s < e) {
      e = MAX(e, v[m].e);
      m++;
    }
    gboolean same = m - k == e - s;
    for (gsize j = 0; same && j < m - k; j++) same = v[k + j].c == sc->line.v[s + j].c;
    if (!same) {
      g_string_truncate(buf, 0);
      for (gsize j = k; j < m; j++) g_string_append_unichar(buf, v[j].c);
      ok = clean_pass_replace(pass, off[s], off[e], buf->str, buf->len, error);
    }
    k = m;
  }
  g_string_free(buf, TRUE);
  return ok;
}

/* The byte length of a space or invisible character at P that no code page has, so no
 * mojibake holds: U+1680, U+2000-U+200D, U+202F, U+205F, U+2060, U+3000, U+FEFF; else 0.
 * (P has at least three bytes.) */
static inline gsize barrier_at(const guchar *p) {
  if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] <= 0x8D || p[2] == 0xAF)) return 3;
  if (p[0] == 0xE2 && p[1] == 0x81 && (p[2] == 0x9F || p[2] == 0xA0)) return 3;
  if ((p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) ||
      (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) ||
      (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80))
    return 3;
  return 0;
}

/* Whether the survey's text, whose characters are known, has a non-ASCII character whose class
 * is not within HARMLESS_CLASSES (or may have: too many to know). */
static gboolean any_suspect(const CleanSurvey *survey) {
  if (survey->many_chars) return TRUE;
  for (guint j = 0; j < survey->n_chars; j++)
    if ((char_class(survey->chars[j]) & ~HARMLESS_CLASSES) != 0) return TRUE;
  return FALSE;
}

gboolean clean_mojibake(CopydeskDocument *doc, CleanSurvey *survey, GError **error) {
  clean_survey_ensure(survey, doc);
  if (!survey->any_high) return TRUE; /* plain ASCII: nothing to repair */
  CleanPass pass;
  clean_pass_init(&pass, doc, survey);
  /* Curly quotes, dashes and no-break spaces alone: nothing is judged. */
  if (!any_suspect(clean_survey_chars(survey, pass.text))) return TRUE;
  const guchar *t = (const guchar *)pass.text;
  gsize n = pass.len;
  gsize i = first_suspect_line(t, n, survey);
  if (i < n) i = first_bad(pass.text, i, n, survey);
  if (i == n) return TRUE;
  MjScratch sc = {.offsets = NULL};
  gboolean ok = TRUE;
  while (ok && i < n) {
    /* The line holding the implausible text at I. */
    gsize start = i, end = i;
    while (start > 0 && !is_line_break(t[start - 1])) start--;
    while (end < n && !is_line_break(t[end])) end++;
    /* Pieces of at most MAX_PIECE_BYTES, cut after a space, and cut at the spaces and
     * invisible characters no code page has (a byte-order mark or an em space next to
     * mojibake must not hide it). */
    for (gsize s = start; ok && s < end;) {
      gsize e = end, skip = 0;
      for (gsize k = s; k + 3 <= end; k++) {
        if (t[k] >= 0xE1 && (skip = barrier_at(t + k)) != 0) {
          e = k;
          break;
        }
      }
      if (e - s > MAX_PIECE_BYTES) {
        e = s + MAX_PIECE_BYTES;
        gsize cut = e;
        while (cut > s && t[cut - 1] != ' ') cut--;
        if (cut > s)
          e = cut;
        else
          while (e > s && (t[e] & 0xC0) == 0x80) e--;
      }
      if (clean_next_high(t, s, e) < e) ok = repair_piece(&pass, &sc, s, e, error);
      s = e == end || skip == 0 ? e : e + skip;
    }
    i = first_bad(pass.text, end, n, survey);
  }
  text_clear(&sc.line);
  text_clear(&sc.fixed);
  g_free(sc.offsets);
  return clean_pass_finish(&pass, ok, error);
}
