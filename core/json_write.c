/* copydesk — helpers for plugins that write JSON.
 *
 * Strings: runs of bytes that need no escape (plain ASCII and well-formed UTF-8 other
 * than U+2028/U+2029) are appended in one call; everything else is escaped one byte
 * or one character at a time.  Numbers: the shortest of %.15g, %.16g, %.17g that
 * reads back to the same double, always in the C locale.
 */
#include <copydesk/json.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* TRUE for an ASCII byte that JSON lets stand for itself inside a string. */
static inline gboolean is_plain(guchar c)
{
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#define ONES G_GUINT64_CONSTANT(0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT(0x8080808080808080)

/* Nonzero when one of the eight bytes at P is not plain ASCII. */
static inline guint64 block_special(const guchar *p)
{
  guint64 v;
  memcpy(&v, p, sizeof v);
  guint64 quote = v ^ (ONES * '"');
  guint64 bslash = v ^ (ONES * '\\');
  return (((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) | ((v - ONES * 0x20) & ~v) | v) &
         HIGHS;
}

/* The length (2-4) of the well-formed UTF-8 sequence at P, or 0 (overlong forms, surrogates,
 * code points past U+10FFFF and truncated sequences are refused). */
static inline int utf8_sequence(const guchar *p, const guchar *end)
{
  guchar c = p[0];
  gsize avail = (gsize)(end - p);
  if (c >= 0xC2 && c <= 0xDF)
    return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    guchar lo = c == 0xE0 ? 0xA0 : 0x80;
    guchar hi = c == 0xED ? 0x9F : 0xBF;
    return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    guchar lo = c == 0xF0 ? 0x90 : 0x80;
    guchar hi = c == 0xF4 ? 0x8F : 0xBF;
    return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
                   (p[3] & 0xC0) == 0x80
               ? 4
               : 0;
  }
  return 0;
}

/* TRUE when the 3-byte sequence at P is U+2028 or U+2029 (which JavaScript treats as line ends). */
static inline gboolean is_line_separator(const guchar *p)
{
  return p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
}

/* Appends S as a quoted, escaped JSON string; the output is valid JSON whatever the input bytes. */
void copydesk_json_append_string(GString *out, const char *s, gssize len)
{
  static const char hex[] = "0123456789abcdef";
  g_return_if_fail(out != NULL);
  if (s == NULL)
    s = "", len = 0;
  if (len < 0)
    len = (gssize)strlen(s);

  const guchar *p = (const guchar *)s;
  const guchar *end = p + len;
  g_string_append_c(out, '"');
  while (p < end) {
    /* The fast path: the longest run that can be copied as it is. */
    const guchar *run = p;
    for (;;) {
      while (end - p >= 8 && !block_special(p))
        p += 8;
      while (p < end && is_plain(*p))
        p++;
      if (p < end && *p >= 0x80) {
        int n = utf8_sequence(p, end);
        if (n > 0 && !(n == 3 && is_line_separator(p))) {
          p += n;
          continue;
        }
      }
      break;
    }
    if (p > run)
      g_string_append_len(out, (const char *)run, p - run);
    if (p >= end)
      break;

    guchar c = *p;
    switch (c) {
    case '"': g_string_append_len(out, "\\\"", 2); break;
    case '\\': g_string_append_len(out, "\\\\", 2); break;
    case '\b': g_string_append_len(out, "\\b", 2); break;
    case '\f': g_string_append_len(out, "\\f", 2); break;
    case '\n': g_string_append_len(out, "\\n", 2); break;
    case '\r': g_string_append_len(out, "\\r", 2); break;
    case '\t': g_string_append_len(out, "\\t", 2); break;
    default:
      if (c < 0x20) {
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        g_string_append_len(out, esc, 6);
      } else if (utf8_sequence(p, end) == 3 && is_line_separator(p)) {
        g_string_append_len(out, p[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
        p += 2; /* plus the one below */
      } else {
        g_string_append_len(out, "\\ufffd", 6); /* one invalid byte */
      }
    }
    p++;
  }
  g_string_append_c(out, '"');
}

/* Rewrites the %g output BUF of an integral VALUE below 1e21 without its exponent
 * ("1.2345678901234568e+19" → "12345678901234568000"); leaves other text alone. */
static void expand_integer(char *buf, gsize size)
{
  char *e = strchr(buf, 'e');
  if (e == NULL)
    return;
  int exponent = atoi(e + 1);
  char digits[32];
  gsize n = 0;
  const char *p = buf;
  gboolean negative = *p == '-';
  if (negative)
    p++;
  for (; p < e; p++)
    if (g_ascii_isdigit(*p) && n < sizeof digits)
      digits[n++] = *p;
  if (exponent < 0 || (gsize)exponent + 1 < n || (gsize)exponent + 3 > size)
    return;
  char *o = buf;
  if (negative)
    *o++ = '-';
  memcpy(o, digits, n);
  o += n;
  for (gsize i = n; i < (gsize)exponent + 1; i++)
    *o++ = '0';
  *o = '\0';
}

/* Drops leading zeros from the exponent in BUF ("1e-07" → "1e-7"). */
static void trim_exponent(char *buf)
{
  char *e = strchr(buf, 'e');
  if (e == NULL)
    return;
  char *digits = e + 1;
  if (*digits == '+' || *digits == '-')
    digits++;
  char *first = digits;
  while (first[0] == '0' && first[1] != '\0')
    first++;
  if (first != digits)
    memmove(digits, first, strlen(first) + 1);
}

/* Writes VALUE to BUF when it is a multiple of 1/1000 between 0.001 and 10^9 in magnitude (scores,
 * confidences): the digits of that decimal are its shortest exact form, which %g would find
 * too, at a fraction of the cost.  FALSE, leaving BUF alone, for any other value. */
static gboolean format_thousandths(char *buf, double value)
{
  double magnitude = fabs(value);
  if (!(magnitude >= 0.001 && magnitude < 1e9))
    return FALSE;
  double thousandths = round(magnitude * 1000.0);
  if (thousandths / 1000.0 != magnitude)
    return FALSE;
  guint64 n = (guint64)thousandths;
  guint64 whole = n / 1000, fraction = n % 1000;
  int digits = 3;
  while (fraction != 0 && fraction % 10 == 0) {
    fraction /= 10;
    digits--;
  }
  char *o = buf;
  if (value < 0)
    *o++ = '-';
  char rev[24];
  int r = 0;
  do { /* the whole part's digits, last first */
    rev[r++] = (char)('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  while (r > 0)
    *o++ = rev[--r];
  if (fraction != 0) {
    *o++ = '.';
    for (int d = digits - 1; d >= 0; d--) { /* zero-padded to DIGITS places */
      o[d] = (char)('0' + fraction % 10);
      fraction /= 10;
    }
    o += digits;
  }
  *o = '\0';
  return TRUE;
}

/* Appends VALUE in the shortest %g form that reads back exactly; non-finite values become null. */
void copydesk_json_append_double(GString *out, double value)
{
  static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
  g_return_if_fail(out != NULL);
  if (!isfinite(value)) {
    g_string_append_len(out, "null", 4);
    return;
  }
  char quick[G_ASCII_DTOSTR_BUF_SIZE];
  if (format_thousandths(quick, value)) {
    g_string_append(out, quick);
    return;
  }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
    g_ascii_formatd(buf, sizeof buf, formats[i], value);
    if (g_ascii_strtod(buf, NULL) == value)
      break;
  }
  if (value == floor(value) && fabs(value) < 1e21)
    expand_integer(buf, sizeof buf);
  else
    trim_exponent(buf);
  g_string_append(out, buf);
}
