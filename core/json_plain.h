/* copydesk — the bytes of a JSON string that stand for themselves, found 32 at a time
 * (internal: shared by the JSONL reader and the JSON writer). */
#pragma once

#include <glib.h>
#include <string.h>

#include "v16.h"

/* The JSON escapes of two letters, both ways: the letter after the backslash that stands for
 * byte C in a string (0: none; C is written as itself, or as \u00XX), and the byte that a
 * letter after a backslash stands for (0: none; 'u' starts \uXXXX).  The second also has '/',
 * which is read but never written. */
static const char json_escape_letter[256] = {
    ['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};
static const char json_unescaped[256] = {
    ['"'] = '"',   ['\\'] = '\\', ['/'] = '/',   ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n',   ['r'] = '\r', ['t'] = '\t',
};

/* TRUE for a byte that stands for itself inside a JSON string and needs no UTF-8 check. */
static inline gboolean json_is_plain(guchar c)
{
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#define JSON_ONES G_GUINT64_CONSTANT(0x0101010101010101)
#define JSON_HIGHS G_GUINT64_CONSTANT(0x8080808080808080)

/* For the eight bytes of V (the first byte lowest): zero when all are plain, else a mask whose
 * lowest set bit is the high bit of the first byte that is not (a quote, a backslash, a control
 * character or a byte >= 0x80).  Bytes after that one may be flagged wrongly: a borrow runs up
 * only from a special byte. */
static inline guint64 json_block_special(guint64 v)
{
  return (((v ^ (JSON_ONES * '"')) - JSON_ONES) | ((v ^ (JSON_ONES * '\\')) - JSON_ONES) | (v - JSON_ONES * 0x20) | v) &
         JSON_HIGHS;
}

/* The position (0-7) in its block of the first special byte of MASK (nonzero). */
static inline gsize json_first_special(guint64 mask)
{
  return (gsize)__builtin_ctzll(mask) / 8;
}

/* 0xFF in each of the sixteen bytes of V that is not plain (a quote, a backslash, a control
 * character or a byte >= 0x80), 0 in the others.  Flipping bit 1 of a byte turns a quote (0x22)
 * into 0x20, keeps control characters below 0x20 and bytes >= 0x80 below 0 read as signed, and
 * takes 0x20, 0x21 and 0x23 to 0x22, 0x23 and 0x21: the bytes then below 0x21 read as signed are
 * exactly the quote, the control characters and those >= 0x80; a backslash is compared apart. */
static inline V16 json_v16_special(V16Unsigned v)
{
  const V16 bound = {0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21,
                     0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21};
  V16 flipped = (V16)(v ^ 0x02);
  return (V16)(flipped < bound) | (V16)(v == '\\');
}

/* The offset in the 32 bytes at P of the first that is not plain, or 32 when all are; with O
 * non-NULL, also copies the 32 bytes to O. */
static G_ALWAYS_INLINE inline gsize json_plain32(const guchar *p, char *o)
{
  V16Unsigned a, b;
  memcpy(&a, p, sizeof a);
  memcpy(&b, p + 16, sizeof b);
  if (o != NULL) {
    memcpy(o, &a, sizeof a);
    memcpy(o + 16, &b, sizeof b);
  }
  guint bits = v16_bits(json_v16_special(a)) | v16_bits(json_v16_special(b)) << 16;
  return bits != 0 ? (gsize)__builtin_ctz(bits) : 32;
}

/* The offset in the 16 bytes at P of the first that is not plain, or 16; with O non-NULL,
 * also copies the 16 bytes to O. */
static G_ALWAYS_INLINE inline gsize json_plain16(const guchar *p, char *o)
{
  V16Unsigned a;
  memcpy(&a, p, sizeof a);
  if (o != NULL)
    memcpy(o, &a, sizeof a);
  guint bits = v16_bits(json_v16_special(a));
  return bits != 0 ? (gsize)__builtin_ctz(bits) : 16;
}

/* The offset in the 8 bytes at P of the first that is not plain, or 8; with O non-NULL, also
 * copies the 8 bytes to O. */
static G_ALWAYS_INLINE inline gsize json_plain8(const guchar *p, char *o)
{
  guint64 a;
  memcpy(&a, p, sizeof a);
  if (o != NULL)
    memcpy(o, &a, sizeof a);
  guint64 mask = json_block_special(GUINT64_FROM_LE(a));
  return mask != 0 ? json_first_special(mask) : 8;
}

/* How many bytes from P on (up to END) are plain.  With O non-NULL, also copies them to O in
 * whole blocks: more bytes than the count may be written, never more than END - P.  A run of
 * 32 bytes or more is looked at 32 bytes at a time, its last few bytes as the 32 that end at
 * END; a shorter one as its first and its last 16 or 8 bytes, which overlap.  In a block that
 * ends at END the bytes before it already looked at are plain, so the first byte found there
 * is the first not plain; only runs under eight bytes go one byte at a time. */
static G_ALWAYS_INLINE inline gsize json_plain_prefix(const guchar *p, const guchar *end, char *o)
{
  gsize n = (gsize)(end - p), k;
  if (n >= 32) {
    /* the whole blocks of 32, counted by offset */
    gsize i = 0, last = n - 32;
    do {
      if ((k = json_plain32(p + i, o != NULL ? o + i : NULL)) < 32)
        return i + k;
      i += 32;
    } while (i <= last);
    if (i == n)
      return n;
    return last + json_plain32(p + last, o != NULL ? o + last : NULL);
  }
  if (n >= 16) {
    if ((k = json_plain16(p, o)) < 16)
      return k;
    return n - 16 + json_plain16(end - 16, o != NULL ? o + n - 16 : NULL);
  }
  if (n >= 8) {
    if ((k = json_plain8(p, o)) < 8)
      return k;
    return n - 8 + json_plain8(end - 8, o != NULL ? o + n - 8 : NULL);
  }
  for (k = 0; k < n && json_is_plain(p[k]); k++)
    if (o != NULL)
      o[k] = (char)p[k];
  return k;
}

/* Copies the N-byte (2-4) UTF-8 sequence at P to O. */
static inline void json_copy_sequence(char *o, const guchar *p, gsize n)
{
  o[0] = (char)p[0];
  o[1] = (char)p[1];
  if (n > 2)
    o[2] = (char)p[2];
  if (n > 3)
    o[3] = (char)p[3];
}
