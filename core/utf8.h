/* copydesk — strict UTF-8 decoding and ASCII tests shared by the core and plugins (internal). */
#pragma once

#include <glib.h>
#include <string.h>

/* TRUE when the eight bytes at S are all ASCII (the caller has eight to read). */
static inline gboolean
copydesk_ascii8(const guchar *s)
{
  guint64 word;
  memcpy(&word, s, 8);
  return (word & G_GUINT64_CONSTANT(0x8080808080808080)) == 0;
}

/* TRUE when the 32 bytes at S are all ASCII (the caller has 32 to read). */
static inline gboolean
copydesk_ascii32(const guchar *s)
{
  guint64 w[4];
  memcpy(w, s, 32);
  return ((w[0] | w[1] | w[2] | w[3]) & G_GUINT64_CONSTANT(0x8080808080808080)) == 0;
}

/* The value of the ASCII hex digit C (0-9, a-f, A-F), or -1 when it is none
 * (g_ascii_xdigit_value() without the call). */
static inline int
copydesk_hex_digit(guchar c)
{
  if ((guint)(c - '0') < 10)
    return c - '0';
  c |= 0x20; /* 'A'-'F' to 'a'-'f': only they and 'a'-'f' land there */
  if ((guint)(c - 'a') < 6)
    return c - 'a' + 10;
  return -1;
}

/* Length (1-4) of the well-formed UTF-8 sequence at S (AVAIL bytes available), or 0 when the
 * bytes there are not one (overlong forms, surrogates and values past U+10FFFF are refused).
 * U+0000 is well formed. */
static inline gsize
copydesk_utf8_sequence_length(const guchar *s, gsize avail)
{
  guchar c = s[0];
  if (c < 0x80)
    return 1;
  if (c < 0xC2 || c > 0xF4)
    return 0;
  if (c < 0xE0) {
    return (avail >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
  }
  if (c < 0xF0) {
    if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
      return 0;
    if (c == 0xE0 && s[1] < 0xA0)
      return 0; /* overlong */
    if (c == 0xED && s[1] >= 0xA0)
      return 0; /* surrogate */
    return 3;
  }
  if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
    return 0;
  if (c == 0xF0 && s[1] < 0x90)
    return 0; /* overlong */
  if (c == 0xF4 && s[1] >= 0x90)
    return 0; /* past U+10FFFF */
  return 4;
}

/* TRUE when POS in the LEN bytes of TEXT is a character boundary (or the end). */
static inline gboolean
copydesk_utf8_is_boundary(const char *text, gsize len, gsize pos)
{
  return pos == len || (pos < len && (((guchar)text[pos]) & 0xC0) != 0x80);
}

/* TRUE when the LEN bytes at S are well-formed UTF-8 (NUL allowed). */
static inline gboolean
copydesk_utf8_validate(const char *s, gsize len)
{
  const guchar *p = (const guchar *)s;
  gsize i = 0;
  while (i < len) {
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    gsize n = copydesk_utf8_sequence_length(p + i, len - i);
    if (n == 0)
      return FALSE;
    i += n;
  }
  return TRUE;
}
