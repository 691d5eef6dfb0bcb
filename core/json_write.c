/* copydesk — helpers for plugins that write JSON.
 *
 * Strings: the output grows once for the whole string, then bytes that need no escape
 * (plain ASCII, 32 at a time, and well-formed UTF-8 other than U+2028/U+2029) are
 * copied straight into it, sixteen bytes a store; everything else is escaped one byte or
 * one character at a time, each escape making room for itself.  Numbers: the shortest
 * of %.15g, %.16g, %.17g that reads back to the same double, always in the C locale.
 */
#include <copydesk/json.h>

#include "json_plain.h"
#include "utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Makes room in OUT for N more bytes and the NUL after them (growing it at most once); returns
 * where they go.  OUT's length does not change. */
static inline char *room(GString *out, gsize n)
{
  if (G_UNLIKELY(out->allocated_len - out->len <= n)) {
    gsize len = out->len;
    g_string_set_size(out, len + n);
    out->len = len;
  }
  return out->str + out->len;
}

/* TRUE when the 3-byte sequence at P is U+2028 or U+2029 (which JavaScript treats as line ends). */
static inline gboolean is_line_separator(const guchar *p)
{
  return p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
}

/* Escapes the bytes [P, END) of a string whose opening quote and earlier bytes are in OUT up
 * to O, which has room for the rest as it is, the closing quote and a NUL; P is not plain.
 * Writes the rest, the closing quote and the NUL, and sets OUT's length. */
G_NO_INLINE static void
append_escaped(GString *out, const guchar *p, const guchar *end, char *o)
{
  static const char hex[] = "0123456789abcdef";
  for (;;) {
    guchar c = *p;
    int n = c >= 0x80 ? copydesk_utf8_sequence_length(p, (gsize)(end - p)) : 0;
    if (n > 0 && !(n == 3 && is_line_separator(p))) {
      /* a well-formed character other than U+2028 and U+2029, as it is */
      json_copy_sequence(o, p, (gsize)n);
      o += n;
      p += n;
    } else {
      out->len = (gsize)(o - out->str);
      o = room(out, 6 + (gsize)(end - p) + 1);
      char letter = json_escape_letter[c]; /* of a two-byte escape */
      if (letter != 0) {
        o[0] = '\\';
        o[1] = letter;
        o += 2;
      } else if (c < 0x20) {
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        memcpy(o, esc, 6);
        o += 6;
      } else if (n == 3) { /* U+2028 or U+2029 */
        memcpy(o, p[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
        o += 6;
        p += 2; /* plus the one below */
      } else {
        memcpy(o, "\\ufffd", 6); /* one invalid byte */
        o += 6;
      }
      p++;
    }
    gsize run = json_plain_prefix(p, end, o);
    p += run;
    o += run;
    if (p >= end)
      break;
  }
  *o++ = '"';
  *o = '\0';
  out->len = (gsize)(o - out->str);
}

/* Appends S as a quoted, escaped JSON string; the output is valid JSON whatever the input bytes.
 * A string of plain bytes only is copied here; the first byte that is not hands the rest to
 * append_escaped(). */
void copydesk_json_append_string(GString *out, const char *s, gssize len)
{
  g_return_if_fail(out != NULL);
  if (s == NULL)
    s = "", len = 0;
  if (len < 0)
    len = (gssize)strlen(s);

  const guchar *p = (const guchar *)s;
  const guchar *end = p + len;
  /* Room for the quotes and every byte as it is: O always has room for the rest of the input,
   * the closing quote and a NUL; an escape, longer than what it stands for, makes its own. */
  char *o = room(out, (gsize)len + 2);
  *o++ = '"';
  gsize run;
  if (len >= 4 && len < 8) {
    /* A short string (a label, a name, a key) as two words of four bytes that overlap, which
     * also cover it when all its bytes are plain; else it goes the usual way. */
    guint32 a, b;
    memcpy(&a, p, 4);
    memcpy(&b, end - 4, 4);
    memcpy(o, &a, 4);
    memcpy(o + len - 4, &b, 4);
    run = json_block_special(a | (guint64)b << 32) == 0 ? (gsize)len : json_plain_prefix(p, end, o);
  } else {
    run = json_plain_prefix(p, end, o);
  }
  if (G_UNLIKELY(run < (gsize)len)) {
    append_escaped(out, p + run, end, o + run);
    return;
  }
  o += len;
  *o++ = '"';
  *o = '\0';
  out->len = (gsize)(o - out->str);
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

/* Writes VALUE and a NUL to BUF when it is a multiple of 1/1000 between 0.001 and 10^9 in
 * magnitude (scores, confidences): the digits of that decimal are its shortest exact form, which
 * %g would find too, at a fraction of the cost.  Returns where the NUL went, or NULL, leaving BUF
 * alone, for any other value. */
static char *format_thousandths(char *buf, double value)
{
  double magnitude = fabs(value);
  if (!(magnitude >= 0.001 && magnitude < 1e9))
    return NULL;
  /* The nearest whole number of thousandths (for a multiple of 1/1000, MAGNITUDE * 1000 is
   * within a rounding error of it, so adding a half and truncating finds it). */
  guint64 n = (guint64)(magnitude * 1000.0 + 0.5);
  if ((double)n / 1000.0 != magnitude)
    return NULL;
  guint64 whole = n / 1000;
  guint fraction = (guint)(n % 1000);
  char *o = buf;
  if (value < 0)
    *o++ = '-';
  if (whole < 10) {
    *o++ = (char)('0' + whole);
  } else {
    char rev[24];
    int r = 0;
    do { /* the whole part's digits, last first */
      rev[r++] = (char)('0' + whole % 10);
      whole /= 10;
    } while (whole != 0);
    while (r > 0)
      *o++ = rev[--r];
  }
  if (fraction != 0) { /* up to three places, without trailing zeros */
    o[0] = '.';
    o[1] = (char)('0' + fraction / 100);
    o[2] = (char)('0' + fraction / 10 % 10);
    o[3] = (char)('0' + fraction % 10);
    o += fraction % 100 == 0 ? 2 : fraction % 10 == 0 ? 3 : 4;
  }
  *o = '\0';
  return o;
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
  /* Written in place: room for the longest such number and its NUL. */
  char *o = room(out, G_ASCII_DTOSTR_BUF_SIZE);
  char *end = format_thousandths(o, value);
  if (end != NULL) {
    out->len = (gsize)(end - out->str);
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
